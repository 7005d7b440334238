"""The review queue: one DynamoDB item per held message (``enforcement.reviews.ReviewItem``).

Item layout (keys from ``chatmod.core.constants``)::

    reviewId    S   partition key: "rv_<32 hex>"
    state       S   pending | approved | denied | expired: the ``byState`` index's key
    roomState   S   "<room or channel>#<state>": the ``byRoom`` index's key
    createdKey  S   "<epoch ms, 13 digits>#<reviewId>": both indexes' sort key (oldest first)
    createdMs   N   when it was held (epoch ms)
    pendingUntilMs N  when a pending item expires (epoch ms)
    clientId, room, channel, serial, messageId, messageRef, source, text   S  (optional)
    decidedBy, reason  S, decidedMs N, strike BOOL   (after a decision)
    body        S   JSON: metadata, headers, name, data, provider, categories, scores,
                    terms, published (JSON, so floats need no Decimal)
    expiresAt   N   epoch seconds: DynamoDB TTL, ``retentionDays`` after the item's deadline

Every change of state is a transaction: a conditional update from ``pending`` and
the audit event that records it, so approve, deny and expiry racing end with
exactly one winner and one event.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from chatmod.adapters import aws
from chatmod.adapters.audit_log import UNIQUE_EVENT_CONDITION, AuditLog
from chatmod.core import constants
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ServiceUnavailableError
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.reviews import ReviewItem, ReviewState

#: Extra DynamoDB reads one listing page may take when a room filter is absent and
#: pages are short (never more: a page may come back shorter than asked).
_MAX_QUERY_PAGES: Final = 5


class ReviewConflictError(Exception):
    """The item is no longer pending: someone else decided it (or it expired) first."""


class ReviewStore:
    """Holds, lists and decides review items; every change is audited with it."""

    def __init__(
        self,
        table: Any,
        *,
        audit: AuditLog,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the store. No network call happens here.

        Args:
            table: boto3 DynamoDB ``Table`` resource of the reviews table.
            audit: the audit log whose events are written with each change.
            clock: epoch seconds (injectable for tests).
        """
        self._table = table
        self._audit = audit
        self._clock = clock

    @property
    def table_name(self) -> str:
        """The DynamoDB table name."""
        return str(self._table.name)

    # -- holding ---------------------------------------------------------------------

    def hold(
        self,
        item: ReviewItem,
        events: Sequence[AuditEvent],
        *,
        retention_days: int,
        deadline: Deadline,
    ) -> ReviewItem:
        """Store a held message with its audit events, once per review id.

        The same message held again (Ably's retry, SQS's redelivery) finds its item
        and writes nothing.

        Returns:
            The item as stored: ``item``, or the one held earlier under its id.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        put = {
            "Put": {
                "TableName": self.table_name,
                "Item": _to_item(item, retention_days=retention_days),
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": constants.REVIEWS_PARTITION_KEY},
            }
        }
        try:
            aws.call_within(
                deadline,
                self._client.transact_write_items,
                TransactItems=[put, *(self._audit_put(event) for event in events)],
            )
        except ClientError as exc:
            if _first_failed(exc):
                existing = self.get(item.review_id, deadline=deadline)
                if existing is not None:
                    return existing
            raise _unavailable("the review could not be stored") from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the review could not be stored") from exc
        return item

    # -- reading ---------------------------------------------------------------------

    def get(self, review_id: str, *, deadline: Deadline | None = None) -> ReviewItem | None:
        """The item, read strongly consistent; ``None`` if there is none.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        try:
            answer = aws.call_within(
                deadline or Deadline(aws.DEFAULT_BUDGET_S),
                self._table.get_item,
                Key={constants.REVIEWS_PARTITION_KEY: review_id},
                ConsistentRead=True,
            )
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the review queue could not be read") from exc
        raw = answer.get("Item")
        return None if raw is None else _from_item(raw)

    def page(
        self,
        *,
        state: ReviewState,
        room: str | None,
        limit: int,
        after: str | None = None,
        accept: Callable[[ReviewItem], bool] = lambda _: True,
    ) -> tuple[list[ReviewItem], str | None]:
        """One page of items in ``state`` (in ``room`` when given), oldest first.

        Args:
            state: the state to list.
            room: a room or channel name, or ``None`` for every room.
            limit: the most items to return.
            after: the ``createdKey`` of the last item of the previous page.
            accept: which items the caller may see (room-scoped moderators); the
                others are skipped, so a page may need more than one read.

        Returns:
            The items, and the ``createdKey`` to continue after (``None``: no more).

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        if room is None:
            index, key, value = constants.REVIEWS_BY_STATE_INDEX, "state", state.value
        else:
            index, key, value = constants.REVIEWS_BY_ROOM_INDEX, "roomState", f"{room}#{state}"
        arguments: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": "#k = :k",
            "ExpressionAttributeNames": {"#k": key},
            "ExpressionAttributeValues": {":k": value},
            "ScanIndexForward": True,
            "Limit": limit + 1,
        }
        if after is not None:
            arguments["ExclusiveStartKey"] = {
                key: value,
                constants.REVIEWS_SORT_KEY: after,
                constants.REVIEWS_PARTITION_KEY: after.partition("#")[2],
            }
        items: list[ReviewItem] = []
        try:
            for _ in range(_MAX_QUERY_PAGES):
                answer = self._table.query(**arguments)
                items += (i for i in map(_from_item, answer.get("Items", [])) if accept(i))
                last = answer.get("LastEvaluatedKey")
                if len(items) > limit or last is None:
                    break
                arguments["ExclusiveStartKey"] = last
            else:
                # Out of reads: resume after the last key read.
                return items[:limit], str(last[constants.REVIEWS_SORT_KEY])
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("the review queue could not be read") from exc
        if len(items) > limit:
            return items[:limit], _created_key(items[limit - 1])
        return items, None

    def oldest_pending(self) -> ReviewItem | None:
        """The oldest pending item across rooms (the queue-age metric).

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        items, _ = self.page(state=ReviewState.PENDING, room=None, limit=1)
        return items[0] if items else None

    # -- deciding --------------------------------------------------------------------

    def decide(
        self,
        item: ReviewItem,
        decided: ReviewItem,
        event: AuditEvent,
        *,
        deadline: Deadline,
    ) -> ReviewItem:
        """Move ``item`` from pending to ``decided.state``, with its audit event.

        Raises:
            ReviewConflictError: the item was not pending any more (the loser of a race).
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        names = {
            "#state": "state",
            "#roomState": "roomState",
            "#by": "decidedBy",
            "#at": "decidedMs",
            "#strike": "strike",
        }
        values: dict[str, Any] = {
            ":pending": ReviewState.PENDING.value,
            ":state": decided.state.value,
            ":roomState": f"{decided.place}#{decided.state}",
            ":by": decided.decided_by,
            ":at": decided.decided_ms,
            ":strike": decided.strike,
        }
        expression = "SET #state = :state, #roomState = :roomState, #by = :by, #at = :at, "
        expression += "#strike = :strike"
        if decided.reason is not None:
            names["#reason"] = "reason"
            values[":reason"] = decided.reason
            expression += ", #reason = :reason"
        update = {
            "Update": {
                "TableName": self.table_name,
                "Key": {constants.REVIEWS_PARTITION_KEY: item.review_id},
                "UpdateExpression": expression,
                "ConditionExpression": "#state = :pending",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        try:
            aws.call_within(
                deadline,
                self._client.transact_write_items,
                TransactItems=[update, self._audit_put(event)],
            )
        except ClientError as exc:
            if _first_failed(exc):
                raise ReviewConflictError(item.review_id) from exc
            raise _unavailable("the decision could not be recorded") from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the decision could not be recorded") from exc
        return decided

    def mark_published(
        self, item: ReviewItem, published: Mapping[str, Any], *, deadline: Deadline
    ) -> ReviewItem:
        """Remember what approval published, so a second approve publishes nothing.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        stored = dataclasses.replace(item, published=dict(published))
        try:
            aws.call_within(
                deadline,
                self._table.update_item,
                Key={constants.REVIEWS_PARTITION_KEY: item.review_id},
                UpdateExpression="SET #body = :body",
                ConditionExpression="#state = :approved",
                ExpressionAttributeNames={"#body": "body", "#state": "state"},
                ExpressionAttributeValues={
                    ":body": _body(stored),
                    ":approved": ReviewState.APPROVED.value,
                },
            )
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the approval could not be recorded") from exc
        return stored

    # -- internals -------------------------------------------------------------------

    @property
    def _client(self) -> Any:
        return self._table.meta.client

    def _audit_put(self, event: AuditEvent) -> dict[str, Any]:
        _, item = self._audit.prepare(event)
        return {
            "Put": {
                "TableName": self._audit.table_name,
                "Item": item,
                "ConditionExpression": UNIQUE_EVENT_CONDITION,
                "ExpressionAttributeNames": {"#sk": constants.AUDIT_SORT_KEY},
            }
        }


def _created_key(item: ReviewItem) -> str:
    return f"{item.created_ms:013d}#{item.review_id}"


def _body(item: ReviewItem) -> str:
    return json.dumps(
        {
            "metadata": dict(item.metadata),
            "headers": dict(item.headers),
            "name": item.name,
            "data": item.data,
            "provider": item.provider,
            "categories": list(item.categories),
            "scores": dict(item.scores),
            "terms": list(item.terms),
            "published": dict(item.published),
        },
        separators=(",", ":"),
    )


def _to_item(item: ReviewItem, *, retention_days: int) -> dict[str, Any]:
    stored: dict[str, Any] = {
        constants.REVIEWS_PARTITION_KEY: item.review_id,
        "state": item.state.value,
        "roomState": f"{item.place}#{item.state}",
        constants.REVIEWS_SORT_KEY: _created_key(item),
        "createdMs": item.created_ms,
        "pendingUntilMs": item.pending_until_ms,
        "text": item.text,
        "source": item.source,
        "body": _body(item),
        constants.REVIEWS_TTL_ATTRIBUTE: item.pending_until_ms // 1000 + retention_days * 86_400,
    }
    optional = {
        "clientId": item.client_id,
        "room": item.room,
        "channel": item.channel,
        "serial": item.serial,
        "messageId": item.message_id,
        "messageRef": item.message_ref,
    }
    stored.update({k: v for k, v in optional.items() if v is not None})
    return stored


def _from_item(raw: Mapping[str, Any]) -> ReviewItem:
    body = json.loads(str(raw.get("body") or "{}"))

    def text(name: str) -> str | None:
        value = raw.get(name)
        return None if value is None else str(value)

    decided_ms = raw.get("decidedMs")
    return ReviewItem(
        review_id=str(raw[constants.REVIEWS_PARTITION_KEY]),
        state=ReviewState(str(raw["state"])),
        client_id=text("clientId"),
        text=str(raw.get("text", "")),
        created_ms=int(raw["createdMs"]),
        pending_until_ms=int(raw["pendingUntilMs"]),
        room=text("room"),
        channel=text("channel"),
        metadata=body.get("metadata") or {},
        headers=body.get("headers") or {},
        name=body.get("name"),
        data=body.get("data"),
        provider=body.get("provider"),
        categories=tuple(body.get("categories") or ()),
        scores=body.get("scores") or {},
        terms=tuple(body.get("terms") or ()),
        source=str(raw.get("source", "unknown")),
        serial=text("serial"),
        message_id=text("messageId"),
        message_ref=text("messageRef"),
        decided_by=text("decidedBy"),
        decided_ms=None if decided_ms is None else int(decided_ms),
        reason=text("reason"),
        strike=bool(raw.get("strike", False)),
        published=body.get("published") or {},
    )


def _first_failed(exc: ClientError) -> bool:
    """Whether a cancelled transaction failed the condition of its first item."""
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons") or []
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"


def _unavailable(message: str) -> ServiceUnavailableError:
    return ServiceUnavailableError(message, code="storage_unavailable")
