"""SSM parameters: the policy (a String the stack owns) and secrets (SecureStrings made by hand)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from chatmod.core.policy import RuntimePolicy

STANDARD_LIMIT = 4096
ADVANCED_LIMIT = 8192


def policy_tier(document: str) -> ssm.ParameterTier:
    """Standard while the policy fits in 4 KB; Advanced (charged) up to 8 KB.

    Raises:
        ValueError: the policy is over 8 KB, more than any SSM parameter holds.
    """
    size = len(document.encode())
    if size > ADVANCED_LIMIT:
        raise ValueError(
            f"the runtime policy is {size} bytes as JSON; an SSM parameter holds at most "
            f"{ADVANCED_LIMIT}: shorten moderation.providers' terms and allowlist"
        )
    return ssm.ParameterTier.STANDARD if size <= STANDARD_LIMIT else ssm.ParameterTier.ADVANCED


class Parameters(Construct):
    """The policy parameter, and read access to secret parameters by name.

    CloudFormation cannot create SecureString parameters, so secrets are created
    by the operator (see the README) and only referenced here: the template holds
    their names, never their values.

    Attributes:
        policy: the String parameter holding the runtime policy JSON; operators may
            tune it without a deploy (the functions cache it for a short time).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        policy_name: str,
        policy: RuntimePolicy,
        secrets_kms_key_arn: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        document = policy.to_json()
        self.policy = ssm.StringParameter(
            self,
            "Policy",
            parameter_name=policy_name,
            string_value=document,
            tier=policy_tier(document),
            description="chatmod runtime policy (moderation, bans, tokens, identity) as JSON",
        )
        self._secrets_key = (
            kms.Key.from_key_arn(self, "SecretsKey", secrets_kms_key_arn)
            if secrets_kms_key_arn
            else None
        )

    def grant_read_policy(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` read the policy parameter (``GetParameter``: all Powertools calls)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[self.policy.parameter_arn])
        )

    def grant_read_secrets(self, grantee: iam.IGrantable, names: list[str]) -> None:
        """Let ``grantee`` read (and decrypt) exactly the SecureString parameters ``names``.

        With the default ``aws/ssm`` key no KMS statement is needed: its key policy
        lets the account's principals decrypt through SSM. A customer key must be
        named in ``secrets.kmsKeyArn`` and is granted here.
        """
        if not names:
            return
        stack = Stack.of(self)
        arns = [
            stack.format_arn(service="ssm", resource="parameter", resource_name=name.lstrip("/"))
            for name in sorted(set(names))
        ]
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["ssm:GetParameter"], resources=arns)
        )
        if self._secrets_key is not None:
            self._secrets_key.grant_decrypt(grantee)
