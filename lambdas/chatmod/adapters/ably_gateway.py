"""The old home of the Ably gateway: re-exports ``chatmod.adapters.ably`` for existing imports."""

from __future__ import annotations

from chatmod.adapters.ably import (
    CHAT_API_VERSION,
    MAX_REVOCATION_TARGETS,
    MAX_TOKEN_TTL_MS,
    SKIP_ALL_RULES,
    AblyApiError,
    AblyConnectionError,
    AblyGateway,
    AblySettings,
    AblyTimeoutError,
    ChatMessage,
    PublishedMessage,
    RevocationFailure,
    RevocationResult,
    SentChatMessage,
    build_sdk_client,
)

__all__ = [
    "CHAT_API_VERSION",
    "MAX_REVOCATION_TARGETS",
    "MAX_TOKEN_TTL_MS",
    "SKIP_ALL_RULES",
    "AblyApiError",
    "AblyConnectionError",
    "AblyGateway",
    "AblySettings",
    "AblyTimeoutError",
    "ChatMessage",
    "PublishedMessage",
    "RevocationFailure",
    "RevocationResult",
    "SentChatMessage",
    "build_sdk_client",
]
