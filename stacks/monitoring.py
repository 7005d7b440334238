"""Alarms to an encrypted SNS topic, and a dashboard of the numbers an operator watches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chatmod.core.constants import METRICS_NAMESPACE
from stacks.functions import BEFORE_PUBLISH

PERIOD = Duration.minutes(1)
# Every alarm's description ends with its section of the runbook (a test keeps them in step).
RUNBOOK = "docs/runbook.md"
# Failed decisions are judged over a few minutes: one slow provider call is not an incident.
DECISION_RATE_PERIOD = Duration.minutes(5)
# The ban-revoker should keep up with the bans stream within about a minute.
BAN_STREAM_ITERATOR_AGE_MS = 60_000
# The counters each moderation decision adds (dimension "service"), as the handlers emit them.
DECISION_METRICS = ("Accepted", "Rejected", "Masked", "Failed")
# Function errors are judged as a share of invocations over this period, not one by one.
ERROR_RATE_PERIOD = Duration.minutes(5)
# The ingest queue's oldest message older than the threshold for this many minutes.
INGEST_AGE_EVALUATION_PERIODS = 3


def error_rate(function: lambda_.IFunction, slug: str) -> cloudwatch.MathExpression:
    """``function``'s errors as a percentage of its invocations (5-minute sums; 0 when idle)."""
    errors, invocations = f"errors_{slug}", f"invocations_{slug}"
    return cloudwatch.MathExpression(
        expression=(
            f"IF(FILL({invocations}, 0) > 0, 100 * FILL({errors}, 0) / FILL({invocations}, 0), 0)"
        ),
        using_metrics={
            errors: function.metric_errors(period=ERROR_RATE_PERIOD, statistic="Sum"),
            invocations: function.metric_invocations(period=ERROR_RATE_PERIOD, statistic="Sum"),
        },
        label="errors (% of invocations)",
        period=ERROR_RATE_PERIOD,
    )


def table_throttles(table: dynamodb.ITable, slug: str) -> cloudwatch.MathExpression:
    """Read and write throttle events of ``table`` (on-demand tables throttle too), summed."""
    names = {"ReadThrottleEvents": f"reads_{slug}", "WriteThrottleEvents": f"writes_{slug}"}
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({i}, 0)" for i in names.values()),
        using_metrics={
            i: table.metric(name, period=PERIOD, statistic="Sum") for name, i in names.items()
        },
        label="throttle events",
        period=PERIOD,
    )


def decision_metric(service: str, name: str, period: Duration = PERIOD) -> cloudwatch.Metric:
    """A decision counter of one function (``Accepted``, ``Rejected``, ``Masked``, ``Failed``)."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": service},
        period=period,
        statistic="Sum",
    )


def failed_decision_rate(service: str) -> cloudwatch.MathExpression:
    """Failed decisions as a percentage of all of ``service``'s decisions (5-minute sums).

    Each counter is filled with 0 where it has no data, so a provider outage, when
    nothing but ``Failed`` is counted, reads 100 % rather than "no data"; with no
    decisions at all the rate is 0.
    """
    # Ids unique per service, so that several rates can share one graph.
    slug = service.replace("-", "_")
    ids = {name: f"{name.lower()}_{slug}" for name in DECISION_METRICS}
    total = " + ".join(f"FILL({ids[name]}, 0)" for name in DECISION_METRICS)
    failed = f"FILL({ids['Failed']}, 0)"
    return cloudwatch.MathExpression(
        expression=f"IF(({total}) > 0, 100 * {failed} / ({total}), 0)",
        using_metrics={
            ids[name]: decision_metric(service, name, DECISION_RATE_PERIOD)
            for name in DECISION_METRICS
        },
        label=f"{service} failed decisions (%)",
        period=DECISION_RATE_PERIOD,
    )


class Monitoring(Construct):
    """Alarms and a dashboard.

    Alarms: DLQ not empty, the ingest queue's oldest message too old, DynamoDB
    throttling per table, function error rates and throttles, API 5xx, before-publish
    p99 latency, the failed-decision rate and unrecorded strikes of each function that
    moderates, the ban-revoker falling behind the bans stream or giving records up
    to its failure queue, and held messages waiting too long for a moderator.

    Attributes:
        topic: the SNS topic every alarm notifies (KMS-encrypted; email when configured).
        alarms: the alarms by name.
        dashboard: the CloudWatch dashboard.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        functions: Mapping[str, lambda_.IFunction],
        before_publish: lambda_.IFunction,
        ingest_queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        ban_revoker: lambda_.IFunction,
        ban_revocation_failures: sqs.IQueue,
        api: apigwv2.IHttpApi,
        alarm_email: str | None,
        before_publish_p99_ms: int,
        moderating_services: Sequence[str],
        failed_decision_rate_percent: float,
        removal_policy: RemovalPolicy,
        tables: Mapping[str, dynamodb.ITable] | None = None,
        alarm_topic_arn: str | None = None,
        error_rate_percent: float = 1,
        ingest_age_seconds: int = 300,
        review_sweeper_service: str | None = None,
        pending_review_age_seconds: int = 3600,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._build_topic(alarm_email, removal_policy)
        # An existing topic (the operator's paging or chat) hears every alarm too.
        self._topics: list[sns.ITopic] = [self.topic]
        if alarm_topic_arn:
            self._topics.append(
                sns.Topic.from_topic_arn(self, "ExistingAlarmTopic", alarm_topic_arn)
            )
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._alarm(
            "IngestQueueOldestMessageAge",
            ingest_queue.metric_approximate_age_of_oldest_message(
                period=PERIOD, statistic="Maximum"
            ),
            threshold=ingest_age_seconds,
            evaluation_periods=INGEST_AGE_EVALUATION_PERIODS,
            description=(
                f"the ingest queue's oldest message is at least {ingest_age_seconds} s old: "
                "async moderation is behind, so bad messages stay up longer"
            ),
        )
        for name, table in (tables or {}).items():
            self._alarm(
                f"{name.title()}TableThrottles",
                table_throttles(table, name),
                threshold=1,
                description=f"DynamoDB throttled reads or writes on the {name} table",
            )
        self._alarm(
            "DeadLetterQueueNotEmpty",
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            threshold=1,
            description="Ably messages could not be moderated and wait in the DLQ",
        )
        self._alarm(
            "BanRevocationFailuresNotEmpty",
            ban_revocation_failures.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            threshold=1,
            description="banned users' Ably tokens could not be revoked (retries exhausted)",
        )
        self._alarm(
            "BanRevokerIteratorAge",
            ban_revoker.metric("IteratorAge", period=PERIOD, statistic="Maximum"),
            threshold=BAN_STREAM_ITERATOR_AGE_MS,
            evaluation_periods=3,
            description="the ban-revoker is behind the bans stream: bans wait to revoke tokens",
        )
        for service, function in functions.items():
            name = "".join(part.title() for part in service.split("-"))
            self._alarm(
                f"{name}Errors",
                error_rate(function, service.replace("-", "_")),
                threshold=error_rate_percent,
                description=(
                    f"at least {error_rate_percent:g}% of the {service} function's invocations "
                    "in 5 minutes failed"
                ),
            )
            self._alarm(
                f"{name}Throttles",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"the {service} function was throttled",
            )
        self._alarm(
            "Api5xx",
            cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5xx",
                dimensions_map={"ApiId": api.api_id},
                period=PERIOD,
                statistic="Sum",
            ),
            threshold=5,
            description="the HTTP API answered 5xx",
        )
        self._alarm(
            "BeforePublishLatencyP99",
            before_publish.metric_duration(period=PERIOD, statistic="p99"),
            threshold=before_publish_p99_ms,
            evaluation_periods=3,
            description="before-publish is too slow for Ably's retry timeout",
        )
        self._alarm(
            "BeforePublishUnavailable",
            decision_metric(BEFORE_PUBLISH.service, "BeforePublishUnavailable"),
            threshold=1,
            description=(
                "before-publish answered Ably 5xx (no decision: configuration unreadable, "
                "or no provider answered with failedAction 'defer'); Ably applied the rule's "
                "failed action to those messages"
            ),
        )
        for service in moderating_services:
            name = "".join(part.title() for part in service.split("-"))
            self._alarm(
                f"{name}FailedDecisionRate",
                failed_decision_rate(service),
                threshold=failed_decision_rate_percent,
                description=(
                    f"{service}: at least {failed_decision_rate_percent:g}% of moderation "
                    "decisions in 5 minutes failed (no provider answered); with failedAction "
                    "'publish' those messages went out unmoderated"
                ),
            )
            self._alarm(
                f"{name}PolicyRefused",
                decision_metric(service, "PolicyRefused"),
                threshold=1,
                description=(
                    f"{service}: the policy parameter disagrees with what the stage deployed "
                    "(the Ably rule's settings, or a provider not deployed) and is not applied; "
                    "the log line 'policy parameter refused' says why"
                ),
            )
            self._alarm(
                f"{name}StrikeNotRecorded",
                decision_metric(service, "StrikeNotRecorded"),
                threshold=1,
                description=(
                    f"{service}: a rejected message's strike (and its audit events) could not "
                    "be written, so its sender was not escalated towards a ban"
                ),
            )
        if review_sweeper_service is not None:
            self._alarm(
                "PendingReviewAge",
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name="OldestPendingReviewAgeSeconds",
                    dimensions_map={"service": review_sweeper_service},
                    period=PERIOD,
                    statistic="Maximum",
                ),
                threshold=pending_review_age_seconds,
                evaluation_periods=2,
                description=(
                    f"a held message has waited at least {pending_review_age_seconds} s for a "
                    "moderator: the review queue is not being worked (its senders see "
                    "'waiting for review')"
                ),
            )
        self.dashboard = self._build_dashboard(
            stage,
            functions,
            before_publish,
            ingest_queue,
            dead_letter_queue,
            api,
            moderating_services,
            ban_revoker,
            ban_revocation_failures,
        )

    def _build_topic(self, email: str | None, removal_policy: RemovalPolicy) -> sns.Topic:
        # CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS
        # key, so the topic has its own key that CloudWatch may use.
        key = kms.Key(
            self,
            "AlarmTopicKey",
            enable_key_rotation=True,
            description="Encrypts chatmod's alarm topic",
            removal_policy=removal_policy,
        )
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt",
                  "kms:GenerateDataKey*")  # fmt: skip
        topic = sns.Topic(self, "AlarmTopic", master_key=key, enforce_ssl=True)
        # enforce_ssl gives the topic a policy with one Deny; alarm actions need an Allow
        # for CloudWatch, limited to this account's alarms.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": (
                            f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"
                        )
                    },
                },
            )
        )
        if email:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        return topic

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            # On-call reads this in the notification: what broke, and where the fix is.
            alarm_description=f"{description}. Runbook: {RUNBOOK}#{construct_id.lower()}",
        )
        for topic in self._topics:
            alarm.add_alarm_action(actions.SnsAction(topic))
        self.alarms[construct_id] = alarm

    def _build_dashboard(
        self,
        stage: str,
        functions: Mapping[str, lambda_.IFunction],
        before_publish: lambda_.IFunction,
        ingest_queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        api: apigwv2.IHttpApi,
        moderating_services: Sequence[str],
        ban_revoker: lambda_.IFunction,
        ban_revocation_failures: sqs.IQueue,
    ) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"chatmod-{stage}")
        fns = list(functions.values())
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Before-publish duration (p50/p99)",
                left=[
                    before_publish.metric_duration(period=PERIOD, statistic="p50"),
                    before_publish.metric_duration(period=PERIOD, statistic="p99"),
                ],
            ),
            cloudwatch.GraphWidget(
                title="Moderation decisions (before-publish)",
                left=[decision_metric("before-publish", name) for name in DECISION_METRICS],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Failed decisions (% of decisions, 5 min)",
                left=[failed_decision_rate(service) for service in moderating_services],
                left_y_axis=cloudwatch.YAxisProps(min=0, max=100),
            ),
            cloudwatch.GraphWidget(
                title="Ban revocation",
                left=[
                    ban_revoker.metric("IteratorAge", period=PERIOD, statistic="Maximum"),
                ],
                right=[
                    cloudwatch.Metric(
                        namespace=METRICS_NAMESPACE,
                        metric_name=name,
                        dimensions_map={"service": "ban-revoker"},
                        period=PERIOD,
                        statistic="Sum",
                    )
                    for name in ("TokensRevoked", "TokenRevocationFailed")
                ]
                + [
                    ban_revocation_failures.metric_approximate_number_of_messages_visible(
                        period=PERIOD
                    )
                ],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[f.metric_errors(period=PERIOD, statistic="Sum") for f in fns],
            ),
            cloudwatch.GraphWidget(
                title="Function throttles",
                left=[f.metric_throttles(period=PERIOD, statistic="Sum") for f in fns],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Ingest queue",
                left=[
                    ingest_queue.metric_approximate_number_of_messages_visible(period=PERIOD),
                    ingest_queue.metric_approximate_age_of_oldest_message(period=PERIOD),
                    dead_letter_queue.metric_approximate_number_of_messages_visible(period=PERIOD),
                ],
            ),
            cloudwatch.GraphWidget(
                title="HTTP API",
                left=[
                    cloudwatch.Metric(
                        namespace="AWS/ApiGateway",
                        metric_name=name,
                        dimensions_map={"ApiId": api.api_id},
                        period=PERIOD,
                        statistic="Sum",
                    )
                    for name in ("Count", "4xx", "5xx")
                ],
            ),
        )
        return dashboard
