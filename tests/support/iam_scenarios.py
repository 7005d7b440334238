"""The AWS calls each function makes on its main paths, observed against moto.

Each function's handler is driven through the paths its handler tests cover
(accept, reject with a strike, a ban, a banned sender, every moderator route, a
ban on the stream, ...), with every AWS call recorded (``tests.support.aws_calls``)
and named as ``tests/infra/test_iam.py`` names resources. The result is committed in
``tests/fixtures/iam/observed_calls.json`` and compared with the synthesized IAM
policies by ``tests/infra/test_iam.py`` (both ways);
``tests/handlers/test_observed_calls.py`` fails while the file is stale, and every
handler test (``tests/handlers/conftest.py``) fails when its handler makes a call the
file does not hold — a path these scenarios miss.

Regenerate with ``make iam-calls`` (``python -m tests.support.iam_scenarios --write``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support import deployment
from tests.support.ably_messages import chat_message, stored_chat_message
from tests.support.ably_stub import AblyStub, Reply
from tests.support.aws_calls import CallRecorder, iam_requests, record_aws_calls
from tests.support.dynamodb import (
    AUDIT_TABLE,
    BANS_TABLE,
    COUNTS_TABLE,
    IDEMPOTENCY_TABLE,
    REVIEWS_TABLE,
    STRIKES_TABLE,
    ChatmodTables,
)
from tests.support.events import (
    FakeLambdaContext,
    ably_envelope,
    ban_item,
    ban_stream_record,
    before_publish_request,
    dynamodb_stream_event,
    http_event,
    log_subscription_event,
    sqs_event,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "iam" / "observed_calls.json"

USER = {"sub": "alice", "cognito:groups": "[players]"}
BANNED = {"sub": "mallory", "cognito:groups": "[players]"}
MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators admins]"}
PROFANITY = "what the f.u.c.k is this"
_DELETE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+/delete")

#: The functions that moderate, and so read provider keys and call AWS providers.
MODERATING = ("before-publish", "publish", "async-moderation")
#: The name of the provider key parameters handler tests use (a stage names its own).
PROVIDER_KEY = "ssm:provider-key"

#: Test resource (table or parameter name) → the name ``tests/infra/test_iam.py`` gives it.
_NAMES = {
    "/chatmod/test/hive-key": PROVIDER_KEY,
    BANS_TABLE: "bans",
    STRIKES_TABLE: "strikes",
    AUDIT_TABLE: "audit",
    IDEMPOTENCY_TABLE: "idempotency",
    REVIEWS_TABLE: "reviews",
    COUNTS_TABLE: "counts",
    deployment.POLICY_PARAMETER: "ssm:policy",
    deployment.ABLY_KEY_PARAMETER: "ssm:/chatmod/dev/ably-api-key",
    deployment.BEFORE_PUBLISH_SECRET_PARAMETER: "ssm:/chatmod/dev/before-publish-secret",
    deployment.JUDGED_KEY_PARAMETER: "ssm:/chatmod/dev/judged-key",
}

Scenario = Callable[[AblyStub, ChatmodTables, CallRecorder], None]


def resource_name(service: str, physical: str) -> str:
    """The IAM test's name for a table (``bans``, ``audit/index/byTime``) or parameter."""
    table, _, index = physical.partition("/index/")
    if table in _NAMES:
        return _NAMES[table] + (f"/index/{index}" if index else "")
    if physical == "*":
        return "*"
    raise AssertionError(f"a {service} call on an unknown resource {physical!r}")


# --- the paths, per function ------------------------------------------------------------


def _ban(tables: ChatmodTables, client_id: str = "mallory") -> None:
    tables.bans.put_item(Item=ban_item(client_id, expires_at=int(time.time()) + 3600))


def token(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.handlers import token as handler

    handler._ban_store = None
    _ban(tables)
    with recorder.on():
        for claims, status in ((USER, 200), (BANNED, 403)):
            event = http_event("GET", "/token", claims=claims)
            _expect(handler.lambda_handler(event, FakeLambdaContext()), status)


def before_publish(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.enforcement.judged import judged_header
    from chatmod.handlers import before_publish as handler

    _ban(tables)
    judged = before_publish_request("hello", client_id="ivan")
    judged["message"]["headers"] = {
        "x-chatmod-judged": judged_header(
            deployment.JUDGED_KEY, room="lobby", client_id="ivan", text="hello", now=time.time()
        )
    }
    http = http_event(
        "POST",
        "/before-publish",
        raw_body=json.dumps(before_publish_request("hello")),
        headers={"authorization": f"Bearer {deployment.BEFORE_PUBLISH_SECRET}"},
    )
    with recorder.on():
        for event in (
            before_publish_request("hello everyone"),
            before_publish_request(PROFANITY),
            before_publish_request("shit", client_id="bob"),
            before_publish_request("shit again", client_id="bob"),  # banned
            before_publish_request("hello", client_id="mallory"),
            judged,
            http,
        ):
            _expect(handler.lambda_handler(event, FakeLambdaContext()), 200)
    _hold_policy(tables)
    _held_before_publish(recorder)


def publish(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.handlers import publish as handler

    _ban(tables)
    key = {"idempotency-key": "k-0001"}
    bodies: list[tuple[dict[str, Any], dict[str, Any], dict[str, str] | None, int]] = [
        ({"room": "lobby", "text": "hello"}, USER, None, 201),
        ({"room": "lobby", "text": "hello again"}, USER, key, 201),
        ({"room": "lobby", "text": "hello again"}, USER, key, 201),
        ({"channel": "news", "data": "hello"}, USER, None, 201),
        ({"room": "lobby", "text": PROFANITY}, USER, None, 422),
        ({"room": "lobby", "text": PROFANITY + "!"}, USER, None, 422),  # banned
        ({"room": "lobby", "text": "hello"}, BANNED, None, 403),
    ]
    with recorder.on():
        for body, claims, headers, status in bodies:
            event = http_event("POST", "/messages", body=body, claims=claims, headers=headers)
            _expect(handler.lambda_handler(event, FakeLambdaContext()), status)
    _warn_policy()
    _warned_publish(recorder)
    _hold_policy(tables)
    _held_publish(recorder)


def async_moderation(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.enforcement.judged import JUDGED_HEADER, judged_header
    from chatmod.handlers import async_moderation as handler

    handler.reset_removal_guard()
    _ban(tables)

    def chat(text: str, client_id: str = "alice", *, judged: bool = False) -> str:
        serial = stored_chat_message(stub, "lobby", text, client_id)
        message = chat_message(text, serial=serial, client_id=client_id)
        if judged:
            message["extras"]["headers"][JUDGED_HEADER] = judged_header(
                deployment.JUDGED_KEY,
                room="lobby",
                client_id=client_id,
                text=text,
                now=message["timestamp"] / 1000,
            )
        return ably_envelope("lobby::$chat", message)

    first, failing = chat("you are shit", "bob"), chat("shit", "carol")
    deliveries = [
        (chat("hello there"), 0),
        (first, 0),
        (first, 0),  # redelivered: one strike
        (chat("shit again", "bob"), 0),  # second strike: banned
        (chat("hi", "mallory"), 0),  # banned sender
        (chat("hello from judy", "judy", judged=True), 0),
        (failing, 1),  # Ably fails the delete: the record is retried
        (failing, 0),
    ]
    with recorder.on():
        for body, failures in deliveries:
            if failures:
                stub.enqueue("POST", _DELETE, *[Reply.error(503, 50300)] * 3)
            response = handler.lambda_handler(sqs_event(body), FakeLambdaContext())
            assert len(response["batchItemFailures"]) == failures, response
    handler.reset_removal_guard()
    _hold_policy(tables)
    _held_async(stub, recorder)


def _hold_policy(tables: ChatmodTables) -> None:
    """Switch the deployment's policy to ``onMatch: hold`` (the review queue's paths)."""
    from chatmod.core.policy import ModerationPolicy, RuntimePolicy

    deployment.put_parameters(policy=RuntimePolicy(moderation=ModerationPolicy(on_match="hold")))
    deployment.reset_process_state()


def _warn_policy() -> None:
    """Switch the deployment's policy to a ``warn`` rule (the warning paths)."""
    from chatmod.core.policy import ModerationPolicy, Rule, RuntimePolicy

    moderation = ModerationPolicy(rules=(Rule(name="be-nice", action="warn"),))
    deployment.put_parameters(policy=RuntimePolicy(moderation=moderation))
    deployment.reset_process_state()


def _warned_publish(recorder: CallRecorder) -> None:
    """Warned, refused until acknowledged, acknowledged, then published."""
    from chatmod.handlers import publish as handler

    ivan = {"sub": "ivan", "cognito:groups": "[players]"}

    def send(text: str, status: int) -> dict[str, Any]:
        event = http_event("POST", "/messages", body={"room": "lobby", "text": text}, claims=ivan)
        return _expect(handler.lambda_handler(event, FakeLambdaContext()), status)

    with recorder.on():
        warning_id = send(PROFANITY, 422)["warningId"]
        send("sorry", 403)
        pending = http_event("GET", "/warnings", claims=ivan)
        _expect(handler.lambda_handler(pending, FakeLambdaContext()), 200)
        ack = http_event("POST", f"/warnings/{warning_id}/ack", claims=ivan)
        _expect(handler.lambda_handler(ack, FakeLambdaContext()), 200)
        send("sorry", 201)


def _held(text: str, client_id: str = "alice") -> str:
    """Hold ``text`` through before-publish (outside the recorder); its review id."""
    from chatmod.handlers import before_publish as handler

    answer = handler.lambda_handler(
        before_publish_request(text, client_id=client_id), FakeLambdaContext()
    )
    return str(json.loads(answer["body"])["rejectionDetail"]["reviewId"])


def _held_before_publish(recorder: CallRecorder) -> None:
    from chatmod.handlers import before_publish as handler

    with recorder.on():
        for _ in range(2):  # the second is Ably's retry: it finds the item held
            event = before_publish_request(PROFANITY, client_id="hana")
            _expect(handler.lambda_handler(event, FakeLambdaContext()), 200)


def _held_publish(recorder: CallRecorder) -> None:
    from chatmod.handlers import publish as handler

    with recorder.on():
        for _ in range(2):  # the same request again: it finds the item held
            event = http_event(
                "POST",
                "/messages",
                body={"room": "lobby", "text": PROFANITY + "?"},
                claims={"sub": "hana", "cognito:groups": "[players]"},
                headers={"idempotency-key": "k-held"},
            )
            _expect(handler.lambda_handler(event, FakeLambdaContext()), 202)


def _held_async(stub: AblyStub, recorder: CallRecorder) -> None:
    from chatmod.handlers import async_moderation as handler

    handler.reset_removal_guard()
    serial = stored_chat_message(stub, "lobby", PROFANITY, "hana")
    envelope = ably_envelope(
        "lobby::$chat", chat_message(PROFANITY, serial=serial, client_id="hana")
    )
    with recorder.on():
        for _ in range(2):  # redelivered: it finds the item held
            response = handler.lambda_handler(sqs_event(envelope), FakeLambdaContext())
            assert response["batchItemFailures"] == [], response
    handler.reset_removal_guard()


def moderator(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.handlers import moderator as handler

    serial = stored_chat_message(stub, "lobby", "hello", "alice")
    delete = {"room": "lobby", "serial": serial, "reason": "x"}
    _hold_policy(tables)
    approved, denied = _held(PROFANITY), _held(PROFANITY + "!", "bob")
    deployment.reset_process_state()  # the moderator function reads the policy itself
    review = "/moderation/reviews"
    requests: list[tuple[str, str, Any, dict[str, str] | None, int]] = [
        ("GET", review, None, None, 200),
        ("GET", review, None, {"room": "lobby"}, 200),
        ("GET", f"{review}/{approved}", None, None, 200),
        ("POST", f"{review}/{approved}/approve", None, None, 200),
        ("POST", f"{review}/{denied}/deny", {"reason": "abuse", "strike": True}, None, 200),
        ("GET", "/moderation/users/bob", None, None, 200),
        ("POST", "/moderation/bans", {"clientId": "bob", "reason": "spam"}, None, 201),
        ("GET", "/moderation/bans", None, None, 200),
        ("DELETE", "/moderation/bans/bob", None, {"reason": "appeal"}, 204),
        ("POST", "/moderation/messages/delete", delete, None, 200),
        ("GET", "/moderation/audit", None, None, 200),
        ("GET", "/moderation/audit", None, {"clientId": "bob"}, 200),
        ("POST", "/moderation/terms", {"term": "frak", "reason": "slang"}, None, 201),
        ("GET", "/moderation/terms", None, None, 200),
        ("DELETE", "/moderation/terms", None, {"term": "frak", "reason": "ok"}, 204),
        ("GET", "/moderation/counts", None, None, 200),
        ("GET", "/moderation/counts", None, {"room": "lobby"}, 200),
    ]
    with recorder.on():
        for method, path, body, query, status in requests:
            event = http_event(method, path, body=body, claims=MODERATOR, query=query)
            _expect(handler.lambda_handler(event, FakeLambdaContext()), status)
    _pace_policy()
    slow = {"seconds": 10, "reason": "raid"}
    with recorder.on():
        for method, path, body in [
            ("GET", "/moderation/rooms/lobby", None),
            ("POST", "/moderation/rooms/lobby/slow-mode", slow),
        ]:
            event = http_event(method, path, body=body, claims=MODERATOR)
            _expect(handler.lambda_handler(event, FakeLambdaContext()), 200)


def _pace_policy() -> None:
    """A policy whose crossMessage entry covers the lobby (the rooms routes' store paths)."""
    from chatmod.core.policy import CrossMessagePolicy, ModerationPolicy, RuntimePolicy

    moderation = ModerationPolicy(cross_message=(CrossMessagePolicy(rooms=("lobby",)),))
    deployment.put_parameters(policy=RuntimePolicy(moderation=moderation))
    deployment.reset_process_state()


def ban_revoker(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.handlers import ban_stream as handler

    hour = int(time.time()) + 3600
    records = [
        ban_stream_record("INSERT", "alice", new=ban_item("alice", expires_at=hour)),
        ban_stream_record("REMOVE", "alice", old=ban_item("alice", expires_at=hour)),
    ]
    with recorder.on():
        response = handler.lambda_handler(dynamodb_stream_event(*records), FakeLambdaContext())
    assert response["batchItemFailures"] == [], response


def review_sweeper(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.handlers import review_sweeper as handler

    _hold_policy(tables)
    due = _held(PROFANITY)
    _held(PROFANITY + "!", "bob")  # still pending: its age is the metric
    tables.reviews.update_item(
        Key={"reviewId": due},
        UpdateExpression="SET pendingUntilMs = :past",
        ExpressionAttributeValues={":past": 1},
    )
    with recorder.on():
        result = handler.lambda_handler({}, FakeLambdaContext())
    assert result["expired"] == 1, result


def counter(stub: AblyStub, tables: ChatmodTables, recorder: CallRecorder) -> None:
    from chatmod.handlers import counter as handler

    blob = {"roomCounts": {"lobby": {"o": {"rejected": 1}, "u": {"mallory": 1}}}}
    event = log_subscription_event([json.dumps(blob)])
    with recorder.on():
        result = handler.lambda_handler(event, FakeLambdaContext())
    assert (result["failed"], result["updates"]) == (0, 2), result  # the room and the stage


def _expect(response: dict[str, Any], status: int) -> dict[str, Any]:
    """A path that fails early would hide the calls it should have made; the JSON body."""
    assert response["statusCode"] == status, response
    body = json.loads(response.get("body") or "{}")
    return body if isinstance(body, dict) else {}


#: The function (as ``tests/infra/test_stack.py`` names it) → the paths driven.
SCENARIOS: dict[str, Scenario] = {
    "token": token,
    "before-publish": before_publish,
    "publish": publish,
    "async-moderation": async_moderation,
    "moderator": moderator,
    "ban-revoker": ban_revoker,
    "review-sweeper": review_sweeper,
    "counter": counter,
}


# --- running them -----------------------------------------------------------------------


@contextmanager
def _deployed(stub: AblyStub) -> Iterator[ChatmodTables]:
    from chatmod.core import constants

    env = {
        constants.ENV_ABLY_REST_HOST: f"{stub.host}:{stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        deployment.moto_deployment(monkeypatch, env=env) as tables,
    ):
        yield tables


def observe() -> dict[str, dict[str, list[str]]]:
    """Function → resource name → the IAM actions its handler was seen to need."""
    observed: dict[str, dict[str, list[str]]] = {}
    for function, scenario in SCENARIOS.items():
        with AblyStub() as stub, _deployed(stub) as tables, record_aws_calls() as recorder:
            scenario(stub, tables, recorder)
        grants: dict[str, set[str]] = {}
        for action, resource in iam_requests(recorder.calls, resource_name):
            grants.setdefault(resource, set()).add(action)
        observed[function] = {r: sorted(a) for r, a in sorted(grants.items())}
    return observed


def render(observed: dict[str, dict[str, list[str]]]) -> str:
    """The fixture's text (stable, so that a regenerated file diffs cleanly)."""
    return json.dumps(observed, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {FIXTURE.name}")
    args = parser.parse_args(argv)
    import tests.conftest  # noqa: F401  (the test environment: fake credentials, region)

    text = render(observe())
    if args.write:
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        FIXTURE.write_text(text, encoding="utf-8")
        print(f"wrote {FIXTURE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
