"""The audit log: one DynamoDB item per automated or manual moderation action.

Item layout (table keys from ``chatmod.core.constants``)::

    clientId   S   partition key: the user the action concerned ("-" when none)
    eventId    S   sort key: "<ISO-8601 UTC ms>Z#<12 hex>", so it sorts by time and is unique
    day        S   "YYYY-MM-DD#<shard>" (UTC day, shard 0..TIME_INDEX_SHARDS-1 from the
               event id): partition key of the ``byTime`` index. Items written before
               the index was sharded hold the bare "YYYY-MM-DD" (the legacy key).
    at         N   epoch milliseconds
    action     S   reject | delete | ban | unban | strike | revoke | warn
    actor      S   "auto" / "system" / a moderator's client id
    reason     S   (optional) why
    room, channel, serial, messageId   S   (optional) which message, as Ably names it
    messageRef S   (optional) chatmod's reference for a message Ably has not named yet
    details    S   JSON object with anything else (JSON, so floats need no Decimal)
    expiresAt  N   epoch seconds: DynamoDB TTL, ``retention_days`` after ``at``

Events are only ever added (the stack grants ``PutItem`` alone to writers).

Why the time index is sharded: a raid of 1,000+ rejections a second writes as many
audit events (more with their strikes and bans), and a GSI partition key takes at
most 1,000 write units a second; a throttled GSI throttles the table's writes too.
``TIME_INDEX_SHARDS`` partitions per day spread them; the listing queries every shard
of a day (and the legacy un-sharded key) in parallel and merges them newest first, so
pages and cursors are exactly what one partition per day gave.
"""

from __future__ import annotations

import heapq
import json
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from chatmod.adapters import aws
from chatmod.core import constants
from chatmod.core.deadline import Deadline
from chatmod.core.errors import BadRequestError, ServiceUnavailableError
from chatmod.enforcement.audit import (
    AUDIT_ACTIONS,
    NO_CLIENT,
    SYSTEM_ACTOR,
    AuditAction,
    AuditEvent,
    iso_ms,
)

__all__ = [
    "AUDIT_ACTIONS",
    "NO_CLIENT",
    "SYSTEM_ACTOR",
    "TIME_INDEX_SHARDS",
    "AuditAction",
    "AuditEvent",
    "AuditLog",
    "AuditPage",
    "iso_ms",
    "time_index_key",
]

DEFAULT_RETENTION_DAYS: Final = 400
#: How many days back ``query()`` without a client id looks through the ``byTime`` index.
DEFAULT_QUERY_DAYS: Final = 7
MAX_QUERY_LIMIT: Final = 1000
_DAY_INDEX_KEY: Final = "day"
#: Partitions of the ``byTime`` index per day. A partition takes 1,000 WCU/s; an audit
#: item is about 0.5-1 KB (1 WCU), and a rejection writes up to ~3 events (reject,
#: strike or ban, delete). 10 shards hold ~10,000 events/s, i.e. a raid of ~3,000
#: rejections/s, before one shard throttles; a listing pays 11 parallel Queries a day.
TIME_INDEX_SHARDS: Final = 10
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def time_index_key(event_id: str) -> str:
    """The ``byTime`` partition key of an event: its UTC day and a shard from its id."""
    return f"{event_id[:10]}#{zlib.crc32(event_id.encode()) % TIME_INDEX_SHARDS}"


def _day_keys(day: str) -> list[str]:
    """Every ``byTime`` partition of ``day``: its shards and the legacy un-sharded key."""
    return [f"{day}#{shard}" for shard in range(TIME_INDEX_SHARDS)] + [day]


def _shard_pool() -> ThreadPoolExecutor:
    # Its own pool: a listing may itself run on ``aws``'s pool, which it must not wait on.
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(
                    max_workers=TIME_INDEX_SHARDS + 1, thread_name_prefix="chatmod-audit"
                )
    return _pool


#: Events are only added: an id that exists already fails loudly rather than overwrite.
UNIQUE_EVENT_CONDITION: Final = "attribute_not_exists(#sk)"


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of ``AuditLog.page``.

    Attributes:
        events: newest first.
        next_before: the id to pass as ``before`` for the next page; ``None``
            when this page is the last.
        oldest_day: the oldest UTC day the listing reads (to pass on as ``oldest_day``).
    """

    events: list[AuditEvent]
    next_before: str | None
    oldest_day: str


class AuditLog:
    """Appends audit events to DynamoDB and reads them back, newest first."""

    def __init__(
        self,
        table: Any,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        clock: Callable[[], float] = time.time,
        random_suffix: Callable[[], str] = lambda: secrets.token_hex(6),
    ) -> None:
        """Create the log. No network call happens here.

        Args:
            table: the boto3 DynamoDB ``Table`` resource of the audit table.
            retention_days: how long DynamoDB keeps an event (TTL).
            clock: epoch seconds (injectable for tests).
            random_suffix: the unique part of event ids (injectable for tests).
        """
        self._table = table
        self._retention_s = retention_days * 86_400
        self._clock = clock
        self._random_suffix = random_suffix

    @classmethod
    def from_table_name(cls, name: str, **kwargs: Any) -> AuditLog:
        """The log on the process-wide boto3 ``Table`` for ``name`` (created lazily)."""
        return cls(aws.table(name), **kwargs)

    @property
    def table_name(self) -> str:
        """The DynamoDB table name (for transactions that write events with other items)."""
        return str(self._table.name)

    def prepare(self, event: AuditEvent) -> tuple[AuditEvent, dict[str, Any]]:
        """Give ``event`` its id and time, and build its item; nothing is written.

        Returns:
            The event as it will be stored, and its item (resource-API values).

        Raises:
            BadRequestError: ``event.action`` is not a known action.
        """
        if event.action not in AUDIT_ACTIONS:
            raise BadRequestError(f"unknown audit action {event.action!r}")
        at_ms = event.at_ms if event.at_ms is not None else int(self._clock() * 1000)
        event_id = f"{iso_ms(at_ms)}#{self._random_suffix()}"
        stored = replace(event, at_ms=at_ms, event_id=event_id)
        item = _to_item(
            stored, event_id=event_id, at_ms=at_ms, expires_at=at_ms // 1000 + self._retention_s
        )
        return stored, item

    def record(self, event: AuditEvent, *, deadline: Deadline | None = None) -> AuditEvent:
        """Store ``event`` (one PutItem, within ``deadline``) and return it with its id and time.

        Raises:
            BadRequestError: ``event.action`` is not a known action.
            ServiceUnavailableError: DynamoDB refused, could not be reached in time.
        """
        stored, item = self.prepare(event)
        try:
            # The id carries 48 random bits, so a collision is not a concern in
            # practice; the condition makes one fail loudly rather than overwrite.
            aws.call_within(
                deadline or Deadline(aws.DEFAULT_BUDGET_S),
                self._table.put_item,
                Item=item,
                ConditionExpression=UNIQUE_EVENT_CONDITION,
                ExpressionAttributeNames={"#sk": constants.AUDIT_SORT_KEY},
            )
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise ServiceUnavailableError(
                "the audit log could not be written", code="storage_unavailable"
            ) from exc
        return stored

    def query(
        self,
        client_id: str | None = None,
        limit: int = 50,
        *,
        days: int = DEFAULT_QUERY_DAYS,
    ) -> list[AuditEvent]:
        """The latest events, newest first (the first page of ``page``).

        Args:
            client_id: only this user's events (one table Query); ``None`` for
                everyone's, read day by day through the ``byTime`` index.
            limit: at most this many events (1..1000).
            days: without ``client_id``, how many days back (today included) to look.

        Returns:
            The events, newest first.

        Raises:
            BadRequestError: ``limit`` or ``days`` is out of range.
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        return self.page(client_id, limit, days=days).events

    def page(
        self,
        client_id: str | None = None,
        limit: int = 50,
        *,
        before: str | None = None,
        oldest_day: str | None = None,
        days: int = DEFAULT_QUERY_DAYS,
    ) -> AuditPage:
        """One page of events, newest first, and where the next page starts.

        Pages are keyset-paginated on the event id (which sorts by time): the next
        page holds the events older than the last one of this page, so events
        recorded meanwhile never shift a page.

        Args:
            client_id: only this user's events (one table Query); ``None`` for
                everyone's, read day by day through the ``byTime`` index.
            limit: at most this many events (1..1000).
            before: only events whose id sorts before this one (``AuditPage.next_before``).
            oldest_day: without ``client_id``, the oldest UTC day (``YYYY-MM-DD``) to
                read; default ``days`` back from today. Pass the page's
                ``oldest_day`` on, so that the window does not slide while paging.
            days: without ``client_id`` and ``oldest_day``, how many days back
                (today included) to look.

        Returns:
            The events, and ``next_before`` when more may follow.

        Raises:
            BadRequestError: ``limit`` or ``days`` is out of range.
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        if not 1 <= limit <= MAX_QUERY_LIMIT:
            raise BadRequestError(f"limit must be between 1 and {MAX_QUERY_LIMIT}")
        if days < 1:
            raise BadRequestError("days must be at least 1")
        today = datetime.fromtimestamp(self._clock(), tz=UTC).date()
        oldest = (
            date.fromisoformat(oldest_day)
            if oldest_day is not None
            else today - timedelta(days=days - 1)
        )
        wanted = limit + 1  # one more than the page: whether another page follows
        try:
            if client_id is not None:
                items = self._query_all(
                    constants.AUDIT_PARTITION_KEY, client_id, before, wanted, index=None
                )
            else:
                items = []
                day = date.fromisoformat(before[:10]) if before is not None else today
                while day >= oldest and len(items) < wanted:
                    bound = (
                        before if before is not None and day.isoformat() == before[:10] else None
                    )
                    items += self._query_day(day.isoformat(), bound, wanted - len(items))
                    day -= timedelta(days=1)
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailableError(
                "the audit log could not be read", code="storage_unavailable"
            ) from exc
        events = [_from_item(item) for item in items[:limit]]
        more = len(items) > limit
        return AuditPage(
            events=events,
            next_before=events[-1].event_id if more and events else None,
            oldest_day=oldest.isoformat(),
        )

    def _query_day(self, day: str, before: str | None, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` events of ``day`` (older than ``before``), newest first.

        Each partition of the day is read in parallel for its own newest ``limit``;
        the day's newest ``limit`` are among them, so merging them is exact.
        """
        futures = [
            _shard_pool().submit(
                self._query_all, _DAY_INDEX_KEY, key, before, limit, constants.AUDIT_BY_TIME_INDEX
            )
            for key in _day_keys(day)
        ]
        shards = [future.result() for future in futures]
        merged = heapq.merge(*shards, key=lambda item: item[constants.AUDIT_SORT_KEY], reverse=True)
        return list(merged)[:limit]

    def _query_all(
        self, key_name: str, key: str, before: str | None, limit: int, index: str | None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` items of one partition key, newest first, following pagination.

        Through the ``Table``'s client, which (unlike the resource) is safe to share
        between the threads that read a day's shards; a resource's client still takes
        and returns plain Python values.
        """
        condition = "#pk = :pk"
        values: dict[str, Any] = {":pk": key}
        if before is not None:
            condition += " AND #sk < :before"
            values[":before"] = before
        arguments: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#pk": key_name, "#sk": constants.AUDIT_SORT_KEY},
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if index is not None:
            arguments["IndexName"] = index
        if before is None:
            del arguments["ExpressionAttributeNames"]["#sk"]
        client = self._table.meta.client
        items: list[dict[str, Any]] = []
        start_key: dict[str, Any] | None = None
        while len(items) < limit:
            page_args = {**arguments, "Limit": limit - len(items)}
            if start_key is not None:
                page_args["ExclusiveStartKey"] = start_key
            page = client.query(**page_args)
            items += page.get("Items", [])
            start_key = page.get("LastEvaluatedKey")
            if start_key is None:
                break
        return items


_OPTIONAL_FIELDS: Final = (
    ("reason", "reason"),
    ("room", "room"),
    ("channel", "channel"),
    ("serial", "serial"),
    ("message_id", "messageId"),
    ("message_ref", "messageRef"),
)


def _to_item(event: AuditEvent, *, event_id: str, at_ms: int, expires_at: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        constants.AUDIT_PARTITION_KEY: event.client_id or NO_CLIENT,
        constants.AUDIT_SORT_KEY: event_id,
        _DAY_INDEX_KEY: time_index_key(event_id),
        "at": at_ms,
        "action": event.action,
        "actor": event.actor,
        "details": json.dumps(dict(event.details), separators=(",", ":"), default=str),
        constants.AUDIT_TTL_ATTRIBUTE: expires_at,
    }
    for attribute, name in _OPTIONAL_FIELDS:
        value = getattr(event, attribute)
        if value is not None:
            item[name] = value
    return item


def _from_item(item: Mapping[str, Any]) -> AuditEvent:
    client_id = str(item[constants.AUDIT_PARTITION_KEY])
    try:
        details = json.loads(str(item.get("details") or "{}"))
    except ValueError:
        details = {"raw": str(item.get("details"))}
    optional = {
        attribute: (None if item.get(name) is None else str(item[name]))
        for attribute, name in _OPTIONAL_FIELDS
    }
    return AuditEvent(
        action=item["action"],
        actor=str(item["actor"]),
        client_id=None if client_id == NO_CLIENT else client_id,
        details=details if isinstance(details, dict) else {"value": details},
        at_ms=int(item["at"]),
        event_id=str(item[constants.AUDIT_SORT_KEY]),
        **optional,
    )
