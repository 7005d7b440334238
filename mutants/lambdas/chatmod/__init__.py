"""chatmod: the Lambda runtime shared by every chatmod function.

Where to change a behaviour (dependencies point down this list, never up)::

    handlers/      one thin entry point per Lambda function
    api/           the HTTP contract: request/response models, POST /messages bodies,
                   JSON bodies, cursors, error-to-status mapping, the OpenAPI document
    ingest/        the async path: Ably's integration-rule envelope and the SQS consumer
    moderation/    the decision: the one pipeline, the engine, providers, the
                   before-publish contract, the decision log
    enforcement/   what follows a decision: bans and the strike ladder, token
                   capabilities and revocation, audit events, the judged header
    adapters/      I/O behind small interfaces: DynamoDB, SSM, Ably
    core/          runtime plumbing: settings, policy, errors, deadlines,
                   observability, the warm-container runtime, shared constants
"""

__version__ = "0.1.0"
