"""Before-publish end to end in process: both transports, moto for bans and SSM, loopback providers."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from chatmod.adapters import aws
from chatmod.adapters import parameters as parameters_adapter
from chatmod.core import policy_runtime
from chatmod.core.deployment import Deployment
from chatmod.core.observability import logger
from chatmod.core.policy import ModerationPolicy, RuntimePolicy
from chatmod.core.runtime import get_runtime
from chatmod.enforcement.judged import judged_header
from chatmod.handlers import before_publish
from chatmod_local.client import wait_for
from tests.support.deployment import (
    BEFORE_PUBLISH_SECRET,
    JUDGED_KEY,
    JUDGED_KEY_PARAMETER,
    moto_deployment,
)
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, before_publish_request, http_event
from tests.support.fake_providers import (  # noqa: F401  (fixtures)
    FakeServer,
    Reply,
    hive_server_fixture,
    model_server_fixture,
    shared_http_client_fixture,
)

HIVE_KEY_PARAMETER = "/chatmod/test/hive-key"

# Providers share one pooled HTTP client per process; close it after each test.
pytestmark = pytest.mark.usefixtures("shared_http_client")


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatmodTables]:
    with moto_deployment(monkeypatch) as tables:
        yield tables


def configure(monkeypatch: pytest.MonkeyPatch, policy: RuntimePolicy, **secrets: str) -> Any:
    return moto_deployment(monkeypatch, policy=policy, secrets=secrets or None)


def invoke(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = before_publish.lambda_handler(event, FakeLambdaContext())
    assert isinstance(response["body"], str)
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def via_http(
    request: Any, *, secret: str | None = BEFORE_PUBLISH_SECRET, header: str = "authorization"
) -> dict[str, Any]:
    headers = {}
    if secret is not None:
        headers[header] = f"Bearer {secret}" if header == "authorization" else secret
    raw = request if isinstance(request, str) else json.dumps(request)
    return http_event("POST", "/before-publish", raw_body=raw, headers=headers)


# --- transports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [lambda r: r, lambda r: {"body": json.dumps(r)}, via_http],
    ids=["lambda-raw", "lambda-body", "http"],
)
def test_given_a_clean_message_on_any_transport_then_accepted(deployment, wrap):
    status, body = invoke(wrap(before_publish_request("hello everyone")))

    assert (status, body) == (200, {"action": "accept"})


@pytest.mark.parametrize(
    "wrap",
    [lambda r: r, lambda r: {"body": json.dumps(r)}, via_http],
    ids=["lambda-raw", "lambda-body", "http"],
)
def test_given_profanity_on_any_transport_then_rejected_with_string_details(deployment, wrap):
    status, body = invoke(wrap(before_publish_request("what the f.u.c.k is this")))

    assert status == 200
    assert body["action"] == "reject"
    detail = body["rejectionDetail"]
    assert detail["reason"] == "flagged by blocklist"
    assert detail["category"] == "profanity"
    assert detail["provider"] == "blocklist"
    assert all(isinstance(value, str) for value in detail.values())


@pytest.mark.parametrize(
    ("secret", "header"),
    [
        (None, "authorization"),
        ("wrong-secret", "authorization"),
        (BEFORE_PUBLISH_SECRET, "x-other"),
    ],
    ids=["missing", "wrong", "wrong-header"],
)
def test_given_http_transport_without_the_secret_then_401(deployment, secret, header):
    status, body = invoke(via_http(before_publish_request(), secret=secret, header=header))

    assert status == 401
    assert body["error"] == "unauthorized"
    assert BEFORE_PUBLISH_SECRET not in json.dumps(body)


def test_given_a_basic_scheme_instead_of_bearer_then_401(deployment):
    event = via_http(before_publish_request())
    event["headers"]["authorization"] = f"Basic {BEFORE_PUBLISH_SECRET}"

    assert invoke(event)[0] == 401


def test_given_a_configured_secret_header_then_it_is_used(monkeypatch):
    with moto_deployment(
        monkeypatch, env={"CHATMOD_BEFORE_PUBLISH_SECRET_HEADER": "X-Chatmod-Secret"}
    ):
        ok = invoke(via_http(before_publish_request(), header="x-chatmod-secret"))
        refused = invoke(via_http(before_publish_request()))

    assert ok == (200, {"action": "accept"})
    assert refused[0] == 401


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({"room": "lobby"}, "message"),
        ({"room": "lobby", "message": {"clientId": "a"}}, "message.text"),
        ({"room": "lobby", "message": {"text": 42}}, "message.text"),
        ({"room": "", "message": {"text": "hi"}}, "room"),
        ({"room": "lobby", "message": {"text": "hi", "metadata": "x"}}, "message.metadata"),
    ],
    ids=[
        "not-json",
        "array",
        "no-message",
        "no-text",
        "text-not-string",
        "empty-room",
        "metadata-not-object",
    ],
)
@pytest.mark.parametrize("transport", ["lambda", "http"])
def test_given_malformed_input_then_400_saying_what_is_wrong(deployment, body, problem, transport):
    raw = body if isinstance(body, str) else json.dumps(body)
    event = via_http(raw) if transport == "http" else {"body": raw}

    status, answer = invoke(event)

    assert status == 400
    assert answer["error"] == "bad_request"
    assert problem in json.dumps(answer)


def test_given_malformed_input_then_the_warning_names_the_rule(deployment):
    # The lines as written: the invocation's keys exist only while it runs.
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        invoke({"body": json.dumps({"ruleId": "rule-42", "room": "lobby"})})
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (warning,) = [line for line in lines if line.get("level") == "WARNING"]
    assert warning["ruleId"] == "rule-42"
    assert warning["error"] == "bad_request"
    assert warning["status"] == 400


def test_given_text_over_the_limit_then_400_text_too_long(monkeypatch):
    policy = RuntimePolicy(moderation=ModerationPolicy(max_text_length=100))
    with configure(monkeypatch, policy):
        status, body = invoke(before_publish_request("a" * 101))

    assert status == 400
    assert body["error"] == "text_too_long"


def test_given_the_policy_parameter_is_missing_then_503_not_500(deployment):
    import boto3

    boto3.client("ssm").delete_parameter(Name="/chatmod/test/policy")

    status, body = invoke(before_publish_request())

    assert status == 503
    assert body["error"] == "configuration_unavailable"


# --- policy: masking, room filter ------------------------------------------------------


def test_given_on_match_mask_then_text_rewritten_and_metadata_headers_kept(monkeypatch):
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask"))
    request = before_publish_request("what the sh1t is this")
    request["message"]["metadata"] = {"reply": {"serial": "abc"}}
    request["message"]["headers"] = {"lang": "en"}
    with configure(monkeypatch, policy):
        status, body = invoke(request)

    assert status == 200
    assert body == {
        "action": "accept",
        "message": {
            "text": "what the **** is this",
            "metadata": {"reply": {"serial": "abc"}},
            "headers": {"lang": "en"},
        },
    }


def test_given_a_rewrite_over_32_kib_then_rejected_instead(monkeypatch):
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask", max_text_length=20_000))
    text = "shit " + "😀" * 9000  # 4 UTF-8 bytes each: the rewrite would exceed 32 KiB
    with configure(monkeypatch, policy):
        status, body = invoke(before_publish_request(text))

    assert status == 200
    assert body["action"] == "reject"
    assert body["rejectionDetail"]["reason"] == "message_too_large_to_rewrite"


# The answer's wire form around the text, as Ably receives it: compact JSON, raw UTF-8.
REWRITE_OVERHEAD = len('{"action":"accept","message":{"text":"","metadata":{},"headers":{}}}')


def rewrite_of_bytes(size: int) -> str:
    """Text whose masked rewrite answer is ``size`` bytes of UTF-8: Cyrillic (2 B) padding."""
    room = size - REWRITE_OVERHEAD - len("shit ")
    return "shit " + "ж" * (room // 2) + "a" * (room % 2)


@pytest.mark.parametrize(
    ("size", "rewritten"), [(32 * 1024 - 1, True), (32 * 1024, True), (32 * 1024 + 1, False)]
)
def test_the_32_kib_rewrite_limit_counts_the_utf8_bytes_sent(monkeypatch, size, rewritten):
    # Defect: the limit was measured on ASCII-escaped JSON (a Cyrillic letter counted 6 bytes).
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask", max_text_length=40_000))
    with configure(monkeypatch, policy):
        request = before_publish_request(rewrite_of_bytes(size))
        response = before_publish.lambda_handler(request, FakeLambdaContext())

    answer = json.loads(response["body"])
    if rewritten:
        assert answer["message"]["text"].startswith("**** ")
        assert len(response["body"].encode("utf-8")) == size
    else:
        assert answer["rejectionDetail"]["reason"] == "message_too_large_to_rewrite"


def test_given_6304_cyrillic_letters_then_the_rewrite_fits(monkeypatch):
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask", max_text_length=20_000))
    with configure(monkeypatch, policy):
        status, body = invoke(before_publish_request("shit " + "ж" * 6304))

    assert status == 200
    assert body["message"]["text"] == "**** " + "ж" * 6304


def test_given_a_room_filter_then_other_rooms_pass_unmoderated(monkeypatch):
    policy = RuntimePolicy(moderation=ModerationPolicy(room_filter="^public-"))
    with configure(monkeypatch, policy):
        private = invoke(before_publish_request("shit", room="staff-room"))
        public = invoke(before_publish_request("shit", room="public-lobby"))

    assert private == (200, {"action": "accept"})
    assert public[1]["action"] == "reject"


# --- bans and strikes ------------------------------------------------------------------


def put_ban(
    tables: ChatmodTables, client_id: str, *, expires_at: int | None, reason: str = "spam"
) -> None:
    item: dict[str, Any] = {
        "clientId": client_id,
        "reason": reason,
        "source": "mod1",
        "createdAt": int(time.time()) - 10,
    }
    if expires_at is not None:
        item["expiresAt"] = expires_at
    tables.bans.put_item(Item=item)


def test_given_a_banned_sender_then_rejected_as_banned_with_the_end(deployment):
    until = int(time.time()) + 600
    put_ban(deployment, "alice", expires_at=until)

    status, body = invoke(before_publish_request("perfectly polite", client_id="alice"))

    assert status == 200
    assert body["action"] == "reject"
    assert body["rejectionDetail"]["reason"] == "banned"
    assert body["rejectionDetail"]["bannedUntil"].startswith(
        time.strftime("%Y-%m-%dT", time.gmtime(until))
    )
    assert body["rejectionDetail"]["banReason"] == "spam"


def test_given_a_permanent_ban_then_banned_until_permanent(deployment):
    put_ban(deployment, "alice", expires_at=None)

    body = invoke(before_publish_request("hi", client_id="alice"))[1]

    assert body["rejectionDetail"]["bannedUntil"] == "permanent"


def test_given_an_expired_ban_still_in_the_table_then_accepted(deployment):
    # DynamoDB deletes expired items up to ~48 h late: the expiry itself decides.
    put_ban(deployment, "alice", expires_at=int(time.time()) - 1)

    assert invoke(before_publish_request("hi", client_id="alice")) == (200, {"action": "accept"})


def test_given_repeated_rejections_then_strikes_climb_the_ladder_into_a_ban(deployment):
    first = invoke(before_publish_request("shit", client_id="bob"))[1]
    second = invoke(before_publish_request("fuck", client_id="bob"))[1]
    third = invoke(before_publish_request("hello again", client_id="bob"))[1]

    assert first["rejectionDetail"]["reason"] == "flagged by blocklist"  # strike 1: warn
    assert second["rejectionDetail"]["reason"] == "flagged by blocklist"  # strike 2: 120 s ban
    assert third["rejectionDetail"]["reason"] == "banned"
    ban = deployment.bans.get_item(Key={"clientId": "bob"})["Item"]
    assert ban["source"] == "auto"
    assert int(ban["expiresAt"]) - int(ban["createdAt"]) == 120  # the 120 s rung
    actions = [e["action"] for e in deployment.audit.scan()["Items"]]
    assert actions.count("strike") == 2
    assert "ban" in actions


def test_given_ably_retries_the_same_message_then_one_strike(deployment):
    for _ in range(3):
        invoke(before_publish_request("shit", client_id="carol"))

    item = deployment.strikes.get_item(Key={"clientId": "carol"})["Item"]
    assert len(item["strikes"]) == 1


# --- network providers and the failed action -------------------------------------------


def hive_policy(**moderation: Any) -> RuntimePolicy:
    return RuntimePolicy.model_validate(
        {
            "moderation": {
                "providers": [
                    {"name": "blocklist"},
                    {
                        "name": "hive",
                        "baseUrl": moderation.pop("base_url"),
                        "thresholds": {"sexual": 2},
                    },
                ],
                **moderation,
            }
        }
    )


def with_hive(monkeypatch: pytest.MonkeyPatch, hive_server: FakeServer, **moderation: Any) -> Any:
    return moto_deployment(
        monkeypatch,
        policy=hive_policy(base_url=hive_server.url, **moderation),
        secrets={HIVE_KEY_PARAMETER: "hive-test-key"},
        env={"CHATMOD_PROVIDER_KEY_PARAMETERS": f"hive={HIVE_KEY_PARAMETER}"},
    )


def test_given_hive_in_the_chain_then_its_verdict_counts(monkeypatch, hive_server):
    with with_hive(monkeypatch, hive_server):
        clean = invoke(before_publish_request("hello there"))
        flagged = invoke(before_publish_request("such a badword"))

    assert clean == (200, {"action": "accept"})
    assert flagged[1]["action"] == "reject"
    assert flagged[1]["rejectionDetail"] == {
        "reason": "flagged by hive",
        "category": "sexual",
        "provider": "hive",
    }
    assert hive_server.requests[0].headers["authorization"] == "token hive-test-key"


@pytest.mark.parametrize(
    ("failed_action", "expected"),
    [
        (
            "reject",
            (
                200,
                {
                    "action": "reject",
                    "rejectionDetail": {"reason": "moderation_unavailable", "provider": "hive"},
                },
            ),
        ),
        ("publish", (200, {"action": "accept"})),
    ],
)
def test_given_hive_down_then_the_failed_action_answers(
    monkeypatch, hive_server, failed_action, expected
):
    hive_server.script(*[Reply(status=503)] * 5)
    with with_hive(
        monkeypatch, hive_server, failedAction=failed_action, maxRetries=1, retryTimeoutMs=2000
    ):
        answer = invoke(before_publish_request("hello"))

    assert answer == expected
    assert len(hive_server.requests) == 2  # one retry after the 5xx


def test_given_hive_down_and_failed_action_defer_then_503_so_ably_applies_its_rule(
    monkeypatch, hive_server
):
    hive_server.script(*[Reply(status=503)] * 5)
    with with_hive(monkeypatch, hive_server, failedAction="defer", maxRetries=0):
        status, body = invoke(before_publish_request("hello"))

    assert status == 503
    assert body["error"] == "moderation_unavailable"


def test_given_hive_slower_than_the_budget_then_answered_within_it(monkeypatch, hive_server):
    hive_server.delay = 2
    with with_hive(
        monkeypatch, hive_server, failedAction="publish", retryTimeoutMs=300, maxRetries=3
    ):
        get_runtime()  # a warm container: policy read, engine built
        started = time.monotonic()
        answer = invoke(before_publish_request("hello"))
        elapsed = time.monotonic() - started

    assert answer == (200, {"action": "accept"})
    # The budget plus slack for a shared machine, far below Hive's 2 s answer.
    assert elapsed < 0.3 + 1.2


def test_given_429_and_retry_policy_then_retried_and_decided(monkeypatch, hive_server):
    hive_server.script(Reply(status=429, headers={"retry-after": "0"}))
    with with_hive(
        monkeypatch, hive_server, tooManyRequestsAction="retry", maxRetries=1, retryTimeoutMs=2000
    ):
        answer = invoke(before_publish_request("badword"))

    assert answer[1]["action"] == "reject"
    assert len(hive_server.requests) == 2


def test_given_429_and_fail_policy_then_not_retried(monkeypatch, hive_server):
    hive_server.script(Reply(status=429))
    with with_hive(
        monkeypatch, hive_server, tooManyRequestsAction="fail", maxRetries=3, failedAction="publish"
    ):
        answer = invoke(before_publish_request("badword"))

    assert answer == (200, {"action": "accept"})
    assert len(hive_server.requests) == 1


# --- observability ---------------------------------------------------------------------


def test_each_decision_is_counted_in_metrics(deployment, capsys):
    invoke(before_publish_request("shit"))

    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    emf = [line for line in lines if "_aws" in line]
    names = {
        m["Name"] for line in emf for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert {"Rejected", "DecisionLatency"} <= names
    # Lambda's own Duration metric times the handler; repeating it per message costs log bytes.
    assert "HandlerLatency" not in names
    # Per provider: in the same blob, as metadata (no blob, and no custom metric, of its own).
    (blob,) = emf
    assert blob["decisions"] == {"blocklist": {"Rejected": 1}}


# --- regressions from the production review (issue 7) ----------------------------------


def test_given_the_users_model_rejects_with_a_category_then_its_detail_is_answered(
    monkeypatch, model_server
):
    # Defect: an http provider's rejectionDetail.category crashed the handler (500).
    policy = RuntimePolicy.model_validate(
        {"moderation": {"providers": [{"name": "http", "url": model_server.url}]}}
    )
    with configure(monkeypatch, policy) as tables:
        status, body = invoke(before_publish_request("a badword here", client_id="dave"))
        strikes = tables.strikes.get_item(Key={"clientId": "dave"})["Item"]["strikes"]

    assert status == 200
    assert body == {
        "action": "reject",
        "rejectionDetail": {"reason": "no bad words", "category": "profanity", "provider": "http"},
    }
    assert len(strikes) == 1


def test_given_a_rotated_provider_key_then_the_next_request_after_the_cache_age_uses_it(
    monkeypatch, hive_server
):
    # Defect: the engine was rebuilt only when the policy changed, so Hive kept the old key.
    monkeypatch.setenv("CHATMOD_PARAMETER_MAX_AGE_SECONDS", "0")
    with with_hive(monkeypatch, hive_server):
        invoke(before_publish_request("hello there"))
        boto3.client("ssm").put_parameter(
            Name=HIVE_KEY_PARAMETER, Value="hive-rotated-key", Type="SecureString", Overwrite=True
        )
        invoke(before_publish_request("hello again"))

    keys = [request.headers["authorization"] for request in hive_server.requests]
    assert keys == ["token hive-test-key", "token hive-rotated-key"]


class _HangingTable:
    """A DynamoDB table whose every call hangs far longer than any request may take."""

    def __init__(self, table: Any, hang: Any) -> None:
        self.name = table.name
        self.meta = SimpleNamespace(client=self)
        self._hang = hang

    def __getattr__(self, operation: str) -> Any:
        return self._hang


@pytest.mark.parametrize(
    ("failed_action", "expected"),
    [("reject", "reject"), ("publish", "accept")],
)
def test_given_a_hanging_dynamodb_then_the_failed_action_answers_within_the_budget(
    monkeypatch, hang, failed_action, expected
):
    # Defect: a hanging DynamoDB made one ban lookup take 12 s (the function timeout is 6 s).
    policy = RuntimePolicy(moderation=ModerationPolicy(failed_action=failed_action))
    with configure(monkeypatch, policy), monkeypatch.context() as patch:
        real_table = aws.table
        patch.setattr(aws, "table", lambda name: _HangingTable(real_table(name), hang))
        started = time.monotonic()
        status, body = invoke(before_publish_request("hello", client_id="erin"))
        elapsed = time.monotonic() - started

    assert status == 200
    assert body["action"] == expected
    assert elapsed < 4  # the 1 s lookup budget, with room for a busy machine; never 10 s


def test_given_ssm_hangs_after_a_good_read_then_the_last_good_policy_is_served(deployment, hang):
    assert invoke(before_publish_request("shit"))[1]["action"] == "reject"
    monkeypatch_ssm_hang(hang)
    try:
        started = time.monotonic()
        status, body = invoke(before_publish_request("shit", client_id="frank"))
        elapsed = time.monotonic() - started
    finally:
        parameters_adapter.reset_parameter_cache()

    assert (status, body["action"]) == (200, "reject")
    assert elapsed < 5  # one bounded read attempt, not SSM's 40 s


def test_given_ssm_hangs_and_nothing_was_ever_read_then_503_in_time(deployment, hang):
    monkeypatch_ssm_hang(hang)
    try:
        started = time.monotonic()
        status, body = invoke(before_publish_request("hello"))
        elapsed = time.monotonic() - started
    finally:
        parameters_adapter.reset_parameter_cache()

    assert (status, body["error"]) == (503, "configuration_unavailable")
    assert elapsed < 5


def monkeypatch_ssm_hang(hang: Any) -> None:
    """Every SSM read from now on hangs (the cache is expired so reads are attempted)."""

    class Hanging:
        def get(self, *args: Any, **kwargs: Any) -> Any:
            return hang(*args, **kwargs)

    parameters_adapter._provider = Hanging()  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("field", "value"),
    [("text", "hi \ud800"), ("clientId", "al\udfffice"), ("room", "lob\ud800by")],
)
@pytest.mark.parametrize("transport", ["lambda", "http"])
def test_given_a_lone_surrogate_anywhere_then_400_not_500(deployment, field, value, transport):
    # Defect: a lone UTF-16 surrogate raised UnicodeEncodeError, a 500.
    request = before_publish_request("hello")
    if field == "room":
        request["room"] = value
    else:
        request["message"][field] = value
    raw = json.dumps(request)  # ensure_ascii: the surrogate travels as a \ud800 escape
    event = via_http(raw) if transport == "http" else {"body": raw}

    status, body = invoke(event)

    assert status == 400
    assert body["error"] == "invalid_text"


@pytest.mark.parametrize("depth", [33, 5_000], ids=["over-limit", "past-the-decoder"])
@pytest.mark.parametrize("transport", ["lambda", "http"])
def test_given_deeply_nested_metadata_then_400_not_500(deployment, depth, transport):
    # Defect: RecursionError escaped as a 500, and with failedAction "publish" Ably then
    # published the message unmoderated.
    request = before_publish_request("shit")
    raw = json.dumps(request).replace('"metadata": {}', '"metadata": ' + "[" * depth + "]" * depth)
    event = via_http(raw) if transport == "http" else {"body": raw}

    status, body = invoke(event)

    assert status == 400
    assert body["error"] == "too_deep"
    assert "nested deeper than 32 levels" in body["message"]


def test_given_a_raw_lambda_event_nested_too_deeply_then_400(deployment):
    request = before_publish_request("hello")
    deep: Any = {}
    for _ in range(40):
        deep = {"k": deep}
    request["message"]["metadata"] = deep

    status, body = invoke(request)

    assert (status, body["error"]) == (400, "too_deep")


def test_given_no_secret_then_401_before_any_configuration_is_read(deployment):
    # Defect: the secret was checked after the policy and keys were read, so an
    # unauthenticated caller caused SSM reads and saw a 503 naming a parameter.
    boto3.client("ssm").delete_parameter(Name="/chatmod/test/policy")

    status, body = invoke(via_http(before_publish_request(), secret="wrong"))

    assert (status, body["error"]) == (401, "unauthorized")


def test_given_the_secret_parameter_is_missing_then_503_without_naming_it(deployment):
    boto3.client("ssm").delete_parameter(Name="/chatmod/test/before-publish-secret")

    status, body = invoke(via_http(before_publish_request()))

    assert (status, body["error"]) == (503, "configuration_unavailable")
    assert "/chatmod/" not in json.dumps(body)


@pytest.mark.parametrize(
    "event",
    [
        {"requestContext": {"stage": "$default"}, "body": "{}"},
        {"httpMethod": "POST", "path": "/before-publish", "headers": {}, "body": "{}"},
        {"version": "1.0", "requestContext": {"http": {"method": "POST"}}, "body": "{}"},
    ],
    ids=["context-without-http", "rest-api-v1", "version-1"],
)
def test_given_an_http_shaped_event_that_is_not_api_gateway_v2_then_it_fails_closed(
    deployment, event
):
    # Defect: an event without requestContext.http skipped the secret check (failed open).
    event = dict(event)
    event["body"] = json.dumps(before_publish_request("hello"))

    status, body = invoke(event)

    assert (status, body["error"]) == (401, "unauthorized")


def test_given_a_rejection_then_the_audit_keeps_the_message_ref_apart_from_ably_serials(
    deployment,
):
    # Defect: the audit serial held a synthetic before-publish hash.
    invoke(before_publish_request("shit", client_id="gina"))

    events = {item["action"]: item for item in deployment.audit.scan()["Items"]}
    assert set(events) == {"reject", "strike"}
    for item in events.values():
        assert "serial" not in item
        assert "messageId" not in item
        assert item["messageRef"].startswith("before-publish:")


def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The DynamoDB operations the handler calls from now on, in order."""
    calls: list[str] = []
    client = aws.table("chatmod-test-bans").meta.client
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    return calls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", ["BatchGetItem"]),
        ("shit", ["BatchGetItem", "TransactWriteItems"]),
    ],
    ids=["accepted", "rejected"],
)
def test_given_a_message_with_a_sender_then_at_most_two_dynamodb_round_trips(
    deployment, monkeypatch, text, expected
):
    invoke(before_publish_request("warm-up"))  # the container is warm
    calls = dynamodb_calls(monkeypatch)

    invoke(before_publish_request(text, client_id="hank"))

    assert calls == expected


def test_given_the_policy_is_edited_into_invalid_json_then_the_last_valid_policy_is_kept(
    monkeypatch,
):
    monkeypatch.setenv("CHATMOD_PARAMETER_MAX_AGE_SECONDS", "0")
    with configure(monkeypatch, RuntimePolicy()):
        assert invoke(before_publish_request("shit"))[1]["action"] == "reject"
        boto3.client("ssm").put_parameter(
            Name="/chatmod/test/policy", Value="{not json", Type="String", Overwrite=True
        )

        status, body = invoke(before_publish_request("shit", client_id="ivan"))

    assert (status, body["action"]) == (200, "reject")


# --- messages POST /messages already judged (x-chatmod-judged) ---------------------------


def judged_request(
    text: str,
    *,
    signed_text: str | None = None,
    signed_client: str = "ivan",
    signed_room: str = "lobby",
    secret: str = JUDGED_KEY,
    age_s: float = 0.0,
) -> dict[str, Any]:
    """A before-publish request from ivan in lobby carrying a judged header signed as told."""
    request = before_publish_request(text, client_id="ivan")
    request["message"]["headers"] = {
        "x-chatmod-judged": judged_header(
            secret,
            room=signed_room,
            client_id=signed_client,
            text=text if signed_text is None else signed_text,
            now=time.time() - age_s,
        )
    }
    return request


@pytest.mark.parametrize("transport", ["lambda", "http"])
def test_given_a_valid_judged_header_then_accepted_without_moderation(
    deployment, monkeypatch, transport
):
    invoke(before_publish_request("warm-up"))
    calls = dynamodb_calls(monkeypatch)
    # Text the blocklist rejects: only the header can let it through.
    request = judged_request("shit")

    answer = invoke(via_http(request) if transport == "http" else request)

    assert answer == (200, {"action": "accept"})
    assert calls == ["BatchGetItem"]  # the ban check only: no strike, no audit
    assert "Item" not in deployment.strikes.get_item(Key={"clientId": "ivan"})


def test_given_a_valid_judged_header_from_a_banned_sender_then_rejected_as_banned(deployment):
    # Banned after POST /messages judged the message: the header does not outlive a ban.
    put_ban(deployment, "ivan", expires_at=None)

    status, body = invoke(judged_request("hello"))

    assert (status, body["action"]) == (200, "reject")
    assert body["rejectionDetail"]["reason"] == "banned"


def test_given_a_judged_header_signed_with_the_before_publish_secret_then_moderated(deployment):
    # The secret an HTTP rule holds in Ably's configuration signs nothing chatmod trusts.
    status, body = invoke(judged_request("shit", secret=BEFORE_PUBLISH_SECRET))

    assert (status, body["action"]) == (200, "reject")
    assert body["rejectionDetail"]["reason"] == "flagged by blocklist"


@pytest.mark.parametrize(
    "signed",
    [
        {"secret": "a-forged-secret-of-the-right-size"},
        {"signed_text": "hello"},
        {"signed_client": "someone-else"},
        {"signed_room": "other-room"},
        {"age_s": 600},
    ],
    ids=["forged", "other-text", "other-sender", "other-room", "stale"],
)
def test_given_a_judged_header_that_does_not_verify_then_moderated_as_usual(deployment, signed):
    request_ = judged_request("shit", **signed)

    status, body = invoke(request_)

    assert status == 200
    assert body["action"] == "reject"
    assert body["rejectionDetail"]["reason"] == "flagged by blocklist"
    assert len(deployment.strikes.get_item(Key={"clientId": "ivan"})["Item"]["strikes"]) == 1


@pytest.mark.parametrize("value", ["true", "1", "", "v1..", "v1.123.abc", 1, None])
def test_given_a_bare_or_malformed_judged_header_then_moderated_as_usual(deployment, value):
    request = before_publish_request("shit", client_id="ivan")
    request["message"]["headers"] = {"x-chatmod-judged": value}

    status, body = invoke(request)

    assert (status, body["action"]) == (200, "reject")


def test_given_a_judged_header_and_an_unreadable_judged_key_then_moderated_as_usual(deployment):
    boto3.client("ssm").delete_parameter(Name=JUDGED_KEY_PARAMETER)

    status, body = invoke(judged_request("shit"))  # Lambda transport: no secret check

    assert (status, body["action"]) == (200, "reject")


# --- Ably's budget and what the stage deployed (issue 13, items 5 and 7) ------------------


def emitted_metrics(capsys: pytest.CaptureFixture[str]) -> dict[str, list[float]]:
    """Metric name → values, from the EMF lines the handler printed."""
    found: dict[str, list[float]] = {}
    for line in capsys.readouterr().out.splitlines():
        if not line.startswith("{"):
            continue
        blob = json.loads(line)
        for directive in blob.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                found.setdefault(metric["Name"], []).extend(
                    value if isinstance(value, list) else [value]
                )
    return found


def deployed(retry_timeout_ms: int = 1000, providers: str = "blocklist,http") -> dict[str, str]:
    """The environment the stack gives a function: the Ably rule's settings as deployed."""
    moderation = ModerationPolicy(retry_timeout_ms=retry_timeout_ms)
    rule, _ = Deployment.of(moderation, frozenset()).environment_values()
    return {"CHATMOD_ABLY_RULE": rule, "CHATMOD_DEPLOYED_PROVIDERS": providers}


def test_given_a_slow_strike_write_then_the_answer_comes_within_the_rules_retry_timeout(
    monkeypatch,
):
    # Defect: the deadline was the Lambda's 6 s; a strike write slowed to 2.5 s kept the
    # answer 2.5 s, long after Ably (retryTimeout 1 s) had applied its failed action.
    policy = RuntimePolicy(moderation=ModerationPolicy(retry_timeout_ms=1000))
    with moto_deployment(monkeypatch, policy=policy, env=deployed(1000)) as tables:
        invoke(before_publish_request("hello", client_id="warm"))
        client = get_runtime().bans._client
        released = threading.Event()

        def slow(**_: Any) -> None:  # (a handler returning a value would be the response)
            released.wait(2.5)

        client.meta.events.register("before-call.dynamodb.TransactWriteItems", slow)
        try:
            started = time.monotonic()
            status, body = invoke(before_publish_request("shit", client_id="slowpoke"))
            elapsed = time.monotonic() - started
        finally:
            released.set()  # the write goes on, late, in this test's account and not the next's
            client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", slow)
        # The answer did not wait for the strike, and the strike was not dropped for it.
        assert wait_for(lambda: tables.strikes.get_item(Key={"clientId": "slowpoke"}).get("Item"))

    assert (status, body["action"]) == (200, "reject")
    assert elapsed < 1.0 + 0.5  # the rule's 1 s less the margin, plus a busy machine's slack


def test_given_no_deployment_in_the_environment_then_the_lambdas_own_time_bounds_the_request():
    # Unit tests and tools run without the stack's variables: nothing to cap by.
    deadline = before_publish.request_deadline(FakeLambdaContext())  # 5 s left
    assert deadline.remaining() > 4


def test_given_the_rules_retry_timeout_then_the_request_deadline_is_it_less_the_margin(
    monkeypatch,
):
    with moto_deployment(monkeypatch, env=deployed(800)):
        deadline = before_publish.request_deadline(FakeLambdaContext())

    assert deadline.remaining() > 0.8 - before_publish.ABLY_MARGIN_S - 0.05
    assert deadline.remaining() <= 0.8 - before_publish.ABLY_MARGIN_S


def test_given_a_policy_edit_naming_an_undeployed_provider_then_refused_and_the_last_good_kept(
    monkeypatch, capsys, caplog
):
    # Defect: the edit turned every message into a 503 (no key parameter, no grant).
    with moto_deployment(monkeypatch, env=deployed()):
        assert invoke(before_publish_request("shit"))[1]["action"] == "reject"
        edited = hive_policy(base_url="https://api.thehive.ai")
        boto3.client("ssm").put_parameter(
            Name="/chatmod/test/policy", Value=edited.to_json(), Type="String", Overwrite=True
        )
        parameters_adapter.reset_parameter_cache()  # warm, but past the cache's age
        last_good = policy_runtime.RuntimePolicy()  # as the functions parse it
        parameters_adapter._last_valid_policy["/chatmod/test/policy"] = last_good
        capsys.readouterr()

        status, body = invoke(before_publish_request("shit", client_id="gina"))

    assert (status, body["action"]) == (200, "reject")  # the blocklist still judged
    assert emitted_metrics(capsys)["PolicyRefused"] == [1.0]
    (refused,) = [r for r in caplog.records if "policy parameter refused" in r.getMessage()]
    assert "'hive'" in refused.problems[0]  # type: ignore[attr-defined]


def test_given_a_policy_edit_of_the_rules_settings_in_a_cold_container_then_the_rules_apply(
    monkeypatch, capsys
):
    # SSM says 3 s and "publish"; Ably's rule, as deployed, says 1 s and "reject".
    edited = RuntimePolicy(
        moderation=ModerationPolicy(retry_timeout_ms=3000, failed_action="publish")
    )
    with moto_deployment(monkeypatch, policy=edited, env=deployed(1000)):
        status, _ = invoke(before_publish_request("hello"))
        metrics = emitted_metrics(capsys)
        runtime_policy = get_runtime().policy

    assert status == 200
    assert metrics["PolicyRefused"] == [1.0]
    assert runtime_policy.moderation.retry_timeout_ms == 1000
    assert runtime_policy.moderation.failed_action == "reject"


def test_given_the_policy_is_unreadable_then_the_503_is_counted_as_unavailable_and_failed(
    deployment, capsys
):
    # Defect: on the Lambda transport such 503s left no trace: no Lambda error, no
    # API Gateway 5xx, no Failed decision.
    boto3.client("ssm").delete_parameter(Name="/chatmod/test/policy")
    capsys.readouterr()

    status, _ = invoke(before_publish_request("hello"))

    assert status == 503
    metrics = emitted_metrics(capsys)
    assert metrics["BeforePublishUnavailable"] == [1.0]
    assert metrics["Failed"] == [1.0]


def test_given_a_malformed_request_then_it_is_not_counted_as_unavailable(deployment, capsys):
    capsys.readouterr()
    status, _ = invoke({"body": "{"})

    assert status == 400
    assert "BeforePublishUnavailable" not in emitted_metrics(capsys)
