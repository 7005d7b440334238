"""The moderator console in AWS: a private S3 bucket behind CloudFront with origin access control.

:class:`ConsoleHosting` is built in two steps because of what refers to what. The
distribution comes first: its URL is the Cognito console client's callback and an
allowed CORS origin of the HTTP API. The files come last (:meth:`ConsoleHosting.deploy`):
``config.json`` names the API, the hosted UI and the client, all known only then.

The Content-Security-Policy header cannot name the API's own URL: the API allows the
console's origin (CORS), so a header naming the API would make the distribution and
the API depend on each other. The header allows API Gateway in the stack's region;
``index.html`` is written at deploy time with a ``<meta>`` policy that allows exactly
this API (a browser enforces both, so the page can reach this API and no other).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import Aws, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from stacks.nag import acknowledge

#: What ``make console`` builds for deployment (no local sign-in in it).
BUILD = Path(__file__).resolve().parents[1] / "console" / "dist"

#: Where ably-js 2.28 (and @ably/chat 1.4 through it) connects by default: the primary
#: domain ``main.realtime.ably.net`` (``getPrimaryDomainFromEndpoint``), the fallbacks
#: ``main.[a-e].fallback.ably-realtime.com`` and its connectivity checks
#: (``internet-up``/``ws-up.ably-realtime.com``), and the legacy ``*.ably.io`` hosts
#: (``rest.ably.io``, ``realtime.ably.io``) — ably-js ``src/common/lib/util/defaults.ts``.
ABLY_CONNECT_SOURCES: tuple[str, ...] = tuple(
    f"{scheme}://*.{domain}"
    for domain in ("ably.io", "ably.net", "ably-realtime.com")
    for scheme in ("https", "wss")
)

#: Hashed build files never change; index.html and config.json must be read again.
IMMUTABLE = s3deploy.CacheControl.from_string("public, max-age=31536000, immutable")
REVALIDATE = s3deploy.CacheControl.from_string("no-cache")


def ably_connect_sources(endpoint: str | None) -> tuple[str, ...]:
    """The CSP connect sources for Ably: its defaults, plus a configured endpoint's hosts."""
    if not endpoint:
        return ABLY_CONNECT_SOURCES
    if endpoint.startswith("nonprod:"):
        extra = [
            f"{scheme}://*.{domain}"
            for domain in ("ably-nonprod.net", "ably-realtime-nonprod.com")
            for scheme in ("https", "wss")
        ]
    elif "." in endpoint or endpoint == "localhost":
        extra = [f"https://{endpoint}", f"wss://{endpoint}"]
    else:  # a routing policy name: <name>.realtime.ably.net and its ably-realtime.com fallbacks
        extra = []
    return (*ABLY_CONNECT_SOURCES, *extra)


def content_security_policy(connect_sources: Sequence[str]) -> str:
    """The console's CSP: its own scripts and styles only; connections to ``connect_sources``."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "manifest-src 'self'",
            "connect-src 'self' " + " ".join(connect_sources),
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )


def with_connect_policy(index_html: str, connect_sources: Sequence[str]) -> str:
    """``index_html`` with a ``<meta>`` CSP that narrows connections to ``connect_sources``."""
    meta = (
        '<meta http-equiv="Content-Security-Policy" content="connect-src \'self\' '
        + " ".join(connect_sources)
        + '" />'
    )
    head = index_html.find("<head>")
    if head < 0:
        raise ValueError("the console's index.html has no <head>")
    at = head + len("<head>")
    return index_html[:at] + "\n    " + meta + index_html[at:]


def api_gateway_connect_source() -> str:
    """Every HTTP API endpoint in the stack's region (see the module docstring)."""
    return f"https://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"


class ConsoleHosting(Construct):
    """The console's bucket, distribution and deployment.

    Attributes:
        bucket: private; only the distribution reads it (origin access control).
        distribution: HTTPS only, ``index.html`` at ``/`` and for unknown paths.
        url: ``https://<distribution domain>`` (no trailing slash).
        redirect_url: the console's page, ``url`` + ``/`` (the OAuth redirect URI).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sign_in_source: str,
        ably_sources: Sequence[str],
        removal_policy: RemovalPolicy,
        log_retention: logs.RetentionDays,
    ) -> None:
        """``sign_in_source``: the origin of the token endpoint (Cognito's hosted UI or the
        external issuer); ``ably_sources``: where the live view connects (see
        :func:`ably_connect_sources`)."""
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self._log_retention = log_retention
        self._sign_in_source = sign_in_source
        self._ably_sources = tuple(ably_sources)
        self.bucket = self._build_bucket(removal_policy)
        self.headers = self._build_headers(
            [api_gateway_connect_source(), sign_in_source, *self._ably_sources]
        )
        self.distribution = self._build_distribution()
        self.url = f"https://{self.distribution.distribution_domain_name}"
        self.redirect_url = f"{self.url}/"

    def _build_bucket(self, removal_policy: RemovalPolicy) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
        )
        acknowledge(
            bucket,
            "AwsSolutions-S1",
            "The bucket holds only the console's static build, which CloudFront serves to "
            "anyone; only the distribution (origin access control) and the deployment "
            "function read or write it. Access logs would need a second bucket for no "
            "security gain; CloudTrail data events cover writes if an account wants them.",
        )
        return bucket

    def _build_headers(self, connect_sources: Sequence[str]) -> cloudfront.ResponseHeadersPolicy:
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="chatmod console: CSP (API, Cognito, Ably only) and security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(connect_sources),
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(), microphone=(), geolocation=(), payment=()",
                        override=True,
                    ),
                    cloudfront.ResponseCustomHeader(
                        header="Cross-Origin-Opener-Policy", value="same-origin", override=True
                    ),
                ]
            ),
        )

    def _build_distribution(self) -> cloudfront.Distribution:
        # The single-page app's fallback: S3 answers 403 for a missing key (CloudFront may
        # not list the bucket), and the console routes by #hash, so every path is the page.
        fallback = [
            cloudfront.ErrorResponse(
                http_status=status,
                response_http_status=200,
                response_page_path="/index.html",
                ttl=Duration.seconds(0),
            )
            for status in (403, 404)
        ]
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="chatmod moderator console",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            error_responses=fallback,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR1",
            "Moderators work from wherever their community is; the console holds no data "
            "(everything comes from the JWT-protected API), so geo restriction adds nothing.",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR2",
            "The distribution serves a static build only (GET/HEAD); the API behind the "
            "console has its own JWT authorizer and throttling. A team that wants WAF "
            "attaches a web ACL (it has a monthly cost per ACL and rule).",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR3",
            "Access logs of a static build add cost without security value: every "
            "moderator action is an API call, logged by the API's access logs and audited.",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate's security policy is fixed by CloudFront "
            "(a minimum TLS version needs a custom domain and certificate, not configured "
            "here). Viewers are redirected to HTTPS, and HSTS is sent.",
        )
        return distribution

    def page_connect_sources(self, api_url: str) -> list[str]:
        """What ``index.html``'s ``<meta>`` policy lets the page connect to (besides itself)."""
        return [api_url.rstrip("/"), self._sign_in_source, *self._ably_sources]

    def deploy(self, *, build: Path, config: Mapping[str, object], api_url: str) -> None:
        """Upload ``build`` and a ``config.json`` made from ``config`` (tokens resolved at deploy).

        ``index.html`` gets a ``<meta>`` CSP allowing connections to ``api_url`` only
        (besides what the header allows), and is written after the hashed assets it names.
        """
        index = build / "index.html"
        if not index.is_file():
            raise FileNotFoundError(f"{index} is missing: run `make console` before synth")
        connect_only = self.page_connect_sources(api_url)
        # The build's assets live in the CDK assets bucket, as every source below.
        build_assets = s3_assets.Asset(self, "Build", path=str(build / "assets"))
        log_group = logs.LogGroup(
            self,
            "DeploymentLogs",
            retention=self._log_retention,
            removal_policy=self._removal_policy,
        )
        role = self._build_deployment_role(build_assets.bucket, log_group)
        retain = self._removal_policy == RemovalPolicy.RETAIN
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[s3deploy.Source.bucket(build_assets.bucket, build_assets.s3_object_key)],
            destination_bucket=self.bucket,
            destination_key_prefix="assets/",
            # Old hashed files stay: a page loaded before the deploy may still ask for them.
            prune=False,
            retain_on_delete=retain,
            cache_control=[IMMUTABLE],
            role=role,
            log_group=log_group,
        )
        page = s3deploy.BucketDeployment(
            self,
            "Page",
            sources=[
                s3deploy.Source.data(
                    "index.html", with_connect_policy(index.read_text(), connect_only)
                ),
                s3deploy.Source.json_data("config.json", dict(config)),
            ],
            destination_bucket=self.bucket,
            prune=False,
            retain_on_delete=retain,
            cache_control=[REVALIDATE],
            distribution=self.distribution,
            distribution_paths=["/*"],
            role=role,
            log_group=log_group,
        )
        page.node.add_dependency(assets)
        self._acknowledge_deployment_function()

    def _build_deployment_role(
        self, assets_bucket: s3.IBucket, log_group: logs.ILogGroup
    ) -> iam.IRole:
        """The deployment function's role, with exactly what ``aws s3 sync`` and the
        invalidation need (inline: the stack's roles carry no managed policies).

        Handed to BucketDeployment as an immutable reference, so that its own broader
        grants (``s3:GetObject*``, ``s3:List*``…) are not added.
        """
        stack = Stack.of(self)
        distribution_arn = stack.format_arn(
            service="cloudfront",
            region="",
            resource="distribution",
            resource_name=self.distribution.distribution_id,
        )
        role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="chatmod console deployment: copy the build to the console bucket",
            inline_policies={
                "Deploy": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[log_group.log_group_arn],
                        ),
                        iam.PolicyStatement(
                            actions=["s3:GetObject"],
                            resources=[assets_bucket.arn_for_objects("*")],
                        ),
                        iam.PolicyStatement(
                            actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn]
                        ),
                        iam.PolicyStatement(
                            actions=["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                            resources=[self.bucket.arn_for_objects("*")],
                        ),
                        iam.PolicyStatement(
                            actions=["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                            resources=[distribution_arn],
                        ),
                    ]
                )
            },
        )
        qualifier = getattr(stack.synthesizer, "bootstrap_qualifier", None) or "hnb659fds"
        bucket_id = stack.get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]

        def known(value: str, pseudo: str) -> str:
            # cdk-nag shows a stage's account and region as they are, else as <AWS::...>.
            return pseudo if Token.is_unresolved(value) else value

        partition = known(stack.partition, "<AWS::Partition>")
        account = known(stack.account, "<AWS::AccountId>")
        region = known(stack.region, "<AWS::Region>")
        for resource in (
            f"arn:{partition}:s3:::cdk-{qualifier}-assets-{account}-{region}/*",
            f"<{bucket_id}.Arn>/*",
        ):
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::{resource}]",
                "aws s3 sync copies the whole build: it reads the build's zip files from the "
                "CDK assets bucket and writes any object of the console bucket; object keys "
                "are content hashes, known only once the build is made.",
            )
        return iam.Role.from_role_arn(self, "DeploymentRoleRef", role.role_arn, mutable=False)

    def _acknowledge_deployment_function(self) -> None:
        """BucketDeployment's provider function lives at the stack's root, one per stack."""
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                acknowledge(
                    child,
                    "AwsSolutions-L1",
                    "The CDK's BucketDeployment provider pins its own Python runtime with the "
                    "AWS CLI layer; it runs only during deploys, on CloudFormation's request.",
                )
