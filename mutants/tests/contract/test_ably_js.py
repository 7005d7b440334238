"""The stub against the real npm clients (``ably`` and ``@ably/chat``, pinned in package.json)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from ably.sync import AblyRestSync

from chatmod.adapters.ably import AblyGateway
from tests.contract.conftest import ROOT, NodeRunner
from tests.support.ably_stub import (
    FAKE_API_KEY,
    FAKE_KEY_NAME,
    FAKE_KEY_SECRET,
    AblyStub,
    BeforePublishRule,
    EmulatorKey,
)
from tests.support.fake_providers import FakeServer, model_responder

# What a chat user needs to send, read and edit or delete their own messages
# (https://ably.com/docs/chat/setup): the emulator enforces capabilities.
CAPABILITY = {"*": ["publish", "subscribe", "history", "message-update-own", "message-delete-own"]}
HOUR_MS = 3_600_000


def token_requests(gateway: AblyGateway, client_id: str, count: int = 1) -> list[dict[str, Any]]:
    """TokenRequests as ``/token`` hands them to ably-js (``authUrl``/``authCallback``)."""
    return [gateway.create_token_request(client_id, CAPABILITY, HOUR_MS) for _ in range(count)]


def test_pinned_clients_are_the_installed_ones() -> None:
    pins = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    for package in ("ably", "@ably/chat"):
        installed = json.loads((ROOT / "node_modules" / package / "package.json").read_text())
        assert installed["version"] == pins[package]  # exact pins, as npm ci installs them
    assert pins["@ably/chat"].startswith("1.")


def test_token_auth_publish_and_history(
    ably_stub: AblyStub, gateway: AblyGateway, run_node: NodeRunner
) -> None:
    out = run_node(
        "rest_pubsub.mjs",
        {"tokenRequests": token_requests(gateway, "alice"), "channel": "room:1 ü"},
    )

    # The TokenRequest's mac was checked and the token carries its identity.
    token = out["token"]
    assert (token["clientId"], token["ttl"]) == ("alice", HOUR_MS)
    assert {k: sorted(v) for k, v in json.loads(token["capability"]).items()} == {
        k: sorted(v) for k, v in CAPABILITY.items()
    }
    [exchange] = ably_stub.requests_to(f"/keys/{FAKE_KEY_NAME}/requestToken")
    assert exchange.header("Authorization") is None
    publishes = ably_stub.requests_to("/channels/room%3A1%20%C3%BC/messages", method="POST")
    assert {r.header("Authorization").split()[0] for r in publishes} == {"Bearer"}
    assert len(out["first"]["serials"]) == 1
    assert out["withId"] == out["again"]  # one message per id
    stored = ably_stub.state.channels["room:1 ü"]
    assert len(stored) == 3
    assert stored["fixed-id:0"]["clientId"] == "alice"  # from the token

    # History pages through Link headers, oldest first when asked.
    assert [m["name"] for m in out["page"]] == ["greeting", "once"]
    assert out["page"][0]["data"] == {"hello": "world"}  # json-encoded, decoded back
    assert out["page"][0]["action"] == "message.create"
    assert all(m["clientId"] == "alice" and m["serial"] for m in out["page"])
    assert out["pageHasNext"] is True
    assert [m["name"] for m in out["next"]] == ["third"]
    assert out["nextIsLast"] is True
    assert [m["name"] for m in out["newest"]] == ["third"]  # backwards by default


def test_chat_send_get_history_update_delete(
    ably_stub: AblyStub, gateway: AblyGateway, run_node: NodeRunner
) -> None:
    out = run_node(
        "chat.mjs", {"tokenRequests": token_requests(gateway, "alice"), "room": "lobby/1"}
    )

    sent = out["sent"]
    assert sent["clientId"] == "alice"
    assert (sent["text"], sent["metadata"], sent["headers"]) == ("hello", {"a": 1}, {"h": "v"})
    assert sent["action"] == "message.create"
    assert sent["version"]["serial"] == sent["serial"]
    assert out["got"] == sent
    # Newest first, one per page; the next page holds the older message.
    assert [m["serial"] for m in out["page"]] == [out["second"]["serial"]]
    assert out["pageHasNext"] is True
    assert [m["serial"] for m in out["next"]] == [sent["serial"]]
    assert out["oldestFirst"] == [sent["serial"], out["second"]["serial"]]

    updated = out["updated"]
    assert (updated["serial"], updated["action"]) == (sent["serial"], "message.update")
    assert (updated["text"], updated["metadata"], updated["headers"]) == (
        "hello, edited",
        {"b": 2},
        {},
    )
    assert updated["version"]["description"] == "typo"
    assert updated["version"]["metadata"] == {"reason": "typo"}
    assert updated["version"]["serial"] > sent["version"]["serial"]

    deleted = out["deleted"]
    assert (deleted["serial"], deleted["action"]) == (out["second"]["serial"], "message.delete")
    assert deleted["version"] | {"serial": None, "timestamp": None} == {
        "serial": None,
        "timestamp": None,
        "clientId": "alice",
        "description": "abusive",
    }
    # A delete blanks text, metadata and headers, in the answer, get and history alike.
    blank = ("", {}, {})
    assert (out["second"]["text"], out["second"]["metadata"]) == ("second", {"m": 2})
    for message in (deleted, out["gotDeleted"], out["historyAfterDelete"][0]):
        assert (message["text"], message["metadata"], message["headers"]) == blank
        assert message["action"] == "message.delete"
        assert message["clientId"] == "alice"
    assert out["unknown"]["code"] == 40400
    assert out["unknown"]["statusCode"] == 404
    # Ably's Chat OpenAPI: text "is required. Empty strings will result in an error."
    for refused in (out["emptySend"], out["emptyUpdate"]):
        assert (refused["code"], refused["statusCode"]) == (40001, 400)
    assert ably_stub.chat_messages("lobby/1")[0]["text"] == "hello, edited"

    # On the wire: @ably/chat's paths, version 4 and an idempotency key per write.
    writes = [
        r for r in ably_stub.requests if r.raw_path.startswith("/chat/") and r.method != "GET"
    ]
    assert [r.method for r in writes] == ["POST", "POST", "PUT", "POST", "POST", "POST", "PUT"]
    assert all(r.header("X-Ably-Version") == "4" and r.param("idempotencyKey") for r in writes)
    assert writes[0].raw_path == "/chat/v4/rooms/lobby%2F1/messages"


def test_revoke_tokens_needs_the_key(
    ably_stub: AblyStub, gateway: AblyGateway, run_node: NodeRunner
) -> None:
    out = run_node(
        "revoke.mjs",
        {"tokenRequests": token_requests(gateway, "mod"), "key": FAKE_API_KEY, "target": "bob"},
    )

    assert out["clientRefusal"]["code"] == 40162
    assert out["clientRefusal"]["statusCode"] == 401
    assert out["serverRefusal"] == {
        "success": False,
        "statusCode": 401,
        "errorCode": 40162,
        "errorMessage": "Cannot revoke tokens when using token auth",
    }
    result = out["result"]
    assert (result["successCount"], result["failureCount"]) == (1, 0)
    [entry] = result["results"]
    assert entry["target"] == "clientId:bob"
    assert entry["appliesAt"] >= entry["issuedBefore"]
    revocations = ably_stub.requests_to(f"/keys/{FAKE_KEY_NAME}/revokeTokens")
    assert [r.header("Authorization").split()[0] for r in revocations] == ["Bearer", "Basic"]


def signed_token_request(client_id: str | None) -> dict[str, Any]:
    """A TokenRequest ably-python signs with the key (no network): any clientId, even none."""
    signer = AblyRestSync(key=FAKE_API_KEY, tls=False, fallback_hosts=[])
    params = {"capability": CAPABILITY, **({"client_id": client_id} if client_id else {})}
    request: dict[str, Any] = signer.auth.create_token_request(params, query_time=False).to_dict()
    signer.close()
    return request


def test_a_token_publishes_only_as_its_client_id(
    ably_stub: AblyStub, gateway: AblyGateway, run_node: NodeRunner
) -> None:
    out = run_node(
        "client_id.mjs",
        {
            "channel": "ids",
            "aliceTokenRequests": token_requests(gateway, "alice"),
            "wildcardTokenRequests": [signed_token_request("*")],
            "anonymousTokenRequests": [signed_token_request(None)],
        },
    )

    # 40012 (HTTP 400): a clientId the token does not permit (ably-common 40012.md).
    for refused in (out["aliceAsMallory"], out["anonymousAsBob"]):
        assert (refused["code"], refused["statusCode"]) == (40012, 400)
    stored = [(m["name"], m.get("clientId")) for m in ably_stub.messages("ids")]
    assert stored == [
        ("implicit", "alice"),
        ("explicit", "alice"),
        ("as-bob", "bob"),  # a wildcard token publishes as anyone
        ("as-carol", "carol"),
        ("anonymous", None),
    ]


def test_a_keys_own_capability_bounds_the_key_and_its_tokens(
    ably_stub: AblyStub, run_node: NodeRunner
) -> None:
    # A key set up without privileged-headers or any delete operation.
    key_capability = {"*": ["history", "publish", "subscribe"]}
    ably_stub.state.keys[FAKE_KEY_NAME] = EmulatorKey(
        FAKE_KEY_SECRET, capability=json.dumps(key_capability)
    )

    out = run_node("key_capability.mjs", {"key": FAKE_API_KEY})

    assert len(out["plain"]["serials"]) == 1
    # 40160 (HTTP 401): the key lacks the capability, over Basic auth and in its tokens.
    for refused in (out["privilegedWithKey"], out["privilegedWithToken"], out["deleteWithKey"]):
        assert (refused["code"], refused["statusCode"]) == (40160, 401)
    # A token's capability: the intersection of what it asked for with the key's.
    assert out["wildcard"]["clientId"] == "*"
    assert json.loads(out["wildcard"]["capability"]) == key_capability
    assert json.loads(out["everything"]["capability"]) == key_capability
    assert (out["disjoint"]["code"], out["disjoint"]["statusCode"]) == (40160, 401)
    assert out["sent"] == {"text": "hi", "clientId": "svc"}
    assert [m["name"] for m in ably_stub.messages("events")] == ["e"]
    basic = ably_stub.requests_to("/chat/v4/rooms/lobby/messages", method="POST")
    assert [r.header("Authorization").split()[0] for r in basic] == ["Basic"]


def test_revoke_tokens_checks_issued_before(ably_stub: AblyStub, run_node: NodeRunner) -> None:
    now = int(time.time() * 1000)
    minute = 60_000
    cases = [None, now - 20 * minute, now + minute, now - 61 * minute]

    out = run_node(
        "revoke_checks.mjs", {"key": FAKE_API_KEY, "target": "bob", "issuedBefore": cases}
    )

    default, recent, future, too_old = out["answers"]
    assert default["result"]["successCount"] == 1
    assert recent["result"]["results"][0]["issuedBefore"] == now - 20 * minute
    # "A request with an issuedBefore in the future, or more than an hour in the past
    # will be rejected" (https://ably.com/docs/auth/revocation): 40003, HTTP 400.
    for refused in (future, too_old):
        assert refused["result"] is None
        assert (refused["error"]["code"], refused["error"]["statusCode"]) == (40003, 400)
    assert len(ably_stub.state.revocations) == 2


def test_revoke_tokens_needs_a_key_with_revocable_tokens(
    ably_stub: AblyStub, run_node: NodeRunner
) -> None:
    ably_stub.state.keys[FAKE_KEY_NAME] = EmulatorKey(FAKE_KEY_SECRET, revocable_tokens=False)

    out = run_node(
        "revoke_checks.mjs", {"key": FAKE_API_KEY, "target": "bob", "issuedBefore": [None]}
    )

    [refused] = out["answers"]
    # ably-common 40163: "the API key used does not have revocable tokens enabled".
    assert (refused["error"]["code"], refused["error"]["statusCode"]) == (40163, 401)
    assert ably_stub.state.revocations == []


@pytest.mark.parametrize(
    ("answer", "code", "detail"),
    [
        (
            {"action": "reject", "rejectionDetail": {"reason": "insult"}},
            42213,
            {"reason": "insult"},
        ),
        (None, 42211, None),  # the rule answers no decision; its failed action is reject
        # Answers outside the documented format are failed moderations too (Ably's
        # "Custom Moderation": a rewrite's text "cannot be empty"; rejectionDetail
        # keys and values "must be strings").
        ({"action": "accept", "message": {"text": ""}}, 42211, None),
        ({"action": "reject", "rejectionDetail": {"reason": "x", "score": 3}}, 42211, None),
    ],
    ids=["rejected", "rule-failed", "rewrite-empty-text", "detail-not-strings"],
)
def test_chat_send_refused_by_the_before_publish_rule(
    ably_stub: AblyStub,
    gateway: AblyGateway,
    run_node: NodeRunner,
    answer: dict[str, Any] | None,
    code: int,
    detail: dict[str, str] | None,
) -> None:
    def decide(request: dict[str, Any]) -> dict[str, Any]:
        if request["message"]["text"] == "bad":
            return answer if answer is not None else {"malformed": True}
        return {"action": "accept"}

    with FakeServer(model_responder(decide)) as rule_server:
        ably_stub.before_publish = BeforePublishRule(
            url=rule_server.url, headers={"authorization": "Bearer s"}, on_updates=True
        )
        out = run_node(
            "chat_rejected.mjs",
            {
                "tokenRequests": token_requests(gateway, "alice"),
                "room": "lobby",
                "rejectedText": "bad",
                "acceptedText": "fine",
            },
        )

    rejected = out["rejected"]
    assert rejected["isErrorInfo"] is True
    # An edit the rule (run on updates) rejects is refused as a send is.
    for refused in (rejected, out["rejectedEdit"]):
        assert (refused["code"], refused["statusCode"]) == (code, 422)
        if detail is not None:
            assert refused["detail"] == detail
        else:
            assert refused["detail"]["reason"].startswith("moderation failed")
    assert out["accepted"]["text"] == "fine"
    assert [m["text"] for m in ably_stub.chat_messages("lobby")] == ["fine"]
