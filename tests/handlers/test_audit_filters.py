"""``GET /moderation/audit`` filters: room, action, moderator, time range; unknown parameters refused."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from chatmod.adapters.audit_log import AuditLog
from chatmod.enforcement.audit import AuditEvent, iso_ms
from chatmod.handlers import moderator
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, http_event

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
# Recent enough for the default 7-day window: the log's clock is real time.
BASE_MS = (int(time.time()) - 3600) * 1000


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatmodTables]:
    with moto_deployment(monkeypatch) as tables:
        log = AuditLog(tables.audit)
        events = [
            AuditEvent("reject", "auto", client_id="alice", room="lobby", at_ms=BASE_MS),
            AuditEvent("mask", "auto", client_id="alice", room="support", at_ms=BASE_MS + 1000),
            AuditEvent("ban", "mod1", client_id="bob", reason="spam", at_ms=BASE_MS + 2000),
            AuditEvent("delete", "mod2", client_id="bob", channel="news", at_ms=BASE_MS + 3000),
            AuditEvent("hold", "auto", client_id="carol", room="lobby", at_ms=BASE_MS + 4000),
        ]
        for event in events:
            log.record(event)
        yield tables


def audit(query: dict[str, str]) -> tuple[int, Any]:
    event = http_event(
        "GET",
        "/moderation/audit",
        claims=MODERATOR,
        query={k: quote(v, safe="") for k, v in query.items()},
    )
    event["queryStringParameters"] = query
    response = moderator.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def actions(body: Any) -> list[str]:
    return [event["action"] for event in body["events"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["hold", "delete", "ban", "mask", "reject"]),
        ({"room": "lobby"}, ["hold", "reject"]),
        ({"room": "news"}, ["delete"]),  # a channel counts as the room
        ({"action": "ban"}, ["ban"]),
        ({"moderator": "mod2"}, ["delete"]),
        ({"moderator": "auto", "room": "lobby"}, ["hold", "reject"]),
        ({"clientId": "alice", "action": "mask"}, ["mask"]),
        ({"since": iso_ms(BASE_MS + 1000), "until": iso_ms(BASE_MS + 3000)}, ["ban", "mask"]),
        ({"clientId": "bob", "since": iso_ms(BASE_MS + 2500)}, ["delete"]),
    ],
)
def test_filters_narrow_the_events(
    deployment: ChatmodTables, query: dict[str, str], expected: list[str]
):
    status, body = audit(query)

    assert status == 200, body
    assert actions(body) == expected


def test_a_filtered_listing_pages_with_its_cursor_and_refuses_it_for_other_filters(
    deployment: ChatmodTables,
):
    status, first = audit({"moderator": "auto", "limit": "1"})
    assert status == 200
    assert actions(first) == ["hold"]

    status, second = audit({"moderator": "auto", "limit": "2", "cursor": first["nextCursor"]})
    assert status == 200
    assert actions(second) == ["mask", "reject"]

    status, refused = audit({"moderator": "mod1", "cursor": first["nextCursor"]})
    assert status == 400
    assert refused["error"] == "invalid_cursor"


@pytest.mark.parametrize(
    "query",
    [
        {"user": "alice"},  # unknown: not silently ignored
        {"action": "nuke"},
        {"since": "yesterday"},
        {"since": "2026-01-01T00:00:00"},  # no zone: ambiguous
        {"since": iso_ms(BASE_MS + 5000), "until": iso_ms(BASE_MS)},
        {"room": "  "},
    ],
)
def test_bad_or_unknown_parameters_are_a_400(deployment: ChatmodTables, query: dict[str, str]):
    status, body = audit(query)

    assert status == 400, body
