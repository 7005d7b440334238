"""The provider interface every moderation provider implements.

A provider scores text on its own scale, per category; it does not decide. The
policy (``chatmod.moderation.policy``) compares scores with the configured
thresholds, applies the time budget and retries, and reaches the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Match:
    """A span of the *original* text that a rule matched (used for masking).

    ``start``/``end`` are indices into the text the provider was given
    (``text[start:end]`` is the matched word as the sender typed it).
    """

    start: int
    end: int
    term: str
    category: str
    severity: int


@dataclass(frozen=True, slots=True)
class MessageContext:
    """Who sent the message, where: the parts of the request that are not the text.

    Only providers that judge more than the text (the user's own model) use it.
    """

    room: str = ""
    client_id: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    user_claim: str | None = None
    # Messages the sender has had published, when a provider asked (the links provider's
    # trustAfterMessages); ``None``: not counted.
    published_messages: int | None = None


@dataclass(frozen=True, slots=True)
class ProviderResult:
    """What a provider saw: per-category scores on its own scale, and spans if it has them."""

    provider: str
    scores: Mapping[str, float]
    matches: tuple[Match, ...] = ()
    raw: Mapping[str, object] = field(default_factory=dict)


@runtime_checkable
class Provider(Protocol):
    """A moderation provider.

    ``moderate`` must return within ``timeout`` seconds or raise
    ``ProviderTimeoutError``; network providers raise the other
    ``ProviderError`` subclasses so the policy can apply retry rules.
    """

    name: str

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        """Score ``text``; never take longer than ``timeout`` seconds."""
        ...


class ProviderError(Exception):
    """A provider could not score the text.

    ProviderError
    ├── ProviderTimeoutError      no answer in time (retryable)
    ├── ProviderUnavailableError  5xx or connection failure (retryable)
    ├── ProviderRateLimitedError  429 (retryable only if tooManyRequestsAction=retry)
    └── ProviderResponseError     answered, but not in a shape we understand (not retryable)
    """

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class ProviderTimeoutError(ProviderError):
    pass


class ProviderUnavailableError(ProviderError):
    pass


class ProviderRateLimitedError(ProviderError):
    pass


class ProviderResponseError(ProviderError):
    pass
