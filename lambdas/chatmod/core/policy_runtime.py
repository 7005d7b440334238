"""The runtime policy as the functions parse it: msgspec structs, no pydantic on a cold start.

``chatmod.core.policy`` (pydantic) is the policy's schema: synth validates ``cdk.json``
with it, the tools validate edits with it, and ``docs/configuration.md`` is generated
from it. The functions read the same JSON from the policy parameter with these structs
instead: importing pydantic and building its models is about 90 ms of CPU, most of a
cold import of the latency paths (before-publish runs inside Ably's publish path,
``/token`` on every connect), while msgspec takes a few.

The two are one policy: the same keys (camelCase on the wire), defaults, ranges and
checks (``chatmod.core.policy_checks``); ``tests/unit/core/test_policy_runtime.py``
compares their fields and parses valid and invalid documents with both. The runtime is
never the more lenient: what it accepts, the schema accepts with the same values, and
what the schema accepts parses here as the stack and the tools write it (the schema's
own JSON). It is stricter on what a hand edit might hold: camelCase keys only, and no
coercion (``"5"`` or ``true`` for a number) — ``make policy`` refuses such a policy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, Literal

import msgspec
from msgspec import Meta, Struct, field

from chatmod.core.policy_checks import (
    ALL_BLOCKLIST_LANGUAGES,
    CHAT_MODERATOR,
    CHAT_PARTICIPANT,
    DEFAULT_RULE,
    REVIEW_BAND_RULE,
    RULE_NAME,
    check_cross_message,
    check_ladder,
    check_limit_action,
    check_link_lists,
    check_operations,
    check_provider_url,
    check_regex,
    check_review_band,
    check_rule,
    check_rules,
    check_term,
    check_text_path,
)

_ALIASES: Final = {"async_moderation": "async"}


def _camel(name: str) -> str:
    if name in _ALIASES:
        return _ALIASES[name]
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_rename: Callable[[str], str] = _camel


class _Model(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, rename=_rename):
    """Base: camelCase keys, unknown keys refused, frozen."""


BlocklistCategory = Literal["profanity", "sexual", "hate", "harassment", "violence", "self_harm"]
BlocklistLanguage = Literal["en", "es", "fr", "de", "pt", "it"]
NonEmpty = Annotated[str, Meta(min_length=1)]


class BlocklistTerm(_Model, frozen=True, kw_only=True):
    term: Annotated[str, Meta(min_length=1)] | None = None
    regex: Annotated[str, Meta(min_length=1)] | None = None
    category: BlocklistCategory = "profanity"
    severity: Annotated[int, Meta(ge=1, le=3)] = 2

    def __post_init__(self) -> None:
        check_term(self.term, self.regex)


class BlocklistProviderConfig(_Model, frozen=True, kw_only=True, tag_field="name", tag="blocklist"):
    include_default: bool = True
    languages: Annotated[tuple[BlocklistLanguage, ...], Meta(min_length=1)] = (
        ALL_BLOCKLIST_LANGUAGES  # type: ignore[assignment]
    )
    room_languages: dict[NonEmpty, Annotated[tuple[BlocklistLanguage, ...], Meta(min_length=1)]] = (
        field(default_factory=dict)
    )
    terms: tuple[BlocklistTerm, ...] = ()
    allowlist: tuple[str, ...] = ()
    thresholds: dict[BlocklistCategory, Annotated[int, Meta(ge=1, le=3)]] = field(
        default_factory=dict
    )

    @property
    def name(self) -> str:
        return "blocklist"


Severity = Annotated[int, Meta(ge=1, le=3)]
Probability = Annotated[float, Meta(gt=0, le=1)]
AzureSeverity = Annotated[int, Meta(ge=0, le=7)]


class HiveProviderConfig(_Model, frozen=True, kw_only=True, tag_field="name", tag="hive"):
    base_url: str = "https://api.thehive.ai"
    thresholds: Annotated[dict[str, Severity], Meta(min_length=1)]
    review_thresholds: dict[str, Severity] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "hive"

    def __post_init__(self) -> None:
        check_provider_url(self.base_url, "baseUrl")
        check_review_band(self.thresholds, self.review_thresholds)


class OpenAIProviderConfig(_Model, frozen=True, kw_only=True, tag_field="name", tag="openai"):
    base_url: str = "https://api.openai.com"
    model: str = "omni-moderation-latest"
    thresholds: Annotated[dict[str, Probability], Meta(min_length=1)]
    review_thresholds: dict[str, Probability] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "openai"

    def __post_init__(self) -> None:
        check_provider_url(self.base_url, "baseUrl")
        check_review_band(self.thresholds, self.review_thresholds)


class ComprehendProviderConfig(
    _Model, frozen=True, kw_only=True, tag_field="name", tag="comprehend"
):
    language_code: Literal["en"] = "en"
    thresholds: Annotated[dict[str, Probability], Meta(min_length=1)]
    review_thresholds: dict[str, Probability] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "comprehend"

    def __post_init__(self) -> None:
        check_review_band(self.thresholds, self.review_thresholds)


class AzureProviderConfig(_Model, frozen=True, kw_only=True, tag_field="name", tag="azure"):
    endpoint: str
    thresholds: Annotated[dict[str, AzureSeverity], Meta(min_length=1)]
    review_thresholds: dict[str, AzureSeverity] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "azure"

    def __post_init__(self) -> None:
        check_provider_url(self.endpoint, "endpoint")
        check_review_band(self.thresholds, self.review_thresholds)


class HttpModelProviderConfig(_Model, frozen=True, kw_only=True, tag_field="name", tag="http"):
    url: str

    @property
    def name(self) -> str:
        return "http"

    def __post_init__(self) -> None:
        check_provider_url(self.url, "url")


Domain = Annotated[str, Meta(min_length=3, max_length=253)]


class LinksProviderConfig(_Model, frozen=True, kw_only=True, tag_field="name", tag="links"):
    allow: tuple[Domain, ...] = ()
    block: tuple[Domain, ...] = ()
    room_allow: dict[NonEmpty, tuple[Domain, ...]] = field(default_factory=dict)
    room_block: dict[NonEmpty, tuple[Domain, ...]] = field(default_factory=dict)
    thresholds: dict[
        Literal["link", "new_sender_link", "blocked_domain"], Annotated[int, Meta(ge=1, le=3)]
    ] = field(default_factory=dict)
    trust_after_messages: Annotated[int, Meta(ge=1, le=1000)] | None = None

    @property
    def name(self) -> str:
        return "links"

    def __post_init__(self) -> None:
        check_link_lists(self.allow, self.block, self.room_allow, self.room_block)


ProviderConfig = (
    BlocklistProviderConfig
    | HiveProviderConfig
    | OpenAIProviderConfig
    | ComprehendProviderConfig
    | AzureProviderConfig
    | HttpModelProviderConfig
    | LinksProviderConfig
)

RuleAction = Literal["accept", "mask", "hold", "warn", "reject", "timeout", "ban"]
ScoreLevel = Literal["threshold", "reviewThreshold"]
Role = Literal["user", "moderator"]


class RuleMatch(_Model, frozen=True, kw_only=True):
    provider: NonEmpty | None = None
    categories: tuple[NonEmpty, ...] = ()
    min_score: float | ScoreLevel = "threshold"
    rooms: tuple[NonEmpty, ...] = ()
    roles: tuple[Role, ...] = ()


class Rule(_Model, frozen=True, kw_only=True):
    name: Annotated[str, Meta(min_length=1, max_length=64, pattern=RULE_NAME)] | None = None
    match: RuleMatch = field(default_factory=RuleMatch)
    action: RuleAction
    duration_seconds: Annotated[int, Meta(ge=1, le=31_536_000)] | None = None
    strike: bool | None = None
    observe: bool = False

    def __post_init__(self) -> None:
        check_rule(self.action, self.duration_seconds, self.strike)


def default_rules(on_match: str) -> tuple[Rule, ...]:
    """``onMatch`` at a provider's threshold, then a hold in a review band."""
    return _DEFAULTS[on_match]


class SplitWords(_Model, frozen=True, kw_only=True):
    window_seconds: Annotated[int, Meta(ge=5, le=600)] = 60
    messages: Annotated[int, Meta(ge=1, le=10)] = 4


class RepeatLimit(_Model, frozen=True, kw_only=True):
    max: Annotated[int, Meta(ge=1, le=50)]
    window_seconds: Annotated[int, Meta(ge=5, le=3600)] = 60
    action: Literal["mask", "reject", "timeout"] = "reject"
    duration_seconds: Annotated[int, Meta(ge=1, le=86_400)] | None = None

    def __post_init__(self) -> None:
        check_limit_action(self.action, self.duration_seconds)


class FloodLimit(_Model, frozen=True, kw_only=True):
    max: Annotated[int, Meta(ge=1, le=100)]
    window_seconds: Annotated[int, Meta(ge=1, le=600)] = 10
    action: Literal["reject", "timeout"] = "reject"
    duration_seconds: Annotated[int, Meta(ge=1, le=86_400)] | None = None

    def __post_init__(self) -> None:
        check_limit_action(self.action, self.duration_seconds)


class CrossMessagePolicy(_Model, frozen=True, kw_only=True):
    rooms: tuple[NonEmpty, ...] = ("*",)
    split_words: SplitWords | None = None
    repeats: RepeatLimit | None = None
    floods: FloodLimit | None = None
    slow_mode_seconds: Annotated[int, Meta(ge=1, le=120)] | None = None


class ModerationPolicy(_Model, frozen=True, kw_only=True):
    providers: Annotated[tuple[ProviderConfig, ...], Meta(min_length=1)] = field(
        default_factory=lambda: (BlocklistProviderConfig(),)
    )
    retry_timeout_ms: Annotated[int, Meta(ge=0, le=5000)] = 1000
    max_retries: Annotated[int, Meta(ge=0, le=10)] = 1
    failed_action: Literal["reject", "publish", "defer"] = "reject"
    too_many_requests_action: Literal["retry", "fail"] = "fail"
    room_filter: str | None = None
    on_match: Literal["reject", "mask", "hold"] = "reject"
    max_text_length: Annotated[int, Meta(ge=1, le=65_536)] = 10_000
    audit_text: Literal["text", "hash", "none"] = "text"
    rules: tuple[Rule, ...] = ()
    observe_providers: tuple[NonEmpty, ...] = ()
    cross_message: tuple[CrossMessagePolicy, ...] = ()

    def __post_init__(self) -> None:
        if self.room_filter is not None:
            check_regex(self.room_filter)
        check_rules([p.name for p in self.providers], self.rules, self.observe_providers)
        check_cross_message([p.name for p in self.providers], self.cross_message)

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """The rules in the order they are checked: one's own, then the defaults."""
        return (*self.rules, *default_rules(self.on_match))


class BanPolicy(_Model, frozen=True, kw_only=True):
    ladder: tuple[str, ...] = ("warn", "120s", "1h", "24h", "permanent")
    window_seconds: Annotated[int, Meta(ge=60, le=31_536_000)] = 86_400
    revoke_tokens_on_ban: bool = True

    def __post_init__(self) -> None:
        check_ladder(self.ladder)


Operation = Annotated[str, Meta(min_length=1)]


class TokenPolicy(_Model, frozen=True, kw_only=True):
    ttl_seconds: Annotated[int, Meta(ge=60, le=3600)] = 3600
    rooms: tuple[str, ...] = ("*",)
    user: tuple[Operation, ...] = CHAT_PARTICIPANT
    moderator: tuple[Operation, ...] = CHAT_MODERATOR

    def __post_init__(self) -> None:
        check_operations(self.user)
        check_operations(self.moderator)


class IdentityPolicy(_Model, frozen=True, kw_only=True):
    client_id_claim: NonEmpty = "sub"
    moderator_claim: NonEmpty = "cognito:groups"
    moderator_value: NonEmpty = "moderators"
    moderator_rooms_claim: NonEmpty | None = None


class AsyncPolicy(_Model, frozen=True, kw_only=True):
    text_path: Annotated[str, Meta(min_length=1, max_length=200)] = "text"
    max_concurrency: Annotated[int, Meta(ge=1, le=64)] = 16

    def __post_init__(self) -> None:
        check_text_path(self.text_path)

    @property
    def text_keys(self) -> tuple[str, ...]:
        """``text_path`` split into its keys."""
        return tuple(self.text_path.split("."))


class ReviewPolicy(_Model, frozen=True, kw_only=True):
    pending_seconds: Annotated[int, Meta(ge=60, le=7 * 86_400)] = 86_400
    strike_on_hold: bool = False
    retention_days: Annotated[int, Meta(ge=1, le=365)] = 30


class RuntimePolicy(_Model, frozen=True, kw_only=True):
    moderation: ModerationPolicy = field(default_factory=ModerationPolicy)
    review: ReviewPolicy = field(default_factory=ReviewPolicy)
    bans: BanPolicy = field(default_factory=BanPolicy)
    tokens: TokenPolicy = field(default_factory=TokenPolicy)
    identity: IdentityPolicy = field(default_factory=IdentityPolicy)
    async_moderation: AsyncPolicy = field(default_factory=AsyncPolicy)


_DEFAULTS: Final = {
    on_match: (
        Rule(name=DEFAULT_RULE, action=on_match),
        Rule(name=REVIEW_BAND_RULE, match=RuleMatch(min_score="reviewThreshold"), action="hold"),
    )
    for on_match in ("reject", "mask", "hold")
}

# Strict: a value is of its field's JSON type, as the stack and the tools write it
# (pydantic's lax mode would also take "5" or true for an integer).
_decoder: Final = msgspec.json.Decoder(RuntimePolicy)


class PolicyInvalidError(ValueError):
    """The policy parameter is not a valid policy; the message names the field."""


def parse_policy(raw: str | bytes) -> RuntimePolicy:
    """The policy from the parameter's JSON.

    Raises:
        PolicyInvalidError: not JSON, or not a valid policy (the message says where).
    """
    try:
        return _decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise PolicyInvalidError(str(exc)) from None


def to_builtins(policy: Any) -> Any:
    """``policy`` (or any part of it) as the JSON it stands for (keys as on the wire)."""
    return msgspec.json.decode(msgspec.json.encode(policy))
