"""The counts table against moto: additions commute, many counters split, a full item is
left out alone, reads sum an hour's two items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from chatmod.adapters.counts_store import MAX_COUNTERS_PER_UPDATE, CountsStore
from chatmod.core.deadline import Deadline
from chatmod.enforcement.counts import RETENTION_DAYS, HourTally
from tests.support.dynamodb import create_tables

NOW_S = 1_796_470_000


@pytest.fixture
def counts_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield create_tables().counts


def tally(**outcomes: int) -> HourTally:
    return HourTally(outcomes=Counter(outcomes))


def deadline() -> Deadline:
    return Deadline(5.0)


def test_additions_to_one_hour_add_up_and_hours_stay_apart(counts_table):
    store = CountsStore(counts_table, clock=lambda: NOW_S)
    store.add("room#lobby", "2026-12-05T10", tally(accepted=2), deadline=deadline())
    store.add("room#lobby", "2026-12-05T10", tally(accepted=1, rejected=1), deadline=deadline())
    store.add("room#lobby", "2026-12-05T11", tally(masked=3), deadline=deadline())
    store.add("room#other", "2026-12-05T10", tally(masked=9), deadline=deadline())

    read = store.read("room#lobby", "2026-12-05T10", "2026-12-05T11", deadline=deadline())

    assert read["2026-12-05T10"].outcomes == Counter(accepted=3, rejected=1)
    assert read["2026-12-05T11"].outcomes == Counter(masked=3)
    assert store.read(
        "room#lobby", "2026-12-05T11", "2026-12-05T11", deadline=deadline()
    ).keys() == {"2026-12-05T11"}


def test_items_expire_after_the_retention(counts_table):
    CountsStore(counts_table, clock=lambda: NOW_S).add(
        "stage", "2026-12-05T10", tally(accepted=1), deadline=deadline()
    )

    (item,) = counts_table.scan()["Items"]
    assert item["expiresAt"] == NOW_S + RETENTION_DAYS * 86400


def test_more_counters_than_one_update_takes_are_split_and_all_kept(counts_table):
    store = CountsStore(counts_table)
    many = HourTally(
        offenders=Counter({f"user-{n}": 1 for n in range(MAX_COUNTERS_PER_UPDATE * 2 + 1)})
    )
    many.categories.update({f"cat-{n}": 2 for n in range(MAX_COUNTERS_PER_UPDATE + 1)})

    assert store.add("stage", "2026-12-05T10", many, deadline=deadline()) == []

    read = store.read("stage", "2026-12-05T10", "2026-12-05T10", deadline=deadline())
    assert len(read["2026-12-05T10"].offenders) == MAX_COUNTERS_PER_UPDATE * 2 + 1
    assert sum(read["2026-12-05T10"].categories.values()) == (MAX_COUNTERS_PER_UPDATE + 1) * 2


def test_a_full_offenders_item_is_left_out_and_the_totals_still_count(counts_table):
    store = CountsStore(counts_table)
    # Senders with long ids until the offenders item passes DynamoDB's 400 KB
    huge = HourTally(
        outcomes=Counter(rejected=5000),
        offenders=Counter({f"{'x' * 200}-{n}": 1 for n in range(2500)}),
    )

    # (2,500 counters in moto take seconds on a loaded machine: the deadline is not the point)
    left_out = store.add("stage", "2026-12-05T10", huge, deadline=Deadline(60.0))

    assert left_out == ["offenders"]
    read = store.read("stage", "2026-12-05T10", "2026-12-05T10", deadline=deadline())
    assert read["2026-12-05T10"].outcomes["rejected"] == 5000
    assert 0 < len(read["2026-12-05T10"].offenders) < 2500
