"""The Ably adapter: every call chatmod makes to Ably, through ably-python's ``AblyRestSync``."""

from __future__ import annotations

from chatmod.adapters.ably.chat import (
    CHAT_API_VERSION,
    ChatMessage,
    ChatOperations,
    SentChatMessage,
    new_idempotency_key,
)
from chatmod.adapters.ably.connection import (
    AblyConnection,
    AblyOperations,
    AblyReply,
    build_sdk_client,
)
from chatmod.adapters.ably.errors import AblyApiError, AblyConnectionError, AblyTimeoutError
from chatmod.adapters.ably.gateway import AblyGateway
from chatmod.adapters.ably.pubsub import SKIP_ALL_RULES, PublishedMessage, PubSubOperations
from chatmod.adapters.ably.settings import AblySettings
from chatmod.adapters.ably.tokens import (
    MAX_REVOCATION_TARGETS,
    MAX_TOKEN_TTL_MS,
    RevocationFailure,
    RevocationResult,
    TokenOperations,
)

__all__ = [
    "CHAT_API_VERSION",
    "MAX_REVOCATION_TARGETS",
    "MAX_TOKEN_TTL_MS",
    "SKIP_ALL_RULES",
    "AblyApiError",
    "AblyConnection",
    "AblyConnectionError",
    "AblyGateway",
    "AblyOperations",
    "AblyReply",
    "AblySettings",
    "AblyTimeoutError",
    "ChatMessage",
    "ChatOperations",
    "PubSubOperations",
    "PublishedMessage",
    "RevocationFailure",
    "RevocationResult",
    "SentChatMessage",
    "TokenOperations",
    "build_sdk_client",
    "new_idempotency_key",
]
