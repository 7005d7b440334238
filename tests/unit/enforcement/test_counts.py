"""Decision counts: what one invocation adds to its blob, what the counter sums, what the API
answers."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from chatmod.enforcement.counts import (
    HourTally,
    add_decision,
    hours_between,
    overview,
    tally_log_events,
)

# 2026-12-05T10:30:00Z
HALF_PAST_TEN_MS = int(datetime(2026, 12, 5, 10, 30, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    ("verdict", "outcome", "offender"),
    [
        ("accept", "accepted", False),
        ("mask", "masked", True),
        ("hold", "held", True),
        ("reject", "rejected", True),
        ("banned", "rejected", True),
        ("warned", "rejected", True),
        ("failed", "failed", False),
    ],
)
def test_each_verdict_counts_as_its_outcome_and_names_its_sender_only_when_it_offended(
    verdict, outcome, offender
):
    counts: dict = {}

    add_decision(counts, room="lobby", verdict=verdict, categories=["insult"], client_id="eve")

    assert counts["lobby"]["o"] == {outcome: 1}
    assert counts["lobby"]["c"] == {"insult": 1}
    assert ("u" in counts["lobby"]) is offender


def test_decisions_add_up_per_room_and_a_message_without_a_room_goes_under_the_empty_name():
    counts: dict = {}
    for room, verdict in (
        ("lobby", "accept"),
        ("lobby", "reject"),
        ("lobby", "reject"),
        (None, "accept"),
    ):
        add_decision(counts, room=room, verdict=verdict, categories=[], client_id="eve")

    assert counts == {
        "lobby": {"o": {"accepted": 1, "rejected": 2}, "u": {"eve": 2}},
        "": {"o": {"accepted": 1}},
    }


def test_a_delivery_sums_per_room_and_hour_and_the_stage_adds_every_room():
    first = {"roomCounts": {"lobby": {"o": {"accepted": 2}}, "": {"o": {"failed": 1}}}}
    second = {"roomCounts": {"lobby": {"o": {"rejected": 1}, "u": {"eve": 1}, "c": {"spam": 1}}}}
    next_hour_ms = HALF_PAST_TEN_MS + 3600 * 1000

    delivery = tally_log_events(
        [
            (HALF_PAST_TEN_MS, json.dumps(first)),
            (HALF_PAST_TEN_MS, json.dumps(second)),
            (next_hour_ms, json.dumps(second)),
        ]
    )

    assert delivery.events == 3
    assert delivery.unreadable == 0
    assert set(delivery.tallies) == {
        ("stage", "2026-12-05T10"),
        ("room#lobby", "2026-12-05T10"),
        ("stage", "2026-12-05T11"),
        ("room#lobby", "2026-12-05T11"),
    }
    lobby = delivery.tallies[("room#lobby", "2026-12-05T10")]
    assert lobby.outcomes == Counter(accepted=2, rejected=1)
    assert lobby.offenders == Counter(eve=1)
    assert lobby.categories == Counter(spam=1)
    # (the room-less failure counts for the stage only)
    assert delivery.tallies[("stage", "2026-12-05T10")].outcomes == Counter(
        accepted=2, rejected=1, failed=1
    )


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[1, 2]",
        json.dumps({"somethingElse": 1}),
        json.dumps({"roomCounts": "lobby"}),
        json.dumps({"roomCounts": {"lobby": "many"}}),
        json.dumps({"roomCounts": {"lobby": {"o": {"exploded": 1}}}}),  # not an outcome
        json.dumps({"roomCounts": {"lobby": {"o": {"accepted": -1}}}}),
        json.dumps({"roomCounts": {"lobby": {"o": {"accepted": 1.5}}}}),
        json.dumps({"roomCounts": {"lobby": {"o": {"accepted": True}}}}),
        json.dumps({"roomCounts": {"lobby": {"u": {"": 1}}}}),
        json.dumps({"roomCounts": {"lobby": {"c": ["spam"]}}}),
    ],
)
def test_an_unreadable_event_or_entry_is_counted_as_such_and_adds_nothing(message):
    delivery = tally_log_events([(HALF_PAST_TEN_MS, message)])

    assert delivery.unreadable == 1
    assert all(not t.outcomes and not t.offenders for t in delivery.tallies.values())


def test_hours_between_starts_at_the_first_hour_and_stops_before_the_end():
    start = datetime(2026, 12, 5, 10, 59, 59, tzinfo=UTC)

    assert hours_between(start, datetime(2026, 12, 5, 12, 0, tzinfo=UTC)) == [
        "2026-12-05T10",
        "2026-12-05T11",
    ]
    assert hours_between(start, datetime(2026, 12, 5, 12, 0, 1, tzinfo=UTC))[-1] == "2026-12-05T12"
    ten = datetime(2026, 12, 5, 10, tzinfo=UTC)
    assert hours_between(ten, ten) == []


def test_the_overview_lists_every_hour_and_the_top_ten_by_count_then_name():
    tally = HourTally()
    tally.outcomes.update(accepted=5, masked=1)
    tally.offenders.update({f"user-{n:02}": n for n in range(1, 13)})
    tally.offenders.update({"aaa": 12})  # ties with user-12: the name decides
    hours = ["2026-12-05T09", "2026-12-05T10"]

    body = overview(hours, {"2026-12-05T10": tally}, room="lobby")

    assert body["from"] == "2026-12-05T09:00:00Z"
    assert body["to"] == "2026-12-05T11:00:00Z"
    assert body["hours"][0] == {
        "hour": "2026-12-05T09:00:00Z",
        "accepted": 0,
        "masked": 0,
        "held": 0,
        "rejected": 0,
        "failed": 0,
    }
    assert body["totals"]["accepted"] == 5
    offenders = [(o["clientId"], o["count"]) for o in body["topOffenders"]]
    assert len(offenders) == 10
    assert offenders[:3] == [("aaa", 12), ("user-12", 12), ("user-11", 11)]
    assert offenders[-1] == ("user-04", 4)
