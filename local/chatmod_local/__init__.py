"""chatmod on one machine: embedded AWS (moto), an Ably emulator, the HTTP API and pollers.

A development tool, never deployed: ``lambdas/`` does not import it. The handlers
run unchanged; local mode differs by configuration only (endpoints, keys).
"""
