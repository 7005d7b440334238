"""Warnings and rule actions through the handlers, on moto and the loopback Ably stub.

A ``warn`` rule rejects the message and refuses the sender's next ones until they
acknowledge the warning with their own JWT (``POST /warnings/{id}/ack``, audited); a
``timeout`` rule bans for its duration and says until when; a moderator exempted by a
``roles`` rule publishes what a user may not; before-publish answers Ably with the
warning's id so the sender's client can show it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.policy import ModerationPolicy, Rule, RuleMatch, RuntimePolicy
from chatmod.handlers import before_publish, publish, token
from tests.support.ably_stub import AblyStub
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, before_publish_request, http_event

ALICE = {"sub": "alice", "cognito:groups": "[players]"}
BOB = {"sub": "bob", "cognito:groups": "[players]"}
MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
PROFANE = "what the fuck"
CHAT_SEND = re.compile(r"/chat/v4/rooms/[^/]+/messages")

WARN = RuntimePolicy(moderation=ModerationPolicy(rules=(Rule(name="be-nice", action="warn"),)))


@pytest.fixture
def warn_deployment(
    monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub
) -> Iterator[ChatmodTables]:
    yield from _deployed(monkeypatch, ably_stub, WARN)


def _deployed(
    monkeypatch: pytest.MonkeyPatch, stub: AblyStub, policy: RuntimePolicy
) -> Iterator[ChatmodTables]:
    env = {
        constants.ENV_ABLY_REST_HOST: f"{stub.host}:{stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    with moto_deployment(monkeypatch, policy=policy, env=env) as tables:
        yield tables
    reset_gateway()


def call(
    method: str, path: str, body: Any = None, *, claims: dict[str, Any] | None = ALICE
) -> tuple[int, dict[str, Any]]:
    event = http_event(method, path, body=body, claims=claims)
    response = publish.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def send(text: str, claims: dict[str, Any] = ALICE) -> tuple[int, dict[str, Any]]:
    return call("POST", "/messages", {"room": "lobby", "text": text}, claims=claims)


def audit_actions(tables: ChatmodTables, client_id: str) -> list[str]:
    items = tables.audit.scan()["Items"]
    return sorted(
        (str(i["action"]) for i in items if i.get("clientId") == client_id),
    )


def test_a_warned_sender_is_refused_until_they_acknowledge_then_judged_again(
    warn_deployment, ably_stub
):
    status, rejected = send(PROFANE)
    warning_id = rejected["warningId"]

    refused = send("sorry about that")
    pending = call("GET", "/warnings")
    acknowledged = call("POST", f"/warnings/{warning_id}/ack")
    after = send("sorry about that")

    assert (status, rejected["error"], rejected["code"]) == (422, "rejected", 42213)
    assert re.fullmatch(r"wn_[0-9a-f]{24}", warning_id)
    assert refused[0] == 403
    assert refused[1]["error"] == "warning_unacknowledged"
    assert refused[1]["warningId"] == warning_id
    assert pending[0] == 200
    assert pending[1]["warning"]["warningId"] == warning_id
    assert pending[1]["warning"]["rule"] == "be-nice"
    assert pending[1]["warning"]["room"] == "lobby"
    assert acknowledged == (200, {"acknowledged": True, "warningId": warning_id})
    assert after[0] == 201
    assert len(ably_stub.requests_to(CHAT_SEND, "POST")) == 1  # only the last one
    assert call("GET", "/warnings") == (200, {"warning": None})
    assert "acknowledge" in audit_actions(warn_deployment, "alice")


def test_acknowledging_twice_or_someone_elses_warning_is_404(warn_deployment):
    warning_id = send(PROFANE)[1]["warningId"]

    by_bob = call("POST", f"/warnings/{warning_id}/ack", claims=BOB)
    first = call("POST", f"/warnings/{warning_id}/ack")
    second = call("POST", f"/warnings/{warning_id}/ack")

    assert (by_bob[0], by_bob[1]["error"]) == (404, "warning_not_found")
    assert first[0] == 200
    assert (second[0], second[1]["error"]) == (404, "warning_not_found")


@pytest.mark.parametrize("warning_id", ["nope", "wn_XYZ", "wn_" + "0" * 25, "rv_" + "0" * 24])
def test_a_malformed_warning_id_is_400(warn_deployment, warning_id):
    status, body = call("POST", f"/warnings/{warning_id}/ack")

    assert (status, body["error"]) == (400, "invalid_warning_id")


@pytest.mark.parametrize(("method", "path"), [("GET", "/warnings"), ("POST", "/warnings/x/ack")])
def test_warnings_need_an_identity(warn_deployment, method, path):
    status, body = call(method, path, claims=None)

    assert (status, body["error"]) == (401, "unauthorized")


def test_before_publish_tells_the_client_the_warning_and_refuses_until_acknowledged(
    warn_deployment,
):
    def ask(text: str) -> dict[str, Any]:
        event = before_publish_request(text, client_id="alice")
        return json.loads(before_publish.lambda_handler(event, FakeLambdaContext())["body"])

    warned = ask(PROFANE)
    warning_id = warned["rejectionDetail"]["warningId"]
    refused = ask("hello")
    call("POST", f"/warnings/{warning_id}/ack")
    accepted = ask("hello")

    assert warned["action"] == "reject"
    assert refused == {
        "action": "reject",
        "rejectionDetail": {
            "reason": "warning_unacknowledged",
            "warningId": warning_id,
            "warningReason": warned["rejectionDetail"]["reason"],
        },
    }
    assert accepted == {"action": "accept"}


def test_a_timeout_rule_bans_for_its_duration_and_token_refuses(monkeypatch, ably_stub):
    policy = RuntimePolicy(
        moderation=ModerationPolicy(
            rules=(Rule(name="cool-off", action="timeout", duration_seconds=600),)
        )
    )
    for _ in _deployed(monkeypatch, ably_stub, policy):
        event = before_publish_request(PROFANE, client_id="alice")
        answer = json.loads(before_publish.lambda_handler(event, FakeLambdaContext())["body"])
        minted = token.lambda_handler(
            http_event("POST", "/token", claims=ALICE), FakeLambdaContext()
        )

        assert answer["action"] == "reject"
        assert answer["rejectionDetail"]["bannedUntil"].endswith("Z")
        assert minted["statusCode"] == 403
        assert "rule cool-off" in json.loads(minted["body"])["reason"]


def test_a_moderator_exempted_by_role_publishes_what_a_user_may_not(monkeypatch, ably_stub):
    policy = RuntimePolicy(
        moderation=ModerationPolicy(
            rules=(Rule(match=RuleMatch(roles=("moderator",)), action="accept"),)
        )
    )
    for _ in _deployed(monkeypatch, ably_stub, policy):
        by_moderator = send(PROFANE, MODERATOR)
        by_user = send(PROFANE, BOB)

    assert by_moderator[0] == 201
    assert by_user[0] == 422


def test_the_moderators_user_view_shows_the_pending_warning(warn_deployment):
    from chatmod.handlers import moderator

    warning_id = send(PROFANE)[1]["warningId"]

    def view() -> dict[str, Any]:
        event = http_event("GET", "/moderation/users/alice", claims=MODERATOR)
        response = moderator.lambda_handler(event, FakeLambdaContext())
        assert response["statusCode"] == 200, response
        return json.loads(response["body"])

    pending = view()["warning"]
    call("POST", f"/warnings/{warning_id}/ack")

    assert pending["warningId"] == warning_id
    assert pending["reason"]
    assert view()["warning"] is None
