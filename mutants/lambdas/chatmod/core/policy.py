"""The runtime policy: moderation, bans, tokens and identity, as one validated document.

The stage configuration in ``cdk.json`` embeds these models, so synth rejects a
bad policy before anything is built; the stack then stores the policy as JSON in
an SSM String parameter that operators can tune without a deploy, and the
functions parse it with the same models at run time.

Field names are camelCase on the wire (they mirror Ably's rule settings, e.g.
``retryTimeoutMs``), snake_case in Python.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

# Ably capability operations a role may be granted (Ably's capability docs).
ABLY_OPERATIONS = frozenset(
    {
        "*",
        "publish",
        "subscribe",
        "presence",
        "history",
        "stats",
        "channel-metadata",
        "push-subscribe",
        "push-admin",
        "privileged-headers",
        "object-subscribe",
        "object-publish",
        "annotation-subscribe",
        "annotation-publish",
        "message-update-own",
        "message-update-any",
        "message-delete-own",
        "message-delete-any",
    }
)

#: What Ably Chat's docs list for a participant using every feature (chat/setup).
CHAT_PARTICIPANT: Final[tuple[str, ...]] = (
    "publish",
    "subscribe",
    "presence",
    "history",
    "message-update-own",
    "message-delete-own",
    "annotation-publish",
    "annotation-subscribe",
    "channel-metadata",
)

_DURATION = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>[smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class StrictModel(BaseModel):
    """Base for every config model: camelCase aliases, unknown keys rejected, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


# --- provider URLs ----------------------------------------------------------------


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_provider_url(value: str, field: str) -> str:
    """``value`` if it is an https URL (or http to a loopback host, for local stubs).

    A provider URL carries the provider's API key or the message text, so plain
    HTTP is refused except to this machine.

    Raises:
        ValueError: the URL is empty, not http(s), has no host, or is plain http
            to another machine; the message names ``field``.
    """
    parts = urlsplit(value.strip())
    try:
        parts.port  # noqa: B018 (parsing the port is the check)
    except ValueError:
        raise ValueError(f"{field} has an invalid port") from None
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and host and is_loopback_host(host):
        return value
    raise ValueError(
        f"{field} must be an https:// URL with a host (http:// only to localhost, "
        "127.0.0.0/8 or ::1)"
    )


def _provider_url(value: str, info: ValidationInfo) -> str:
    field = info.field_name or "url"
    # Name the field as it is written in cdk.json and the policy parameter.
    alias = {"base_url": "baseUrl"}.get(field, field)
    return check_provider_url(value, alias)


ProviderUrl = Annotated[str, AfterValidator(_provider_url)]


# --- moderation providers -------------------------------------------------------


BlocklistCategory = Literal["profanity", "sexual", "hate", "harassment", "violence", "self_harm"]


class BlocklistTerm(StrictModel):
    """A user term or regex for the blocklist, with its category and severity."""

    term: str | None = Field(default=None, min_length=1)
    regex: str | None = Field(default=None, min_length=1)
    category: BlocklistCategory = "profanity"
    severity: int = Field(default=2, ge=1, le=3)

    @model_validator(mode="after")
    def _exactly_one_pattern(self) -> BlocklistTerm:
        if (self.term is None) == (self.regex is None):
            raise ValueError("give exactly one of 'term' or 'regex'")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"invalid regex {self.regex!r}: {exc}") from exc
        return self


class BlocklistProviderConfig(StrictModel):
    """The built-in blocklist; thresholds are minimum severities (1..3) per category."""

    name: Literal["blocklist"] = "blocklist"
    include_default: bool = True
    terms: tuple[BlocklistTerm, ...] = ()
    allowlist: tuple[str, ...] = ()
    thresholds: dict[BlocklistCategory, Annotated[int, Field(ge=1, le=3)]] = Field(
        default_factory=dict
    )


class HiveProviderConfig(StrictModel):
    """Hive text moderation; thresholds ``{class: severity 1..3}`` as in Ably's Hive rule."""

    name: Literal["hive"]
    base_url: ProviderUrl = "https://api.thehive.ai"
    thresholds: dict[str, Annotated[int, Field(ge=1, le=3)]] = Field(min_length=1)


class OpenAIProviderConfig(StrictModel):
    """OpenAI moderation; thresholds on ``category_scores`` (0..1)."""

    name: Literal["openai"]
    base_url: ProviderUrl = "https://api.openai.com"
    model: str = "omni-moderation-latest"
    thresholds: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(min_length=1)


class ComprehendProviderConfig(StrictModel):
    """AWS Comprehend DetectToxicContent; thresholds on label scores (0..1), incl. TOXICITY."""

    name: Literal["comprehend"]
    language_code: Literal["en"] = "en"
    thresholds: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(min_length=1)


class AzureProviderConfig(StrictModel):
    """Azure AI Content Safety ``text:analyze``; thresholds 0..7 per category."""

    name: Literal["azure"]
    endpoint: ProviderUrl
    thresholds: dict[str, Annotated[int, Field(ge=0, le=7)]] = Field(min_length=1)


class HttpModelProviderConfig(StrictModel):
    """The user's own model behind a URL that speaks the before-publish contract."""

    name: Literal["http"]
    url: ProviderUrl


ProviderConfig = Annotated[
    BlocklistProviderConfig
    | HiveProviderConfig
    | OpenAIProviderConfig
    | ComprehendProviderConfig
    | AzureProviderConfig
    | HttpModelProviderConfig,
    Field(discriminator="name"),
]

#: Providers that need an API key in an SSM SecureString parameter.
PROVIDERS_WITH_KEYS = frozenset({"hive", "openai", "azure"})


class ModerationPolicy(StrictModel):
    """How messages are moderated; names mirror the settings of an Ably before-publish rule."""

    providers: tuple[ProviderConfig, ...] = (BlocklistProviderConfig(),)
    retry_timeout_ms: int = Field(default=1000, ge=0, le=5000)
    max_retries: int = Field(default=1, ge=0, le=10)
    failed_action: Literal["reject", "publish", "defer"] = "reject"
    too_many_requests_action: Literal["retry", "fail"] = "fail"
    room_filter: str | None = None
    on_match: Literal["reject", "mask"] = "reject"
    max_text_length: int = Field(default=10_000, ge=1, le=65_536)
    # What a rejection's audit event keeps of the text: Ably blanks a deleted message's
    # text everywhere, so without it a moderator reviewing an appeal sees nothing.
    audit_text: Literal["text", "hash", "none"] = "text"

    @field_validator("providers")
    @classmethod
    def _at_least_one_provider(
        cls, value: tuple[ProviderConfig, ...]
    ) -> tuple[ProviderConfig, ...]:
        if not value:
            raise ValueError("at least one provider is required")
        return value

    @field_validator("room_filter")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regex {value!r}: {exc}") from exc
        return value


# --- bans ------------------------------------------------------------------------


def parse_ladder_step(step: str) -> int | None:
    """Seconds of ban for a ladder step: ``0`` for ``warn``, ``None`` for ``permanent``.

    Raises:
        ValueError: the step is not ``warn``, ``permanent`` or a duration like ``120s``/``1h``.
    """
    if step == "warn":
        return 0
    if step == "permanent":
        return None
    match = _DURATION.match(step)
    if match is None:
        raise ValueError(
            f"ladder step {step!r} must be 'warn', 'permanent' or a duration like '120s', "
            "'10m', '1h', '7d'"
        )
    return int(match["n"]) * _UNIT_SECONDS[match["unit"]]


class BanPolicy(StrictModel):
    """Strikes inside ``windowSeconds`` move a sender along ``ladder``; the last rung repeats."""

    ladder: tuple[str, ...] = ("warn", "120s", "1h", "24h", "permanent")
    window_seconds: int = Field(default=86_400, ge=60, le=31_536_000)
    revoke_tokens_on_ban: bool = True

    @field_validator("ladder")
    @classmethod
    def _valid_ladder(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("the ladder needs at least one step")
        for step in value:
            parse_ladder_step(step)
        return value


# --- tokens and identity ---------------------------------------------------------

Operation = Annotated[str, Field(min_length=1)]


class TokenPolicy(StrictModel):
    """Ably tokens issued by ``/token``: TTL and capabilities per role on the given rooms.

    Rooms are chat room names (without ``::$chat``) or patterns like ``*``.
    """

    ttl_seconds: int = Field(default=3600, ge=60, le=3600)  # revocable tokens live ≤ 1 h
    rooms: tuple[str, ...] = ("*",)
    # A chat participant, per Ably Chat's capability table (chat/setup): send and
    # receive, history, presence, typing and room reactions, edit and delete their
    # own messages (edits are moderated on the async path), message reactions and
    # occupancy.
    user: tuple[Operation, ...] = CHAT_PARTICIPANT
    # A participant who may also edit or delete anyone's message.
    moderator: tuple[Operation, ...] = (
        *CHAT_PARTICIPANT,
        "message-delete-any",
        "message-update-any",
    )

    @field_validator("user", "moderator")
    @classmethod
    def _known_operations(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - ABLY_OPERATIONS)
        if unknown:
            raise ValueError(f"unknown Ably capability operation(s): {', '.join(unknown)}")
        return value


class IdentityPolicy(StrictModel):
    """Which JWT claims name the caller and mark a moderator."""

    client_id_claim: str = Field(default="sub", min_length=1)
    moderator_claim: str = Field(default="cognito:groups", min_length=1)
    moderator_value: str = Field(default="moderators", min_length=1)


# --- async moderation ------------------------------------------------------------

_TEXT_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


class AsyncPolicy(StrictModel):
    """How the async consumer reads pub/sub messages and how much it does at once.

    ``textPath`` is where the text is in a pub/sub message whose ``data`` is a JSON
    object: dot-separated keys (``"text"``, ``"payload.body"``). A message whose
    ``data`` is a string is moderated whole; chat messages always carry ``text``.
    ``maxConcurrency`` bounds the messages of one SQS batch moderated at once.
    """

    text_path: str = Field(default="text", min_length=1, max_length=200)
    max_concurrency: int = Field(default=16, ge=1, le=64)

    @field_validator("text_path")
    @classmethod
    def _dotted_keys(cls, value: str) -> str:
        if not _TEXT_PATH.match(value):
            raise ValueError(
                f"textPath {value!r} must be dot-separated keys without spaces, e.g. 'text' "
                "or 'payload.body'"
            )
        return value

    @property
    def text_keys(self) -> tuple[str, ...]:
        """``text_path`` split into its keys."""
        return tuple(self.text_path.split("."))


class RuntimePolicy(StrictModel):
    """Everything the functions read from the policy parameter."""

    moderation: ModerationPolicy = ModerationPolicy()
    bans: BanPolicy = BanPolicy()
    tokens: TokenPolicy = TokenPolicy()
    identity: IdentityPolicy = IdentityPolicy()
    # "async" on the wire: a Python keyword, so the attribute has a longer name.
    async_moderation: AsyncPolicy = Field(default=AsyncPolicy(), alias="async")

    def to_json(self) -> str:
        """The JSON stored in the policy parameter (camelCase, defaults included)."""
        return self.model_dump_json(by_alias=True)
