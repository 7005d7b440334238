"""Stage configuration: read from ``cdk.json`` context, validated before any construct is built.

``cdk synth -c stage=prod`` picks ``context["chatmod:stages"]["prod"]``. An unknown
stage, an unknown key or an invalid value raises :class:`ConfigError`, whose
message names the key and the problem, and synth stops there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationError, model_validator

from chatmod.core.deployment import Deployment
from chatmod.core.policy import (
    PROVIDERS_WITH_KEYS,
    AsyncPolicy,
    BanPolicy,
    IdentityPolicy,
    ModerationPolicy,
    ReviewPolicy,
    RuntimePolicy,
    StrictModel,
    TokenPolicy,
)

STAGES_CONTEXT_KEY = "chatmod:stages"
STAGE_CONTEXT_KEY = "stage"
DEFAULT_STAGE = "dev"
#: Set by ``make deploy`` (``-c chatmod:deploy=true``): placeholders stop synth instead of warning.
DEPLOY_CONTEXT_KEY = "chatmod:deploy"

# SSM parameter names: a path of letters, digits and . _ - / (SSM's own rule).
ParameterName = Annotated[str, Field(pattern=r"^/[A-Za-z0-9_.\-/]{1,1010}$")]

# CloudWatch Logs accepts only these retention periods (days → aws_logs.RetentionDays name).
LOG_RETENTION_DAYS: dict[int, str] = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS",
    30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS",
    150: "FIVE_MONTHS", 180: "SIX_MONTHS", 365: "ONE_YEAR", 400: "THIRTEEN_MONTHS",
    545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS", 1827: "FIVE_YEARS",
    2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}  # fmt: skip


#: What cdk.json holds until the operator fills a setting in; deploys refuse it.
PLACEHOLDER = "REPLACE_ME"


def _redirect_url(value: str) -> str:
    """A Cognito callback or sign-out URL: https, or http://localhost while developing."""
    parts = urlsplit(value)
    if parts.fragment or "#" in value:
        raise ValueError("must not contain a fragment (#...)")
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname == "localhost":
        return value
    raise ValueError("must be an https:// URL, or http://localhost for development")


RedirectUrl = Annotated[str, AfterValidator(_redirect_url)]

# An Advanced-tier SSM String parameter holds 8 KB (Standard: 4 KB).
POLICY_MAX_BYTES = 8192


class ConfigError(ValueError):
    """The stage configuration is missing or invalid; the message says where and why."""


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regex {value!r}: {exc}") from exc
    return value


class AblyRulesConfig(StrictModel):
    """The Ably integration rules ``make ably-rules`` creates or updates (Ably Control API).

    ``beforePublish``: the transport of the Chat before-publish (custom moderation)
    rule — ``lambda`` (Ably assumes a role to invoke the function), ``http`` (Ably
    POSTs to ``/before-publish`` with the secret header), or ``none`` (no rule).
    ``queue``: whether an SQS integration rule feeds the async path.
    ``channelFilter``: the SQS rule's regex on the full channel name (empty: every
    channel). The before-publish rule's room filter is ``moderation.roomFilter``;
    its retry timeout, retries, failed action and 429 action come from ``moderation``.
    """

    before_publish: Literal["lambda", "http", "none"] = "lambda"
    queue: bool = True
    channel_filter: Annotated[str, AfterValidator(_regex)] = ""


class AblyConfig(StrictModel):
    """The Ably account and app; together they form the external id of Ably's roles."""

    account_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    app_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    rules: AblyRulesConfig = AblyRulesConfig()

    @property
    def external_id(self) -> str:
        """``<ablyAccountId>.<ablyAppId>``, the external id Ably presents when assuming roles."""
        return f"{self.account_id}.{self.app_id}"


class SecretsConfig(StrictModel):
    """Names of SSM SecureString parameters created out of band (never their values)."""

    ably_api_key: ParameterName
    before_publish_secret: ParameterName
    #: Signs ``x-chatmod-judged`` (messages POST /messages judged and published). Ably
    #: never sees it; default: ``judged-key`` beside the before-publish secret.
    judged_key: ParameterName | None = None
    provider_keys: dict[str, ParameterName] = Field(default_factory=dict)
    kms_key_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/"
    )

    @property
    def judged_key_parameter(self) -> str:
        """The judged key's SecureString name (``judgedKey``, or its default)."""
        if self.judged_key:
            return self.judged_key
        parent = self.before_publish_secret.rpartition("/")[0]
        return f"{parent}/judged-key"

    @model_validator(mode="after")
    def _distinct(self) -> SecretsConfig:
        named = [self.ably_api_key, self.before_publish_secret, self.judged_key_parameter]
        if len(set(named)) != len(named):
            raise ValueError(
                "ablyApiKey, beforePublishSecret and judgedKey must name three different "
                "parameters (the judged key must be one Ably never sees)"
            )
        return self


class AuthConfig(StrictModel):
    """Who may call the API: a Cognito user pool made by the stack, or an external JWT issuer.

    In ``cognito`` mode the chat front end signs in with the authorization-code
    grant and PKCE; ``callbackUrls`` (at least one) and ``logoutUrls`` are where
    Cognito may send the browser back to.
    """

    mode: Literal["cognito", "jwt"] = "cognito"
    issuer: str | None = Field(default=None, pattern=r"^https://")
    audience: tuple[str, ...] = ()
    callback_urls: tuple[RedirectUrl, ...] = ()
    logout_urls: tuple[RedirectUrl, ...] = ()
    client_id_claim: str = Field(default="sub", min_length=1)
    moderator_claim: str = Field(default="cognito:groups", min_length=1)
    moderator_value: str = Field(default="moderators", min_length=1)
    # A claim with the room globs a moderator may act in; absent from a token: every room.
    moderator_rooms_claim: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _issuer_for_jwt(self) -> AuthConfig:
        if self.mode == "jwt" and (self.issuer is None or not self.audience):
            raise ValueError("mode 'jwt' needs 'issuer' (https URL) and a non-empty 'audience'")
        if self.mode == "cognito" and (self.issuer is not None or self.audience):
            raise ValueError("'issuer' and 'audience' apply only to mode 'jwt'")
        if self.mode == "jwt" and (self.callback_urls or self.logout_urls):
            raise ValueError("'callbackUrls' and 'logoutUrls' apply only to mode 'cognito'")
        return self

    @property
    def identity(self) -> IdentityPolicy:
        """The claim mapping the functions apply to the authorizer's claims."""
        return IdentityPolicy(
            client_id_claim=self.client_id_claim,
            moderator_claim=self.moderator_claim,
            moderator_value=self.moderator_value,
            moderator_rooms_claim=self.moderator_rooms_claim,
        )


class IngestConfig(StrictModel):
    """How the async moderation function drains the SQS ingest queue."""

    batch_size: int = Field(default=10, ge=1, le=10_000)
    batching_window_seconds: int = Field(default=1, ge=0, le=300)
    max_concurrency: int = Field(default=5, ge=2, le=1000)
    max_receive_count: int = Field(default=3, ge=1, le=1000)

    @model_validator(mode="after")
    def _window_for_large_batches(self) -> IngestConfig:
        # SQS event sources reject batches over 10 without a batching window.
        if self.batch_size > 10 and self.batching_window_seconds == 0:
            raise ValueError("batchSize over 10 needs batchingWindowSeconds of at least 1")
        return self


class ApiConfig(StrictModel):
    """The HTTP API: CORS, throttling, and the before-publish secret header.

    ``throttle*`` apply to every route by default; ``POST /before-publish`` (no JWT,
    called by Ably once per chat message) has limits of its own, sized to the app's
    message rate, so neither kind of traffic can use up the other's.
    """

    cors_origins: tuple[str, ...] = ()
    throttle_rate_limit: float = Field(default=100, gt=0, le=10_000)
    throttle_burst_limit: int = Field(default=200, ge=1, le=5_000)
    before_publish_throttle_rate_limit: float = Field(default=100, gt=0, le=10_000)
    before_publish_throttle_burst_limit: int = Field(default=200, ge=1, le=5_000)
    before_publish_secret_header: str = Field(
        default="authorization", pattern=r"^[A-Za-z0-9-]{1,64}$"
    )


class AlarmsConfig(StrictModel):
    """Where alarms go, when before-publish is too slow, and how many failed decisions are too many.

    Alarms reach a person through ``email`` (a subscription to the stack's topic) or
    ``topicArn`` (an existing topic every alarm also notifies); a ``removalPolicy: retain``
    stage (production, as prod ships) refuses to deploy with neither.

    ``failedDecisionRatePercent``: the share of moderation decisions over 5 minutes
    that ended in ``Failed`` (no provider answered in time) at which an alarm fires.
    With ``failedAction: publish`` those messages went out unmoderated.
    """

    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    topic_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
    )
    error_rate_percent: float = Field(default=1, gt=0, le=100)
    ingest_age_seconds: int = Field(default=300, ge=60, le=1_209_600)
    before_publish_p99_ms: int = Field(default=800, ge=10, le=30_000)
    failed_decision_rate_percent: float = Field(default=5, gt=0, le=100)
    # The oldest held message's age at which the review-queue alarm fires.
    pending_review_age_seconds: int = Field(default=3600, ge=300, le=604_800)


class TracingConfig(StrictModel):
    """X-Ray tracing of the functions' own work (AWS SDK and HTTP calls), off by default.

    With ``enabled``, every function gets Lambda active tracing (one segment per sampled
    invocation) and a small tracing layer (the X-Ray SDK), and Powertools' Tracer
    records subsegments; responses and errors are never captured, so no message text
    reaches a trace. Without it, no function is traced (no TracingConfig, no X-Ray grant).
    """

    enabled: bool = False


def _cognito_prefix(value: str) -> str:
    """A Cognito hosted UI domain prefix: Cognito refuses these words in one."""
    if value.startswith("-") or value.endswith("-"):
        raise ValueError("must not start or end with '-'")
    for word in ("aws", "amazon", "cognito"):
        if word in value:
            raise ValueError(f"must not contain {word!r} (Cognito refuses it)")
    return value


class ConsoleOAuthConfig(StrictModel):
    """The external issuer's OAuth 2.0 endpoints the console signs in with (``jwt`` mode).

    The console runs the authorization-code grant with PKCE (S256) against them, as a
    public client (no secret): register the console's URL (output ``ConsoleUrl``) as a
    redirect URI with the issuer. ``logoutUrl`` is opened as it is on sign-out.
    """

    authorize_url: str = Field(pattern=r"^https://")
    token_url: str = Field(pattern=r"^https://")
    client_id: str = Field(min_length=1, max_length=256)
    logout_url: str | None = Field(default=None, pattern=r"^https://")
    scopes: tuple[str, ...] = ("openid",)


class ConsoleConfig(StrictModel):
    """The moderator console the stack deploys (private S3 bucket behind CloudFront).

    In ``cognito`` mode the stack adds a hosted UI domain and an app client for the
    console (authorization code + PKCE, no secret; callback and sign-out URL: the
    console's CloudFront URL). In ``jwt`` mode the console signs in with ``oauth``.
    """

    enabled: bool = True
    #: Cognito hosted UI domain prefix (unique in the region); default chatmod-<stage>-<account>.
    cognito_domain_prefix: (
        Annotated[
            str,
            Field(pattern=r"^[a-z0-9-]{1,63}$"),
            AfterValidator(_cognito_prefix),
        ]
        | None
    ) = None
    #: Also let the console's Cognito client return to http://localhost:8787/console/.
    local_callback: bool = False
    #: An Ably endpoint other than the default (a routing policy name or a host name).
    ably_endpoint: str | None = Field(default=None, pattern=r"^[A-Za-z0-9:.-]{1,253}$")
    oauth: ConsoleOAuthConfig | None = None


class StageConfig(StrictModel):
    """One deployment stage (dev, staging, prod…)."""

    account: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    ably: AblyConfig
    secrets: SecretsConfig
    auth: AuthConfig = AuthConfig()
    moderation: ModerationPolicy = ModerationPolicy()
    bans: BanPolicy = BanPolicy()
    tokens: TokenPolicy = TokenPolicy()
    async_moderation: AsyncPolicy = Field(default=AsyncPolicy(), alias="async")
    review: ReviewPolicy = ReviewPolicy()
    ingest: IngestConfig = IngestConfig()
    api: ApiConfig = ApiConfig()
    alarms: AlarmsConfig = AlarmsConfig()
    tracing: TracingConfig = TracingConfig()
    console: ConsoleConfig = ConsoleConfig()
    # Lambda SnapStart on published versions, behind a `live` alias (see README).
    snap_start: bool = False
    log_retention_days: int = 30
    removal_policy: Literal["retain", "destroy"] = "retain"

    @model_validator(mode="after")
    def _cross_checks(self) -> StageConfig:
        if self.auth.mode == "cognito" and not self.auth.callback_urls:
            # Checked here, not in AuthConfig, so that a stage without "auth" is told too.
            raise ValueError(
                "auth.callbackUrls: mode 'cognito' needs at least one entry (your chat app's "
                "sign-in redirect, https:// or http://localhost)"
            )
        if self.console.enabled and self.auth.mode == "jwt" and self.console.oauth is None:
            raise ValueError(
                "console.oauth: mode 'jwt' needs the issuer's authorizeUrl, tokenUrl and "
                "clientId for the console's sign-in (or console.enabled: false)"
            )
        if self.auth.mode == "cognito" and self.console.oauth is not None:
            raise ValueError("console.oauth applies only to auth mode 'jwt'")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in sorted(LOG_RETENTION_DAYS))
            raise ValueError(f"logRetentionDays must be one of {allowed}")
        size = len(self.runtime_policy.to_json().encode())
        if size > POLICY_MAX_BYTES:
            raise ValueError(
                f"moderation, bans, tokens and auth claims come to {size} bytes as JSON; the "
                f"policy parameter holds at most {POLICY_MAX_BYTES}: shorten blocklist terms"
            )
        used = {p.name for p in self.moderation.providers}
        missing = sorted((used & PROVIDERS_WITH_KEYS) - set(self.secrets.provider_keys))
        if missing:
            raise ValueError(
                "secrets.providerKeys needs a parameter name for provider(s) " + ", ".join(missing)
            )
        return self

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The settings still holding ``REPLACE_ME`` (cdk.json keys), in file order."""
        found = []
        if PLACEHOLDER in self.ably.account_id:
            found.append("ably.accountId")
        if PLACEHOLDER in self.ably.app_id:
            found.append("ably.appId")
        if any(PLACEHOLDER in url for url in self.auth.callback_urls):
            found.append("auth.callbackUrls")
        if any(PLACEHOLDER in url for url in self.auth.logout_urls):
            found.append("auth.logoutUrls")
        return tuple(found)

    @property
    def deployment(self) -> Deployment:
        """The Ably rule's settings and the providers this stage deploys (keys, grants).

        Given to every function: a policy edit in SSM that disagrees is refused.
        The blocklist, the links provider and an HTTP model need nothing deployed;
        Comprehend needs the grant the stack gives only when the stage's policy names
        it; the others need their key parameter in ``secrets.providerKeys``.
        """
        providers = {"blocklist", "http", "links", *self.secrets.provider_keys}
        if any(p.name == "comprehend" for p in self.moderation.providers):
            providers.add("comprehend")
        return Deployment.of(self.moderation, frozenset(providers))

    @property
    def runtime_policy(self) -> RuntimePolicy:
        """The document stored in the policy parameter for the functions."""
        return RuntimePolicy(
            moderation=self.moderation,
            bans=self.bans,
            tokens=self.tokens,
            identity=self.auth.identity,
            review=self.review,
            **{"async": self.async_moderation},
        )


def _format_errors(stage: str, error: ValidationError) -> str:
    lines = [
        f"invalid configuration for stage '{stage}' ({STAGES_CONTEXT_KEY}.{stage} in cdk.json):"
    ]
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(stage)"
        problem = item["msg"]
        if item["type"] == "extra_forbidden":
            problem = "unknown key"
        elif "input" in item and item["type"] != "missing" and not isinstance(item["input"], dict):
            problem = f"{problem} (got {item['input']!r})"
        lines.append(f"  - {where}: {problem}")
    return "\n".join(lines)


def is_deploy(context: Mapping[str, Any]) -> bool:
    """Whether ``context`` says this synth is for a deploy (``-c chatmod:deploy=true``)."""
    value = context.get(DEPLOY_CONTEXT_KEY)
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def check_deployable(stage: str, config: StageConfig) -> None:
    """Refuse to deploy a stage whose cdk.json settings are still placeholders.

    A production stage (``removalPolicy: retain``) also needs an alarm subscriber.

    Synth only warns about them (a new checkout synthesizes as it comes); a deploy
    with them would create roles Ably cannot assume and a sign-in that redirects nowhere.

    Raises:
        ConfigError: naming every setting still set to ``REPLACE_ME``.
    """
    if config.placeholders:
        keys = ", ".join(config.placeholders)
        raise ConfigError(
            f"stage '{stage}' cannot be deployed: {keys} "
            f"{'is' if len(config.placeholders) == 1 else 'are'} still {PLACEHOLDER} "
            f"({STAGES_CONTEXT_KEY}.{stage} in cdk.json; see README, Deploy)"
        )
    if config.removal_policy == "retain" and not (config.alarms.email or config.alarms.topic_arn):
        raise ConfigError(
            f"stage '{stage}' cannot be deployed: its alarms would reach nobody; set "
            f"alarms.email or alarms.topicArn ({STAGES_CONTEXT_KEY}.{stage} in cdk.json; "
            "required where removalPolicy is 'retain')"
        )


def load_stage_config(
    context: Mapping[str, Any], stage: str | None = None
) -> tuple[str, StageConfig]:
    """Pick and validate one stage's settings.

    Args:
        context: the CDK context (``cdk.json`` plus ``-c`` overrides), or any mapping
            with the ``chatmod:stages`` key.
        stage: the stage name; defaults to context ``stage``, then ``dev``.

    Returns:
        The stage name and its validated configuration.

    Raises:
        ConfigError: unknown stage, or any invalid or unknown setting.
    """
    name = stage or context.get(STAGE_CONTEXT_KEY) or DEFAULT_STAGE
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", name):
        raise ConfigError(
            f"stage name {name!r} must be 1-20 lowercase letters, digits or '-', "
            "starting with a letter"
        )
    stages = context.get(STAGES_CONTEXT_KEY)
    if not isinstance(stages, Mapping) or not stages:
        raise ConfigError(f"cdk.json has no '{STAGES_CONTEXT_KEY}' context with at least one stage")
    if name not in stages:
        known = ", ".join(sorted(stages))
        raise ConfigError(f"unknown stage '{name}': cdk.json defines {known}")
    try:
        return name, StageConfig.model_validate(stages[name])
    except ValidationError as exc:
        raise ConfigError(_format_errors(name, exc)) from None
