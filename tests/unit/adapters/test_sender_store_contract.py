"""The pipeline's store port, one contract for both stores: DynamoDB (moto) and the in-memory fake.

``tests/support/sender_store.InMemorySenderStore`` stands in for ``BanStore`` in the
pipeline's unit tests; every scenario here runs against both, so the fake cannot
drift from what DynamoDB's conditions do (a stale version, a ban written meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.core.deadline import Deadline
from chatmod.core.errors import NotFoundError
from chatmod.core.policy import BanPolicy
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.bans import (
    Ban,
    PendingWarning,
    SenderRecord,
    StaleRecordError,
    Strike,
    StrikePlan,
    StrikeRef,
    plan_strike,
    warning_id_for,
)
from chatmod.enforcement.pace import PacePlan, PaceRecord, RoomSettings, Sent
from chatmod.moderation.pipeline import SenderStore
from tests.support.dynamodb import create_tables
from tests.support.sender_store import InMemorySenderStore

NOW_MS = 1_795_320_000_000
POLICY = BanPolicy(ladder=("warn", "120s", "permanent"), window_seconds=3600)


@dataclass
class Subject:
    store: SenderStore
    actions: Callable[[], list[str]]
    ban_elsewhere: Callable[[Ban], None]  # a moderator (or another path) bans meanwhile


@pytest.fixture(params=["dynamodb", "memory"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "memory":
        fake = InMemorySenderStore()
        yield Subject(fake, fake.actions, lambda ban: fake.bans.__setitem__(ban.client_id, ban))
        return
    with mock_aws():
        tables = create_tables()
        audit = AuditLog(tables.audit, clock=lambda: NOW_MS / 1000)
        real = BanStore(tables.bans, tables.strikes, audit=audit, clock=lambda: NOW_MS / 1000)

        def actions() -> list[str]:
            events = sorted(audit.query("alice", limit=100), key=lambda e: e.at_ms or 0)
            return [event.action for event in events]

        def ban_elsewhere(ban: Ban) -> None:
            real.ban(
                ban.client_id,
                reason=ban.reason,
                source=ban.source,
                duration_seconds=None
                if ban.expires_at is None
                else ban.expires_at - ban.created_at,
                now=ban.created_at,
            )

        yield Subject(real, actions, ban_elsewhere)


def deadline() -> Deadline:
    return Deadline(5)


def plan(record: SenderRecord, ref: str, at_ms: int = NOW_MS) -> StrikePlan:
    return plan_strike(record, StrikeRef(ref), policy=POLICY, now_ms=at_ms, reason="spam")


def events_for(plan_: StrikePlan, at_ms: int = NOW_MS) -> list[AuditEvent]:
    return [
        AuditEvent(
            "strike", "auto", client_id="alice", message_ref=plan_.outcome.message_ref, at_ms=at_ms
        )
    ]


def test_an_unknown_sender_has_no_ban_no_strikes_and_version_zero(subject):
    assert subject.store.load_sender("alice", deadline=deadline()) == SenderRecord("alice")


def test_a_committed_strike_is_read_back_with_the_next_version_and_its_events(subject):
    first = plan(SenderRecord("alice"), "m1")

    subject.store.commit_strike(first, events_for(first), seen_ban=None, deadline=deadline())

    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert record.strikes == (Strike("m1", NOW_MS),)
    assert record.version == 1
    assert record.ban is None
    assert subject.actions() == ["strike"]


def test_a_plan_from_a_stale_version_is_refused_and_writes_nothing(subject):
    empty = SenderRecord("alice")
    winner = plan(empty, "m1")
    subject.store.commit_strike(winner, events_for(winner), seen_ban=None, deadline=deadline())
    loser = plan(empty, "m2", NOW_MS + 1)  # planned from the same (now stale) read

    with pytest.raises(StaleRecordError):
        subject.store.commit_strike(
            loser, events_for(loser, NOW_MS + 1), seen_ban=None, deadline=deadline()
        )

    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert [s.ref for s in record.strikes] == ["m1"]
    assert record.version == 1
    assert subject.actions() == ["strike"]


def test_a_banning_plan_writes_the_ban_with_the_strike(subject):
    first = plan(SenderRecord("alice"), "m1")
    subject.store.commit_strike(first, events_for(first), seen_ban=None, deadline=deadline())
    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    second = plan(record, "m2", NOW_MS + 1000)
    assert second.new_ban is not None

    subject.store.commit_strike(
        second, events_for(second, NOW_MS + 1000), seen_ban=None, deadline=deadline()
    )

    after = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert after.ban == second.new_ban
    assert after.version == 2


def test_a_banning_plan_is_refused_when_a_ban_was_written_since_the_read(subject):
    first = plan(SenderRecord("alice"), "m1")
    subject.store.commit_strike(first, events_for(first), seen_ban=None, deadline=deadline())
    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    second = plan(record, "m2", NOW_MS + 1000)
    moderators = Ban("alice", "abuse", "mod1", NOW_MS // 1000, None)
    subject.ban_elsewhere(moderators)

    with pytest.raises(StaleRecordError):
        subject.store.commit_strike(
            second, events_for(second, NOW_MS + 1000), seen_ban=None, deadline=deadline()
        )

    after = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert after.ban == moderators
    assert after.version == 1


def test_a_warning_plan_is_written_whatever_ban_was_written_since_the_read(subject):
    # A warning writes no ban, so it does not depend on the ban it saw.
    subject.ban_elsewhere(Ban("alice", "abuse", "mod1", NOW_MS // 1000, None))
    first = plan(SenderRecord("alice"), "m1")

    subject.store.commit_strike(first, events_for(first), seen_ban=None, deadline=deadline())

    after = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert after.version == 1


def test_an_event_without_a_strike_is_recorded_alone(subject):
    subject.store.record_event(
        AuditEvent("reject", "auto", client_id="alice", at_ms=NOW_MS), deadline=deadline()
    )

    assert subject.actions() == ["reject"]


# --- pending warnings ---------------------------------------------------------------


def warned(record: SenderRecord, ref: str, at_ms: int = NOW_MS) -> StrikePlan:
    warning = PendingWarning(warning_id_for(ref), "flagged by blocklist", "be-nice", at_ms, "lobby")
    return plan_strike(
        record, StrikeRef(ref), policy=POLICY, now_ms=at_ms, reason="spam", warning=warning
    )


def test_a_warning_is_kept_with_the_strikes_and_read_back_with_them(subject):
    plan_ = warned(SenderRecord("alice"), "m1")

    subject.store.commit_strike(plan_, events_for(plan_), seen_ban=None, deadline=deadline())

    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert record.warning == plan_.warning
    assert record.warning is not None
    assert record.warning.warning_id.startswith("wn_")


def test_a_later_strike_keeps_the_pending_warning(subject):
    first = warned(SenderRecord("alice"), "m1")
    subject.store.commit_strike(first, events_for(first), seen_ban=None, deadline=deadline())
    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    second = plan(record, "m2", NOW_MS + 1000)

    subject.store.commit_strike(
        second, events_for(second, NOW_MS + 1000), seen_ban=None, deadline=deadline()
    )

    after = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert after.warning == first.warning
    assert len(after.strikes) == 2


def test_acknowledging_clears_the_warning_once_and_audits_it(subject):
    plan_ = warned(SenderRecord("alice"), "m1")
    subject.store.commit_strike(plan_, events_for(plan_), seen_ban=None, deadline=deadline())
    assert plan_.warning is not None
    ack = AuditEvent("acknowledge", "alice", client_id="alice", at_ms=NOW_MS + 5)

    subject.store.acknowledge_warning("alice", plan_.warning.warning_id, ack, deadline=deadline())

    record = subject.store.load_sender("alice", deadline=deadline(), after_conflict=True)
    assert record.warning is None
    assert record.strikes == plan_.strikes  # the strikes stay: acknowledging is not forgiving
    assert record.version == 2
    assert subject.actions() == ["strike", "acknowledge"]
    with pytest.raises(NotFoundError):
        subject.store.acknowledge_warning(
            "alice", plan_.warning.warning_id, ack, deadline=deadline()
        )


@pytest.mark.parametrize("warning_id", ["wn_000000000000000000000000", "rv_x"])
def test_acknowledging_a_warning_that_is_not_pending_is_not_found(subject, warning_id):
    plan_ = warned(SenderRecord("alice"), "m1")
    subject.store.commit_strike(plan_, events_for(plan_), seen_ban=None, deadline=deadline())
    ack = AuditEvent("acknowledge", "alice", client_id="alice", at_ms=NOW_MS + 5)

    with pytest.raises(NotFoundError):
        subject.store.acknowledge_warning("alice", warning_id, ack, deadline=deadline())
    with pytest.raises(NotFoundError):
        subject.store.acknowledge_warning("bob", warning_id, ack, deadline=deadline())

    assert subject.store.load_sender("alice", deadline=deadline()).warning == plan_.warning


# --- cross-message state ----------------------------------------------------------------


def test_a_room_without_state_reads_as_empty_and_the_sender_as_before(subject):
    record = subject.store.load_sender("alice", deadline=deadline(), pace_room="lobby")

    assert record.pace == PaceRecord()
    assert record.room is None
    assert record.strikes == ()


def test_sent_messages_are_read_back_per_room_with_the_next_version(subject):
    plan_ = PacePlan((Sent(NOW_MS, "d1", "fu"), Sent(NOW_MS + 5, "d2")), 0, NOW_MS // 1000 + 60)

    subject.store.record_sent("alice", "lobby", plan_, deadline=deadline())

    here = subject.store.load_sender(
        "alice", deadline=deadline(), after_conflict=True, pace_room="lobby"
    )
    elsewhere = subject.store.load_sender("alice", deadline=deadline(), pace_room="other")
    assert here.pace == PaceRecord(plan_.sent, 1)
    assert elsewhere.pace == PaceRecord()
    assert subject.store.load_sender("alice", deadline=deadline()).strikes == ()


def test_a_sent_plan_from_a_stale_version_is_refused(subject):
    first = PacePlan((Sent(NOW_MS, "d1"),), 0, NOW_MS // 1000 + 60)
    subject.store.record_sent("alice", "lobby", first, deadline=deadline())

    with pytest.raises(StaleRecordError):
        subject.store.record_sent("alice", "lobby", first, deadline=deadline())


def test_a_moderators_slow_mode_is_read_with_the_sender_and_audited(subject):
    event = AuditEvent("slow_mode", "mod1", client_id="alice", room="lobby", at_ms=NOW_MS)

    subject.store.set_slow_mode("lobby", 30, event, deadline=deadline())

    record = subject.store.load_sender("alice", deadline=deadline(), pace_room="lobby")
    assert record.room == RoomSettings(30, "mod1", NOW_MS)
    assert subject.store.room_settings("lobby", deadline=deadline()) == record.room
    assert subject.store.room_settings("other", deadline=deadline()) is None
    assert subject.actions() == ["slow_mode"]


def test_published_messages_are_counted_from_what_was_read(subject):
    assert (
        subject.store.load_sender("alice", deadline=deadline(), count_published=True).published == 0
    )

    subject.store.record_published("alice", 0, deadline=deadline())
    subject.store.record_published("alice", 1, deadline=deadline())
    with pytest.raises(StaleRecordError):
        subject.store.record_published("alice", 1, deadline=deadline())  # counted meanwhile

    record = subject.store.load_sender(
        "alice", deadline=deadline(), after_conflict=True, count_published=True
    )
    assert record.published == 2
    assert subject.store.load_sender("alice", deadline=deadline()).published is None
