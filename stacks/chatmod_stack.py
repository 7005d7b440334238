"""ChatmodStack: composes the constructs for one stage and wires least-privilege access."""

from __future__ import annotations

from urllib.parse import urlsplit

from aws_cdk import Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as log_destinations
from constructs import Construct

from chatmod.core import constants
from stacks import bundling
from stacks.ably_access import AblyAccess
from stacks.auth import Auth, ConsoleSignIn
from stacks.ban_revocation import BanRevocation
from stacks.config import LOG_RETENTION_DAYS, StageConfig
from stacks.console import BUILD as CONSOLE_BUILD
from stacks.console import ConsoleHosting, ably_connect_sources
from stacks.functions import (
    ARCHITECTURE,
    ASYNC_MODERATION,
    BEFORE_PUBLISH,
    COUNTER,
    PUBLISH,
    REVIEW_SWEEPER,
    Functions,
    runtime_python_version,
)
from stacks.http_api import HttpApi, Routes
from stacks.ingest_queue import IngestQueue
from stacks.monitoring import Monitoring
from stacks.parameters import Parameters
from stacks.tables import Tables

# DynamoDB actions by what calls them (ARCHITECTURE §5; BanStore in
# lambdas/chatmod/adapters/ban_store.py). The pipeline reads a sender's ban and strikes in
# one BatchGetItem and writes strikes, ban and audit events in one TransactWriteItems of
# Puts. TransactWriteItems is not an IAM action: a transaction is authorised by the item
# actions inside it, on the tables it touches (here PutItem on all three).
PIPELINE_READS = ("dynamodb:BatchGetItem",)  # bans and strikes (load_sender)
PIPELINE_WRITES = ("dynamodb:PutItem",)  # bans, strikes and audit (commit_strike, record_event)
# Powertools idempotency (DynamoDBPersistenceLayer).
IDEMPOTENCY_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
# Ban (conditional put), unban (delete), look one up, list them (scan).
MODERATOR_BANS_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
)

# The review queue (ReviewStore): the pipeline holds a message (a conditional Put in a
# transaction, and a GetItem when it was held already); moderators read, list (both
# indexes) and decide (a conditional Update in a transaction, then UpdateItem).
PIPELINE_REVIEW_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem")
MODERATOR_REVIEW_ACTIONS = ("dynamodb:GetItem", "dynamodb:UpdateItem")

# The sweeper expires due items (a query of the pending ones, oldest first; a conditional
# Update with its audit event in a transaction) and ages the queue.
SWEEPER_REVIEW_ACTIONS = ("dynamodb:UpdateItem",)
REVIEW_SWEEP_MINUTES = 5

# The functions that run the moderation pipeline and count its decisions.
MODERATING_SERVICES = (BEFORE_PUBLISH.service, PUBLISH.service, ASYNC_MODERATION.service)


#: The managed policy ``make bootstrap`` creates from stacks/bootstrap/role-boundary.json.
#: Every role the stack creates carries it as its permissions boundary, and the
#: CloudFormation execution policy lets CloudFormation create or change a role only with
#: it: so neither a template nor a compromised deploy can mint a role that does more
#: than chatmod's functions ever need.
ROLE_BOUNDARY_POLICY = "chatmod-role-boundary"


#: ``make local``'s console, allowed as a Cognito redirect with ``console.localCallback``.
LOCAL_CONSOLE_URL = "http://localhost:8787/console/"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def policy_parameter_name(stage: str) -> str:
    """The SSM name of a stage's policy parameter."""
    return f"/chatmod/{stage}/policy"


class ChatmodStack(Stack):
    """Everything chatmod needs for one stage (``chatmod-<stage>``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        config: StageConfig,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        Tags.of(self).add("chatmod:stage", stage)
        iam.PermissionsBoundary.of(self).apply(
            iam.ManagedPolicy.from_managed_policy_name(self, "RoleBoundary", ROLE_BOUNDARY_POLICY)
        )
        removal = (
            RemovalPolicy.RETAIN if config.removal_policy == "retain" else RemovalPolicy.DESTROY
        )
        retention = logs.RetentionDays[LOG_RETENTION_DAYS[config.log_retention_days]]
        if config.placeholders:
            # A warning here; `make deploy` refuses them (stacks.config.check_deployable).
            Annotations.of(self).add_warning_v2(
                "chatmod:placeholder",
                f"{', '.join(config.placeholders)} of stage '{stage}' are placeholders: set "
                "them in cdk.json before deploying (see README, Deploy); make deploy refuses.",
            )

        tables = Tables(self, "Tables", removal_policy=removal)
        parameters = Parameters(
            self,
            "Parameters",
            policy_name=policy_parameter_name(stage),
            policy=config.runtime_policy,
            secrets_kms_key_arn=config.secrets.kms_key_arn,
        )
        functions = Functions(
            self,
            "Functions",
            stage=stage,
            code=bundling.function_code(),
            layer_code=bundling.dependency_layer_code(
                python_version=runtime_python_version(), architecture=ARCHITECTURE
            ),
            environment=self._environment(stage, config, tables, parameters),
            log_retention=retention,
            removal_policy=removal,
            tracing_layer_code=(
                bundling.dependency_layer_code(
                    python_version=runtime_python_version(),
                    architecture=ARCHITECTURE,
                    requirements=bundling.TRACING_LAYER_LOCK,
                )
                if config.tracing.enabled
                else None
            ),
            snap_start=config.snap_start,
        )
        entry = functions.entry_point
        ingest = IngestQueue(
            self,
            "Ingest",
            consumer_timeout=ASYNC_MODERATION.timeout,
            batching_window=Duration.seconds(config.ingest.batching_window_seconds),
            max_receive_count=config.ingest.max_receive_count,
            removal_policy=removal,
        )
        entry(functions.async_moderation).add_event_source(
            sources.SqsEventSource(
                ingest.queue,
                batch_size=config.ingest.batch_size,
                max_batching_window=Duration.seconds(config.ingest.batching_window_seconds),
                max_concurrency=config.ingest.max_concurrency,
                report_batch_item_failures=True,
            )
        )
        revocation = BanRevocation(
            self,
            "BanRevocation",
            table=tables.bans,
            function=entry(functions.ban_revoker),
            removal_policy=removal,
        )
        self._grant(config, functions, tables, parameters)
        self._count_decisions(functions)
        # The review queue's sweeper: expiry and the queue-age metric, every 5 minutes.
        events.Rule(
            self,
            "ReviewSweepSchedule",
            description="Expire held messages nobody reviewed in time; age the review queue",
            schedule=events.Schedule.rate(Duration.minutes(REVIEW_SWEEP_MINUTES)),
            targets=[targets.LambdaFunction(entry(functions.review_sweeper), retry_attempts=0)],
        )

        console = self._console_hosting(stage, config, removal, retention)
        auth = Auth(
            self,
            "Auth",
            mode=config.auth.mode,
            moderator_group=config.auth.moderator_value,
            removal_policy=removal,
            issuer=config.auth.issuer,
            audience=config.auth.audience,
            callback_urls=config.auth.callback_urls,
            logout_urls=config.auth.logout_urls,
            console=(
                ConsoleSignIn(
                    domain_prefix=self._hosted_ui_prefix(stage, config),
                    redirect_urls=(
                        console.redirect_url,
                        *([LOCAL_CONSOLE_URL] if config.console.local_callback else []),
                    ),
                )
                if console is not None
                else None
            ),
        )
        api = HttpApi(
            self,
            "Http",
            routes=Routes(
                token=entry(functions.token),
                publish=entry(functions.publish),
                before_publish=entry(functions.before_publish),
                moderator=entry(functions.moderator),
            ),
            authorizer=auth.authorizer,
            # The console calls the API from its own origin.
            cors_origins=(*config.api.cors_origins, *([console.url] if console else [])),
            throttle_rate_limit=config.api.throttle_rate_limit,
            throttle_burst_limit=config.api.throttle_burst_limit,
            # The route exists only for the HTTP transport (ably.rules.beforePublish).
            before_publish_throttle=(
                apigwv2.ThrottleSettings(
                    rate_limit=config.api.before_publish_throttle_rate_limit,
                    burst_limit=config.api.before_publish_throttle_burst_limit,
                )
                if config.ably.rules.before_publish == "http"
                else None
            ),
            before_publish_secret_header=config.api.before_publish_secret_header,
            log_retention=retention,
            removal_policy=removal,
        )
        ably = AblyAccess(
            self,
            "AblyAccess",
            external_id=config.ably.external_id,
            ingest_queue=ingest.queue,
            before_publish_function=entry(functions.before_publish),
        )
        monitoring = Monitoring(
            self,
            "Monitoring",
            stage=stage,
            functions=functions.all,
            before_publish=functions.before_publish,
            ingest_queue=ingest.queue,
            dead_letter_queue=ingest.dead_letter_queue,
            ban_revoker=functions.ban_revoker,
            ban_revocation_failures=revocation.failure_queue,
            api=api.api,
            alarm_email=config.alarms.email,
            before_publish_p99_ms=config.alarms.before_publish_p99_ms,
            moderating_services=MODERATING_SERVICES,
            failed_decision_rate_percent=config.alarms.failed_decision_rate_percent,
            removal_policy=removal,
            tables={
                "bans": tables.bans,
                "strikes": tables.strikes,
                "audit": tables.audit,
                "idempotency": tables.idempotency,
                "reviews": tables.reviews,
                "counts": tables.counts,
            },
            alarm_topic_arn=config.alarms.topic_arn,
            error_rate_percent=config.alarms.error_rate_percent,
            ingest_age_seconds=config.alarms.ingest_age_seconds,
            review_sweeper_service=REVIEW_SWEEPER.service,
            pending_review_age_seconds=config.alarms.pending_review_age_seconds,
        )

        if console is not None:
            console.deploy(
                build=CONSOLE_BUILD,
                config=self._console_config(stage, config, auth, api.url, console),
                api_url=api.url,
            )

        self._outputs(
            {
                **({"ConsoleUrl": console.redirect_url} if console is not None else {}),
                "IngestQueueName": ingest.queue.queue_name,
                "IngestQueueUrl": ingest.queue.queue_url,
                "IngestQueueArn": ingest.queue.queue_arn,
                "DeadLetterQueueUrl": ingest.dead_letter_queue.queue_url,
                "BanRevocationFailureQueueUrl": revocation.failure_queue.queue_url,
                "AblySqsRoleArn": ably.sqs_role.role_arn,
                "AblyExternalId": config.ably.external_id,
                "ApiUrl": api.url,
                # With SnapStart, the alias: "name:live" and its ARN (Ably must invoke it).
                "BeforePublishFunctionName": entry(functions.before_publish).function_name,
                "BeforePublishFunctionArn": entry(functions.before_publish).function_arn,
                "BeforePublishInvokeRoleArn": ably.invoke_role.role_arn,
                "PolicyParameterName": parameters.policy.parameter_name,
                "AlarmTopicArn": monitoring.topic.topic_arn,
                # Only where the route exists: the HTTP transport's target.
                **(
                    {"BeforePublishUrl": f"{api.url}before-publish"}
                    if config.ably.rules.before_publish == "http"
                    else {}
                ),
                **(
                    {
                        "UserPoolId": auth.user_pool.user_pool_id,
                        "UserPoolClientId": auth.user_pool_client.user_pool_client_id,
                    }
                    if auth.user_pool is not None and auth.user_pool_client is not None
                    else {}
                ),
            }
        )

    def _console_hosting(
        self,
        stage: str,
        config: StageConfig,
        removal: RemovalPolicy,
        retention: logs.RetentionDays,
    ) -> ConsoleHosting | None:
        """The console's bucket and distribution (its files come once the API exists)."""
        if not config.console.enabled:
            return None
        sign_in = (
            self._hosted_ui_url(stage, config)
            if config.auth.mode == "cognito"
            else _origin(config.console.oauth.token_url)  # type: ignore[union-attr]
        )
        return ConsoleHosting(
            self,
            "Console",
            sign_in_source=sign_in,
            ably_sources=ably_connect_sources(config.console.ably_endpoint),
            removal_policy=removal,
            log_retention=retention,
        )

    @staticmethod
    def _hosted_ui_prefix(stage: str, config: StageConfig) -> str:
        return config.console.cognito_domain_prefix or f"chatmod-{stage}-{Aws.ACCOUNT_ID}"

    @classmethod
    def _hosted_ui_url(cls, stage: str, config: StageConfig) -> str:
        """The Cognito hosted UI's base URL (what ``UserPoolDomain.base_url()`` gives)."""
        prefix = cls._hosted_ui_prefix(stage, config)
        return f"https://{prefix}.auth.{Aws.REGION}.amazoncognito.com"

    @staticmethod
    def _console_config(
        stage: str, config: StageConfig, auth: Auth, api_url: str, console: ConsoleHosting
    ) -> dict[str, object]:
        """``config.json``: API, sign-in and Ably endpoint (tokens resolved at deploy)."""
        document: dict[str, object] = {"apiUrl": api_url, "stage": stage}
        if auth.hosted_ui is not None and auth.console_client is not None:
            base = auth.hosted_ui.base_url()
            client_id = auth.console_client.user_pool_client_id
            # The console's own URL, encoded for the query (https://<domain>/).
            back = f"https%3A%2F%2F{console.distribution.distribution_domain_name}%2F"
            document["signIn"] = "cognito"
            document["oauth"] = {
                "authorizeUrl": f"{base}/oauth2/authorize",
                "tokenUrl": f"{base}/oauth2/token",
                "logoutUrl": f"{base}/logout?client_id={client_id}&logout_uri={back}",
                "clientId": client_id,
                "scopes": ["openid", "email", "profile"],
            }
        else:
            oauth = config.console.oauth
            assert oauth is not None  # StageConfig requires it in jwt mode
            document["signIn"] = "oauth"
            document["oauth"] = {
                "authorizeUrl": oauth.authorize_url,
                "tokenUrl": oauth.token_url,
                **({"logoutUrl": oauth.logout_url} if oauth.logout_url else {}),
                "clientId": oauth.client_id,
                "scopes": list(oauth.scopes),
            }
        if config.console.ably_endpoint:
            document["ably"] = {"endpoint": config.console.ably_endpoint}
        return document

    @staticmethod
    def _environment(
        stage: str, config: StageConfig, tables: Tables, parameters: Parameters
    ) -> dict[str, str]:
        provider_keys = ",".join(
            f"{name}={param}" for name, param in sorted(config.secrets.provider_keys.items())
        )
        rule, deployed_providers = config.deployment.environment_values()
        return {
            constants.ENV_STAGE: stage,
            constants.ENV_BANS_TABLE: tables.bans.table_name,
            constants.ENV_STRIKES_TABLE: tables.strikes.table_name,
            constants.ENV_AUDIT_TABLE: tables.audit.table_name,
            constants.ENV_IDEMPOTENCY_TABLE: tables.idempotency.table_name,
            constants.ENV_REVIEWS_TABLE: tables.reviews.table_name,
            constants.ENV_COUNTS_TABLE: tables.counts.table_name,
            constants.ENV_POLICY_PARAMETER: parameters.policy.parameter_name,
            constants.ENV_ABLY_KEY_PARAMETER: config.secrets.ably_api_key,
            constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER: config.secrets.before_publish_secret,
            constants.ENV_BEFORE_PUBLISH_SECRET_HEADER: config.api.before_publish_secret_header,
            constants.ENV_JUDGED_KEY_PARAMETER: config.secrets.judged_key_parameter,
            constants.ENV_PROVIDER_KEY_PARAMETERS: provider_keys,
            constants.ENV_ABLY_RULE: rule,
            constants.ENV_DEPLOYED_PROVIDERS: deployed_providers,
        }

    def _count_decisions(self, functions: Functions) -> None:
        """Deliver the deciding functions' per-room counts to the counter.

        Each EMF blob carries ``roomCounts`` (``chatmod.enforcement.counts``); a
        subscription filter per deciding function sends the blobs that carry it, and only
        those, to the counter. No write on any message's path: the blob is logged anyway.
        """
        counter = functions.entry_point(functions.counter)
        # A failed delivery run again would add its counts twice: no retries (the
        # counter itself never fails for a store error; it logs and counts what it lost).
        counter.configure_async_invoke(retry_attempts=0)
        destination = log_destinations.LambdaDestination(counter)
        for spec in (ASYNC_MODERATION, BEFORE_PUBLISH, PUBLISH):
            functions.log_groups[spec.service].add_subscription_filter(
                f"{spec.construct_id}Counts",
                destination=destination,
                filter_pattern=logs.FilterPattern.all_terms(constants.COUNTS_METADATA_KEY),
                filter_name="chatmod-counts",
            )

    @staticmethod
    def _grant(
        config: StageConfig, functions: Functions, tables: Tables, parameters: Parameters
    ) -> None:
        """Each function gets exactly the tables, parameters and APIs its handler calls."""
        secrets = config.secrets
        provider_keys = list(secrets.provider_keys.values())
        moderates = [functions.async_moderation, functions.before_publish, functions.publish]

        for service, function in functions.all.items():
            if service not in (REVIEW_SWEEPER.service, COUNTER.service):  # they read no policy
                parameters.grant_read_policy(function)

        # The moderation pipeline (ban check, strike, ban, audit), the same on every path.
        for function in moderates:
            tables.grant(function, PIPELINE_READS, [tables.bans, tables.strikes])
            tables.grant(function, PIPELINE_WRITES, [tables.bans, tables.strikes, tables.audit])
            tables.grant(function, PIPELINE_REVIEW_ACTIONS, [tables.reviews])
        # Only the async consumer keeps idempotency records (one removal per message);
        # POST /messages derives its ids from the request instead.
        tables.grant(functions.async_moderation, IDEMPOTENCY_ACTIONS, [tables.idempotency])
        # POST /warnings/{id}/ack clears the caller's pending warning (a conditional Update
        # of their strikes item, with its audit event, in one transaction).
        tables.grant(functions.publish, ["dynamodb:UpdateItem"], [tables.strikes])
        # /token only looks the caller's ban up.
        tables.grant(functions.token, ["dynamodb:GetItem"], [tables.bans])
        # Moderators ban, unban (which also clears strikes), list bans and read the audit log.
        tables.grant(functions.moderator, MODERATOR_BANS_ACTIONS, [tables.bans])
        tables.grant(functions.moderator, ["dynamodb:DeleteItem"], [tables.strikes])
        tables.grant(functions.moderator, ["dynamodb:PutItem"], [tables.audit])
        tables.grant(
            functions.moderator,
            ["dynamodb:Query"],
            [tables.audit],
            indexes=[constants.AUDIT_BY_TIME_INDEX],
        )
        # The review queue: list, read, approve and deny; a deny's strike runs the ladder
        # (the sender's ban and strikes in one BatchGetItem, then a transaction of Puts).
        tables.grant(functions.moderator, MODERATOR_REVIEW_ACTIONS, [tables.reviews])
        tables.grant(
            functions.moderator,
            ["dynamodb:Query"],
            [tables.reviews],
            indexes=[constants.REVIEWS_BY_ROOM_INDEX, constants.REVIEWS_BY_STATE_INDEX],
            indexes_only=True,
        )
        tables.grant(functions.moderator, PIPELINE_READS, [tables.bans, tables.strikes])
        tables.grant(functions.moderator, ["dynamodb:PutItem"], [tables.strikes])
        tables.grant(functions.review_sweeper, SWEEPER_REVIEW_ACTIONS, [tables.reviews])
        tables.grant(
            functions.review_sweeper,
            ["dynamodb:Query"],
            [tables.reviews],
            indexes=[constants.REVIEWS_BY_STATE_INDEX],
            indexes_only=True,
        )
        tables.grant(functions.review_sweeper, ["dynamodb:PutItem"], [tables.audit])
        # The overview's counts: the counter adds, the moderator reads (GET /moderation/counts).
        tables.grant(functions.counter, ["dynamodb:UpdateItem"], [tables.counts])
        tables.grant(functions.moderator, ["dynamodb:Query"], [tables.counts])
        # The ban-revoker audits each revocation; its stream reads come with its event source.
        tables.grant(functions.ban_revoker, ["dynamodb:PutItem"], [tables.audit])

        # before-publish holds no Ably key: it never calls Ably. The judged key (never the
        # secret Ably holds) signs x-chatmod-judged in publish and verifies it in
        # before-publish and async-moderation, so what POST /messages judged is not judged
        # twice (the ban check still applies).
        judged_key = secrets.judged_key_parameter
        parameters.grant_read_secrets(
            functions.async_moderation, [secrets.ably_api_key, judged_key, *provider_keys]
        )
        parameters.grant_read_secrets(
            functions.before_publish,
            [secrets.before_publish_secret, judged_key, *provider_keys],
        )
        parameters.grant_read_secrets(
            functions.publish, [secrets.ably_api_key, judged_key, *provider_keys]
        )
        parameters.grant_read_secrets(functions.token, [secrets.ably_api_key])
        # Approving a held message publishes it with the judged header.
        parameters.grant_read_secrets(functions.moderator, [secrets.ably_api_key, judged_key])
        parameters.grant_read_secrets(functions.ban_revoker, [secrets.ably_api_key])

        if any(p.name == "comprehend" for p in config.moderation.providers):
            for function in moderates:
                # DetectToxicContent has no resource-level permissions.
                function.add_to_role_policy(
                    iam.PolicyStatement(actions=["comprehend:DetectToxicContent"], resources=["*"])
                )

    def _outputs(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            CfnOutput(self, name, value=value)
