"""The cross-message limits' pure decisions, each number at, below and above its edge.

Times are epoch milliseconds chosen here; the expectations are written out, not read
from the module.
"""

from __future__ import annotations

import msgspec

from chatmod.core.policy_runtime import CrossMessagePolicy
from chatmod.enforcement.pace import (
    PaceRecord,
    RoomSettings,
    Sent,
    digest,
    judge,
    plan_sent,
    slow_mode_seconds,
    split_prefix,
)

NOW = 1_795_320_000_000


def entry(**fields: object) -> CrossMessagePolicy:
    return msgspec.convert(fields, CrossMessagePolicy)


def sent_at(*ago_ms: int, text: str = "hello") -> PaceRecord:
    return PaceRecord(
        tuple(Sent(NOW - ago, digest(text), text) for ago in sorted(ago_ms, reverse=True))
    )


def test_slow_mode_says_how_many_whole_seconds_are_left_rounded_up():
    stop = judge(entry(slowModeSeconds=5), None, sent_at(1001), digest("x"), NOW)

    assert stop is not None
    assert (stop.reason, stop.action, stop.strike) == ("slow_mode", "reject", False)
    assert stop.retry_after_seconds == 4  # 3.999 s left
    assert (
        judge(entry(slowModeSeconds=5), None, sent_at(1), digest("x"), NOW).retry_after_seconds == 5
    )


def test_without_any_slow_mode_the_policys_is_zero_and_a_moderators_wins():
    assert slow_mode_seconds(entry(), None) == 0
    assert slow_mode_seconds(entry(slowModeSeconds=5), None) == 5
    assert slow_mode_seconds(entry(slowModeSeconds=5), RoomSettings(0, "mod1", 0)) == 0
    assert judge(entry(), None, sent_at(1), digest("x"), NOW) is None


def test_a_flood_counts_messages_strictly_inside_the_window():
    limits = entry(floods={"max": 1, "windowSeconds": 10})

    at_edge = judge(limits, None, sent_at(10_000), digest("x"), NOW)
    inside = judge(limits, None, sent_at(9_999), digest("x"), NOW)

    assert at_edge is None  # exactly 10 s old: out of the window
    assert inside is not None
    assert (inside.reason, inside.action, inside.strike) == ("flood", "reject", True)


def test_a_flood_at_max_minus_one_passes():
    limits = entry(floods={"max": 3, "windowSeconds": 10})

    assert judge(limits, None, sent_at(1, 2), digest("x"), NOW) is None
    assert judge(limits, None, sent_at(1, 2, 3), digest("x"), NOW) is not None


def test_repeats_count_the_same_digest_strictly_inside_their_window():
    limits = entry(
        repeats={"max": 1, "windowSeconds": 60, "action": "timeout", "durationSeconds": 30}
    )

    at_edge = judge(limits, None, sent_at(60_000), digest("hello"), NOW)
    inside = judge(limits, None, sent_at(59_999), digest("hello"), NOW)
    other = judge(limits, None, sent_at(1), digest("bye"), NOW)

    assert at_edge is None
    assert other is None
    assert inside is not None
    assert (inside.reason, inside.action, inside.duration_seconds, inside.strike) == (
        "repeated",
        "timeout",
        30,
        True,
    )


def test_the_digest_is_the_words_case_folded_and_only_the_words():
    assert digest("Buy now!") == digest("buy   NOW") == digest("...buy, now")
    assert digest("buy now") != digest("buynow")
    assert len(digest("anything")) == 12


def test_split_words_read_nothing_unless_configured_and_only_inside_their_window():
    record = sent_at(30_000, 1_000, text="f")

    assert split_prefix(entry(), record, NOW) == ""
    assert split_prefix(entry(splitWords={"windowSeconds": 30, "messages": 4}), record, NOW) == "f"
    assert split_prefix(entry(splitWords={"windowSeconds": 31, "messages": 4}), record, NOW) == "ff"
    assert split_prefix(entry(splitWords={"windowSeconds": 31, "messages": 1}), record, NOW) == "f"


def test_a_plan_keeps_what_a_limit_can_read_and_expires_with_the_longest_window():
    only_slow = plan_sent(entry(slowModeSeconds=5), sent_at(1, 2, 3), "hi", NOW)
    floods = plan_sent(entry(floods={"max": 2, "windowSeconds": 300}), sent_at(1, 2, 3), "hi", NOW)
    old = plan_sent(entry(floods={"max": 5, "windowSeconds": 300}), sent_at(300_000, 1), "hi", NOW)

    assert [s.at_ms for s in only_slow.sent] == [NOW]  # one message: the last one
    assert len(floods.sent) == 2
    assert [s.at_ms for s in old.sent] == [NOW - 1, NOW]  # 300 s old: forgotten
    assert only_slow.expires_at == NOW // 1000 + 120  # a moderator may set up to 120 s
    assert floods.expires_at == NOW // 1000 + 300
    assert only_slow.sent[-1].tail == ""  # the text is kept for split words only
    split = plan_sent(entry(splitWords={}), PaceRecord(), "x" * 40 + "tail", NOW)
    assert split.sent[-1].tail == ("x" * 40 + "tail")[-32:]
    assert split.expected_version == 0
