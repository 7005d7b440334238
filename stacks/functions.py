"""The Lambda functions, built by one factory so common settings live in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from chatmod.core import constants
from stacks.nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64


def runtime_python_version() -> str:
    """``"3.14"`` for ``python3.14``: the version pip bundles the layer for."""
    return RUNTIME.name.removeprefix("python")


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """What differs between the functions; everything else the factory sets once."""

    construct_id: str
    service: str
    handler: str
    description: str
    memory_mb: int
    timeout: Duration


ASYNC_MODERATION = FunctionSpec(
    "AsyncModeration",
    "async-moderation",
    constants.HANDLER_ASYNC_MODERATION,
    "Moderates messages Ably's SQS rule forwards; deletes, strikes, bans and revokes",
    memory_mb=512,
    timeout=Duration.seconds(30),
)
BEFORE_PUBLISH = FunctionSpec(
    "BeforePublish",
    "before-publish",
    constants.HANDLER_BEFORE_PUBLISH,
    "Ably Chat before-publish rule: accept, reject or rewrite each message",
    # More memory buys more CPU: this path is inside Ably's publish latency.
    memory_mb=1024,
    timeout=Duration.seconds(6),
)
PUBLISH = FunctionSpec(
    "Publish",
    "publish",
    constants.HANDLER_PUBLISH,
    "POST /messages: moderates, then publishes to Ably as the user",
    memory_mb=1024,
    timeout=Duration.seconds(10),
)
TOKEN = FunctionSpec(
    "Token",
    "token",
    constants.HANDLER_TOKEN,
    "GET/POST /token: Ably TokenRequests for signed-in users who are not banned",
    memory_mb=512,
    timeout=Duration.seconds(5),
)
MODERATOR = FunctionSpec(
    "Moderator",
    "moderator",
    constants.HANDLER_MODERATOR,
    "/moderation/*: ban, unban, list bans, delete messages, audit log",
    memory_mb=512,
    timeout=Duration.seconds(15),
)
BAN_REVOKER = FunctionSpec(
    "BanRevoker",
    "ban-revoker",
    constants.HANDLER_BAN_STREAM,
    "bannedUsers stream: revokes the Ably tokens of users banned anew or for longer",
    memory_mb=512,
    timeout=Duration.seconds(30),
)
REVIEW_SWEEPER = FunctionSpec(
    "ReviewSweeper",
    "review-sweeper",
    constants.HANDLER_REVIEW_SWEEPER,
    "Every 5 minutes: expires held messages nobody reviewed in time, ages the review queue",
    memory_mb=256,
    timeout=Duration.seconds(30),
)
COUNTER = FunctionSpec(
    "Counter",
    "counter",
    constants.HANDLER_COUNTER,
    "Log subscription: sums the deciding functions' per-room counts into the counts table",
    memory_mb=256,
    timeout=Duration.seconds(30),
)
ALL_SPECS = (
    ASYNC_MODERATION,
    BEFORE_PUBLISH,
    PUBLISH,
    TOKEN,
    MODERATOR,
    BAN_REVOKER,
    REVIEW_SWEEPER,
    COUNTER,
)


class Functions(Construct):
    """One shared dependency layer, one shared code asset, eight functions with a role each.

    Each function's role starts with nothing but writing its own log group (and, with
    tracing, sending traces); the stack grants the tables, parameters and queues it uses.

    Tracing follows the stage's ``tracing.enabled`` (a ``tracing_layer_code`` is given):
    Lambda active tracing (``TracingConfig: Active``) and the X-Ray SDK (Powertools
    Tracer) together; otherwise neither, ``POWERTOOLS_TRACE_DISABLED=true`` and the
    handlers' tracer is a no-op.
    Responses and errors are never captured into traces.

    With ``snap_start`` (the stage's ``snapStart``), each function publishes a version
    with Lambda SnapStart and gets a ``live`` alias on it; whatever invokes a function
    (routes, the queue, Ably) must call :meth:`entry_point`, which is that alias.

    Attributes:
        layer: the dependency layer (ably, Powertools, pydantic, httpx).
        tracing_layer: the X-Ray SDK layer, or ``None`` when tracing is off.
        async_moderation, before_publish, publish, token, moderator, ban_revoker,
        review_sweeper, counter: the functions.
        log_groups: each function's log group, by service name.
    """

    LIVE_ALIAS = "live"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        code: lambda_.Code,
        layer_code: lambda_.Code,
        environment: Mapping[str, str],
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
        tracing_layer_code: lambda_.Code | None = None,
        snap_start: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self._stage = stage
        self._snap_start = snap_start
        self._aliases: dict[str, lambda_.Alias] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        self._code = code
        self._environment = dict(environment)
        self._log_retention = log_retention
        self._removal_policy = removal_policy
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=layer_code,
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="chatmod runtime dependencies (lambdas/requirements.lock)",
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.tracing_layer = (
            None
            if tracing_layer_code is None
            else lambda_.LayerVersion(
                self,
                "Tracing",
                code=tracing_layer_code,
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description="X-Ray SDK for Powertools Tracer (lambdas/requirements-tracing.lock)",
                removal_policy=RemovalPolicy.DESTROY,
            )
        )
        self.async_moderation = self._build_function(ASYNC_MODERATION)
        self.before_publish = self._build_function(BEFORE_PUBLISH)
        self.publish = self._build_function(PUBLISH)
        self.token = self._build_function(TOKEN)
        self.moderator = self._build_function(MODERATOR)
        self.ban_revoker = self._build_function(BAN_REVOKER)
        self.review_sweeper = self._build_function(REVIEW_SWEEPER)
        self.counter = self._build_function(COUNTER)

    @property
    def all(self) -> dict[str, lambda_.Function]:
        """Every function by its service name."""
        return {
            ASYNC_MODERATION.service: self.async_moderation,
            BEFORE_PUBLISH.service: self.before_publish,
            PUBLISH.service: self.publish,
            TOKEN.service: self.token,
            MODERATOR.service: self.moderator,
            BAN_REVOKER.service: self.ban_revoker,
            REVIEW_SWEEPER.service: self.review_sweeper,
            COUNTER.service: self.counter,
        }

    def entry_point(self, function: lambda_.Function) -> lambda_.IFunction:
        """What invokers must call: ``function``, or its ``live`` alias with SnapStart.

        SnapStart applies only to published versions; an invocation of the unqualified
        function would run ``$LATEST`` and initialize from scratch.
        """
        return self._aliases.get(function.node.id, function)

    def _build_function(self, spec: FunctionSpec) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{spec.construct_id}Logs",
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        self.log_groups[spec.service] = log_group
        role = iam.Role(
            self,
            f"{spec.construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"chatmod {self._stage} {spec.service} function",
        )
        # Only its own log group: no AWSLambdaBasicExecutionRole (logs:* on every group).
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            spec.construct_id,
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=self._code,
            layers=[self.layer] if self.tracing_layer is None else [self.layer, self.tracing_layer],
            role=role,
            memory_size=spec.memory_mb,
            timeout=spec.timeout,
            # Active tracing (and its X-Ray permissions) only where the stage enables tracing.
            tracing=lambda_.Tracing.DISABLED
            if self.tracing_layer is None
            else lambda_.Tracing.ACTIVE,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if self._snap_start else None,
            # A replaced version is deleted, so no stale snapshot stays cached (and billed).
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if self._snap_start
            else None,
            environment={
                **self._environment,
                constants.ENV_POWERTOOLS_SERVICE_NAME: spec.service,
                constants.ENV_POWERTOOLS_METRICS_NAMESPACE: constants.METRICS_NAMESPACE,
                **self._tracing_environment(),
            },
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Only actions without resource-level permissions use '*': X-Ray's "
            "PutTraceSegments/PutTelemetryRecords (active tracing), when the comprehend "
            "provider is configured, comprehend:DetectToxicContent, and for the ban-revoker's "
            "stream event source dynamodb:ListStreams (its stream reads name the stream ARN).",
        )
        if self._snap_start:
            self._aliases[spec.construct_id] = lambda_.Alias(
                self,
                f"{spec.construct_id}Live",
                alias_name=self.LIVE_ALIAS,
                version=function.current_version,
            )
        return function

    def _tracing_environment(self) -> dict[str, str]:
        # Capture flags are off even when tracing is: a response or an error can carry
        # message text, and traces are not where that may go.
        return {
            constants.ENV_POWERTOOLS_TRACE_DISABLED: str(self.tracing_layer is None).lower(),
            constants.ENV_POWERTOOLS_TRACER_CAPTURE_RESPONSE: "false",
            constants.ENV_POWERTOOLS_TRACER_CAPTURE_ERROR: "false",
        }
