"""An in-memory ``SenderStore`` that keeps the DynamoDB adapter's guarantees, for pipeline tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from chatmod.core.deadline import Deadline
from chatmod.core.errors import NotFoundError, ServiceUnavailableError
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.bans import Ban, SenderRecord, StaleRecordError, StrikePlan
from chatmod.enforcement.pace import PacePlan, PaceRecord, RoomSettings
from chatmod.enforcement.reviews import ReviewItem


@dataclass
class InMemorySenderStore:
    """Bans, strikes and audit events in dicts; counts round trips like the real store.

    Held to ``BanStore`` by ``tests/unit/adapters/test_sender_store_contract.py``: every
    scenario there runs against both.

    ``fail`` names calls that raise ``ServiceUnavailableError`` (``load_sender``,
    ``commit_strike``, ``record_event``, ``acknowledge_warning``); ``conflicts`` makes that many commits
    fail as if a concurrent strike had won.
    """

    bans: dict[str, Ban] = field(default_factory=dict)
    records: dict[str, SenderRecord] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)
    paces: dict[tuple[str, str], PaceRecord] = field(default_factory=dict)
    rooms: dict[str, RoomSettings] = field(default_factory=dict)
    published: dict[str, int] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)
    conflicts: int = 0
    round_trips: int = 0
    reloads_after_conflict: int = 0

    def load_sender(
        self,
        client_id: str,
        *,
        deadline: Deadline,
        after_conflict: bool = False,
        pace_room: str | None = None,
        count_published: bool = False,
    ) -> SenderRecord:
        self._call("load_sender", deadline)
        if after_conflict:
            self.reloads_after_conflict += 1
        record = self.records.get(client_id, SenderRecord(client_id))
        pace = room = None
        if pace_room is not None:
            pace = self.paces.get((pace_room, client_id), PaceRecord())
            room = self.rooms.get(pace_room)
        published = self.published.get(client_id, 0) if count_published else None
        return replace(
            record, ban=self.bans.get(client_id), pace=pace, room=room, published=published
        )

    def record_published(self, client_id: str, seen: int, *, deadline: Deadline) -> None:
        self._call("record_published", deadline)
        if self.published.get(client_id, 0) != seen:
            raise StaleRecordError(client_id)
        self.published[client_id] = seen + 1

    def record_sent(self, client_id: str, room: str, plan: PacePlan, *, deadline: Deadline) -> None:
        self._call("record_sent", deadline)
        current = self.paces.get((room, client_id), PaceRecord())
        if current.version != plan.expected_version:
            raise StaleRecordError(client_id)
        self.paces[(room, client_id)] = PaceRecord(plan.sent, plan.expected_version + 1)

    def room_settings(self, room: str, *, deadline: Deadline) -> RoomSettings | None:
        self._call("room_settings", deadline)
        return self.rooms.get(room)

    def set_slow_mode(
        self, room: str, seconds: int, event: AuditEvent, *, deadline: Deadline
    ) -> RoomSettings:
        self._call("set_slow_mode", deadline)
        self.rooms[room] = RoomSettings(seconds, event.actor, event.at_ms or 0)
        self.events.append(event)
        return self.rooms[room]

    def commit_strike(
        self,
        plan: StrikePlan,
        events: Sequence[AuditEvent],
        *,
        seen_ban: Ban | None,
        deadline: Deadline,
    ) -> None:
        self._call("commit_strike", deadline)
        client_id = plan.outcome.client_id
        if self.conflicts:
            self.conflicts -= 1
            raise StaleRecordError(client_id)
        current = self.records.get(client_id, SenderRecord(client_id))
        if current.version != plan.expected_version:
            raise StaleRecordError(client_id)
        if plan.new_ban is not None and self.bans.get(client_id) != seen_ban:
            # Only a ban write expects the ban it planned from (BanStore's condition).
            raise StaleRecordError(client_id)
        self.records[client_id] = SenderRecord(
            client_id,
            strikes=plan.strikes,
            version=plan.expected_version + 1,
            warning=plan.warning,
        )
        if plan.new_ban is not None:
            self.bans[client_id] = plan.new_ban
        self.events += events

    def record_event(self, event: AuditEvent, *, deadline: Deadline) -> None:
        self._call("record_event", deadline)
        self.events.append(event)

    def acknowledge_warning(
        self, client_id: str, warning_id: str, event: AuditEvent, *, deadline: Deadline
    ) -> None:
        self._call("acknowledge_warning", deadline)
        current = self.records.get(client_id)
        if current is None or current.warning is None or current.warning.warning_id != warning_id:
            raise NotFoundError(
                f"you have no pending warning {warning_id}", code="warning_not_found"
            )
        self.records[client_id] = replace(current, warning=None, version=current.version + 1)
        self.events.append(event)

    def actions(self) -> list[str]:
        """The audit actions recorded, in order."""
        return [event.action for event in self.events]

    def _call(self, name: str, deadline: Deadline) -> None:
        # Every call runs within the request's budget (the real store waits no longer).
        assert isinstance(deadline, Deadline), f"{name} was given no deadline"
        self.round_trips += 1
        if name in self.fail:
            raise ServiceUnavailableError(f"{name} failed in this test", code="storage_unavailable")


@dataclass
class InMemoryReviewStore:
    """Review items in a dict, held once per id like the DynamoDB adapter; events go to ``audit``."""

    audit: InMemorySenderStore
    items: dict[str, ReviewItem] = field(default_factory=dict)
    fail: bool = False

    def hold(
        self,
        item: ReviewItem,
        events: Sequence[AuditEvent],
        *,
        retention_days: int,
        deadline: Deadline,
    ) -> ReviewItem:
        self.audit.round_trips += 1
        if self.fail:
            raise ServiceUnavailableError("hold failed in this test", code="storage_unavailable")
        if item.review_id in self.items:
            return self.items[item.review_id]
        self.items[item.review_id] = item
        self.audit.events += events
        return item

    def get(self, review_id: str, *, deadline: Deadline | None = None) -> ReviewItem | None:
        self.audit.round_trips += 1
        return self.items.get(review_id)
