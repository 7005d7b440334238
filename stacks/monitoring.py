"""Alarms to an encrypted SNS topic, and a dashboard of the numbers an operator watches."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = Duration.minutes(1)


class Monitoring(Construct):
    """Alarms (DLQ, function errors and throttles, API 5xx, before-publish latency) and a dashboard.

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
        api: apigwv2.IHttpApi,
        alarm_email: str | None,
        before_publish_p99_ms: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._build_topic(alarm_email, removal_policy)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._alarm(
            "DeadLetterQueueNotEmpty",
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            threshold=1,
            description="Ably messages could not be moderated and wait in the DLQ",
        )
        for service, function in functions.items():
            name = "".join(part.title() for part in service.split("-"))
            self._alarm(
                f"{name}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=1,
                description=f"the {service} function failed",
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
        self.dashboard = self._build_dashboard(
            stage, functions, before_publish, ingest_queue, dead_letter_queue, api
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
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms[construct_id] = alarm

    def _build_dashboard(
        self,
        stage: str,
        functions: Mapping[str, lambda_.IFunction],
        before_publish: lambda_.IFunction,
        ingest_queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
        api: apigwv2.IHttpApi,
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
                title="Moderation decisions",
                left=[
                    cloudwatch.Metric(
                        namespace="Chatmod",
                        metric_name=name,
                        dimensions_map={"service": "before-publish"},
                        period=PERIOD,
                        statistic="Sum",
                    )
                    for name in ("Accepted", "Rejected", "Masked", "Failed")
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
