"""AuditLog against moto: item layout, unique time-sortable ids, newest-first queries."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from chatmod.adapters.audit_log import (
    TIME_INDEX_SHARDS,
    AuditEvent,
    AuditLog,
    iso_ms,
    time_index_key,
)
from chatmod.core.errors import BadRequestError
from tests.support.dynamodb import ChatmodTables, create_tables

NOW = 1_795_320_000  # 2026-11-22T04:00:00Z
DAY = 86_400


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tables() -> Iterator[ChatmodTables]:
    with mock_aws():
        yield create_tables()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def audit(tables: ChatmodTables, clock: Clock) -> AuditLog:
    return AuditLog(tables.audit, clock=clock)


def test_given_an_event_when_recorded_then_the_item_has_keys_day_ttl_and_message(audit, tables):
    stored = audit.record(
        AuditEvent(
            action="reject",
            actor="auto",
            client_id="alice",
            reason="profanity",
            room="lobby",
            serial="01726-abc@xyz",
            details={"categories": ["profanity"], "score": 0.93},
        )
    )

    assert re.fullmatch(r"2026-11-22T04:00:00\.000Z#[0-9a-f]{12}", stored.event_id)
    item = tables.audit.get_item(Key={"clientId": "alice", "eventId": stored.event_id})["Item"]
    assert item["day"] == time_index_key(stored.event_id)
    assert re.fullmatch(r"2026-11-22#\d", item["day"])
    assert item["at"] == NOW * 1000
    assert item["expiresAt"] == NOW + 400 * DAY
    assert (item["action"], item["actor"], item["reason"], item["room"], item["serial"]) == (
        "reject",
        "auto",
        "profanity",
        "lobby",
        "01726-abc@xyz",
    )
    assert "channel" not in item
    assert "messageId" not in item
    assert audit.query("alice") == [stored]
    assert stored.details == {"categories": ["profanity"], "score": 0.93}


def test_given_many_events_in_one_millisecond_when_recorded_then_ids_are_unique(audit):
    ids = {
        audit.record(AuditEvent(action="warn", actor="auto", client_id="a")).event_id
        for _ in range(50)
    }

    assert len(ids) == 50


def test_given_events_over_time_when_queried_per_client_then_newest_first_and_limited(audit, clock):
    for offset in (0, 5, 1, 3):
        clock.now = NOW + offset
        audit.record(
            AuditEvent(action="strike", actor="auto", client_id="alice", details={"offset": offset})
        )
    audit.record(AuditEvent(action="strike", actor="auto", client_id="bob"))

    events = audit.query("alice", limit=3)

    assert [e.details["offset"] for e in events] == [5, 3, 1]
    assert all(e.client_id == "alice" for e in events)


def test_given_events_across_days_when_queried_for_everyone_then_newest_first_via_by_time(
    audit, clock
):
    for day, client in ((0, "a"), (1, "b"), (2, "c"), (2, "d"), (9, "too-old")):
        clock.now = NOW - day * DAY
        audit.record(AuditEvent(action="ban", actor="mod1", client_id=client))
    clock.now = NOW

    everyone = audit.query(limit=50)

    assert [e.client_id for e in everyone][:1] == ["a"]
    assert {e.client_id for e in everyone} == {"a", "b", "c", "d"}
    assert [e.at_ms for e in everyone] == sorted((e.at_ms for e in everyone), reverse=True)
    assert len(audit.query(limit=2)) == 2
    assert {e.client_id for e in audit.query(limit=50, days=10)} == {"a", "b", "c", "d", "too-old"}


def test_given_more_events_than_a_page_when_queried_then_pagination_is_followed(audit, clock):
    ticks = itertools.count()
    for _ in range(30):
        clock.now = NOW + next(ticks) / 1000
        audit.record(AuditEvent(action="delete", actor="mod1", client_id="alice"))

    assert len(audit.query("alice", limit=25)) == 25
    assert len(audit.query(limit=1000)) == 30


def test_given_an_event_without_a_client_when_recorded_then_it_is_read_back_without_one(audit):
    audit.record(AuditEvent(action="delete", actor="mod1", channel="news", message_id="id-1"))

    [event] = audit.query()

    assert event.client_id is None
    assert event.to_json() == {
        "eventId": event.event_id,
        "at": "2026-11-22T04:00:00.000Z",
        "action": "delete",
        "actor": "mod1",
        "channel": "news",
        "messageId": "id-1",
        "details": {},
    }


def test_given_an_unknown_action_when_recorded_then_bad_request(audit):
    with pytest.raises(BadRequestError):
        audit.record(AuditEvent(action="explode", actor="x"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("limit", "days"), [(0, 7), (1001, 7), (10, 0)])
def test_given_an_out_of_range_query_when_asked_then_bad_request(audit, limit, days):
    with pytest.raises(BadRequestError):
        audit.query(limit=limit, days=days)


def test_given_epoch_ms_when_formatted_then_ids_sort_as_time_does():
    stamps = [0, 999, 1000, 1_795_320_000_123, 1_795_320_001_000]

    formatted = [iso_ms(ms) for ms in stamps]

    assert formatted == sorted(formatted)
    assert iso_ms(1_795_320_000_123) == "2026-11-22T04:00:00.123Z"


# --- the byTime index is sharded per day ---------------------------------------------------


def legacy_item(audit: AuditLog, event: AuditEvent) -> dict[str, Any]:
    """``event`` as it was written before the index was sharded: ``day`` is the bare date."""
    stored, item = audit.prepare(event)
    item["day"] = stored.event_id[:10]
    return item


def write_at(
    audit: AuditLog,
    tables: ChatmodTables,
    clock: Clock,
    at: float,
    event: AuditEvent,
    *,
    legacy: bool,
) -> str:
    """Record ``event`` at ``at``, sharded or (``legacy``) as before the index was sharded."""
    clock.now = at
    if not legacy:
        return audit.record(event).event_id
    item = legacy_item(audit, event)
    tables.audit.put_item(Item=item)
    return str(item["eventId"])


def all_pages(audit: AuditLog, limit: int, *, days: int) -> list[str]:
    """Every event id of the everyone-listing, page after page as the cursor carries it."""
    seen: list[str] = []
    page = audit.page(limit=limit, days=days)
    while True:
        seen += [event.event_id or "" for event in page.events]
        if page.next_before is None:
            return seen
        page = audit.page(limit=limit, before=page.next_before, oldest_day=page.oldest_day)


def test_given_a_burst_in_one_day_when_recorded_then_it_spreads_over_every_shard(audit, tables):
    for _ in range(200):
        audit.record(AuditEvent(action="reject", actor="auto", client_id="raider"))

    keys = {item["day"] for item in tables.audit.scan()["Items"]}

    assert keys == {f"2026-11-22#{shard}" for shard in range(TIME_INDEX_SHARDS)}


def test_given_the_same_event_id_then_the_same_shard_every_time():
    event_id = "2026-11-22T04:00:00.000Z#0123456789ab"

    assert time_index_key(event_id) == time_index_key(event_id)
    assert time_index_key(event_id).startswith("2026-11-22#")


def test_given_sharded_and_legacy_events_over_days_when_paged_then_every_event_once_newest_first(
    audit, tables, clock
):
    ids = [
        write_at(
            audit,
            tables,
            clock,
            NOW - index * 7_000,  # ~3 days back
            AuditEvent(action="warn", actor="auto", client_id=f"user{index % 3}"),
            legacy=index % 4 == 0,  # written before the upgrade
        )
        for index in range(40)
    ]
    clock.now = NOW

    for limit in (1, 3, 7, 40, 100):
        assert all_pages(audit, limit, days=5) == sorted(ids, reverse=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    offsets=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4 * DAY), st.booleans()),
        min_size=0,
        max_size=30,
    ),
    limit=st.integers(min_value=1, max_value=12),
)
def test_property_paging_the_sharded_index_lists_what_one_partition_per_day_would(
    offsets: list[tuple[int, bool]], limit: int
):
    with mock_aws():
        tables = create_tables()
        clock = Clock(NOW)
        audit = AuditLog(tables.audit, clock=clock)
        ids = [
            write_at(
                audit,
                tables,
                clock,
                NOW - offset,
                AuditEvent(action="warn", actor="auto", client_id="alice"),
                legacy=legacy,
            )
            for offset, legacy in offsets
        ]
        clock.now = NOW

        # What one partition per day gave: every event of the window, newest first.
        assert all_pages(audit, limit, days=5) == sorted(ids, reverse=True)
