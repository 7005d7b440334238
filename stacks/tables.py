"""DynamoDB tables: bans, strikes, audit, the review queue, decision counts, Powertools
idempotency records."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from chatmod.core import constants


class Tables(Construct):
    """On-demand tables with point-in-time recovery and encryption at rest.

    Attributes:
        bans: ``bannedUsers`` — key ``clientId``; TTL attribute ``expiresAt`` (epoch
            seconds); permanent bans have no TTL. Only bans, so the table reads as a list.
            Its stream (new and old images) lets every ban revoke the user's tokens,
            whoever wrote it.
        strikes: recent strikes per ``clientId`` (the ban ladder's memory), expiring
            with the strike window.
        audit: every automated and manual action, per client id, newest first, and
            across all clients through the ``byTime`` index.
        idempotency: Powertools idempotency's default layout (key ``id``, TTL ``expiration``).
        reviews: messages held for review (``adapters.review_store``): key ``reviewId``,
            TTL ``expiresAt``; ``byRoom`` (``roomState`` = "<room>#<state>") and ``byState``
            lists, both oldest first on ``createdKey``. A low-volume table: only held
            messages are written, so ``byState``'s few partitions are no hot spot.
        counts: decisions per scope (``stage``, ``room#<room>``) and hour (``bucket``),
            TTL ``expiresAt``: written by the counter only, a few updates per log delivery
            (``adapters.counts_store``).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self.bans = self._build_table(
            "BannedUsers",
            partition_key=constants.BANS_PARTITION_KEY,
            ttl_attribute=constants.BANS_TTL_ATTRIBUTE,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        )
        self.strikes = self._build_table(
            "Strikes",
            partition_key=constants.STRIKES_PARTITION_KEY,
            ttl_attribute=constants.STRIKES_TTL_ATTRIBUTE,
        )
        self.audit = self._build_table(
            "Audit",
            partition_key=constants.AUDIT_PARTITION_KEY,
            sort_key=constants.AUDIT_SORT_KEY,
            ttl_attribute=constants.AUDIT_TTL_ATTRIBUTE,
        )
        # Partition key "YYYY-MM-DD#<shard>" (chatmod.adapters.audit_log.time_index_key):
        # a day's events spread over TIME_INDEX_SHARDS partitions, so a raid's audit
        # writes do not throttle one GSI partition (and through it the table); the
        # listing queries a day's shards in parallel. The attribute and index keep
        # their names: no index rebuild, and legacy "YYYY-MM-DD" items are still read.
        self.audit.add_global_secondary_index(
            index_name=constants.AUDIT_BY_TIME_INDEX,
            partition_key=dynamodb.Attribute(name="day", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(
                name=constants.AUDIT_SORT_KEY, type=dynamodb.AttributeType.STRING
            ),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        self.reviews = self._build_table(
            "Reviews",
            partition_key=constants.REVIEWS_PARTITION_KEY,
            ttl_attribute=constants.REVIEWS_TTL_ATTRIBUTE,
        )
        for index_name, key in (
            (constants.REVIEWS_BY_ROOM_INDEX, "roomState"),
            (constants.REVIEWS_BY_STATE_INDEX, "state"),
        ):
            self.reviews.add_global_secondary_index(
                index_name=index_name,
                partition_key=dynamodb.Attribute(name=key, type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(
                    name=constants.REVIEWS_SORT_KEY, type=dynamodb.AttributeType.STRING
                ),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.counts = self._build_table(
            "Counts",
            partition_key=constants.COUNTS_PARTITION_KEY,
            sort_key=constants.COUNTS_SORT_KEY,
            ttl_attribute=constants.COUNTS_TTL_ATTRIBUTE,
        )
        self.idempotency = self._build_table(
            "Idempotency",
            partition_key=constants.IDEMPOTENCY_PARTITION_KEY,
            ttl_attribute=constants.IDEMPOTENCY_TTL_ATTRIBUTE,
        )

    def grant(
        self,
        grantee: iam.IGrantable,
        actions: Sequence[str],
        tables: Sequence[dynamodb.ITable],
        *,
        indexes: Sequence[str] = (),
        indexes_only: bool = False,
    ) -> None:
        """Let ``grantee`` call exactly ``actions`` on ``tables`` (and their ``indexes``).

        With ``indexes_only``, on the indexes alone (a listing that never queries the table).

        The stack names the actions each handler calls rather than using
        ``grant_read_write_data``, which adds Scan, BatchWriteItem, DeleteItem and
        the stream reads to every writer.
        """
        resources = [] if indexes_only else [table.table_arn for table in tables]
        resources += [f"{table.table_arn}/index/{index}" for table in tables for index in indexes]
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=sorted(actions), resources=resources)
        )

    def _build_table(
        self,
        construct_id: str,
        *,
        partition_key: str,
        ttl_attribute: str,
        sort_key: str | None = None,
        stream: dynamodb.StreamViewType | None = None,
    ) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(
                name=partition_key, type=dynamodb.AttributeType.STRING
            ),
            sort_key=(
                dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING)
                if sort_key
                else None
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=ttl_attribute,
            stream=stream,
            removal_policy=self._removal_policy,
            deletion_protection=self._removal_policy == RemovalPolicy.RETAIN,
        )
