"""Terms moderators block or allow at run time: applied within the cache's age, audited, scoped.

moto for the tables and SSM; the custom terms' cache runs on a fake clock, so "within the
cache's age" is shown without waiting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from chatmod.adapters import custom_terms as cache
from chatmod.adapters.audit_log import AuditLog
from chatmod.core.policy import IdentityPolicy, RuntimePolicy
from chatmod.core.settings import get_settings
from chatmod.handlers import before_publish, moderator
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, before_publish_request, http_event

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
KIDS_ONLY = {"sub": "mod2", "cognito:groups": "[moderators]", "custom:rooms": "[kids-*]"}
POLICY = RuntimePolicy(identity=IdentityPolicy(moderator_rooms_claim="custom:rooms"))


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(cache, "clock", fake)
    return fake


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[ChatmodTables]:
    with moto_deployment(monkeypatch, policy=POLICY) as tables:
        yield tables


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    query: dict[str, str] | None = None,
    claims: dict[str, Any] = MODERATOR,
) -> tuple[int, Any]:
    event = http_event(method, path, body=body, claims=claims)
    if query is not None:
        event["queryStringParameters"] = query
        event["rawQueryString"] = urlencode(query)
    response = moderator.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response.get("body") or "null")


def ask(text: str, room: str = "lobby") -> str:
    event = before_publish_request(text, room=room, client_id="alice")
    return str(
        json.loads(before_publish.lambda_handler(event, FakeLambdaContext())["body"])["action"]
    )


def later(clock: Clock) -> None:
    """Past the cache's age: the functions read the terms again."""
    clock.now += get_settings().parameter_max_age_seconds + 1


def test_a_blocked_term_applies_within_the_caches_age_and_is_audited(deployment, clock):
    assert ask("what a frak") == "accept"

    status, body = call("POST", "/moderation/terms", {"term": "Frak", "reason": "new slang"})
    cached = ask("what a frak")
    later(clock)
    fresh = ask("what a frak")

    assert status == 201
    assert body["terms"]["*"]["block"] == [{"term": "frak", "category": "profanity", "severity": 2}]
    assert cached == "accept"  # the cache still holds the old terms
    assert fresh == "reject"
    (event,) = [e for e in AuditLog(deployment.audit).query(None, limit=50) if e.action == "terms"]
    assert (event.actor, event.reason, event.details["term"]) == ("mod1", "new slang", "frak")


def test_a_rooms_terms_apply_in_its_rooms_only(deployment, clock):
    call("POST", "/moderation/terms", {"term": "noob", "rooms": "kids-*", "reason": "mean"})
    later(clock)

    assert ask("you noob", room="kids-1") == "reject"
    assert ask("you noob", room="lobby") == "accept"


def test_an_allowed_term_shields_a_listed_word(deployment, clock):
    assert ask("damn") == "reject"

    call("POST", "/moderation/terms", {"term": "damn", "list": "allow", "reason": "mild"})
    later(clock)

    assert ask("damn") == "accept"


def test_a_removed_term_no_longer_applies_and_removing_it_again_is_404(deployment, clock):
    call("POST", "/moderation/terms", {"term": "frak", "reason": "x"})
    later(clock)
    assert ask("frak") == "reject"

    removed = call("DELETE", "/moderation/terms", query={"term": "frak", "reason": "ok again"})
    again = call("DELETE", "/moderation/terms", query={"term": "frak", "reason": "x"})
    later(clock)

    assert removed[0] == 204
    assert (again[0], again[1]["error"]) == (404, "term_not_found")
    assert ask("frak") == "accept"
    assert call("GET", "/moderation/terms")[1] == {"terms": {}, "version": 2}


def test_a_room_scoped_moderator_changes_only_scopes_in_their_rooms(deployment):
    stage = call("POST", "/moderation/terms", {"term": "x1", "reason": "x"}, claims=KIDS_ONLY)
    other = call(
        "POST",
        "/moderation/terms",
        {"term": "x1", "rooms": "lobby", "reason": "x"},
        claims=KIDS_ONLY,
    )
    theirs = call(
        "POST",
        "/moderation/terms",
        {"term": "x1", "rooms": "kids-*", "reason": "x"},
        claims=KIDS_ONLY,
    )

    assert stage[0] == other[0] == 403
    assert theirs[0] == 201


@pytest.mark.parametrize(
    "body",
    [
        {"term": "", "reason": "x"},
        {"term": "   ", "reason": "x"},
        {"term": "x" * 65, "reason": "x"},
        {"term": "frak"},
        {"term": "frak", "reason": "x", "category": "spam"},
        {"term": "frak", "reason": "x", "severity": 4},
        {"term": "frak", "reason": "x", "list": "maybe"},
        {"term": "frak", "reason": "x", "extra": 1},
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(deployment, body):
    status, answer = call("POST", "/moderation/terms", body)

    assert status == 400
    assert answer["problems"]
    assert call("GET", "/moderation/terms")[1] == {"terms": {}, "version": 0}


def test_users_cannot_read_or_change_terms(deployment):
    user = {"sub": "alice", "cognito:groups": "[players]"}

    assert call("GET", "/moderation/terms", claims=user)[0] == 403
    assert call("POST", "/moderation/terms", {"term": "a", "reason": "x"}, claims=user)[0] == 403
