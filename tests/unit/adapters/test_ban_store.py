"""BanStore against moto: expiry, TTL lag, the ladder, redelivery, concurrency, audit events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from chatmod import constants
from chatmod.adapters.ably_gateway import RevocationFailure, RevocationResult
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.bans import Ban
from chatmod.errors import BadRequestError, ServiceUnavailableError
from chatmod.policy import BanPolicy
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
        store.record_strike("alice", message_ref=ref, policy=POLICY, now=NOW)

    assert store.unban("alice", clear_strikes=True) is True
    outcome = store.record_strike("alice", message_ref="m3", policy=POLICY, now=NOW + 1)

    assert outcome.count == 1
    assert outcome.step.label == "warn"


def test_given_strikes_when_unbanned_without_clearing_then_the_next_strike_keeps_climbing(store):
    for ref in ("m1", "m2"):
        store.record_strike("alice", message_ref=ref, policy=POLICY, now=NOW)
    store.unban("alice")

    assert store.record_strike("alice", message_ref="m3", policy=POLICY, now=NOW).count == 3


def test_given_active_and_expired_bans_when_listed_then_only_active_newest_first(store, tables):
    store.ban("old", reason="r", source="mod1", duration_seconds=60, now=NOW - 3600)
    store.ban("perm", reason="r", source="mod1", duration_seconds=None, now=NOW - 10)
    store.ban("timed", reason="r", source="auto", duration_seconds=60, now=NOW - 5)
    store.ban("ending", reason="r", source="auto", duration_seconds=5, now=NOW - 5)

    bans = store.list_bans(now=NOW)

    assert [ban.client_id for ban in bans] == ["timed", "perm"]
    assert [ban.client_id for ban in store.list_bans(now=NOW, limit=1)] == ["timed"]


# -- strikes --------------------------------------------------------------------------


def test_given_the_default_ladder_when_strikes_accumulate_then_each_applies_its_rung(store):
    outcomes = [
        store.record_strike("alice", message_ref=f"m{n}", policy=POLICY, now=NOW + n)
        for n in range(1, 7)
    ]

    assert [o.count for o in outcomes] == [1, 2, 3, 4, 5, 6]
    assert [o.step.label for o in outcomes] == [
        "warn",
        "120s",
        "1h",
        "24h",
        "permanent",
        "permanent",
    ]
    assert outcomes[0].ban is None
    assert not outcomes[0].ban_applied
    assert outcomes[1].ban == Ban(
        "alice", "strike 2 (120s): message rejected", "auto", NOW + 2, NOW + 2 + 120
    )
    assert outcomes[2].ban.expires_at == NOW + 3 + 3600
    assert outcomes[4].ban.permanent
    assert outcomes[4].ban_applied
    assert outcomes[5].ban.permanent
    assert not outcomes[5].ban_applied
    assert [o.revoke_tokens for o in outcomes] == [False, True, True, True, True, False]
    assert store.get_ban("alice", now=NOW + 10**9).permanent


def test_given_revocation_off_when_a_strike_bans_then_no_revocation_is_asked_for(store):
    policy = BanPolicy(ladder=("1h",), revoke_tokens_on_ban=False)

    outcome = store.record_strike("alice", message_ref="m1", policy=policy, now=NOW)

    assert outcome.ban_applied
    assert not outcome.revoke_tokens


def test_given_strikes_older_than_the_window_when_a_new_one_comes_then_they_do_not_count(
    store, tables
):
    policy = BanPolicy(window_seconds=3600)
    store.record_strike("alice", message_ref="old1", policy=policy, now=NOW - 3600)
    store.record_strike("alice", message_ref="old2", policy=policy, now=NOW - 1800)

    outcome = store.record_strike("alice", message_ref="new", policy=policy, now=NOW)

    assert outcome.count == 2  # old1 is exactly one window old: out
    assert outcome.step.label == "120s"
    item = tables.strikes.get_item(Key={"clientId": "alice"})["Item"]
    assert set(item["strikes"]) == {"old2", "new"}  # pruned
    assert item["expiresAt"] == NOW + 3600


def test_given_a_strike_item_ttl_has_not_deleted_when_a_strike_comes_then_count_restarts(
    store, tables
):
    tables.strikes.put_item(
        Item={
            "clientId": "alice",
            "strikes": {"a": (NOW - 90_000) * 1000, "b": (NOW - 89_000) * 1000},
            "expiresAt": NOW - 2600,
        }
    )

    outcome = store.record_strike("alice", message_ref="c", policy=POLICY, now=NOW)

    assert outcome.count == 1
    assert outcome.ban is None


def test_given_a_redelivered_message_when_struck_again_then_it_counts_once(store, audit):
    first = store.record_strike("alice", message_ref="msg-1", policy=POLICY, now=NOW)
    second = store.record_strike("alice", message_ref="msg-1", policy=POLICY, now=NOW + 5)
    third = store.record_strike("alice", message_ref="msg-2", policy=POLICY, now=NOW + 6)

    assert (first.count, first.duplicate) == (1, False)
    assert (second.count, second.duplicate, second.ban_applied) == (1, True, False)
    assert third.count == 2
    assert actions(audit) == ["ban", "strike", "strike"]


def test_given_a_redelivery_of_a_banning_strike_when_struck_again_then_same_ban_no_new_event(
    store, audit
):
    store.record_strike("alice", message_ref="m1", policy=POLICY, now=NOW)
    first = store.record_strike("alice", message_ref="m2", policy=POLICY, now=NOW + 1)

    again = store.record_strike("alice", message_ref="m2", policy=POLICY, now=NOW + 30)

    assert again.duplicate
    assert again.count == 2
    assert not again.ban_applied
    assert again.ban == first.ban
    assert actions(audit) == ["ban", "strike", "strike"]


def test_given_the_ban_write_was_lost_when_the_message_is_redelivered_then_the_ban_is_applied(
    store, tables
):
    store.record_strike("alice", message_ref="m1", policy=POLICY, now=NOW)
    store.record_strike("alice", message_ref="m2", policy=POLICY, now=NOW + 1)
    tables.bans.delete_item(Key={"clientId": "alice"})  # as if the Lambda died after the strike

    again = store.record_strike("alice", message_ref="m2", policy=POLICY, now=NOW + 30)

    assert again.duplicate
    assert again.ban_applied
    assert store.get_ban("alice", now=NOW + 30).expires_at == NOW + 1 + 120


def test_given_two_different_strikes_at_the_same_moment_when_recorded_from_threads_then_both_count(
    store,
):
    for attempt in range(5):
        client_id = f"racer{attempt}"
        barrier = threading.Barrier(2)
        outcomes = []

        def strike(ref: str, client_id: str = client_id, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            outcomes.append(store.record_strike(client_id, message_ref=ref, policy=POLICY, now=NOW))

        threads = [threading.Thread(target=strike, args=(ref,)) for ref in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(o.count for o in outcomes) == [1, 2]
        assert store.record_strike(client_id, message_ref="c", policy=POLICY, now=NOW).count == 3


def test_given_the_same_message_struck_from_two_threads_at_once_then_it_counts_once(store):
    for attempt in range(5):
        client_id = f"dup{attempt}"
        barrier = threading.Barrier(2)
        outcomes = []

        def strike(client_id: str = client_id, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            outcomes.append(
                store.record_strike(client_id, message_ref="same", policy=POLICY, now=NOW)
            )

        threads = [threading.Thread(target=strike) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert [o.count for o in outcomes] == [1, 1]
        assert sorted(o.duplicate for o in outcomes) == [False, True]


class _CreateRace:
    """A strikes table where another writer creates the item between our two calls."""

    def __init__(self, table: Any, rival: BanStore) -> None:
        self._table = table
        self._rival = rival
        self.raced = False

    def update_item(self, **kwargs: Any) -> Any:
        return self._table.update_item(**kwargs)

    def put_item(self, **kwargs: Any) -> Any:
        if not self.raced:
            self.raced = True
            # The rival's first strike lands after our nested write failed, before our create.
            self._rival.record_strike("alice", message_ref="rival", policy=POLICY, now=NOW)
        return self._table.put_item(**kwargs)

    def get_item(self, **kwargs: Any) -> Any:
        return self._table.get_item(**kwargs)

    def delete_item(self, **kwargs: Any) -> Any:
        return self._table.delete_item(**kwargs)


def test_given_a_concurrent_first_strike_when_both_create_the_item_then_neither_is_lost(
    tables, audit
):
    rival = BanStore(tables.bans, tables.strikes, audit=audit, clock=lambda: NOW)
    racing = _CreateRace(tables.strikes, rival)
    store = BanStore(tables.bans, racing, audit=audit, clock=lambda: NOW)

    outcome = store.record_strike("alice", message_ref="mine", policy=POLICY, now=NOW)

    assert racing.raced
    assert outcome.count == 2
    assert not outcome.duplicate
    item = tables.strikes.get_item(Key={"clientId": "alice"})["Item"]
    assert set(item["strikes"]) == {"rival", "mine"}


@pytest.mark.parametrize("ref", ["", "x" * 1025])
def test_given_a_bad_message_ref_when_struck_then_bad_request(store, ref):
    with pytest.raises(BadRequestError):
        store.record_strike("alice", message_ref=ref, policy=POLICY)


def test_given_no_strikes_table_when_struck_then_a_clear_error(tables):
    with pytest.raises(RuntimeError, match="strikes table"):
        BanStore(tables.bans).record_strike("alice", message_ref="m", policy=POLICY)


# -- audit and errors -------------------------------------------------------------------


def test_given_ban_unban_strike_when_done_then_one_audit_event_each_with_who_what_why(store, audit):
    store.record_strike(
        "alice", message_ref="serial-1", policy=POLICY, now=NOW, reason="profanity", room="lobby"
    )
    store.ban("alice", reason="abuse", source="mod1", duration_seconds=None, now=NOW)
    store.unban("alice", actor="mod2", reason="appeal", clear_strikes=True, now=NOW)

    events = {event.action: event for event in audit.query("alice")}

    assert sorted(events) == ["ban", "strike", "unban"]
    strike = events["strike"]
    assert (strike.actor, strike.reason, strike.room, strike.serial) == (
        "auto",
        "profanity",
        "lobby",
        "serial-1",
    )
    assert strike.details == {"messageRef": "serial-1", "count": 1, "step": "warn"}
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


class _Gateway:
    def __init__(self, result: RevocationResult) -> None:
        self.result = result
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def revoke_tokens(self, client_ids: Any, **kwargs: Any) -> RevocationResult:
        self.calls.append((list(client_ids), kwargs))
        return self.result


def test_given_a_revocation_when_done_then_audited_with_its_outcome(store, audit):
    ok = _Gateway(RevocationResult(revoked=("alice",), failed=()))
    failed = _Gateway(
        RevocationResult(revoked=(), failed=(RevocationFailure("alice", "no", 40160, 401),))
    )

    store.revoke_tokens("alice", ok, actor="auto", reason="banned", deadline=5.0)
    result = store.revoke_tokens("alice", failed, actor="mod1")

    assert ok.calls == [(["alice"], {"deadline": 5.0})]
    assert not result.ok
    events = sorted(audit.query("alice"), key=lambda e: e.actor)
    assert [(e.action, e.actor, e.details["revoked"]) for e in events] == [
        ("revoke", "auto", True),
        ("revoke", "mod1", False),
    ]
    assert events[1].details["ablyCode"] == 40160


def test_given_the_audit_table_fails_when_banning_then_the_ban_still_holds(tables, store):
    broken = AuditLog(_Failing(), clock=lambda: NOW)
    store = BanStore(tables.bans, tables.strikes, audit=broken, clock=lambda: NOW)

    ban = store.ban("alice", reason="r", source="mod1", duration_seconds=60, now=NOW)

    assert store.get_ban("alice", now=NOW) == ban


class _Failing:
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
        lambda s: s.record_strike("alice", message_ref="m", policy=POLICY),
    ],
    ids=["get", "ban", "unban", "list", "strike"],
)
def test_given_dynamodb_errors_when_called_then_service_unavailable(call):
    store = BanStore(_Failing(), _Failing(), clock=lambda: NOW)

    with pytest.raises(ServiceUnavailableError) as raised:
        call(store)

    assert raised.value.code == "storage_unavailable"
