"""Cross-message limits through the handlers: slow mode changed by a moderator, felt by senders.

moto for the tables and SSM; before-publish answers Ably with the seconds to wait; the
moderator's change is audited and scoped to the rooms they moderate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from chatmod.adapters.audit_log import AuditLog
from chatmod.core.policy import (
    CrossMessagePolicy,
    FloodLimit,
    IdentityPolicy,
    ModerationPolicy,
    RuntimePolicy,
)
from chatmod.handlers import before_publish, moderator
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, before_publish_request, http_event

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
KIDS_ONLY = {"sub": "mod2", "cognito:groups": "[moderators]", "custom:rooms": "[kids-*]"}
USER = {"sub": "alice", "cognito:groups": "[players]"}
POLICY = RuntimePolicy(
    moderation=ModerationPolicy(
        cross_message=(
            CrossMessagePolicy(rooms=("kids-*",), slow_mode_seconds=2),
            CrossMessagePolicy(rooms=("busy",), floods=FloodLimit(max=2, window_seconds=60)),
        )
    ),
    identity=IdentityPolicy(moderator_rooms_claim="custom:rooms"),
)


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatmodTables]:
    with moto_deployment(monkeypatch, policy=POLICY) as tables:
        yield tables


def call(
    method: str, path: str, body: Any = None, *, claims: dict[str, Any] | None = MODERATOR
) -> tuple[int, Any]:
    event = http_event(method, path, body=body, claims=claims)
    response = moderator.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response.get("body") or "null")


def ask(text: str, room: str, client_id: str = "alice") -> dict[str, Any]:
    event = before_publish_request(text, room=room, client_id=client_id)
    return json.loads(before_publish.lambda_handler(event, FakeLambdaContext())["body"])


def test_a_room_shows_its_entry_and_the_slow_mode_in_effect(deployment):
    status, kids = call("GET", "/moderation/rooms/kids-1")
    other = call("GET", "/moderation/rooms/lobby")[1]

    assert status == 200
    assert kids["covered"] is True
    assert kids["slowModeSeconds"] == 2
    assert kids["crossMessage"]["rooms"] == ["kids-*"]
    assert other == {"room": "lobby", "covered": False, "slowModeSeconds": 0, "crossMessage": None}


def test_slow_mode_set_by_a_moderator_is_felt_at_once_and_audited(deployment):
    status, room = call(
        "POST", "/moderation/rooms/kids-1/slow-mode", {"seconds": 60, "reason": "raid"}
    )
    first = ask("hello", "kids-1")
    second = ask("hello again", "kids-1")
    elsewhere = ask("hello", "kids-2", client_id="bob")

    assert (status, room["slowModeSeconds"], room["slowModeSetBy"]) == (200, 60, "mod1")
    assert first == {"action": "accept"}
    assert second["action"] == "reject"
    assert second["rejectionDetail"]["reason"] == "slow_mode"
    assert 0 < int(second["rejectionDetail"]["retryAfterSeconds"]) <= 60
    assert elsewhere == {"action": "accept"}  # the setting is per room
    (event,) = [
        e for e in AuditLog(deployment.audit).query(None, limit=50) if e.action == "slow_mode"
    ]
    assert (event.actor, event.room, event.reason) == ("mod1", "kids-1", "raid")
    assert event.details == {"seconds": 60, "before": 2}


def test_slow_mode_off_lets_messages_through(deployment):
    call("POST", "/moderation/rooms/kids-1/slow-mode", {"seconds": 0, "reason": "calm"})

    assert ask("one", "kids-1") == ask("two", "kids-1") == {"action": "accept"}


def test_a_flood_is_refused_with_a_strike(deployment):
    answers = [ask(f"message {n}", "busy")["action"] for n in range(3)]

    assert answers == ["accept", "accept", "reject"]


def test_a_room_no_entry_covers_has_no_slow_mode_to_change(deployment):
    status, body = call("POST", "/moderation/rooms/lobby/slow-mode", {"seconds": 5, "reason": "x"})

    assert (status, body["error"]) == (409, "room_not_covered")


def test_a_room_scoped_moderator_changes_only_their_rooms(deployment):
    theirs = call(
        "POST",
        "/moderation/rooms/kids-1/slow-mode",
        {"seconds": 5, "reason": "x"},
        claims=KIDS_ONLY,
    )
    not_theirs = call("GET", "/moderation/rooms/busy", claims=KIDS_ONLY)

    assert theirs[0] == 200
    assert (not_theirs[0], not_theirs[1]["error"]) == (403, "room_not_moderated")


@pytest.mark.parametrize(
    "body",
    [
        {"seconds": 121, "reason": "x"},
        {"seconds": -1, "reason": "x"},
        {"seconds": 5},
        {"seconds": "5", "reason": "x"},
        {"seconds": 5, "reason": "x", "extra": 1},
    ],
)
def test_a_bad_slow_mode_is_a_400_naming_the_field(deployment, body):
    status, answer = call("POST", "/moderation/rooms/kids-1/slow-mode", body)

    assert status == 400
    assert answer["problems"]


def test_users_and_strangers_are_refused(deployment):
    assert call("GET", "/moderation/rooms/kids-1", claims=USER)[0] == 403
    assert call("GET", "/moderation/rooms/kids-1", claims=None)[0] == 401


def test_a_room_name_is_percent_decoded(deployment):
    status, body = call("GET", "/moderation/rooms/" + quote("kids-a b", safe=""))

    assert (status, body["room"], body["covered"]) == (200, "kids-a b", True)
