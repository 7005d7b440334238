"""The HTTP API (API Gateway v2): the routes of ARCHITECTURE.md §3 on one throttled stage."""

from __future__ import annotations

from dataclasses import dataclass

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.nag import acknowledge

GET, POST, DELETE = apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST, apigwv2.HttpMethod.DELETE
BEFORE_PUBLISH_PATH = "/before-publish"
BEFORE_PUBLISH_ROUTE_KEY = f"POST {BEFORE_PUBLISH_PATH}"

# JSON access log lines: enough to trace a request to the function's own logs.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "sub": "$context.authorizer.claims.sub",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(_json_line(ACCESS_LOG_FIELDS))


def _json_line(fields: dict[str, str]) -> str:
    return "{" + ",".join(f'"{key}":"{value}"' for key, value in fields.items()) + "}"


@dataclass(frozen=True, slots=True)
class Routes:
    """The function behind each group of routes."""

    token: lambda_.IFunction
    publish: lambda_.IFunction
    before_publish: lambda_.IFunction
    moderator: lambda_.IFunction


class HttpApi(Construct):
    """The chatmod API: JWT on user and moderator routes, a shared secret on ``/before-publish``.

    ``POST /before-publish`` exists only where ``before_publish_throttle`` is given (a
    stage whose before-publish rule uses the HTTP transport): elsewhere an
    unauthenticated route would only cost junk requests and share Ably's throttle.

    Attributes:
        api: the HTTP API.
        stage: its ``$default`` stage (throttled, access-logged).
        access_logs: the access log group.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Routes,
        authorizer: apigwv2.IHttpRouteAuthorizer,
        cors_origins: tuple[str, ...],
        throttle_rate_limit: float,
        throttle_burst_limit: int,
        before_publish_throttle: apigwv2.ThrottleSettings | None,
        before_publish_secret_header: str,
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            description="chatmod: tokens, moderated publish, before-publish rule, moderator tools",
            create_default_stage=False,
            cors_preflight=self._cors(cors_origins),
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=log_retention, removal_policy=removal_policy
        )
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=throttle_rate_limit, burst_limit=throttle_burst_limit
            ),
            access_log_settings=_AccessLogSettings(self.access_logs),
        )
        self._add_routes(routes, authorizer)
        if before_publish_throttle is not None:
            self._add_before_publish(
                routes.before_publish, before_publish_throttle, before_publish_secret_header
            )

    def _add_before_publish(
        self, function: lambda_.IFunction, throttle: apigwv2.ThrottleSettings, header: str
    ) -> None:
        """``POST /before-publish`` (the HTTP transport's target): no JWT, its own throttle."""
        before_publish = self.api.add_routes(
            path=BEFORE_PUBLISH_PATH,
            methods=[POST],
            integration=integrations.HttpLambdaIntegration("BeforePublish", function),
            authorizer=apigwv2.HttpNoneAuthorizer(),
        )
        self._throttle_before_publish(before_publish, throttle)
        for route in before_publish:
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "Ably's before-publish HTTP transport cannot present a JWT; it sends a static "
                f"secret in the '{header}' header, which the function "
                "compares in constant time with the SSM SecureString before doing any work.",
            )

    def _throttle_before_publish(
        self, routes: list[apigwv2.HttpRoute], throttle: apigwv2.ThrottleSettings
    ) -> None:
        """Route-level limits for ``POST /before-publish``, overriding the stage's default."""
        stage = self.stage.node.default_child
        assert isinstance(stage, apigwv2.CfnStage)
        stage.route_settings = {
            BEFORE_PUBLISH_ROUTE_KEY: {
                "ThrottlingRateLimit": throttle.rate_limit,
                "ThrottlingBurstLimit": throttle.burst_limit,
            }
        }
        # CloudFormation refuses settings for a route the stage does not have yet.
        for route in routes:
            self.stage.node.add_dependency(route)

    @property
    def url(self) -> str:
        """The base URL of the ``$default`` stage."""
        return self.stage.url

    def _add_routes(self, routes: Routes, authorizer: apigwv2.IHttpRouteAuthorizer) -> None:
        token = integrations.HttpLambdaIntegration("Token", routes.token)
        publish = integrations.HttpLambdaIntegration("Publish", routes.publish)
        moderator = integrations.HttpLambdaIntegration("Moderator", routes.moderator)
        table: list[tuple[str, list[apigwv2.HttpMethod], apigwv2.HttpRouteIntegration]] = [
            ("/token", [GET, POST], token),
            ("/messages", [POST], publish),
            ("/warnings", [GET], publish),
            ("/warnings/{warningId}/ack", [POST], publish),
            ("/moderation/bans", [GET, POST], moderator),
            ("/moderation/bans/{clientId}", [GET, DELETE], moderator),
            ("/moderation/messages/delete", [POST], moderator),
            ("/moderation/audit", [GET], moderator),
            ("/moderation/users/{clientId}", [GET], moderator),
            ("/moderation/counts", [GET], moderator),
            ("/moderation/terms", [GET, POST, DELETE], moderator),
            ("/moderation/rooms/{room}", [GET], moderator),
            ("/moderation/rooms/{room}/slow-mode", [POST], moderator),
            ("/moderation/reviews", [GET], moderator),
            ("/moderation/reviews/{reviewId}", [GET], moderator),
            ("/moderation/reviews/{reviewId}/approve", [POST], moderator),
            ("/moderation/reviews/{reviewId}/deny", [POST], moderator),
        ]
        for path, methods, integration in table:
            self.api.add_routes(
                path=path, methods=methods, integration=integration, authorizer=authorizer
            )

    @staticmethod
    def _cors(origins: tuple[str, ...]) -> apigwv2.CorsPreflightOptions | None:
        if not origins:
            return None
        return apigwv2.CorsPreflightOptions(
            allow_origins=list(origins),
            allow_methods=[apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST,
                           apigwv2.CorsHttpMethod.DELETE],
            allow_headers=["authorization", "content-type"],
            max_age=Duration.hours(1),
        )  # fmt: skip
