"""Bans and the strike ladder as pure decisions: expiry to the second, rungs, the window."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatmod.core.policy import BanPolicy
from chatmod.enforcement.bans import (
    AUTO_SOURCE,
    MAX_REMEMBERED_STRIKES,
    Ban,
    MalformedBanError,
    SenderRecord,
    Strike,
    StrikeRef,
    auto_ban_reason,
    epoch_seconds,
    iso_seconds,
    ladder_step,
    plan_strike,
    replaces,
    strikes_in_window,
)

NOW = 1_795_320_000  # 2026-11-22T04:00:00Z


def a_ban(expires_at: int | None, *, source: str = AUTO_SOURCE) -> Ban:
    return Ban("alice", "spam", source, NOW, expires_at)


def test_given_a_timed_ban_when_checked_around_its_end_then_it_ends_exactly_at_expires_at():
    ban = a_ban(NOW + 120)

    assert ban.active(NOW)
    assert ban.active(NOW + 119.999)
    assert not ban.active(NOW + 120)
    assert not ban.active(NOW + 121)


def test_given_a_permanent_ban_when_checked_far_in_the_future_then_it_is_still_active():
    ban = a_ban(None)

    assert ban.permanent
    assert ban.active(NOW + 100 * 365 * 86_400)
    assert ban.banned_until_iso is None


def test_given_a_timed_ban_when_rendered_then_banned_until_is_iso_8601_utc():
    ban = a_ban(NOW + 120)

    assert ban.banned_until_iso == "2026-11-22T04:02:00Z"
    assert ban.to_json() == {
        "clientId": "alice",
        "reason": "spam",
        "source": "auto",
        "createdAt": "2026-11-22T04:00:00Z",
        "expiresAt": NOW + 120,
        "bannedUntil": "2026-11-22T04:02:00Z",
        "permanent": False,
    }


@pytest.mark.parametrize(
    ("mine", "other", "outlasts"),
    [
        (None, NOW + 10, True),
        (None, None, False),
        (NOW + 10, None, False),
        (NOW + 10, NOW + 5, True),
        (NOW + 10, NOW + 10, False),
    ],
)
def test_given_two_ends_when_compared_then_permanent_outlasts_any_finite_end(mine, other, outlasts):
    assert a_ban(mine).outlasts(other) is outlasts


@pytest.mark.parametrize(
    ("count", "label", "duration"),
    [
        (1, "warn", 0),
        (2, "120s", 120),
        (3, "1h", 3600),
        (4, "24h", 86_400),
        (5, "permanent", None),
        (6, "permanent", None),
        (50, "permanent", None),
    ],
)
def test_given_the_default_ladder_when_strikes_accumulate_then_each_reaches_its_rung(
    count, label, duration
):
    step = ladder_step(BanPolicy(), count)

    assert step.label == label
    assert step.duration_seconds == duration
    assert step.bans is (label != "warn")


def test_given_a_ladder_without_permanent_when_strikes_exceed_it_then_the_last_rung_repeats():
    policy = BanPolicy(ladder=("warn", "10m"))

    assert [ladder_step(policy, n).label for n in range(1, 6)] == ["warn"] + ["10m"] * 4


def test_given_no_strike_when_asked_for_a_rung_then_value_error():
    with pytest.raises(ValueError, match=r"^strike_count must be at least 1$"):
        ladder_step(BanPolicy(), 0)


def test_given_strikes_around_the_window_edge_when_counted_then_only_younger_ones_count():
    now_ms = NOW * 1000
    window = 3600
    times = [now_ms, now_ms - 1, now_ms - window * 1000 + 1, now_ms - window * 1000, 0]

    assert strikes_in_window(times, now_ms=now_ms, window_seconds=window) == 3


# --- plan_strike ------------------------------------------------------------------------

POLICY = BanPolicy(ladder=("warn", "120s", "1h", "permanent"), window_seconds=3600)


def record_with(*strikes: tuple[str, int], ban: Ban | None = None) -> SenderRecord:
    return SenderRecord(
        "alice", ban=ban, strikes=tuple(Strike(r, at) for r, at in strikes), version=3
    )


def test_given_no_strikes_when_one_is_planned_then_it_warns_and_bans_nobody():
    plan = plan_strike(
        SenderRecord("alice"), StrikeRef("m1"), policy=POLICY, now_ms=NOW * 1000, reason="spam"
    )

    assert plan.outcome.count == 1
    assert plan.outcome.step.label == "warn"
    assert plan.new_ban is None
    assert plan.strikes == (Strike("m1", NOW * 1000),)
    assert plan.expected_version == 0
    assert plan.strikes_expire_at == NOW + 3600


def test_given_a_strike_in_the_window_when_another_comes_then_the_second_rung_bans():
    now_ms = NOW * 1000
    plan = plan_strike(
        record_with(("m1", now_ms - 1000)),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert plan.outcome.count == 2
    assert plan.new_ban == Ban("alice", "strike 2 (120s): spam", "auto", NOW, NOW + 120)
    assert plan.outcome.ban_applied
    assert plan.expected_version == 3


def test_given_an_old_strike_outside_the_window_when_planning_then_it_is_dropped_and_not_counted():
    now_ms = NOW * 1000
    plan = plan_strike(
        record_with(("old", now_ms - 3600 * 1000)),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert plan.outcome.count == 1
    assert [s.ref for s in plan.strikes] == ["m2"]


@pytest.mark.parametrize("offset_ms", [100, 9_900, 10_100, 29_000])
def test_given_ablys_retry_of_one_message_when_planned_then_it_is_one_strike_wherever_the_clock_is(
    offset_ms,
):
    # Defect: fixed 10-second buckets split a retry at …09.9 s and …10.1 s into two strikes.
    first_ms = NOW * 1000 + 9_900
    ref = StrikeRef("digest", dedupe_seconds=30)
    first = plan_strike(record_with(), ref, policy=POLICY, now_ms=first_ms, reason="spam")
    stored = SenderRecord("alice", strikes=first.strikes, version=4)

    retry = plan_strike(stored, ref, policy=POLICY, now_ms=first_ms + offset_ms, reason="spam")

    assert retry.outcome.duplicate
    assert retry.outcome.count == 1
    assert retry.new_ban is None


def test_given_the_same_words_after_the_retry_window_when_planned_then_it_is_a_new_strike():
    ref = StrikeRef("digest", dedupe_seconds=30)
    stored = record_with(("digest", NOW * 1000))

    again = plan_strike(stored, ref, policy=POLICY, now_ms=NOW * 1000 + 31_000, reason="spam")

    assert not again.outcome.duplicate
    assert again.outcome.count == 2


def test_given_a_redelivered_ably_message_when_planned_then_its_first_rung_is_reported_again():
    now_ms = NOW * 1000
    stored = record_with(("s1", now_ms - 5000), ("s2", now_ms - 4000), ("s3", now_ms - 3000))

    again = plan_strike(stored, StrikeRef("s2"), policy=POLICY, now_ms=now_ms, reason="spam")

    assert again.outcome.duplicate
    assert again.outcome.count == 2
    assert again.outcome.step.label == "120s"


def test_given_a_moderators_longer_ban_when_the_ladder_bans_then_the_ban_is_kept():
    now_ms = NOW * 1000
    moderator_ban = Ban("alice", "abuse", "mod-1", NOW - 10, None)

    plan = plan_strike(
        record_with(("m1", now_ms - 1000), ban=moderator_ban),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert plan.new_ban is None
    assert plan.outcome.ban == moderator_ban


def test_given_thousands_of_strikes_when_planned_then_the_stored_ledger_stays_bounded():
    # Defect: all strikes of a user lived in one growing item; past 400 KB nothing could
    # be written. The ledger keeps the window's newest MAX_REMEMBERED_STRIKES.
    now_ms = NOW * 1000
    record = SenderRecord("alice")
    for index in range(MAX_REMEMBERED_STRIKES * 3):
        plan = plan_strike(
            record, StrikeRef(f"m{index}"), policy=POLICY, now_ms=now_ms + index, reason="spam"
        )
        record = SenderRecord("alice", strikes=plan.strikes, version=record.version + 1)

    # 50: the documented bound (a few KiB per item), written out rather than read from
    # the constant, so that changing the bound is a decision a test has to be told about.
    assert MAX_REMEMBERED_STRIKES == 50
    assert len(record.strikes) == 50
    assert [s.ref for s in record.strikes] == [f"m{i}" for i in range(100, 150)]
    assert plan.outcome.step.label == "permanent"


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (None, Ban("a", "r", "auto", NOW, NOW + 60), True),
        (Ban("a", "r", "auto", NOW, NOW + 60), Ban("a", "r", "auto", NOW, NOW + 30), False),
        (Ban("a", "r", "auto", NOW, NOW + 60), Ban("a", "r", "mod", NOW, NOW + 30), True),
        (Ban("a", "r", "mod", NOW, NOW + 60), Ban("a", "r", "auto", NOW, NOW + 120), True),
        (Ban("a", "r", "mod", NOW, None), Ban("a", "r", "auto", NOW, NOW + 120), False),
    ],
)
def test_given_an_active_ban_when_another_is_wanted_then_only_a_longer_or_human_one_replaces_it(
    current, wanted, expected
):
    assert replaces(current, wanted) is expected


def test_given_a_rung_when_the_auto_ban_reason_is_built_then_it_names_count_rung_and_cause():
    step = ladder_step(BanPolicy(), 3)

    assert auto_ban_reason(step, 3, "profanity") == "strike 3 (1h): profanity"


def test_given_epoch_seconds_when_formatted_then_iso_utc_to_the_second():
    assert iso_seconds(0) == "1970-01-01T00:00:00Z"
    assert iso_seconds(NOW + 0.9) == "2026-11-22T04:00:00Z"


@given(
    ladder=st.lists(
        st.sampled_from(["warn", "30s", "2m", "1h", "7d", "permanent"]), min_size=1, max_size=6
    ),
    count=st.integers(min_value=1, max_value=500),
)
def test_given_any_ladder_when_strikes_grow_then_the_rung_advances_one_step_and_then_stays(
    ladder, count
):
    policy = BanPolicy(ladder=tuple(ladder))

    step = ladder_step(policy, count)
    following = ladder_step(policy, count + 1)

    assert step.index == min(count, len(ladder)) - 1
    assert following.index in (step.index, step.index + 1)
    assert step.label == ladder[step.index]
    if count >= len(ladder):
        assert following == step


# --- boundaries of the windows, and bans in force during a strike ----------------------


@pytest.mark.parametrize(
    ("age_ms", "counts"), [(3600 * 1000 - 1, True), (3600 * 1000, False), (3600 * 1000 + 1, False)]
)
def test_given_a_strike_around_the_window_age_when_planning_then_it_counts_only_while_younger(
    age_ms, counts
):
    now_ms = NOW * 1000
    plan = plan_strike(
        record_with(("m1", now_ms - age_ms)),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert plan.outcome.count == (2 if counts else 1)
    assert [s.ref for s in plan.strikes] == (["m1", "m2"] if counts else ["m2"])
    assert (plan.outcome.client_id, plan.outcome.message_ref) == ("alice", "m2")


@pytest.mark.parametrize(
    ("later_ms", "duplicate"), [(29_999, True), (30_000, False), (30_001, False)]
)
def test_given_a_digest_ref_around_its_dedupe_window_then_a_retry_only_while_inside(
    later_ms, duplicate
):
    ref = StrikeRef("digest", dedupe_seconds=30)
    stored = record_with(("digest", NOW * 1000))

    again = plan_strike(stored, ref, policy=POLICY, now_ms=NOW * 1000 + later_ms, reason="spam")

    assert again.outcome.duplicate is duplicate
    assert again.outcome.count == (1 if duplicate else 2)


def test_given_an_ably_serial_then_it_is_the_same_message_however_late_inside_the_window():
    stored = record_with(("serial-1", NOW * 1000 - 3_000_000))

    again = plan_strike(stored, StrikeRef("serial-1"), policy=POLICY, now_ms=NOW * 1000, reason="x")

    assert again.outcome.duplicate


def test_given_a_timed_ban_in_force_when_a_strike_reaches_a_shorter_rung_then_the_ban_is_kept():
    # The ladder's 120 s rung must not replace a ban that ends later (an hour from now).
    now_ms = NOW * 1000
    hour = Ban("alice", "hour", AUTO_SOURCE, NOW - 10, NOW + 3600)

    plan = plan_strike(
        record_with(("m1", now_ms - 1000), ban=hour),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert plan.new_ban is None
    assert not plan.outcome.ban_applied
    assert plan.outcome.ban == hour


def test_given_a_timed_ban_that_has_just_ended_when_a_strike_bans_then_the_new_ban_applies():
    now_ms = NOW * 1000
    ended = Ban("alice", "hour", AUTO_SOURCE, NOW - 3600, NOW)

    plan = plan_strike(
        record_with(("m1", now_ms - 1000), ban=ended),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert plan.new_ban == Ban("alice", "strike 2 (120s): spam", AUTO_SOURCE, NOW, NOW + 120)
    assert plan.outcome.ban == plan.new_ban


@pytest.mark.parametrize(("ban_ends_in", "reported"), [(1, True), (0, False), (-1, False)])
def test_given_a_duplicate_strike_then_the_ban_in_force_at_that_moment_is_reported(
    ban_ends_in, reported
):
    now_ms = NOW * 1000
    ban = Ban("alice", "x", AUTO_SOURCE, NOW - 100, NOW + ban_ends_in)

    again = plan_strike(
        record_with(("s1", now_ms - 5000), ban=ban),
        StrikeRef("s1"),
        policy=POLICY,
        now_ms=now_ms,
        reason="spam",
    )

    assert again.outcome.duplicate
    assert (again.outcome.client_id, again.outcome.message_ref) == ("alice", "s1")
    assert again.strikes == (Strike("s1", now_ms - 5000),)  # the ledger as read, unchanged
    assert again.outcome.ban == (ban if reported else None)
    assert again.new_ban is None
    assert again.strikes_expire_at == NOW + 3600
    assert again.expected_version == 3


def test_given_a_rung_that_bans_for_good_then_the_ban_has_no_end():
    now_ms = NOW * 1000
    stored = record_with(("a", now_ms - 3), ("b", now_ms - 2), ("c", now_ms - 1))

    plan = plan_strike(stored, StrikeRef("d"), policy=POLICY, now_ms=now_ms, reason="spam")

    assert plan.outcome.step.label == "permanent"
    assert plan.new_ban == Ban("alice", "strike 4 (permanent): spam", AUTO_SOURCE, NOW, None)


def test_given_a_plan_in_milliseconds_then_the_ban_starts_on_the_whole_second():
    plan = plan_strike(
        record_with(("m1", NOW * 1000)),
        StrikeRef("m2"),
        policy=POLICY,
        now_ms=NOW * 1000 + 999,
        reason="spam",
    )

    assert plan.new_ban is not None
    assert (plan.new_ban.created_at, plan.new_ban.expires_at) == (NOW, NOW + 120)
    assert plan.strikes_expire_at == NOW + 3600


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (NOW, NOW),
        (Decimal(NOW), NOW),
        (f" {NOW} ", NOW),
        ("2027-01-31T18:00:00Z", 1801418400),
    ],
)
def test_given_a_documented_expiry_form_then_whole_epoch_seconds(value, expected):
    assert epoch_seconds(value) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (True, "expiresAt must be epoch seconds, not bool"),
        ([NOW], "expiresAt must be epoch seconds, not list"),
        (Decimal("1.5"), "expiresAt must be whole epoch seconds"),
        ("2027-01-31T18:00:00", "names no time zone"),
        ("soon", "expiresAt must be epoch seconds or an ISO-8601 date-time"),
    ],
)
def test_given_an_unreadable_expiry_then_malformed_naming_the_field(value, problem):
    with pytest.raises(MalformedBanError, match=re.escape(problem)):
        epoch_seconds(value)
