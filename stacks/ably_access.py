"""IAM roles that Ably assumes: one to send to the ingest queue, one to invoke before-publish."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chatmod.core.constants import ABLY_AWS_ACCOUNT_ID


class AblyAccess(Construct):
    """Roles trusted by Ably's AWS account, guarded by the ``<accountId>.<appId>`` external id.

    Attributes:
        sqs_role: may only ``sqs:SendMessage`` (and read the queue's URL/attributes) on the
            ingest queue — paste its ARN into Ably's SQS integration rule.
        invoke_role: may only invoke the before-publish function — paste its ARN into
            the before-publish rule (Lambda transport).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        external_id: str,
        ingest_queue: sqs.IQueue,
        before_publish_function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.sqs_role = self._build_role(
            "SqsRuleRole", external_id, "Assumed by Ably's SQS integration rule to send messages"
        )
        ingest_queue.grant_send_messages(self.sqs_role)
        self.invoke_role = self._build_role(
            "BeforePublishInvokeRole",
            external_id,
            "Assumed by Ably's before-publish rule (Lambda transport) to invoke chatmod",
        )
        # The function's ARN only: grant_invoke would add ":*" (every version and alias).
        self.invoke_role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[before_publish_function.function_arn],
            )
        )

    def _build_role(self, construct_id: str, external_id: str, description: str) -> iam.Role:
        return iam.Role(
            self,
            construct_id,
            assumed_by=iam.AccountPrincipal(ABLY_AWS_ACCOUNT_ID),
            external_ids=[external_id],
            description=description,
        )
