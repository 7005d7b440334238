"""BanStore against moto: expiry, TTL lag, the ladder, redelivery, concurrency, audit events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.core import constants
from chatmod.core.deadline import Deadline
from chatmod.core.errors import BadRequestError, ServiceUnavailableError
from chatmod.core.policy import BanPolicy, RuntimePolicy
from chatmod.enforcement.bans import Ban, StaleRecordError, StrikeOutcome, StrikeRef, plan_strike
from chatmod.moderation.engine import Decision, Outcome
from chatmod.moderation.pipeline import ModerationPipeline, PipelineResult, Submission, Verdict
from tests.support.dynamodb import ChatmodTables, create_tables

NOW = 1_795_320_000  # 2026-11-22T04:00:00Z
POLICY = BanPolicy()  # warn, 120s, 1h, 24h, permanent within 24 h


@pytest.fixture
def tables() -> Iterator[ChatmodTables]:
    with mock_aws():
        yield create_tables()


@pytest.fixture
def audit(tables: ChatmodTables) -> AuditLog:
    return AuditLog(tables.audit, clock=lambda: NOW)


@pytest.fixture
def store(tables: ChatmodTables, audit: AuditLog) -> BanStore:
    return BanStore(tables.bans, tables.strikes, audit=audit, clock=lambda: NOW)


def actions(audit: AuditLog, client_id: str = "alice") -> list[str]:
    return sorted(event.action for event in audit.query(client_id, limit=100))


# -- bans -----------------------------------------------------------------------------


def test_given_a_timed_ban_when_read_around_its_end_then_active_until_the_second_it_ends(store):
    store.ban("alice", reason="spam", source="mod1", duration_seconds=120, now=NOW)

    assert store.get_ban("alice", now=NOW + 119) == Ban("alice", "spam", "mod1", NOW, NOW + 120)
    assert store.get_ban("alice", now=NOW + 120) is None


def test_given_a_permanent_ban_when_read_years_later_then_still_banned_and_no_ttl(store, tables):
    store.ban("alice", reason="abuse", source="mod1", duration_seconds=None, now=NOW)

    ban = store.get_ban("alice", now=NOW + 10 * 365 * 86_400)

    assert ban is not None
    assert ban.permanent
    item = tables.bans.get_item(Key={"clientId": "alice"})["Item"]
    assert constants.BANS_TTL_ATTRIBUTE not in item


def test_given_an_expired_item_ttl_has_not_deleted_when_read_then_not_banned(store, tables):
    tables.bans.put_item(
        Item={
            "clientId": "alice",
            "reason": "old",
            "source": "auto",
            "createdAt": NOW - 7200,
            "expiresAt": NOW - 3600,
        }
    )

    assert store.get_ban("alice", now=NOW) is None


def test_given_an_item_with_a_future_expiry_when_read_then_banned(store, tables):
    tables.bans.put_item(
        Item={
            "clientId": "alice",
            "reason": "x",
            "source": "auto",
            "createdAt": NOW,
            "expiresAt": NOW + 1,
        }
    )

    assert store.get_ban("alice", now=NOW) == Ban("alice", "x", "auto", NOW, NOW + 1)


@pytest.mark.parametrize(
    ("written", "expires_at"),
    [
        (str(NOW + 60), NOW + 60),  # a numeric String
        ("2027-01-31T18:00:00Z", 1801418400),
        ("2027-01-31T19:00:00+01:00", 1801418400),
        (f"{NOW + 60}", NOW + 60),
    ],
    ids=["numeric-string", "iso-z", "iso-offset", "string-of-now"],
)
def test_given_an_expiry_written_by_hand_in_a_documented_form_then_it_is_honoured(
    store, tables, written, expires_at
):
    # Defect: an ISO date in expiresAt made every request of that user a 500 (int()).
    tables.bans.put_item(
        Item={
            "clientId": "alice",
            "reason": "x",
            "source": "op",
            "createdAt": NOW,
            "expiresAt": written,
        }
    )

    assert store.get_ban("alice", now=expires_at - 1) == Ban("alice", "x", "op", NOW, expires_at)
    assert store.get_ban("alice", now=expires_at) is None


@pytest.mark.parametrize("written", ["next tuesday", "2027-01-31T18:00:00", "1.5", True])
def test_given_an_unreadable_expiry_then_banned_for_good_logged_and_counted(
    store, tables, caplog, written
):
    tables.bans.put_item(
        Item={
            "clientId": "alice",
            "reason": "x",
            "source": "op",
            "createdAt": NOW,
            "expiresAt": written,
        }
    )

    ban = store.get_ban("alice", now=NOW + 10 * 365 * 86_400)

    assert ban is not None
    assert ban.permanent  # fail closed: whoever wrote it meant to ban
    (record,) = [r for r in caplog.records if "unreadable ban item" in r.getMessage()]
    assert record.levelname == "ERROR"
    assert "expiresAt" in record.problem
    assert record.clientId == "alice"


def test_given_nobody_banned_when_read_then_none(store):
    assert store.get_ban("nobody") is None


def test_given_a_longer_ban_when_a_shorter_auto_ban_comes_then_the_longer_one_stays(store):
    store.ban("alice", reason="long", source="auto", duration_seconds=3600, now=NOW)

    kept = store.ban("alice", reason="short", source="auto", duration_seconds=60, now=NOW + 10)

    assert kept.reason == "long"
    assert store.get_ban("alice", now=NOW + 100).expires_at == NOW + 3600


def test_given_a_permanent_ban_when_a_timed_ban_comes_then_permanent_stays(store):
    store.ban("alice", reason="forever", source="mod1", duration_seconds=None, now=NOW)

    kept = store.ban("alice", reason="t", source="mod2", duration_seconds=86_400, now=NOW)
    auto = store.ban("alice", reason="t", source="auto", duration_seconds=None, now=NOW)

    assert kept.permanent
    assert kept.reason == "forever"
    assert auto.reason == "forever"


def test_given_a_shorter_ban_when_a_longer_one_comes_then_it_is_extended(store):
    store.ban("alice", reason="short", source="mod1", duration_seconds=60, now=NOW)

    ban = store.ban("alice", reason="longer", source="auto", duration_seconds=600, now=NOW)

    assert ban.expires_at == NOW + 600
    assert store.get_ban("alice", now=NOW + 300).reason == "longer"


def test_given_an_expired_longer_looking_ban_when_banned_again_then_the_new_ban_applies(store):
    store.ban("alice", reason="old", source="mod1", duration_seconds=60, now=NOW - 3600)

    ban = store.ban("alice", reason="new", source="auto", duration_seconds=30, now=NOW)

    assert ban == Ban("alice", "new", "auto", NOW, NOW + 30)


def test_given_an_auto_permanent_ban_when_a_moderator_bans_for_a_day_then_the_moderator_wins(
    store,
):
    store.ban("alice", reason="ladder", source="auto", duration_seconds=None, now=NOW)

    ban = store.ban("alice", reason="reviewed", source="mod1", duration_seconds=86_400, now=NOW)

    assert ban == Ban("alice", "reviewed", "mod1", NOW, NOW + 86_400)
    assert store.get_ban("alice", now=NOW + 1) == ban


def test_given_a_moderator_ban_when_another_moderator_bans_shorter_then_the_first_stays(store):
    store.ban("alice", reason="first", source="mod1", duration_seconds=3600, now=NOW)

    kept = store.ban("alice", reason="second", source="mod2", duration_seconds=60, now=NOW)

    assert kept.source == "mod1"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"reason": "", "source": "mod1", "duration_seconds": 60},
        {"reason": "r", "source": "", "duration_seconds": 60},
        {"reason": "r", "source": "mod1", "duration_seconds": 0},
        {"reason": "r", "source": "mod1", "duration_seconds": -5},
        {"reason": "r", "source": "mod1", "duration_seconds": True},
    ],
)
def test_given_invalid_ban_arguments_when_banning_then_bad_request(store, kwargs):
    with pytest.raises(BadRequestError):
        store.ban("alice", **kwargs)


def test_given_a_ban_when_lifted_then_not_banned_and_true_then_false(store):
    store.ban("alice", reason="spam", source="mod1", duration_seconds=None, now=NOW)

    assert store.unban("alice", actor="mod2", reason="appeal") is True
    assert store.get_ban("alice") is None
    assert store.unban("alice") is False


def test_given_only_an_expired_ban_item_when_unbanned_then_false(store):
    store.ban("alice", reason="spam", source="mod1", duration_seconds=60, now=NOW - 120)

    assert store.unban("alice") is False


def test_given_strikes_when_unbanned_with_clear_strikes_then_the_ladder_starts_over(store):
    for ref in ("m1", "m2"):
        strike(store, ref)

    assert store.unban("alice", clear_strikes=True) is True
    outcome = strike(store, "m3", now=NOW + 1)

    assert outcome.count == 1
    assert outcome.step.label == "warn"


def test_given_strikes_when_unbanned_without_clearing_then_the_next_strike_keeps_climbing(store):
    for ref in ("m1", "m2"):
        strike(store, ref)
    store.unban("alice")

    assert strike(store, "m3").count == 3


def test_given_active_and_expired_bans_when_listed_then_only_active_newest_first(store, tables):
    store.ban("old", reason="r", source="mod1", duration_seconds=60, now=NOW - 3600)
    store.ban("perm", reason="r", source="mod1", duration_seconds=None, now=NOW - 10)
    store.ban("timed", reason="r", source="auto", duration_seconds=60, now=NOW - 5)
    store.ban("ending", reason="r", source="auto", duration_seconds=5, now=NOW - 5)

    bans = store.list_bans(now=NOW)

    assert [ban.client_id for ban in bans] == ["timed", "perm"]
    assert [ban.client_id for ban in store.list_bans(now=NOW, limit=1)] == ["timed"]


# -- strikes --------------------------------------------------------------------------


class _AlwaysRejects:
    """An engine stand-in: every message is rejected (the strike path is under test)."""

    def moderate(self, text: str, **_: Any) -> Decision:
        return Decision(Outcome.REJECT, reason=text, categories=("test",), provider="test")


def run(
    store: BanStore,
    ref: str,
    *,
    client_id: str = "alice",
    now: float = NOW,
    policy: BanPolicy = POLICY,
    reason: str = "message rejected",
    room: str | None = None,
    serial: str | None = None,
) -> PipelineResult:
    """One message through the real pipeline (every message is rejected), the store on moto."""
    pipeline = ModerationPipeline(
        RuntimePolicy(bans=policy),
        _AlwaysRejects(),
        store,
        clock=lambda: now,  # type: ignore[arg-type]
    )
    return pipeline.run(
        Submission(text=reason, client_id=client_id, room=room, serial=serial, ref=StrikeRef(ref)),
        Deadline(10),
    )


def strike(store: BanStore, ref: str, **kwargs: Any) -> StrikeOutcome:
    """One rejected message from a sender who is not banned: its strike."""
    result = run(store, ref, **kwargs)
    assert result.verdict is Verdict.REJECT
    assert result.strike is not None, "the strike was not recorded"
    return result.strike


def test_given_the_default_ladder_when_strikes_accumulate_then_each_applies_its_rung(store):
    # Each strike comes after the previous ban ended (a banned sender is not struck again).
    policy = BanPolicy(window_seconds=30 * 86_400)
    times = [NOW + 1, NOW + 2, NOW + 200, NOW + 4000, NOW + 91_000]
    outcomes = [strike(store, f"m{n}", now=at, policy=policy) for n, at in enumerate(times, 1)]
    last = run(store, "m6", now=NOW + 91_001, policy=policy)

    assert [o.count for o in outcomes] == [1, 2, 3, 4, 5]
    assert [o.step.label for o in outcomes] == ["warn", "120s", "1h", "24h", "permanent"]
    assert outcomes[0].ban is None
    assert not outcomes[0].ban_applied
    assert outcomes[1].ban == Ban(
        "alice", "strike 2 (120s): message rejected", "auto", NOW + 2, NOW + 2 + 120
    )
    assert outcomes[1].ban_applied
    assert outcomes[2].ban.expires_at == NOW + 200 + 3600
    assert outcomes[4].ban.permanent
    assert outcomes[4].ban_applied
    assert store.get_ban("alice", now=NOW + 10**9).permanent
    assert last.verdict is Verdict.BANNED
    assert last.strike is None


def test_given_strikes_older_than_the_window_when_a_new_one_comes_then_they_do_not_count(
    store, tables
):
    policy = BanPolicy(window_seconds=3600)
    strike(store, "old1", now=NOW - 3600, policy=policy)
    strike(store, "old2", now=NOW - 1800, policy=policy)

    outcome = strike(store, "new", now=NOW, policy=policy)

    assert outcome.count == 2  # old1 is exactly one window old: out
    assert outcome.step.label == "120s"
    item = tables.strikes.get_item(Key={"clientId": "alice"})["Item"]
    assert [entry["ref"] for entry in item["strikes"]] == ["old2", "new"]  # pruned
    assert item["expiresAt"] == NOW + 3600
    assert item["version"] == 3


def test_given_a_strike_item_ttl_has_not_deleted_when_a_strike_comes_then_count_restarts(
    store, tables
):
    tables.strikes.put_item(
        Item={
            "clientId": "alice",
            "strikes": [
                {"ref": "a", "at": (NOW - 90_000) * 1000},
                {"ref": "b", "at": (NOW - 89_000) * 1000},
            ],
            "version": 2,
            "expiresAt": NOW - 2600,
        }
    )

    outcome = strike(store, "c")

    assert outcome.count == 1
    assert outcome.ban is None


def test_given_a_redelivered_message_when_struck_again_then_it_counts_once(store, audit):
    first = strike(store, "msg-1")
    second = strike(store, "msg-1", now=NOW + 5)
    third = strike(store, "msg-2", now=NOW + 6)

    assert (first.count, first.duplicate) == (1, False)
    assert (second.count, second.duplicate, second.ban_applied) == (1, True, False)
    assert third.count == 2
    assert actions(audit) == ["ban", "reject", "reject", "strike", "strike"]


def test_given_a_redelivery_of_a_banning_strike_when_struck_again_then_same_ban_no_new_event(
    store, audit
):
    strike(store, "m1")
    first = strike(store, "m2", now=NOW + 1)

    during = run(store, "m2", now=NOW + 30)  # the sender is banned now: no strike at all
    after = strike(store, "m2", now=NOW + 200)  # after the ban: still the same message

    assert (during.verdict, during.ban) == (Verdict.BANNED, first.ban)
    assert after.duplicate
    assert after.count == 2
    assert not after.ban_applied
    assert actions(audit) == ["ban", "reject", "reject", "strike", "strike"]


class _Interleaved:
    """The store, with a rival container's strike landing between our read and our write.

    Real DynamoDB serialises the two writes; moto is not thread-safe, so the race is
    staged here deterministically instead of with threads.
    """

    def __init__(self, store: BanStore, rival_ref: str) -> None:
        self._store = store
        self._rival_ref = rival_ref
        self.raced = False

    def load_sender(
        self, client_id: str, *, deadline: Deadline, after_conflict: bool = False
    ) -> Any:
        return self._store.load_sender(client_id, deadline=deadline, after_conflict=after_conflict)

    def commit_strike(self, plan: Any, events: Any, *, seen_ban: Any, deadline: Deadline) -> None:
        if not self.raced:
            self.raced = True
            strike(self._store, self._rival_ref, client_id=plan.outcome.client_id)
        self._store.commit_strike(plan, events, seen_ban=seen_ban, deadline=deadline)

    def record_event(self, event: Any, *, deadline: Deadline) -> None:
        self._store.record_event(event, deadline=deadline)


def test_given_a_rival_strike_between_read_and_write_when_striking_then_both_count(store, tables):
    racing = _Interleaved(store, rival_ref="rival")

    outcome = strike(racing, "mine")  # type: ignore[arg-type]

    assert racing.raced
    assert (outcome.count, outcome.duplicate) == (2, False)
    item = tables.strikes.get_item(Key={"clientId": "alice"})["Item"]
    assert [entry["ref"] for entry in item["strikes"]] == ["rival", "mine"]


def test_given_the_same_message_struck_by_a_rival_between_read_and_write_then_it_counts_once(
    store, tables, audit
):
    racing = _Interleaved(store, rival_ref="same")

    outcome = strike(racing, "same")  # type: ignore[arg-type]

    assert (outcome.count, outcome.duplicate) == (1, True)
    item = tables.strikes.get_item(Key={"clientId": "alice"})["Item"]
    assert [entry["ref"] for entry in item["strikes"]] == ["same"]
    assert actions(audit) == ["reject", "strike"]


def test_given_a_strike_written_since_the_read_when_committing_then_stale_and_nothing_written(
    store, tables
):
    deadline = Deadline(10)
    seen = store.load_sender("alice", deadline=deadline)
    strike(store, "rival")  # another container strikes alice in between
    plan = plan_strike(seen, StrikeRef("mine"), policy=POLICY, now_ms=NOW * 1000, reason="r")

    with pytest.raises(StaleRecordError):
        store.commit_strike(plan, [], seen_ban=seen.ban, deadline=deadline)

    item = tables.strikes.get_item(Key={"clientId": "alice"})["Item"]
    assert [entry["ref"] for entry in item["strikes"]] == ["rival"]


def test_given_a_ban_written_since_the_read_when_a_strike_bans_then_stale_and_the_ban_is_kept(
    store,
):
    strike(store, "m1")
    deadline = Deadline(10)
    seen = store.load_sender("alice", deadline=deadline)
    store.ban("alice", reason="abuse", source="mod1", duration_seconds=None, now=NOW)
    plan = plan_strike(seen, StrikeRef("m2"), policy=POLICY, now_ms=NOW * 1000, reason="r")
    assert plan.new_ban is not None

    with pytest.raises(StaleRecordError):
        store.commit_strike(plan, [], seen_ban=seen.ban, deadline=deadline)

    assert store.get_ban("alice", now=NOW).source == "mod1"


def test_given_a_rejected_message_with_a_sender_then_two_dynamodb_round_trips(store, tables):
    calls: list[str] = []
    client = tables.bans.meta.client
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )

    strike(store, "m1")
    strike(store, "m2", now=NOW + 1)  # this one bans as well

    assert calls == ["BatchGetItem", "TransactWriteItems"] * 2


def test_given_a_hanging_dynamodb_when_reading_a_sender_then_it_gives_up_at_the_deadline(
    tables, hang
):
    hanging = SimpleNamespace(name="hanging", meta=SimpleNamespace(client=SimpleNamespace()))
    hanging.meta.client.batch_get_item = hang
    store = BanStore(hanging, tables.strikes, clock=lambda: NOW)
    started = time.monotonic()

    with pytest.raises(ServiceUnavailableError):
        store.load_sender("alice", deadline=Deadline(0.2))

    assert time.monotonic() - started < 2  # the deadline, not the hung call


@pytest.mark.parametrize("after_conflict", [False, True])
def test_the_ban_is_read_consistently_the_strikes_only_after_a_conflict(tables, after_conflict):
    # A ban written a moment ago must stop the next message; a stale strikes item only
    # fails the strike transaction's version check, and the re-read is consistent.
    store = BanStore(tables.bans, tables.strikes, clock=lambda: NOW)
    requests: list[dict[str, Any]] = []
    client = tables.bans.meta.client
    client.meta.events.register(
        "provide-client-params.dynamodb.BatchGetItem",
        lambda params, **_: requests.append(params["RequestItems"]),
    )

    store.load_sender("alice", deadline=Deadline(1))
    store.load_sender("alice", deadline=Deadline(1), after_conflict=after_conflict)

    assert requests[0][tables.bans.name]["ConsistentRead"] is True
    assert requests[0][tables.strikes.name]["ConsistentRead"] is False
    assert requests[1][tables.strikes.name]["ConsistentRead"] is after_conflict


def test_given_no_strikes_table_when_struck_then_a_clear_error(tables):
    with pytest.raises(RuntimeError, match="strikes table"):
        BanStore(tables.bans).load_sender("alice", deadline=Deadline(1))


# -- audit and errors -------------------------------------------------------------------


def test_given_ban_unban_strike_when_done_then_one_audit_event_each_with_who_what_why(store, audit):
    strike(store, "serial-1", reason="profanity", room="lobby", serial="serial-1")
    store.ban("alice", reason="abuse", source="mod1", duration_seconds=None, now=NOW)
    store.unban("alice", actor="mod2", reason="appeal", clear_strikes=True, now=NOW)

    events = {event.action: event for event in audit.query("alice")}

    assert sorted(events) == ["ban", "reject", "strike", "unban"]
    struck = events["strike"]
    assert (struck.actor, struck.reason, struck.room, struck.serial, struck.message_ref) == (
        "auto",
        "profanity",
        "lobby",
        "serial-1",
        "serial-1",
    )
    assert struck.details == {"count": 1, "step": "warn"}
    assert events["reject"].details == {
        "categories": ["test"],
        "provider": "test",
        "source": "unknown",
        "text": "profanity",  # the rejected text (moderation.auditText: "text", the default)
    }
    ban = events["ban"]
    assert (ban.actor, ban.reason, ban.details["bannedUntil"]) == ("mod1", "abuse", None)
    unban = events["unban"]
    assert (unban.actor, unban.reason) == ("mod2", "appeal")
    assert unban.details["banLifted"]
    assert unban.details["strikesCleared"]


def test_given_a_kept_ban_when_a_shorter_one_is_refused_then_no_ban_event(store, audit):
    store.ban("alice", reason="long", source="mod1", duration_seconds=None, now=NOW)
    store.ban("alice", reason="short", source="auto", duration_seconds=60, now=NOW)

    assert actions(audit) == ["ban"]


def test_given_the_audit_table_fails_when_banning_then_the_ban_still_holds(tables, store):
    broken = AuditLog(_Failing(), clock=lambda: NOW)
    store = BanStore(tables.bans, tables.strikes, audit=broken, clock=lambda: NOW)

    ban = store.ban("alice", reason="r", source="mod1", duration_seconds=60, now=NOW)

    assert store.get_ban("alice", now=NOW) == ban


class _Failing:
    name = "failing"

    @property
    def meta(self) -> Any:
        return SimpleNamespace(client=self)

    def __getattr__(self, name: str) -> Any:
        def fail(**_: Any) -> Any:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}},
                name,
            )

        return fail


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get_ban("alice"),
        lambda s: s.ban("alice", reason="r", source="m", duration_seconds=5),
        lambda s: s.unban("alice"),
        lambda s: s.list_bans(),
        lambda s: s.load_sender("alice", deadline=Deadline(1)),
    ],
    ids=["get", "ban", "unban", "list", "strike"],
)
def test_given_dynamodb_errors_when_called_then_service_unavailable(call):
    store = BanStore(_Failing(), _Failing(), clock=lambda: NOW)

    with pytest.raises(ServiceUnavailableError) as raised:
        call(store)

    assert raised.value.code == "storage_unavailable"
