"""Who may call the HTTP API: a Cognito user pool with a moderators group, or an external issuer."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from stacks.nag import acknowledge


@dataclass(frozen=True)
class ConsoleSignIn:
    """The moderator console's Cognito sign-in: a hosted UI domain and its own app client.

    ``redirect_urls``: where Cognito may send the browser back after sign-in and
    sign-out (the console's CloudFront URL, and local mode's console if asked for).
    """

    domain_prefix: str
    redirect_urls: tuple[str, ...]


#: A moderator's working day: the console refreshes its tokens for this long.
CONSOLE_REFRESH_TOKEN_VALIDITY = Duration.hours(12)


#: The authorization code grant only (PKCE on the client's side); no implicit grant.
CODE_FLOW_ONLY = cognito.OAuthFlows(
    authorization_code_grant=True, implicit_code_grant=False, client_credentials=False
)
OPENID_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE]


class Auth(Construct):
    """The JWT authorizer for user and moderator routes.

    In ``cognito`` mode it creates a user pool, a public app client for the chat
    front end (authorization-code grant with PKCE, no implicit grant, no secret),
    and the moderators group; in ``jwt`` mode it trusts an external issuer.

    Attributes:
        authorizer: the authorizer to attach to every route but ``/before-publish``.
        user_pool, user_pool_client: set in ``cognito`` mode, else ``None``.
        console_client, hosted_ui: the console's app client and hosted UI domain, set in
            ``cognito`` mode when ``console`` is given, else ``None``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        mode: str,
        moderator_group: str,
        removal_policy: RemovalPolicy,
        issuer: str | None = None,
        audience: tuple[str, ...] = (),
        callback_urls: tuple[str, ...] = (),
        logout_urls: tuple[str, ...] = (),
        console: ConsoleSignIn | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool: cognito.UserPool | None = None
        self.user_pool_client: cognito.UserPoolClient | None = None
        self.console_client: cognito.UserPoolClient | None = None
        self.hosted_ui: cognito.UserPoolDomain | None = None
        self.authorizer: apigwv2.IHttpRouteAuthorizer
        if mode == "cognito":
            self.user_pool, self.user_pool_client = self._build_user_pool(
                moderator_group, removal_policy, callback_urls, logout_urls
            )
            clients = [self.user_pool_client]
            if console is not None:
                self.hosted_ui, self.console_client = self._build_console_sign_in(
                    self.user_pool, console
                )
                clients.append(self.console_client)
            # The console's ID tokens carry its own client id as audience: both are accepted.
            self.authorizer = authorizers.HttpUserPoolAuthorizer(
                "UserPoolAuthorizer", self.user_pool, user_pool_clients=clients
            )
        else:
            assert issuer is not None  # StageConfig guarantees it in jwt mode
            self.authorizer = authorizers.HttpJwtAuthorizer(
                "JwtAuthorizer", issuer, jwt_audience=list(audience)
            )

    def _build_user_pool(
        self,
        moderator_group: str,
        removal_policy: RemovalPolicy,
        callback_urls: tuple[str, ...],
        logout_urls: tuple[str, ...],
    ) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        if not callback_urls:
            # StageConfig refuses this too; without URLs the CDK would invent https://example.com.
            raise ValueError("a Cognito app client needs at least one callback URL")
        pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True, username=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=removal_policy == RemovalPolicy.RETAIN,
            removal_policy=removal_policy,
        )
        client = pool.add_client(
            "ChatClient",
            auth_flows=cognito.AuthFlow(user_srp=True),
            # A browser app cannot keep a secret: a public client, and PKCE in its code flow.
            generate_secret=False,
            o_auth=cognito.OAuthSettings(
                flows=CODE_FLOW_ONLY,
                scopes=OPENID_SCOPES,
                callback_urls=list(callback_urls),
                logout_urls=list(logout_urls),
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
        )
        cognito.CfnUserPoolGroup(
            self,
            "ModeratorsGroup",
            user_pool_id=pool.user_pool_id,
            group_name=moderator_group,
            description="chatmod moderators: extra token capabilities and /moderation/* access",
        )
        acknowledge(
            pool,
            "AwsSolutions-COG2",
            "Chat end users sign in to a consumer chat; MFA is offered (TOTP, optional) "
            "rather than required, and moderator accounts can be made to enrol by policy.",
        )
        plus_reason = (
            "Threat protection (advanced security) needs the Cognito Plus feature plan and its "
            "per-user cost; the pool uses Essentials, self sign-up is off and the API is "
            "throttled. Teams that want it switch featurePlan to PLUS."
        )
        acknowledge(pool, "AwsSolutions-COG3", plus_reason)
        acknowledge(pool, "AwsSolutions-COG8", plus_reason)
        return pool, client

    def _build_console_sign_in(
        self, pool: cognito.UserPool, console: ConsoleSignIn
    ) -> tuple[cognito.UserPoolDomain, cognito.UserPoolClient]:
        domain = pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=console.domain_prefix),
        )
        client = pool.add_client(
            "ConsoleClient",
            # The hosted UI signs moderators in; no direct password or SRP flows.
            auth_flows=cognito.AuthFlow(),
            # A single-page app cannot keep a secret: a public client; the code flow uses PKCE.
            generate_secret=False,
            o_auth=cognito.OAuthSettings(
                flows=CODE_FLOW_ONLY,
                scopes=OPENID_SCOPES,
                callback_urls=list(console.redirect_urls),
                logout_urls=list(console.redirect_urls),
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=CONSOLE_REFRESH_TOKEN_VALIDITY,
            enable_token_revocation=True,
        )
        return domain, client
