"""Names shared by the runtime and the CDK stacks, so the two cannot drift.

The stacks import this module (it has no dependencies) to set environment
variables and handler paths; the runtime reads the same names.
"""

from __future__ import annotations

from typing import Final

# Environment variables the stack sets on every function.
ENV_STAGE: Final = "CHATMOD_STAGE"
ENV_BANS_TABLE: Final = "CHATMOD_BANS_TABLE"
ENV_STRIKES_TABLE: Final = "CHATMOD_STRIKES_TABLE"
ENV_AUDIT_TABLE: Final = "CHATMOD_AUDIT_TABLE"
ENV_IDEMPOTENCY_TABLE: Final = "CHATMOD_IDEMPOTENCY_TABLE"
ENV_REVIEWS_TABLE: Final = "CHATMOD_REVIEWS_TABLE"
ENV_COUNTS_TABLE: Final = "CHATMOD_COUNTS_TABLE"
ENV_INGEST_QUEUE_URL: Final = "CHATMOD_INGEST_QUEUE_URL"
ENV_POLICY_PARAMETER: Final = "CHATMOD_POLICY_PARAMETER"
ENV_ABLY_KEY_PARAMETER: Final = "CHATMOD_ABLY_KEY_PARAMETER"
ENV_BEFORE_PUBLISH_SECRET_PARAMETER: Final = "CHATMOD_BEFORE_PUBLISH_SECRET_PARAMETER"  # noqa: S105
ENV_BEFORE_PUBLISH_SECRET_HEADER: Final = "CHATMOD_BEFORE_PUBLISH_SECRET_HEADER"  # noqa: S105
# The key that signs x-chatmod-judged: its own SecureString, never shown to Ably.
ENV_JUDGED_KEY_PARAMETER: Final = "CHATMOD_JUDGED_KEY_PARAMETER"
ENV_PROVIDER_KEY_PARAMETERS: Final = "CHATMOD_PROVIDER_KEY_PARAMETERS"
# The Ably rule's settings as deployed (JSON) and the providers the stage deployed
# (comma-separated): a policy edit in SSM that disagrees is refused (core.deployment).
ENV_ABLY_RULE: Final = "CHATMOD_ABLY_RULE"
ENV_DEPLOYED_PROVIDERS: Final = "CHATMOD_DEPLOYED_PROVIDERS"
ENV_ABLY_REST_HOST: Final = "CHATMOD_ABLY_REST_HOST"
ENV_ABLY_TLS: Final = "CHATMOD_ABLY_TLS"
ENV_AWS_ENDPOINT_URL: Final = "AWS_ENDPOINT_URL"
ENV_PARAMETER_MAX_AGE: Final = "CHATMOD_PARAMETER_MAX_AGE_SECONDS"

# Powertools reads these itself.
ENV_POWERTOOLS_SERVICE_NAME: Final = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_METRICS_NAMESPACE: Final = "POWERTOOLS_METRICS_NAMESPACE"
ENV_POWERTOOLS_LOG_LEVEL: Final = "POWERTOOLS_LOG_LEVEL"
ENV_POWERTOOLS_TRACE_DISABLED: Final = "POWERTOOLS_TRACE_DISABLED"
ENV_POWERTOOLS_TRACER_CAPTURE_RESPONSE: Final = "POWERTOOLS_TRACER_CAPTURE_RESPONSE"
ENV_POWERTOOLS_TRACER_CAPTURE_ERROR: Final = "POWERTOOLS_TRACER_CAPTURE_ERROR"

METRICS_NAMESPACE: Final = "Chatmod"

# DynamoDB layout.
BANS_PARTITION_KEY: Final = "clientId"
BANS_TTL_ATTRIBUTE: Final = "expiresAt"
STRIKES_PARTITION_KEY: Final = "clientId"
STRIKES_TTL_ATTRIBUTE: Final = "expiresAt"
AUDIT_PARTITION_KEY: Final = "clientId"
AUDIT_SORT_KEY: Final = "eventId"
AUDIT_BY_TIME_INDEX: Final = "byTime"
AUDIT_TTL_ATTRIBUTE: Final = "expiresAt"
REVIEWS_PARTITION_KEY: Final = "reviewId"
REVIEWS_TTL_ATTRIBUTE: Final = "expiresAt"
#: Reviews of one room in one state, oldest first (partition "<room>#<state>").
REVIEWS_BY_ROOM_INDEX: Final = "byRoom"
#: Reviews in one state across rooms, oldest first (partition "<state>").
REVIEWS_BY_STATE_INDEX: Final = "byState"
REVIEWS_SORT_KEY: Final = "createdKey"
#: Decision counts per scope ("stage" or "room#<room>") and bucket ("h#<hour>", "u#<hour>").
COUNTS_PARTITION_KEY: Final = "scope"
COUNTS_SORT_KEY: Final = "bucket"
COUNTS_TTL_ATTRIBUTE: Final = "expiresAt"
#: The key of the per-room counts in the functions' EMF blob; the counts subscription
#: filter selects the log events that carry it.
COUNTS_METADATA_KEY: Final = "roomCounts"
# Powertools idempotency's default layout (DynamoDBPersistenceLayer).
IDEMPOTENCY_PARTITION_KEY: Final = "id"
IDEMPOTENCY_TTL_ATTRIBUTE: Final = "expiration"

# Handler entry points, relative to the code asset root. One per function.
HANDLER_ASYNC_MODERATION: Final = "chatmod.handlers.async_moderation.lambda_handler"
HANDLER_BEFORE_PUBLISH: Final = "chatmod.handlers.before_publish.lambda_handler"
HANDLER_PUBLISH: Final = "chatmod.handlers.publish.lambda_handler"
HANDLER_TOKEN: Final = "chatmod.handlers.token.lambda_handler"  # noqa: S105
HANDLER_MODERATOR: Final = "chatmod.handlers.moderator.lambda_handler"
HANDLER_BAN_STREAM: Final = "chatmod.handlers.ban_stream.lambda_handler"
HANDLER_REVIEW_SWEEPER: Final = "chatmod.handlers.review_sweeper.lambda_handler"
HANDLER_COUNTER: Final = "chatmod.handlers.counter.lambda_handler"

# The name of the pub/sub moderation events chatmod publishes (e.g. a message retracted).
MODERATION_EVENT_NAME: Final = "chatmod.moderation"
# Event names starting with this are chatmod's own: POST /messages refuses them.
RESERVED_EVENT_PREFIX: Final = "chatmod."
# Client ids starting with this are chatmod's own: /token never issues one, and no
# route accepts a caller with one. chatmod publishes its events and acts on chat
# messages as CHATMOD_CLIENT_ID, so a client trusts an event only with that clientId
# (Ably stamps a token's clientId on what its holder publishes; only a key may
# name another).
RESERVED_CLIENT_ID_PREFIX: Final = "chatmod:"
CHATMOD_CLIENT_ID: Final = "chatmod:system"

# Ably's AWS account, which assumes the roles chatmod creates for Ably rules.
ABLY_AWS_ACCOUNT_ID: Final = "203461409171"
# The longest an Ably token chatmod asks for may live: tokens of a key with
# "revocable tokens" enabled live at most an hour, and bans rely on revocation.
MAX_TOKEN_TTL_MS: Final = 60 * 60 * 1000
