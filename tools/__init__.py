"""Operations tooling run from a workstation or CI (``make secrets``, ``make ably-rules``…).

Not Lambda runtime: nothing here is bundled into a function. It reads the stage
configuration (``stacks.config``) and the deployed stack's outputs, and talks to
AWS and to Ably's Control API with the operator's own credentials.
"""
