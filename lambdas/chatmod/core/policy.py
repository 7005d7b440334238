"""The runtime policy: moderation, bans, tokens and identity, as one validated document.

The stage configuration in ``cdk.json`` embeds these models, so synth rejects a
bad policy before anything is built; the stack then stores the policy as JSON in
an SSM String parameter that operators can tune without a deploy. The tools validate
edits with these models, and ``docs/configuration.md`` is generated from them. The
functions parse the parameter with ``chatmod.core.policy_runtime`` (msgspec: no pydantic
on a cold start), which mirrors these models field for field and shares their checks
(``chatmod.core.policy_checks``).

Field names are camelCase on the wire (they mirror Ably's rule settings, e.g.
``retryTimeoutMs``), snake_case in Python.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

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

from chatmod.core.policy_checks import (
    ABLY_OPERATIONS,
    ALL_BLOCKLIST_LANGUAGES,
    BLOCKLIST_CATEGORIES,
    CHAT_MODERATOR,
    CHAT_PARTICIPANT,
    DEFAULT_RULE,
    KNOWN_CATEGORIES,
    PROVIDERS_WITH_KEYS,
    REVIEW_BAND_RULE,
    RULE_ACTIONS,
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
    is_loopback_host,
    parse_ladder_step,
)

__all__ = [
    "ABLY_OPERATIONS",
    "ALL_BLOCKLIST_LANGUAGES",
    "CHAT_PARTICIPANT",
    "DEFAULT_RULE",
    "KNOWN_CATEGORIES",
    "PROVIDERS_WITH_KEYS",
    "REVIEW_BAND_RULE",
    "RULE_ACTIONS",
    "is_loopback_host",
    "parse_ladder_step",
]


class StrictModel(BaseModel):
    """Base for every config model: camelCase aliases, unknown keys rejected, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


# --- provider URLs ----------------------------------------------------------------


def _provider_url(value: str, info: ValidationInfo) -> str:
    field = info.field_name or "url"
    # Name the field as it is written in cdk.json and the policy parameter.
    alias = {"base_url": "baseUrl"}.get(field, field)
    return check_provider_url(value, alias)


ProviderUrl = Annotated[str, AfterValidator(_provider_url)]


# --- moderation providers -------------------------------------------------------


BlocklistCategory = Literal["profanity", "sexual", "hate", "harassment", "violence", "self_harm"]
assert get_args(BlocklistCategory) == BLOCKLIST_CATEGORIES


class BlocklistTerm(StrictModel):
    """A user term or regex for the blocklist, with its category and severity."""

    term: str | None = Field(default=None, min_length=1)
    regex: str | None = Field(default=None, min_length=1)
    category: BlocklistCategory = "profanity"
    severity: int = Field(default=2, ge=1, le=3)

    @model_validator(mode="after")
    def _exactly_one_pattern(self) -> BlocklistTerm:
        check_term(self.term, self.regex)
        return self


#: Languages of the bundled lists (``chatmod.moderation.blocklist.LANGUAGES``).
BlocklistLanguage = Literal["en", "es", "fr", "de", "pt", "it"]


class BlocklistProviderConfig(StrictModel):
    """The built-in blocklist; thresholds are minimum severities (1..3) per category.

    ``languages`` picks the bundled lists (all six by default: measured in
    docs/blocklist.md); ``roomLanguages`` maps room globs to other languages, first
    matching glob wins.
    """

    name: Literal["blocklist"] = "blocklist"
    include_default: bool = True
    languages: tuple[BlocklistLanguage, ...] = Field(
        default=ALL_BLOCKLIST_LANGUAGES,  # type: ignore[arg-type]
        min_length=1,
    )
    room_languages: dict[
        Annotated[str, Field(min_length=1)],
        Annotated[tuple[BlocklistLanguage, ...], Field(min_length=1)],
    ] = Field(default_factory=dict)
    terms: tuple[BlocklistTerm, ...] = ()
    allowlist: tuple[str, ...] = ()
    thresholds: dict[BlocklistCategory, Annotated[int, Field(ge=1, le=3)]] = Field(
        default_factory=dict
    )


class HiveProviderConfig(StrictModel):
    """Hive text moderation; thresholds ``{class: severity 1..3}`` as in Ably's Hive rule.

    ``reviewThresholds``: a class reaching its review severity but not its reject
    threshold holds the message for a moderator (e.g. review 2, reject 3).
    """

    name: Literal["hive"]
    base_url: ProviderUrl = "https://api.thehive.ai"
    thresholds: dict[str, Annotated[int, Field(ge=1, le=3)]] = Field(min_length=1)
    review_thresholds: dict[str, Annotated[int, Field(ge=1, le=3)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _band(self) -> HiveProviderConfig:
        check_review_band(self.thresholds, self.review_thresholds)
        return self


class OpenAIProviderConfig(StrictModel):
    """OpenAI moderation; thresholds on ``category_scores`` (0..1)."""

    name: Literal["openai"]
    base_url: ProviderUrl = "https://api.openai.com"
    model: str = "omni-moderation-latest"
    thresholds: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(min_length=1)
    review_thresholds: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _band(self) -> OpenAIProviderConfig:
        check_review_band(self.thresholds, self.review_thresholds)
        return self


class ComprehendProviderConfig(StrictModel):
    """AWS Comprehend DetectToxicContent; thresholds on label scores (0..1), incl. TOXICITY."""

    name: Literal["comprehend"]
    language_code: Literal["en"] = "en"
    thresholds: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(min_length=1)
    review_thresholds: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _band(self) -> ComprehendProviderConfig:
        check_review_band(self.thresholds, self.review_thresholds)
        return self


class AzureProviderConfig(StrictModel):
    """Azure AI Content Safety ``text:analyze``; thresholds 0..7 per category."""

    name: Literal["azure"]
    endpoint: ProviderUrl
    thresholds: dict[str, Annotated[int, Field(ge=0, le=7)]] = Field(min_length=1)
    review_thresholds: dict[str, Annotated[int, Field(ge=0, le=7)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _band(self) -> AzureProviderConfig:
        check_review_band(self.thresholds, self.review_thresholds)
        return self


class HttpModelProviderConfig(StrictModel):
    """The user's own model behind a URL that speaks the before-publish contract."""

    name: Literal["http"]
    url: ProviderUrl


LinkCategory = Literal["link", "new_sender_link", "blocked_domain"]
Domain = Annotated[str, Field(min_length=3, max_length=253)]
RoomGlob = Annotated[str, Field(min_length=1)]


class LinksProviderConfig(StrictModel):
    """Links and domain names, plain or disguised (``example[.]com``); in process, no network.

    Categories: ``link`` (score 1; a link to an ``allow`` domain is none),
    ``new_sender_link`` (score 2: a link from a sender with fewer than
    ``trustAfterMessages`` published messages) and ``blocked_domain`` (score 3).
    ``roomAllow`` / ``roomBlock`` add lists per room glob (the first matching glob of
    either). Rules choose what each does where (README, Rules).
    """

    name: Literal["links"]
    allow: tuple[Domain, ...] = ()
    block: tuple[Domain, ...] = ()
    room_allow: dict[RoomGlob, tuple[Domain, ...]] = Field(default_factory=dict)
    room_block: dict[RoomGlob, tuple[Domain, ...]] = Field(default_factory=dict)
    thresholds: dict[LinkCategory, Annotated[int, Field(ge=1, le=3)]] = Field(default_factory=dict)
    trust_after_messages: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _domains(self) -> LinksProviderConfig:
        check_link_lists(self.allow, self.block, self.room_allow, self.room_block)
        return self


ProviderConfig = Annotated[
    BlocklistProviderConfig
    | HiveProviderConfig
    | OpenAIProviderConfig
    | ComprehendProviderConfig
    | AzureProviderConfig
    | HttpModelProviderConfig
    | LinksProviderConfig,
    Field(discriminator="name"),
]

# --- rules ------------------------------------------------------------------------

#: What a rule does with a message it matches, weakest first: when several categories
#: of one message match rules with different actions, the strongest action wins.
RuleAction = Literal["accept", "mask", "hold", "warn", "reject", "timeout", "ban"]
#: The score level a rule matches from: the provider's own ``thresholds`` (a flagged
#: category), its ``reviewThresholds`` (the review band and above), or a number on
#: the provider's scale.
ScoreLevel = Literal["threshold", "reviewThreshold"]
Role = Literal["user", "moderator"]


class RuleMatch(StrictModel):
    """Which flagged categories a rule applies to; an empty field matches anything.

    ``minScore``: ``"threshold"`` (default) matches a category that reached its
    provider's threshold; ``"reviewThreshold"`` one that reached its review
    threshold (the review band and above); a number, a score at least that high on
    the provider's scale (blocklist severities 1..3). ``rooms``: globs on the room
    (or pub/sub channel) name. ``roles``: the sender's role from their JWT — only
    ``POST /messages`` knows it; on the other paths a sender counts as a ``user``.
    """

    provider: str | None = Field(default=None, min_length=1)
    categories: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    min_score: float | ScoreLevel = "threshold"
    rooms: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    roles: tuple[Role, ...] = ()


class Rule(StrictModel):
    """One rule: what it matches, what it does, whether it strikes, whether it is enforced.

    ``durationSeconds``: how long a ``timeout`` lasts (required), or a ``ban``
    (absent: permanent); the ban is the longer of the rule's and the ladder rung's.
    ``warn`` rejects the message and refuses the sender's next ones until they
    acknowledge the warning. ``strike``: whether the sender earns a strike on the ban
    ladder (``timeout``, ``ban`` and ``warn`` always do; by default ``reject`` does,
    ``hold`` follows ``review.strikeOnHold``, ``mask`` and ``accept`` do not).
    ``observe``: the rule is computed, counted (``WouldReject``…) and audited as
    observed, but not enforced — the next matching rule decides instead.
    """

    name: str | None = Field(default=None, min_length=1, max_length=64, pattern=RULE_NAME)
    match: RuleMatch = RuleMatch()
    action: RuleAction
    duration_seconds: int | None = Field(default=None, ge=1, le=31_536_000)
    strike: bool | None = None
    observe: bool = False

    @model_validator(mode="after")
    def _duration(self) -> Rule:
        check_rule(self.action, self.duration_seconds, self.strike)
        return self


def default_rules(on_match: str) -> tuple[Rule, ...]:
    """The rules ``onMatch`` and the providers' thresholds stand for, after any of one's own.

    A category at its provider's threshold gets ``onMatch``; one in a provider's
    review band is held, when that provider flagged nothing (the engine applies this).
    """
    return (
        Rule(name=DEFAULT_RULE, action=on_match),  # type: ignore[arg-type]
        Rule(name=REVIEW_BAND_RULE, match=RuleMatch(min_score="reviewThreshold"), action="hold"),
    )


# --- across messages ----------------------------------------------------------------


class SplitWords(StrictModel):
    """A listed word spelled across a sender's recent messages in a room (``f`` / ``u`` / …).

    The last ``messages`` messages inside ``windowSeconds`` are read together with the new
    one; a word that only the new message completes rejects it (a strike).
    """

    window_seconds: int = Field(default=60, ge=5, le=600)
    messages: int = Field(default=4, ge=1, le=10)


LimitAction = Literal["mask", "reject", "timeout"]


class RepeatLimit(StrictModel):
    """The same text (normalised) more than ``max`` times inside ``windowSeconds``."""

    max: int = Field(ge=1, le=50)
    window_seconds: int = Field(default=60, ge=5, le=3600)
    action: LimitAction = "reject"
    duration_seconds: int | None = Field(default=None, ge=1, le=86_400)

    @model_validator(mode="after")
    def _action(self) -> RepeatLimit:
        check_limit_action(self.action, self.duration_seconds)
        return self


class FloodLimit(StrictModel):
    """More than ``max`` messages from one sender inside ``windowSeconds``."""

    max: int = Field(ge=1, le=100)
    window_seconds: int = Field(default=10, ge=1, le=600)
    action: Literal["reject", "timeout"] = "reject"
    duration_seconds: int | None = Field(default=None, ge=1, le=86_400)

    @model_validator(mode="after")
    def _action(self) -> FloodLimit:
        check_limit_action(self.action, self.duration_seconds)
        return self


class CrossMessagePolicy(StrictModel):
    """What is judged across a sender's messages in the rooms of ``rooms`` (globs).

    ``slowModeSeconds``: at least this long between a sender's messages in a room (as
    Stream's slow mode, 1-120 s); a moderator changes it at run time
    (``POST /moderation/rooms/{room}/slow-mode``) for the rooms an entry covers. Only
    rooms an entry covers keep any state: the others cost nothing.
    """

    rooms: tuple[Annotated[str, Field(min_length=1)], ...] = ("*",)
    split_words: SplitWords | None = None
    repeats: RepeatLimit | None = None
    floods: FloodLimit | None = None
    slow_mode_seconds: int | None = Field(default=None, ge=1, le=120)


class ModerationPolicy(StrictModel):
    """How messages are moderated; names mirror the settings of an Ably before-publish rule."""

    providers: tuple[ProviderConfig, ...] = (BlocklistProviderConfig(),)
    retry_timeout_ms: int = Field(default=1000, ge=0, le=5000)
    max_retries: int = Field(default=1, ge=0, le=10)
    failed_action: Literal["reject", "publish", "defer"] = "reject"
    too_many_requests_action: Literal["retry", "fail"] = "fail"
    room_filter: str | None = None
    # "hold": a match waits for a moderator (the review queue) instead of being rejected.
    on_match: Literal["reject", "mask", "hold"] = "reject"
    max_text_length: int = Field(default=10_000, ge=1, le=65_536)
    # What a rejection's audit event keeps of the text: Ably blanks a deleted message's
    # text everywhere, so without it a moderator reviewing an appeal sees nothing.
    audit_text: Literal["text", "hash", "none"] = "text"
    # Checked in order before the default rules (``onMatch``, then the review band).
    rules: tuple[Rule, ...] = ()
    # Providers whose decisions are observed only (counted and audited, not enforced).
    observe_providers: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    # Behaviour across messages per room (the first entry whose rooms match applies).
    cross_message: tuple[CrossMessagePolicy, ...] = ()

    @field_validator("providers")
    @classmethod
    def _at_least_one_provider(
        cls, value: tuple[ProviderConfig, ...]
    ) -> tuple[ProviderConfig, ...]:
        if not value:
            raise ValueError("at least one provider is required")
        return value

    @model_validator(mode="after")
    def _satisfiable_rules(self) -> ModerationPolicy:
        check_rules([p.name for p in self.providers], self.rules, self.observe_providers)
        check_cross_message([p.name for p in self.providers], self.cross_message)
        return self

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """The rules in the order they are checked: one's own, then the defaults."""
        return (*self.rules, *default_rules(self.on_match))

    @field_validator("room_filter")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)


# --- bans ------------------------------------------------------------------------


class BanPolicy(StrictModel):
    """Strikes inside ``windowSeconds`` move a sender along ``ladder``; the last rung repeats."""

    ladder: tuple[str, ...] = ("warn", "120s", "1h", "24h", "permanent")
    window_seconds: int = Field(default=86_400, ge=60, le=31_536_000)
    revoke_tokens_on_ban: bool = True

    @field_validator("ladder")
    @classmethod
    def _valid_ladder(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check_ladder(value)
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
    moderator: tuple[Operation, ...] = CHAT_MODERATOR

    @field_validator("user", "moderator")
    @classmethod
    def _known_operations(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check_operations(value)
        return value


class IdentityPolicy(StrictModel):
    """Which JWT claims name the caller and mark a moderator."""

    client_id_claim: str = Field(default="sub", min_length=1)
    moderator_claim: str = Field(default="cognito:groups", min_length=1)
    moderator_value: str = Field(default="moderators", min_length=1)
    # A claim listing the rooms (globs such as "support-*") a moderator may act in;
    # a moderator whose token lacks it moderates every room.
    moderator_rooms_claim: str | None = Field(default=None, min_length=1)


# --- async moderation ------------------------------------------------------------


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
        check_text_path(value)
        return value

    @property
    def text_keys(self) -> tuple[str, ...]:
        """``text_path`` split into its keys."""
        return tuple(self.text_path.split("."))


class ReviewPolicy(StrictModel):
    """Messages held for a moderator's judgement (``onMatch: hold``, or a review band).

    ``pendingSeconds``: how long an item waits before it expires (audited, not
    published). ``strikeOnHold``: a held message counts as a strike at once (by
    default only a moderator's deny with ``strike`` does). ``retentionDays``: how
    long a decided or expired item stays readable before DynamoDB's TTL removes it.
    """

    pending_seconds: int = Field(default=86_400, ge=60, le=7 * 86_400)
    strike_on_hold: bool = False
    retention_days: int = Field(default=30, ge=1, le=365)


class RuntimePolicy(StrictModel):
    """Everything the functions read from the policy parameter."""

    moderation: ModerationPolicy = ModerationPolicy()
    review: ReviewPolicy = ReviewPolicy()
    bans: BanPolicy = BanPolicy()
    tokens: TokenPolicy = TokenPolicy()
    identity: IdentityPolicy = IdentityPolicy()
    # "async" on the wire: a Python keyword, so the attribute has a longer name.
    async_moderation: AsyncPolicy = Field(default=AsyncPolicy(), alias="async")

    def to_json(self) -> str:
        """The JSON stored in the policy parameter (camelCase, defaults included)."""
        return self.model_dump_json(by_alias=True)
