"""Bans and strikes in DynamoDB, written with condition expressions so that races cannot lose one.

Bans table item (``bannedUsers``, key ``clientId``)::

    clientId   S   partition key
    reason     S   why
    source     S   "auto" (strike ladder) or the moderator's client id
    createdAt  N   epoch seconds
    expiresAt  N   epoch seconds, DynamoDB TTL; absent for a permanent ban

Strikes table item (key ``clientId``; the ladder's memory)::

    clientId      S   partition key
    strikes       M   message ref → strike time, epoch milliseconds
    lastStrikeAt  N   epoch milliseconds of the latest strike
    expiresAt     N   epoch seconds, DynamoDB TTL: latest strike + the window

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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from chatmod import constants
from chatmod.adapters.audit_log import SYSTEM_ACTOR, AuditEvent, AuditLog
from chatmod.bans import (
    AUTO_SOURCE,
    Ban,
    StrikeOutcome,
    auto_ban_reason,
    expired_strikes,
    ladder_step,
    strike_ordinal,
    strikes_in_window,
)
from chatmod.errors import BadRequestError, ChatmodError, ServiceUnavailableError
from chatmod.observability import logger
from chatmod.policy import BanPolicy

if TYPE_CHECKING:
    from chatmod.adapters.ably_gateway import RevocationResult
    from chatmod.settings import Settings

_STRIKES: Final = "strikes"
_LAST_STRIKE: Final = "lastStrikeAt"
_MAX_REF_LENGTH: Final = 1024
# Removing expired strikes is housekeeping: bound how many go in one UpdateItem.
_MAX_PRUNE: Final = 50
# record_strike: nested write, create, nested write again (after a concurrent create).
_STRIKE_ATTEMPTS: Final = 3
_LIST_PAGE_LIMIT: Final = 20
_deserializer = TypeDeserializer()


class TokenRevoker(Protocol):
    """What ``revoke_tokens`` needs of ``AblyGateway`` (kept abstract to avoid importing Ably)."""

    def revoke_tokens(self, client_ids: Any, **kwargs: Any) -> RevocationResult: ...


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
            strikes_table: the strikes table; needed by ``record_strike`` and
                ``unban(clear_strikes=True)`` only (the token path does without).
            audit: where to record ban, unban, strike and revoke events; ``None``
                records nothing.
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

    def get_ban(self, client_id: str, now: float | None = None) -> Ban | None:
        """The ban on ``client_id`` active at ``now``, or ``None``. One consistent GetItem.

        Raises:
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        now = self._now(now)
        try:
            # Consistent: a ban written a moment ago must stop the next token.
            item = self._bans.get_item(
                Key={constants.BANS_PARTITION_KEY: client_id}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
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
        _require_client_id(client_id)
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

    # -- strikes ------------------------------------------------------------------------

    def record_strike(
        self,
        client_id: str,
        *,
        message_ref: str,
        policy: BanPolicy,
        now: float | None = None,
        reason: str = "message rejected",
        room: str | None = None,
        channel: str | None = None,
    ) -> StrikeOutcome:
        """Count one strike for ``message_ref`` and apply the ban its ladder rung calls for.

        Safe under redelivery and concurrency without a read-then-write: the
        strike is written as ``strikes.<ref>`` under the condition that this ref
        is not there yet, so a redelivered message is counted once, and two
        different messages struck at once are both kept (DynamoDB serialises
        updates to one item, and each sees the map after its own write).

        Args:
            client_id: the sender.
            message_ref: what identifies the message across redeliveries (Ably
                message id or serial).
            policy: ladder, window and whether bans revoke tokens.
            now: epoch seconds; default the clock.
            reason: why the message was rejected (audit log and ban reason).
            room / channel: where the message was, for the audit log (the ref is
                recorded as its serial for a room, its id for a channel).

        Returns:
            The count, the rung, and the ban in effect.

        Raises:
            BadRequestError: an argument is invalid.
            ServiceUnavailableError: DynamoDB refused or could not be reached.
        """
        _require_client_id(client_id)
        if not isinstance(message_ref, str) or not message_ref:
            raise BadRequestError("message_ref must be a non-empty string")
        if len(message_ref) > _MAX_REF_LENGTH:
            raise BadRequestError(f"message_ref must be at most {_MAX_REF_LENGTH} characters")
        now = self._now(now)
        now_ms = int(now * 1000)
        strikes, duplicate = self._write_strike(client_id, message_ref, policy, now_ms)
        strike_ms = strikes.get(message_ref, now_ms)
        if duplicate and message_ref in strikes:
            # The rung this strike reached when it was first counted: re-applying its
            # ban is a no-op unless the first delivery died between the two writes.
            count = strike_ordinal(strikes, message_ref, window_seconds=policy.window_seconds)
        else:
            count = strikes_in_window(
                strikes.values(), now_ms=now_ms, window_seconds=policy.window_seconds
            )
            self._prune(client_id, strikes, now_ms, policy.window_seconds)
        step = ladder_step(policy, max(count, 1))
        audit_message = {
            "room": room,
            "channel": channel,
            "serial": message_ref if room is not None else None,
            "message_id": message_ref if room is None else None,
        }
        if not duplicate:
            self._record(
                AuditEvent(
                    action="strike",
                    actor=AUTO_SOURCE,
                    client_id=client_id,
                    reason=reason,
                    details={"messageRef": message_ref, "count": count, "step": step.label},
                    at_ms=now_ms,
                    **audit_message,
                )
            )
        ban: Ban | None = None
        applied = False
        strike_s = strike_ms // 1000
        if step.bans and (step.duration_seconds is None or strike_s + step.duration_seconds > now):
            ban, applied = self._apply_ban(
                client_id,
                reason=auto_ban_reason(step, count, reason),
                source=AUTO_SOURCE,
                duration_seconds=step.duration_seconds,
                now=strike_s,
                audit_message=audit_message,
                audit_at=now,
            )
        return StrikeOutcome(
            client_id=client_id,
            message_ref=message_ref,
            count=count,
            step=step,
            ban=ban,
            ban_applied=applied,
            duplicate=duplicate,
            revoke_tokens=applied and policy.revoke_tokens_on_ban,
        )

    def revoke_tokens(
        self,
        client_id: str,
        gateway: TokenRevoker,
        *,
        actor: str = AUTO_SOURCE,
        reason: str | None = None,
        **revoke_options: Any,
    ) -> RevocationResult:
        """Revoke ``client_id``'s Ably tokens through ``gateway`` and audit the outcome.

        Call after a ban when ``StrikeOutcome.revoke_tokens`` (or the moderator's
        request) says so. Never raises for Ably errors: the result, and the audit
        event, say whether it worked.

        Args:
            client_id: the user.
            gateway: the ``AblyGateway``.
            actor: who asked (``"auto"`` or a moderator's client id).
            reason: why, for the audit log.
            revoke_options: passed to ``gateway.revoke_tokens`` (``deadline``...).

        Returns:
            The gateway's ``RevocationResult``.
        """
        result = gateway.revoke_tokens([client_id], **revoke_options)
        details: dict[str, Any] = {"revoked": result.ok}
        if result.failed:
            failure = result.failed[0]
            details.update(
                error=failure.message, ablyCode=failure.ably_code, ablyStatus=failure.http_status
            )
        self._record(
            AuditEvent(
                action="revoke",
                actor=actor,
                client_id=client_id,
                reason=reason,
                details=details,
                at_ms=int(self._clock() * 1000),
            )
        )
        return result

    # -- internals ----------------------------------------------------------------------

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
        _require_client_id(client_id)
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

    def _write_strike(
        self, client_id: str, message_ref: str, policy: BanPolicy, now_ms: int
    ) -> tuple[dict[str, int], bool]:
        """Add ``strikes.<ref>`` unless present; ``(strikes after, whether a duplicate)``."""
        table = self._strikes_table()
        key = {constants.STRIKES_PARTITION_KEY: client_id}
        # The TTL follows the later of ``now`` and the wall clock: a caller replaying a
        # backlog with message timestamps must not pull the expiry of newer strikes back.
        expires_at = max(now_ms // 1000, int(self._clock())) + policy.window_seconds
        for _ in range(_STRIKE_ATTEMPTS):
            try:
                try:
                    # A nested SET fails (ValidationException) while the map does not exist.
                    answer = table.update_item(
                        Key=key,
                        UpdateExpression="SET #s.#ref = :at, #last = :at, #exp = :exp",
                        ConditionExpression="attribute_not_exists(#s.#ref)",
                        ExpressionAttributeNames={
                            "#s": _STRIKES,
                            "#ref": message_ref,
                            "#last": _LAST_STRIKE,
                            "#exp": constants.STRIKES_TTL_ATTRIBUTE,
                        },
                        ExpressionAttributeValues={":at": now_ms, ":exp": expires_at},
                        ReturnValues="ALL_NEW",
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
                    return _strike_map(answer.get("Attributes")), False
                except ClientError as exc:
                    code = _error_code(exc)
                    if code == "ConditionalCheckFailedException":
                        old = _old_item(exc)
                        if old is None:
                            old = table.get_item(Key=key, ConsistentRead=True).get("Item")
                        return _strike_map(old), True
                    if code != "ValidationException":
                        raise
                # First strike (or the item was deleted by TTL): create it, unless a
                # concurrent strike just did, in which case the nested write is retried.
                try:
                    table.put_item(
                        Item={
                            **key,
                            _STRIKES: {message_ref: now_ms},
                            _LAST_STRIKE: now_ms,
                            constants.STRIKES_TTL_ATTRIBUTE: expires_at,
                        },
                        ConditionExpression="attribute_not_exists(#pk)",
                        ExpressionAttributeNames={"#pk": constants.STRIKES_PARTITION_KEY},
                    )
                    return {message_ref: now_ms}, False
                except ClientError as exc:
                    if _error_code(exc) != "ConditionalCheckFailedException":
                        raise
            except (ClientError, BotoCoreError) as exc:
                raise _unavailable("the strike store could not be written") from exc
        raise _unavailable("the strike could not be recorded (the item kept changing)")

    def _prune(
        self, client_id: str, strikes: Mapping[str, int], now_ms: int, window_seconds: int
    ) -> None:
        """Remove strikes older than the window (housekeeping; failures only logged)."""
        old = expired_strikes(strikes, now_ms=now_ms, window_seconds=window_seconds)[:_MAX_PRUNE]
        if not old:
            return
        names = {"#s": _STRIKES, "#pk": constants.STRIKES_PARTITION_KEY}
        names.update({f"#o{index}": ref for index, ref in enumerate(old)})
        try:
            self._strikes_table().update_item(
                Key={constants.STRIKES_PARTITION_KEY: client_id},
                UpdateExpression="REMOVE " + ", ".join(f"#s.#o{i}" for i in range(len(old))),
                # Never recreate an item TTL deleted in the meantime.
                ConditionExpression="attribute_exists(#pk)",
                ExpressionAttributeNames=names,
            )
        except (ClientError, BotoCoreError) as exc:
            logger.warning("could not prune expired strikes", extra={"error": type(exc).__name__})

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
    expires = item.get(constants.BANS_TTL_ATTRIBUTE)
    return Ban(
        client_id=str(item[constants.BANS_PARTITION_KEY]),
        reason=str(item.get("reason", "")),
        source=str(item.get("source", AUTO_SOURCE)),
        created_at=int(item.get("createdAt", 0)),
        expires_at=None if expires is None else int(expires),
    )


def _strike_map(item: Mapping[str, Any] | None) -> dict[str, int]:
    strikes = (item or {}).get(_STRIKES) or {}
    return {str(ref): int(at) for ref, at in strikes.items()}


def _old_item(exc: ClientError) -> dict[str, Any] | None:
    """The item a failed condition saw (``ReturnValuesOnConditionCheckFailure``), decoded."""
    raw = exc.response.get("Item")
    if not raw:
        return None
    # The error carries the low-level wire format even when the resource API was used.
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _require_client_id(client_id: Any) -> None:
    if not isinstance(client_id, str) or not client_id.strip():
        raise BadRequestError("client id must be a non-empty string")


def _unavailable(message: str) -> ServiceUnavailableError:
    return ServiceUnavailableError(message, code="storage_unavailable")
