"""DynamoDB tables for tests, created with the same keys, index and TTL as ``stacks/tables.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3

from chatmod.core import constants

BANS_TABLE = "chatmod-test-bans"
STRIKES_TABLE = "chatmod-test-strikes"
AUDIT_TABLE = "chatmod-test-audit"
IDEMPOTENCY_TABLE = "chatmod-test-idempotency"
REVIEWS_TABLE = "chatmod-test-reviews"
COUNTS_TABLE = "chatmod-test-counts"


@dataclass(frozen=True)
class ChatmodTables:
    """The boto3 ``Table`` resources of the tables the stack creates."""

    bans: Any
    strikes: Any
    audit: Any
    idempotency: Any
    reviews: Any
    counts: Any


def _string_key(name: str) -> dict[str, str]:
    return {"AttributeName": name, "AttributeType": "S"}


def create_tables(
    *,
    bans: str = BANS_TABLE,
    strikes: str = STRIKES_TABLE,
    audit: str = AUDIT_TABLE,
    idempotency: str = IDEMPOTENCY_TABLE,
    reviews: str = REVIEWS_TABLE,
    counts: str = COUNTS_TABLE,
    endpoint_url: str | None = None,
) -> ChatmodTables:
    """Create the bans, strikes, audit, idempotency, reviews and counts tables (inside
    ``mock_aws`` or on a server).

    Mirrors ``stacks.tables.Tables``: string partition keys, the audit sort key
    and its ``byTime`` GSI (``day`` / ``eventId``, all attributes projected), and
    TTL enabled on each table's TTL attribute.

    Args:
        bans / strikes / audit / idempotency: table names.
        endpoint_url: a moto server, when not running under ``mock_aws``.

    Returns:
        The ``Table`` resources.
    """
    resource = boto3.resource("dynamodb", endpoint_url=endpoint_url)
    client = resource.meta.client
    specs: list[tuple[str, str, str | None, str, list[dict[str, Any]]]] = [
        (bans, constants.BANS_PARTITION_KEY, None, constants.BANS_TTL_ATTRIBUTE, []),
        (strikes, constants.STRIKES_PARTITION_KEY, None, constants.STRIKES_TTL_ATTRIBUTE, []),
        (
            audit,
            constants.AUDIT_PARTITION_KEY,
            constants.AUDIT_SORT_KEY,
            constants.AUDIT_TTL_ATTRIBUTE,
            [
                {
                    "IndexName": constants.AUDIT_BY_TIME_INDEX,
                    "KeySchema": [
                        {"AttributeName": "day", "KeyType": "HASH"},
                        {"AttributeName": constants.AUDIT_SORT_KEY, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        ),
        (
            idempotency,
            constants.IDEMPOTENCY_PARTITION_KEY,
            None,
            constants.IDEMPOTENCY_TTL_ATTRIBUTE,
            [],
        ),
        (
            reviews,
            constants.REVIEWS_PARTITION_KEY,
            None,
            constants.REVIEWS_TTL_ATTRIBUTE,
            [
                {
                    "IndexName": index,
                    "KeySchema": [
                        {"AttributeName": key, "KeyType": "HASH"},
                        {"AttributeName": constants.REVIEWS_SORT_KEY, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index, key in (
                    (constants.REVIEWS_BY_ROOM_INDEX, "roomState"),
                    (constants.REVIEWS_BY_STATE_INDEX, "state"),
                )
            ],
        ),
        (
            counts,
            constants.COUNTS_PARTITION_KEY,
            constants.COUNTS_SORT_KEY,
            constants.COUNTS_TTL_ATTRIBUTE,
            [],
        ),
    ]
    for name, partition_key, sort_key, ttl_attribute, indexes in specs:
        key_schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
        attributes = [_string_key(partition_key)]
        if sort_key is not None:
            key_schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
            attributes.append(_string_key(sort_key))
        for index in indexes:
            for key in index["KeySchema"]:
                if key["AttributeName"] not in {a["AttributeName"] for a in attributes}:
                    attributes.append(_string_key(key["AttributeName"]))
        arguments: dict[str, Any] = {
            "TableName": name,
            "KeySchema": key_schema,
            "AttributeDefinitions": attributes,
            "BillingMode": "PAY_PER_REQUEST",
        }
        if indexes:
            arguments["GlobalSecondaryIndexes"] = indexes
        client.create_table(**arguments)
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
        )
    return ChatmodTables(
        bans=resource.Table(bans),
        strikes=resource.Table(strikes),
        audit=resource.Table(audit),
        idempotency=resource.Table(idempotency),
        reviews=resource.Table(reviews),
        counts=resource.Table(counts),
    )
