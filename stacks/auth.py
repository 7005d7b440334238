"""Who may call the HTTP API: a Cognito user pool with a moderators group, or an external issuer."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from stacks.nag import acknowledge


class Auth(Construct):
    """The JWT authorizer for user and moderator routes.

    In ``cognito`` mode it creates a user pool, a public app client for the chat
    front end (authorization-code grant with PKCE, no implicit grant, no secret),
    and the moderators group; in ``jwt`` mode it trusts an external issuer.

    Attributes:
        authorizer: the authorizer to attach to every route but ``/before-publish``.
        user_pool, user_pool_client: set in ``cognito`` mode, else ``None``.
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
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool: cognito.UserPool | None = None
        self.user_pool_client: cognito.UserPoolClient | None = None
        self.authorizer: apigwv2.IHttpRouteAuthorizer
        if mode == "cognito":
            self.user_pool, self.user_pool_client = self._build_user_pool(
                moderator_group, removal_policy, callback_urls, logout_urls
            )
            self.authorizer = authorizers.HttpUserPoolAuthorizer(
                "UserPoolAuthorizer", self.user_pool, user_pool_clients=[self.user_pool_client]
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
                flows=cognito.OAuthFlows(
                    authorization_code_grant=True,
                    implicit_code_grant=False,
                    client_credentials=False,
                ),
                scopes=[
                    cognito.OAuthScope.OPENID,
                    cognito.OAuthScope.EMAIL,
                    cognito.OAuthScope.PROFILE,
                ],
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
