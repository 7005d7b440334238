"""Bans and the strike ladder as pure decisions: expiry to the second, rungs, the window."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatmod.bans import (
    AUTO_SOURCE,
    Ban,
    auto_ban_reason,
    expired_strikes,
    iso_seconds,
    ladder_step,
    strike_ordinal,
    strikes_in_window,
)
from chatmod.policy import BanPolicy

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
    with pytest.raises(ValueError, match="at least 1"):
        ladder_step(BanPolicy(), 0)


def test_given_strikes_around_the_window_edge_when_counted_then_only_younger_ones_count():
    now_ms = NOW * 1000
    window = 3600
    times = [now_ms, now_ms - 1, now_ms - window * 1000 + 1, now_ms - window * 1000, 0]

    assert strikes_in_window(times, now_ms=now_ms, window_seconds=window) == 3
    assert expired_strikes(
        dict(zip("abcde", times, strict=True)), now_ms=now_ms, window_seconds=window
    ) == ["d", "e"]


def test_given_recorded_strikes_when_a_redelivered_one_is_placed_then_its_ordinal_is_by_time():
    strikes = {"old": 0, "first": 1_000_000, "second": 1_000_500, "third": 1_002_000}

    assert strike_ordinal(strikes, "first", window_seconds=60) == 1
    assert strike_ordinal(strikes, "second", window_seconds=60) == 2
    assert strike_ordinal(strikes, "third", window_seconds=60) == 3


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


@given(
    times=st.lists(st.integers(min_value=0, max_value=10**7), max_size=30),
    now_ms=st.integers(min_value=0, max_value=10**7),
    window=st.integers(min_value=60, max_value=3600),
)
def test_given_any_strike_times_when_counted_then_counted_and_expired_partition_them(
    times, now_ms, window
):
    strikes = {f"m{i}": at for i, at in enumerate(times)}

    counted = strikes_in_window(times, now_ms=now_ms, window_seconds=window)
    expired = expired_strikes(strikes, now_ms=now_ms, window_seconds=window)

    assert counted + len(expired) == len(times)
