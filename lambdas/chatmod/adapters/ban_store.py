"""Bans and strikes in DynamoDB, written with condition expressions so that races cannot lose one.

Bans table item (``bannedUsers``, key ``clientId``)::

    clientId   S   partition key
    reason     S   why
    source     S   "auto" (strike ladder) or the moderator's client id
    createdAt  N   epoch seconds
    expiresAt  N   epoch seconds, DynamoDB TTL; absent for a permanent ban

Strikes table item (key ``clientId``; the ladder's memory, bounded in size)::

    clientId      S   partition key
    strikes       L   [{ref S, at N (epoch ms)}], oldest first, the window's only,
                      at most ``bans.MAX_REMEMBERED_STRIKES``
    version       N   bumped by every write; a write expects the version it read
    expiresAt     N   epoch seconds, DynamoDB TTL: latest strike + the window
    warning       M   {id S, reason S, rule S, at N (epoch ms), room S?}: a rule's
                      warning the sender has not acknowledged yet (absent: none)

The same table keeps two more kinds of item, under chatmod's reserved ``chatmod:``
prefix (no user has such a client id) — only for rooms a ``crossMessage`` entry covers:

    chatmod:pace:<len(room)>:<room>:<clientId>   sent L [{at N, d S (digest), t S?}],
                  version N, expiresAt N: what the sender recently published there
    chatmod:room:<room>   slowModeSeconds N, setBy S, at N: a moderator's slow mode
    chatmod:trust:<clientId>   published N: the sender's published messages, counted up to
                          the links provider's trustAfterMessages (never expires)
    chatmod:terms         scopes M, version N: terms moderators blocked or allowed at run
                          time, per scope (``enforcement.custom_terms``)

A rejected message costs two round trips: ``load_sender`` reads the ban and the
strikes in one ``BatchGetItem`` (which the ban check needs anyway), and
``commit_strike`` writes the strikes, the ban the ladder calls for and the audit
events in one ``TransactWriteItems``. Nothing is read-then-written unguarded:
the transaction expects the strikes version and the ban it planned from, so a
concurrent strike makes it fail and the caller re-plans.

DynamoDB deletes expired items up to ~48 h late, so every reader also compares
``expiresAt`` (bans) or the strike times (strikes) with the clock.

Who may replace an active ban (``ban()``): nobody may shorten an active ban,
with one exception — a moderator's explicit ban replaces an *automatic* one
whatever their lengths, because a human decision overrides the ladder (e.g. to
commute an automatic permanent ban to 24 h). A moderator's ban is never
replaced by a shorter one, not even by another moderator's: lift it first
(``unban``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from chatmod.adapters import aws
from chatmod.adapters.audit_log import UNIQUE_EVENT_CONDITION, AuditLog
from chatmod.core import constants
from chatmod.core.deadline import Deadline
from chatmod.core.errors import (
    BadRequestError,
    ChatmodError,
    NotFoundError,
    ServiceUnavailableError,
)
from chatmod.core.observability import logger, metrics
from chatmod.enforcement.audit import SYSTEM_ACTOR, AuditEvent
from chatmod.enforcement.bans import (
    AUTO_SOURCE,
    Ban,
    MalformedBanError,
    PendingWarning,
    SenderRecord,
    StaleRecordError,
    Strike,
    StrikePlan,
    epoch_seconds,
)
from chatmod.enforcement.client_ids import require_client_id
from chatmod.enforcement.custom_terms import ITEM_KEY as TERMS_KEY
from chatmod.enforcement.custom_terms import CustomTerms
from chatmod.enforcement.pace import (
    PacePlan,
    PaceRecord,
    RoomSettings,
    Sent,
    pace_key,
    room_key,
    trust_key,
)

if TYPE_CHECKING:
    from chatmod.core.settings import Settings

_STRIKES: Final = "strikes"
_VERSION: Final = "version"
_WARNING: Final = "warning"
_LIST_PAGE_LIMIT: Final = 20
_deserializer = TypeDeserializer()


class BanStore:
    """Reads and writes bans and strikes; records an audit event for every change."""

    def __init__(
        self,
        bans_table: Any,
        strikes_table: Any = None,
        *,
        audit: AuditLog | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the store. No network call happens here.

        Args:
            bans_table: boto3 DynamoDB ``Table`` resource of the bans table.
            strikes_table: the strikes table; needed by ``load_sender``,
                ``commit_strike`` and ``unban(clear_strikes=True)`` only (the token
                path does without).
            audit: where to record ban and unban events, and the log whose items
                ``commit_strike`` writes; ``None`` records nothing.
            clock: epoch seconds (injectable for tests).
        """
        self._bans = bans_table
        self._strikes = strikes_table
        self._audit = audit
        self._clock = clock

    @classmethod
    def from_settings(
        cls, settings: Settings, *, strikes: bool = True, audit: bool = True
    ) -> BanStore:
        """The store on the process-wide boto3 tables named in ``settings``.

        Args:
            settings: table names.
            strikes: also attach the strikes table.
            audit: also attach the audit log.
        """
        from chatmod.adapters import aws

        return cls(
            aws.table(settings.bans_table),
            aws.table(settings.strikes_table) if strikes else None,
            audit=AuditLog(aws.table(settings.audit_table)) if audit else None,
        )

    # -- bans -------------------------------------------------------------------------

    def get_ban(
        self, client_id: str, now: float | None = None, *, deadline: Deadline | None = None
    ) -> Ban | None:
        """The ban on ``client_id`` active at ``now``, or ``None``. One consistent GetItem.

        Raises:
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        now = self._now(now)
        try:
            # Consistent: a ban written a moment ago must stop the next token.
            item = aws.call_within(
                deadline or Deadline(aws.DEFAULT_BUDGET_S),
                self._bans.get_item,
                Key={constants.BANS_PARTITION_KEY: client_id},
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the ban store could not be read") from exc
        if item is None:
            return None
        ban = _ban_from_item(item)
        # TTL deletion lags; an expired item still present is not a ban.
        return ban if ban.active(now) else None

    def ban(
        self,
        client_id: str,
        *,
        reason: str,
        source: str,
        duration_seconds: int | None,
        now: float | None = None,
    ) -> Ban:
        """Ban ``client_id`` unless a ban that must not be replaced is active.

        The ban runs from ``now`` (whole seconds) for ``duration_seconds``; it is
        no longer active at ``createdAt + duration_seconds``. See the module
        docstring for when an active ban is kept instead.

        Args:
            client_id: the user.
            reason: why.
            source: ``"auto"`` or the moderator's client id.
            duration_seconds: length (≥ 1), or ``None`` for a permanent ban.
            now: epoch seconds; default the clock.

        Returns:
            The ban in effect afterwards: the new one, or the active one that was kept.

        Raises:
            BadRequestError: an argument is invalid.
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        ban, _ = self._apply_ban(
            client_id, reason=reason, source=source, duration_seconds=duration_seconds, now=now
        )
        return ban

    def unban(
        self,
        client_id: str,
        *,
        clear_strikes: bool = False,
        actor: str = SYSTEM_ACTOR,
        reason: str | None = None,
        now: float | None = None,
    ) -> bool:
        """Lift the ban on ``client_id`` (and forget their strikes when asked).

        Args:
            client_id: the user.
            clear_strikes: also delete the user's strikes, so the ladder starts over.
            actor: who lifts it (a moderator's client id), for the audit log.
            reason: why, for the audit log.
            now: epoch seconds; default the clock.

        Returns:
            True when an active ban was lifted; False when the user was not banned.

        Raises:
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        require_client_id(client_id)
        now = self._now(now)
        try:
            old = self._bans.delete_item(
                Key={constants.BANS_PARTITION_KEY: client_id}, ReturnValues="ALL_OLD"
            ).get("Attributes")
            if clear_strikes:
                self._strikes_table().delete_item(Key={constants.STRIKES_PARTITION_KEY: client_id})
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("the ban store could not be written") from exc
        lifted = _ban_from_item(old) if old else None
        was_banned = lifted is not None and lifted.active(now)
        if was_banned or clear_strikes:
            self._record(
                AuditEvent(
                    action="unban",
                    actor=actor,
                    client_id=client_id,
                    reason=reason,
                    details={
                        "banLifted": was_banned,
                        "strikesCleared": clear_strikes,
                        "ban": lifted.to_json() if lifted is not None and was_banned else None,
                    },
                    at_ms=int(now * 1000),
                )
            )
        return was_banned

    def list_bans(self, now: float | None = None, limit: int = 100) -> list[Ban]:
        """The bans active at ``now``, newest first (a filtered Scan: the table holds only bans).

        Args:
            now: epoch seconds; default the clock.
            limit: at most this many (1..1000).

        Raises:
            BadRequestError: ``limit`` is out of range.
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        if not 1 <= limit <= 1000:
            raise BadRequestError("limit must be between 1 and 1000")
        now_s = int(self._now(now))
        bans: list[Ban] = []
        arguments: dict[str, Any] = {
            "FilterExpression": "attribute_not_exists(#exp) OR #exp > :now",
            "ExpressionAttributeNames": {"#exp": constants.BANS_TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":now": now_s},
        }
        try:
            # A Scan filters after reading, so pages may come back short: follow
            # them all (bounded) and sort, since a Scan has no order.
            for _ in range(_LIST_PAGE_LIMIT):
                page = self._bans.scan(**arguments)
                bans += (_ban_from_item(item) for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("the ban store could not be read") from exc
        active = [ban for ban in bans if ban.active(now_s)]
        active.sort(key=lambda ban: (ban.created_at, ban.client_id), reverse=True)
        return active[:limit]

    def list_bans_page(
        self,
        limit: int = 50,
        *,
        after: str | None = None,
        now: float | None = None,
        max_reads: int = _LIST_PAGE_LIMIT,
    ) -> tuple[list[Ban], str | None]:
        """One page of the bans active at ``now``, in the table's scan order.

        A filtered Scan that stops once it holds one ban more than the page (so it
        knows whether another page follows) or after ``max_reads`` reads; expired
        bans still in the table (TTL deletes lag) are skipped. The page itself is
        sorted newest first; the listing as a whole follows DynamoDB's order.

        Args:
            limit: at most this many bans (1..1000).
            after: the client id the previous page ended with (its second value).
            now: epoch seconds; default the clock.
            max_reads: Scan calls at most; a page may then hold fewer than ``limit``.

        Returns:
            The bans, and the client id to pass as ``after`` for the next page
            (``None`` when none follows).

        Raises:
            BadRequestError: ``limit`` is out of range, or ``after`` is no client id.
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        if not 1 <= limit <= 1000:
            raise BadRequestError("limit must be between 1 and 1000")
        now_s = int(self._now(now))
        arguments: dict[str, Any] = {
            "FilterExpression": "attribute_not_exists(#exp) OR #exp > :now",
            "ExpressionAttributeNames": {"#exp": constants.BANS_TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":now": now_s},
            # Read a little more than the page: the filter drops expired bans.
            "Limit": min(1000, max(2 * (limit + 1), 25)),
        }
        if after is not None:
            arguments["ExclusiveStartKey"] = {
                constants.BANS_PARTITION_KEY: require_client_id(after)
            }
        bans: list[Ban] = []
        resume: str | None = None
        try:
            for _ in range(max_reads):
                page = self._bans.scan(**arguments)
                bans += (
                    ban
                    for ban in (_ban_from_item(item) for item in page.get("Items", []))
                    if ban.active(now_s)
                )
                last = page.get("LastEvaluatedKey")
                if len(bans) > limit or last is None:
                    break
                arguments["ExclusiveStartKey"] = last
                resume = str(last[constants.BANS_PARTITION_KEY])
            else:
                # Out of reads: the page is short, the next one resumes the scan.
                return _newest_first(bans), resume
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("the ban store could not be read") from exc
        if len(bans) > limit:
            # Scan order: the next page starts after the last ban shown.
            return _newest_first(bans[:limit]), bans[limit - 1].client_id
        return _newest_first(bans), None

    # -- the moderation pipeline's port ------------------------------------------------

    def load_sender(
        self,
        client_id: str,
        *,
        deadline: Deadline,
        after_conflict: bool = False,
        pace_room: str | None = None,
        count_published: bool = False,
    ) -> SenderRecord:
        """The sender's stored ban and strikes: one ``BatchGetItem``.

        With ``count_published``, the same batch reads how many of the sender's messages
        were published so far (counted only up to the links provider's trust bar).

        With ``pace_room`` (a room a ``crossMessage`` entry covers), the same batch reads
        what the sender recently published there and the room's slow mode setting.

        The ban is read strongly consistent (a ban written a moment ago stops the next
        message). The strikes are read eventually consistent — half a read unit, on
        every message, for an item only a rejection uses — unless ``after_conflict``:
        a stale strikes item cannot do harm, because the strike transaction expects the
        version it planned from, so a stale plan fails (``StaleRecordError``) and the
        pipeline reads again, then consistently.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        require_client_id(client_id)
        bans_name, strikes_name = self._bans.name, self._strikes_table().name
        strike_keys = [client_id]
        if pace_room is not None:
            strike_keys += [pace_key(pace_room, client_id), room_key(pace_room)]
        if count_published:
            strike_keys.append(trust_key(client_id))
        request = {
            bans_name: {
                "Keys": [{constants.BANS_PARTITION_KEY: client_id}],
                "ConsistentRead": True,
            },
            strikes_name: {
                "Keys": [{constants.STRIKES_PARTITION_KEY: key} for key in strike_keys],
                "ConsistentRead": after_conflict,
            },
        }
        responses: dict[str, list[Any]] = {bans_name: [], strikes_name: []}
        try:
            # BatchGetItem may leave keys unprocessed under throttling: ask again
            # for those while time is left.
            while request:
                answer = aws.call_within(
                    deadline, self._client.batch_get_item, RequestItems=request
                )
                for name, items in answer.get("Responses", {}).items():
                    responses[name] += items
                request = answer.get("UnprocessedKeys") or {}
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the ban store could not be read") from exc
        ban_items = responses[bans_name]
        by_key = {
            str(item[constants.STRIKES_PARTITION_KEY]): item for item in responses[strikes_name]
        }
        strikes_item = by_key.get(client_id, {})
        pace = room = None
        if pace_room is not None:
            pace = _pace_from(by_key.get(pace_key(pace_room, client_id)))
            room = _room_from(by_key.get(room_key(pace_room)))
        return SenderRecord(
            client_id=client_id,
            ban=_ban_from_item(ban_items[0]) if ban_items else None,
            strikes=tuple(
                Strike(str(entry["ref"]), int(entry["at"]))
                for entry in strikes_item.get(_STRIKES, [])
            ),
            version=int(strikes_item.get(_VERSION, 0)),
            warning=_warning_from(strikes_item.get(_WARNING)),
            pace=pace,
            room=room,
            published=int(by_key.get(trust_key(client_id), {}).get("published", 0))
            if count_published
            else None,
        )

    def commit_strike(
        self,
        plan: StrikePlan,
        events: Sequence[AuditEvent],
        *,
        seen_ban: Ban | None,
        deadline: Deadline,
    ) -> None:
        """Write a strike's plan and its audit events in one transaction.

        Args:
            plan: from ``bans.plan_strike`` (not a duplicate).
            events: audit events to write with it (reject, strike, ban).
            seen_ban: the stored ban the plan was made from; a ban written by
                someone else since fails the transaction.
            deadline: when to give up.

        Raises:
            StaleRecordError: the strikes or the ban changed since they were read.
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        client_id = plan.outcome.client_id
        items: list[dict[str, Any]] = [self._strikes_put(client_id, plan)]
        if plan.new_ban is not None:
            items.append(self._ban_put(plan.new_ban, seen_ban))
        items += [self._audit_put(event) for event in events]
        try:
            aws.call_within(deadline, self._client.transact_write_items, TransactItems=items)
        except ClientError as exc:
            if _error_code(exc) == "TransactionCanceledException" and _conflict(exc):
                raise StaleRecordError(client_id) from exc
            raise _unavailable("the strike could not be recorded") from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the strike could not be recorded") from exc

    def record_sent(self, client_id: str, room: str, plan: PacePlan, *, deadline: Deadline) -> None:
        """Remember a published message for ``crossMessage`` (one conditional ``PutItem``).

        Raises:
            StaleRecordError: another message of the sender in the room was recorded since
                the read (the caller counts it and moves on: one message fewer remembered).
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        require_client_id(client_id)
        item: dict[str, Any] = {
            constants.STRIKES_PARTITION_KEY: pace_key(room, client_id),
            "sent": [
                {"at": s.at_ms, "d": s.digest, **({"t": s.tail} if s.tail else {})}
                for s in plan.sent
            ],
            _VERSION: plan.expected_version + 1,
            constants.STRIKES_TTL_ATTRIBUTE: plan.expires_at,
        }
        self._conditional_put(
            item,
            version_attribute=_VERSION,
            expected=plan.expected_version,
            client_id=client_id,
            what="the message's pace",
            deadline=deadline,
        )

    def record_published(self, client_id: str, seen: int, *, deadline: Deadline) -> None:
        """Count one more published message of the sender (from ``seen``, as read).

        Raises:
            StaleRecordError: counted meanwhile by a concurrent message (the count moves on).
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        require_client_id(client_id)
        self._conditional_put(
            {constants.STRIKES_PARTITION_KEY: trust_key(client_id), "published": seen + 1},
            version_attribute="published",
            expected=seen,
            client_id=client_id,
            what="the published count",
            deadline=deadline,
        )

    def set_slow_mode(
        self, room: str, seconds: int, event: AuditEvent, *, deadline: Deadline
    ) -> RoomSettings:
        """A moderator's slow mode for ``room`` (0: off), with its audit event, in one transaction.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        settings = RoomSettings(seconds, event.actor, event.at_ms or int(self._clock() * 1000))
        put = {
            "Put": {
                "TableName": self._strikes_table().name,
                "Item": {
                    constants.STRIKES_PARTITION_KEY: room_key(room),
                    "slowModeSeconds": settings.slow_mode_seconds,
                    "setBy": settings.set_by,
                    "at": settings.at_ms,
                },
            }
        }
        try:
            aws.call_within(
                deadline,
                self._client.transact_write_items,
                TransactItems=[put, self._audit_put(event)],
            )
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the slow mode could not be saved") from exc
        return settings

    def room_settings(self, room: str, *, deadline: Deadline) -> RoomSettings | None:
        """``room``'s slow mode as a moderator set it, if one did (strongly consistent)."""
        item = self._state_item(room_key(room), "the room", consistent=True, deadline=deadline)
        return _room_from(item) if item is not None else None

    def custom_terms(self, *, deadline: Deadline, consistent: bool = False) -> CustomTerms:
        """The terms moderators blocked and allowed at run time (``enforcement.custom_terms``).

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        item = self._state_item(
            TERMS_KEY, "the custom terms", consistent=consistent, deadline=deadline
        )
        if item is None:
            return CustomTerms()
        return CustomTerms.from_json(item.get("scopes"), int(item.get(_VERSION, 0)))

    def save_custom_terms(
        self, terms: CustomTerms, event: AuditEvent, *, deadline: Deadline
    ) -> CustomTerms:
        """Write ``terms`` over the version they were read at, with the change's audit event.

        Raises:
            StaleRecordError: another moderator changed them since the read.
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        put: dict[str, Any] = {
            "TableName": self._strikes_table().name,
            "Item": {
                constants.STRIKES_PARTITION_KEY: TERMS_KEY,
                "scopes": terms.to_json(),
                _VERSION: terms.version + 1,
            },
            "ExpressionAttributeNames": {"#v": _VERSION},
        }
        if terms.version:
            put["ConditionExpression"] = "#v = :v"
            put["ExpressionAttributeValues"] = {":v": terms.version}
        else:
            put["ConditionExpression"] = "attribute_not_exists(#v)"
        try:
            aws.call_within(
                deadline,
                self._client.transact_write_items,
                TransactItems=[{"Put": put}, self._audit_put(event)],
            )
        except ClientError as exc:
            if _error_code(exc) == "TransactionCanceledException" and _conflict(exc):
                raise StaleRecordError(TERMS_KEY) from exc
            raise _unavailable("the custom terms could not be saved") from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the custom terms could not be saved") from exc
        return CustomTerms(terms.scopes, terms.version + 1)

    def acknowledge_warning(
        self, client_id: str, warning_id: str, event: AuditEvent, *, deadline: Deadline
    ) -> None:
        """Clear the sender's pending warning ``warning_id`` and audit it, in one transaction.

        Raises:
            NotFoundError: the sender has no pending warning with that id (never had,
                acknowledged already, or lapsed with the strike window).
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        require_client_id(client_id)
        update = {
            "Update": {
                "TableName": self._strikes_table().name,
                "Key": {constants.STRIKES_PARTITION_KEY: client_id},
                "UpdateExpression": "REMOVE #w SET #v = #v + :one",
                "ConditionExpression": "#w.#id = :id",
                "ExpressionAttributeNames": {"#w": _WARNING, "#id": "id", "#v": _VERSION},
                "ExpressionAttributeValues": {":id": warning_id, ":one": 1},
            }
        }
        try:
            aws.call_within(
                deadline,
                self._client.transact_write_items,
                TransactItems=[update, self._audit_put(event)],
            )
        except ClientError as exc:
            if _error_code(exc) == "TransactionCanceledException" and _conflict(exc):
                raise NotFoundError(
                    f"you have no pending warning {warning_id}", code="warning_not_found"
                ) from exc
            raise _unavailable("the warning could not be acknowledged") from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable("the warning could not be acknowledged") from exc

    def record_event(self, event: AuditEvent, *, deadline: Deadline) -> None:
        """Audit ``event`` alone (a rejection with no sender to strike).

        Raises:
            ServiceUnavailableError: the audit log could not be written in time.
        """
        if self._audit is not None:
            self._audit.record(event, deadline=deadline)

    def _strikes_put(self, client_id: str, plan: StrikePlan) -> dict[str, Any]:
        item = {
            constants.STRIKES_PARTITION_KEY: client_id,
            _STRIKES: [{"ref": strike.ref, "at": strike.at_ms} for strike in plan.strikes],
            _VERSION: plan.expected_version + 1,
            constants.STRIKES_TTL_ATTRIBUTE: plan.strikes_expire_at,
        }
        if plan.warning is not None:
            item[_WARNING] = _warning_to(plan.warning)
        put: dict[str, Any] = {
            "TableName": self._strikes_table().name,
            "Item": item,
            "ExpressionAttributeNames": {"#pk": constants.STRIKES_PARTITION_KEY},
        }
        if plan.expected_version:
            put["ConditionExpression"] = "#v = :v"
            put["ExpressionAttributeNames"]["#v"] = _VERSION
            put["ExpressionAttributeValues"] = {":v": plan.expected_version}
            del put["ExpressionAttributeNames"]["#pk"]
        else:
            put["ConditionExpression"] = "attribute_not_exists(#pk) OR attribute_not_exists(#v)"
            put["ExpressionAttributeNames"]["#v"] = _VERSION
        return {"Put": put}

    def _ban_put(self, ban: Ban, seen: Ban | None) -> dict[str, Any]:
        names = {"#pk": constants.BANS_PARTITION_KEY}
        if seen is None:
            condition = "attribute_not_exists(#pk)"
            values: dict[str, Any] = {}
        else:
            # Exactly the ban that was read: createdAt and source identify it.
            condition = "#created = :created AND #src = :src"
            names = {"#created": "createdAt", "#src": "source"}
            values = {":created": seen.created_at, ":src": seen.source}
        put: dict[str, Any] = {
            "TableName": self._bans.name,
            "Item": _ban_to_item(ban),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
        }
        if values:
            put["ExpressionAttributeValues"] = values
        return {"Put": put}

    def _state_item(
        self, key: str, what: str, *, consistent: bool, deadline: Deadline
    ) -> dict[str, Any] | None:
        """One of chatmod's own items in the strikes table (``BatchGetItem``, as granted)."""
        name = self._strikes_table().name
        try:
            answer = aws.call_within(
                deadline,
                self._client.batch_get_item,
                RequestItems={
                    name: {
                        "Keys": [{constants.STRIKES_PARTITION_KEY: key}],
                        "ConsistentRead": consistent,
                    }
                },
            )
        except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable(f"{what} could not be read") from exc
        items = answer.get("Responses", {}).get(name, [])
        return dict(items[0]) if items else None

    def _conditional_put(
        self,
        item: dict[str, Any],
        *,
        version_attribute: str,
        expected: int,
        client_id: str,
        what: str,
        deadline: Deadline,
    ) -> None:
        """Put ``item`` if ``version_attribute`` still holds ``expected`` (0: no item yet).

        Raises:
            StaleRecordError: someone wrote it since it was read.
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        condition = "attribute_not_exists(#v)" if expected == 0 else "#v = :v"
        try:
            aws.call_within(
                deadline,
                self._client.put_item,
                TableName=self._strikes_table().name,
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#v": version_attribute},
                **({"ExpressionAttributeValues": {":v": expected}} if expected else {}),
            )
        except ClientError as exc:
            if _error_code(exc) == "ConditionalCheckFailedException":
                raise StaleRecordError(client_id) from exc
            raise _unavailable(f"{what} could not be written") from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise _unavailable(f"{what} could not be written") from exc

    def _audit_put(self, event: AuditEvent) -> dict[str, Any]:
        if self._audit is None:
            raise RuntimeError("this BanStore was built without the audit log")
        _, item = self._audit.prepare(event)
        return {
            "Put": {
                "TableName": self._audit.table_name,
                "Item": item,
                "ConditionExpression": UNIQUE_EVENT_CONDITION,
                "ExpressionAttributeNames": {"#sk": constants.AUDIT_SORT_KEY},
            }
        }

    # -- internals ----------------------------------------------------------------------

    @property
    def _client(self) -> Any:
        """The client under the table resources (batch and transaction calls).

        A resource's client converts Python values to DynamoDB's wire types and
        back, as the ``Table`` methods do, so items here are plain values.
        """
        return self._bans.meta.client

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else float(now)

    def _strikes_table(self) -> Any:
        if self._strikes is None:
            raise RuntimeError("this BanStore was built without the strikes table")
        return self._strikes

    def _apply_ban(
        self,
        client_id: str,
        *,
        reason: str,
        source: str,
        duration_seconds: int | None,
        now: float | None,
        audit_message: Mapping[str, str | None] | None = None,
        audit_at: float | None = None,
    ) -> tuple[Ban, bool]:
        """Write the ban under the replacement rule; ``(ban in effect, whether written)``."""
        require_client_id(client_id)
        if not isinstance(reason, str) or not reason.strip():
            raise BadRequestError("a ban needs a reason")
        if not isinstance(source, str) or not source.strip():
            raise BadRequestError("a ban needs a source")
        if duration_seconds is not None and (
            isinstance(duration_seconds, bool)
            or not isinstance(duration_seconds, int)
            or duration_seconds < 1
        ):
            raise BadRequestError("duration_seconds must be a positive integer or None")
        created_at = int(self._now(now))
        wanted = Ban(
            client_id=client_id,
            reason=reason,
            source=source,
            created_at=created_at,
            expires_at=None if duration_seconds is None else created_at + duration_seconds,
        )
        names = {"#pk": constants.BANS_PARTITION_KEY, "#exp": constants.BANS_TTL_ATTRIBUTE}
        values: dict[str, Any] = {}
        if wanted.expires_at is None:
            # Permanent beats any ban that has an end (active or expired).
            condition = "attribute_not_exists(#pk) OR attribute_exists(#exp)"
        else:
            # A finite ban replaces only an earlier end; a missing expiresAt
            # (permanent) compares as false. An expired ban ends before ours.
            condition = "attribute_not_exists(#pk) OR #exp < :exp"
            values[":exp"] = wanted.expires_at
        if source != AUTO_SOURCE:
            condition += " OR #src = :auto"
            names["#src"] = "source"
            values[":auto"] = AUTO_SOURCE
        arguments: dict[str, Any] = {
            "Item": _ban_to_item(wanted),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ReturnValues": "ALL_OLD",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if values:
            arguments["ExpressionAttributeValues"] = values
        try:
            replaced = self._bans.put_item(**arguments).get("Attributes")
        except ClientError as exc:
            if _error_code(exc) != "ConditionalCheckFailedException":
                raise _unavailable("the ban store could not be written") from exc
            kept = _old_item(exc)
            if kept is None:
                # Only a ban that must not be replaced fails the condition, so it exists.
                raise _unavailable("the ban store answered inconsistently") from exc
            return _ban_from_item(kept), False
        except BotoCoreError as exc:
            raise _unavailable("the ban store could not be written") from exc
        previous = _ban_from_item(replaced) if replaced else None
        at = self._now(audit_at if audit_at is not None else now)
        self._record(
            AuditEvent(
                action="ban",
                actor=source,
                client_id=client_id,
                reason=reason,
                details={
                    "durationSeconds": duration_seconds,
                    "expiresAt": wanted.expires_at,
                    "bannedUntil": wanted.banned_until_iso,
                    "replaced": (
                        previous.to_json()
                        if previous is not None and previous.active(created_at)
                        else None
                    ),
                },
                at_ms=int(at * 1000),
                **dict(audit_message or {}),
            )
        )
        return wanted, True

    def _record(self, event: AuditEvent) -> None:
        """Audit ``event``; the change it describes is already made, so failures are logged."""
        if self._audit is None:
            return
        try:
            self._audit.record(event)
        except ChatmodError as exc:
            logger.error(
                "audit event lost",
                extra={"action": event.action, "clientId": event.client_id, "error": exc.code},
            )


def _newest_first(bans: list[Ban]) -> list[Ban]:
    return sorted(bans, key=lambda ban: (ban.created_at, ban.client_id), reverse=True)


# -- item mapping ---------------------------------------------------------------------


def _ban_to_item(ban: Ban) -> dict[str, Any]:
    item: dict[str, Any] = {
        constants.BANS_PARTITION_KEY: ban.client_id,
        "reason": ban.reason,
        "source": ban.source,
        "createdAt": ban.created_at,
    }
    if ban.expires_at is not None:
        # Permanent bans carry no TTL attribute, so DynamoDB never deletes them.
        item[constants.BANS_TTL_ATTRIBUTE] = ban.expires_at
    return item


def _ban_from_item(item: Mapping[str, Any]) -> Ban:
    """A ban from its item; an item edited by hand into something unreadable still bans.

    An unreadable ``expiresAt`` (or ``createdAt``) is logged and counted
    (``BanItemMalformed``) and read as a permanent ban: whoever wrote the item meant
    to ban the user, and failing open would let them back in; a moderator's unban,
    or a corrected item, lifts it.
    """
    client_id = str(item[constants.BANS_PARTITION_KEY])
    try:
        expires_at = epoch_seconds(item.get(constants.BANS_TTL_ATTRIBUTE))
    except MalformedBanError as exc:
        _malformed(client_id, exc)
        expires_at = None
    try:
        created_at = epoch_seconds(item.get("createdAt", 0), "createdAt") or 0
    except MalformedBanError as exc:
        _malformed(client_id, exc)
        created_at = 0
    return Ban(
        client_id=client_id,
        reason=str(item.get("reason", "")),
        source=str(item.get("source", AUTO_SOURCE)),
        created_at=created_at,
        expires_at=expires_at,
    )


def _malformed(client_id: str, exc: MalformedBanError) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    logger.error(
        "unreadable ban item: read as a permanent ban until corrected",
        extra={"clientId": client_id, "problem": str(exc)},
    )
    metrics.add_metric(name="BanItemMalformed", unit=MetricUnit.Count, value=1)


def _conflict(exc: ClientError) -> bool:
    """Whether a cancelled transaction failed a condition (a concurrent write), not capacity."""
    reasons = exc.response.get("CancellationReasons") or []
    return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)


def _old_item(exc: ClientError) -> dict[str, Any] | None:
    """The item a failed condition saw (``ReturnValuesOnConditionCheckFailure``), decoded."""
    raw = exc.response.get("Item")
    if not raw:
        return None
    # The error carries the low-level wire format even when the resource API was used.
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def _pace_from(item: Any) -> PaceRecord:
    """A sender's recent messages in a room; an unreadable entry is left out (logged)."""
    if not isinstance(item, Mapping):
        return PaceRecord()
    sent = []
    for entry in item.get("sent") or []:
        try:
            sent.append(Sent(int(entry["at"]), str(entry["d"]), str(entry.get("t", ""))))
        except (KeyError, TypeError, ValueError):
            logger.warning("unreadable pace entry ignored")
    return PaceRecord(tuple(sorted(sent, key=lambda s: s.at_ms)), int(item.get(_VERSION, 0)))


def _room_from(item: Any) -> RoomSettings | None:
    if not isinstance(item, Mapping):
        return None
    try:
        return RoomSettings(int(item["slowModeSeconds"]), str(item["setBy"]), int(item["at"]))
    except (KeyError, TypeError, ValueError):
        logger.warning("unreadable room settings ignored")
        return None


def _warning_to(warning: PendingWarning) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": warning.warning_id,
        "reason": warning.reason,
        "rule": warning.rule,
        "at": warning.at_ms,
    }
    if warning.room is not None:
        item["room"] = warning.room
    return item


def _warning_from(item: Any) -> PendingWarning | None:
    """The stored warning; one that cannot be read is no warning (logged), never a lock-out."""
    if not isinstance(item, Mapping):
        return None
    try:
        return PendingWarning(
            warning_id=str(item["id"]),
            reason=str(item.get("reason", "")),
            rule=str(item.get("rule", "")),
            at_ms=int(item.get("at", 0)),
            room=str(item["room"]) if item.get("room") is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        logger.warning("unreadable pending warning ignored", extra={"item": str(item)[:200]})
        return None


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _unavailable(message: str) -> ServiceUnavailableError:
    return ServiceUnavailableError(message, code="storage_unavailable")
