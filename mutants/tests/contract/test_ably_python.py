"""The stub against ably-python's ``AblyRestSync``, the client chatmod itself uses."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from ably.sync import AblyRestSync
from ably.sync.util.exceptions import AblyException

from chatmod.adapters.ably import AblyGateway, new_idempotency_key
from tests.support.ably_stub import FAKE_API_KEY, FAKE_KEY_NAME, AblyStub

# What a chat user needs to send, read and edit or delete their own messages
# (https://ably.com/docs/chat/setup): the emulator enforces capabilities.
CAPABILITY = {"*": ["publish", "subscribe", "history", "message-update-own", "message-delete-own"]}


def token_client(ably_stub: AblyStub, auth_callback: Callable[[Any], Any]) -> AblyRestSync:
    """ably-python with token auth from ``auth_callback``, pointed at the stub over HTTP."""
    return AblyRestSync(
        auth_callback=auth_callback,
        endpoint="127.0.0.1",
        port=ably_stub.port,
        tls=False,
        fallback_hosts=[],
        use_binary_protocol=False,
    )


@pytest.fixture
def user_client(ably_stub: AblyStub, gateway: AblyGateway) -> Iterator[AblyRestSync]:
    """ably-python as a user: token auth from chatmod's TokenRequests (one per token)."""

    def auth_callback(_token_params: Any) -> dict[str, Any]:
        return gateway.create_token_request("alice", CAPABILITY, 3_600_000)

    client = token_client(ably_stub, auth_callback)
    yield client
    client.close()


def chat_path(room: str, *rest: str) -> str:
    return "/".join(["/chat/v4/rooms", quote(room, safe=""), "messages", *rest])


def test_token_auth_publish_and_history(ably_stub: AblyStub, user_client: AblyRestSync) -> None:
    channel = user_client.channels.get("news")
    for index in range(3):
        channel.publish(f"n{index}", {"index": index})

    page = channel.history(direction="forwards", limit=2)
    assert [m.name for m in page.items] == ["n0", "n1"]
    assert page.items[0].data == {"index": 0}
    assert all(m.client_id == "alice" for m in page.items)
    assert page.has_next()
    rest = page.next()
    assert [m.name for m in rest.items] == ["n2"]
    assert rest.is_last()
    assert [m.name for m in channel.history(limit=1).items] == ["n2"]
    [exchange] = ably_stub.requests_to(f"/keys/{FAKE_KEY_NAME}/requestToken")
    assert exchange.json()["clientId"] == "alice"


def test_chat_rest_with_idempotency_keys(user_client: AblyRestSync) -> None:
    key = new_idempotency_key()
    body = {"text": "hi", "metadata": {"m": 1}, "headers": {"h": "v"}}
    sent = user_client.request("POST", chat_path("r 1"), "4", {"idempotencyKey": key}, body)
    again = user_client.request("POST", chat_path("r 1"), "4", {"idempotencyKey": key}, body)
    other = user_client.request("POST", chat_path("r 1"), "4", None, {"text": "second"})

    assert sent.status_code == 200
    [message] = sent.items
    assert again.items == [message]  # a repeated key: the same message, not a second one
    assert set(message) >= {"serial", "timestamp", "action", "version", "text", "clientId"}
    assert (message["action"], message["clientId"], message["text"]) == (
        "message.create",
        "alice",
        "hi",
    )
    assert message["version"] == {"serial": message["serial"], "timestamp": message["timestamp"]}

    page = user_client.request("GET", chat_path("r 1"), "4", {"limit": "1"})
    assert [m["serial"] for m in page.items] == [other.items[0]["serial"]]
    assert [m["serial"] for m in page.next().items] == [message["serial"]]

    serial = quote(message["serial"], safe="")
    got = user_client.request("GET", chat_path("r 1", serial), "4")
    assert got.items == [message]
    updated = user_client.request(
        "PUT", chat_path("r 1", serial), "4", None, {"message": {"text": "edited"}}
    )
    assert (updated.items[0]["text"], updated.items[0]["metadata"]) == ("edited", {})
    deleted = user_client.request(
        "POST", chat_path("r 1", serial, "delete"), "4", None, {"description": "spam"}
    )
    assert deleted.items[0]["action"] == "message.delete"
    assert deleted.items[0]["version"]["description"] == "spam"
    # A delete blanks text, metadata and headers (the answer and a later get alike).
    got_deleted = user_client.request("GET", chat_path("r 1", serial), "4").items[0]
    for message in (deleted.items[0], got_deleted):
        assert (message["text"], message["metadata"], message["headers"]) == ("", {}, {})

    missing = user_client.request("POST", chat_path("r 1", "0-0%40x%3A0", "delete"), "4", None, {})
    assert (missing.status_code, missing.error_code) == (404, "40400")


@pytest.mark.parametrize("body", [{"text": ""}, {"metadata": {}}], ids=["empty", "missing"])
def test_chat_send_without_text_is_refused(
    ably_stub: AblyStub, user_client: AblyRestSync, body: dict[str, Any]
) -> None:
    # Ably's Chat OpenAPI (static/open-specs/chat.yaml): 400, its example code 40001.
    refused = user_client.request("POST", chat_path("r"), "4", None, body)

    assert (refused.status_code, refused.error_code) == (400, "40001")
    assert ably_stub.chat_messages("r") == []


def test_revocation_refused_over_a_token_and_applied_with_the_key(
    ably_stub: AblyStub, gateway: AblyGateway, user_client: AblyRestSync
) -> None:
    path = f"/keys/{FAKE_KEY_NAME}/revokeTokens"
    refused = user_client.request("POST", path, "3", None, {"targets": ["clientId:alice"]})
    assert (refused.status_code, refused.error_code) == (401, "40162")
    assert ably_stub.state.revocations == []

    # ably-python will not send the key over plain HTTP (40103), so the gateway
    # sends Basic auth itself for revokeTokens.
    key_client = AblyRestSync(
        key=FAKE_API_KEY, endpoint="127.0.0.1", port=ably_stub.port, tls=False, fallback_hosts=[]
    )
    with pytest.raises(AblyException) as caught:
        key_client.request("POST", path, "3", None, {"targets": ["clientId:alice"]})
    assert caught.value.code == 40103
    key_client.close()
    assert gateway.revoke_tokens(["alice"]).ok

    # Alice's token now fails with 40141 (token revoked); ably-python gets a new one.
    user_client.channels.get("c").publish("after", "revocation")
    answers = [r for r in ably_stub.requests if r.raw_path == "/channels/c/messages"]
    assert len(answers) == 2  # the first try was refused, the retry with a new token passed
    assert len(ably_stub.requests_to(f"/keys/{FAKE_KEY_NAME}/requestToken")) == 2


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda tr: {**tr, "mac": tr["mac"][:-4] + "AAA="}, 40101),  # wrong mac
        (lambda tr: {**tr, "ttl": tr["ttl"] - 1}, 40101),  # a signed field changed
        (lambda tr: {**tr, "timestamp": tr["timestamp"] - 3_600_000}, 40101),  # mac covers it
    ],
    ids=["mac", "ttl", "timestamp"],
)
def test_token_request_mac_is_checked(
    ably_stub: AblyStub, gateway: AblyGateway, tamper: Any, code: int
) -> None:
    token_request = tamper(gateway.create_token_request("alice", CAPABILITY, 3_600_000))
    client = token_client(ably_stub, lambda _params: dict(token_request))
    with pytest.raises(AblyException) as caught:
        client.auth.authorize()
    client.close()
    assert (caught.value.status_code, caught.value.code) == (401, code)
    assert ably_stub.state.tokens == {}


MINUTE_MS = 60_000


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        # "the timestamp (which must be within 2 minutes of the current time)":
        # https://ably.com/docs/api/token-request-spec; 40104 "Timestamp not current".
        ({"timestamp_offset": -3 * MINUTE_MS}, 401, 40104),
        ({"timestamp_offset": 3 * MINUTE_MS}, 401, 40104),
        ({"timestamp_offset": -1.5 * MINUTE_MS}, None, None),
        ({"timestamp_offset": 1.5 * MINUTE_MS}, None, None),
        # "a random string of at least 16 characters" (the same spec).
        ({"nonce": "n" * 15}, 400, 40001),
        ({"nonce": "n" * 16}, None, None),
    ],
    ids=["3-min-old", "3-min-ahead", "90-s-old", "90-s-ahead", "15-char-nonce", "16-char-nonce"],
)
def test_token_request_timestamp_and_nonce_are_checked(
    ably_stub: AblyStub, overrides: dict[str, Any], status: int | None, code: int | None
) -> None:
    # ably-python signs a TokenRequest with the given timestamp and nonce (no network).
    signer = AblyRestSync(key=FAKE_API_KEY, tls=False, fallback_hosts=[])
    params: dict[str, Any] = {"client_id": "alice", "capability": CAPABILITY}
    if "timestamp_offset" in overrides:
        params["timestamp"] = int(time.time() * 1000 + overrides["timestamp_offset"])
    if "nonce" in overrides:
        params["nonce"] = overrides["nonce"]
    token_request = signer.auth.create_token_request(params, query_time=False).to_dict()
    signer.close()
    client = token_client(ably_stub, lambda _params: dict(token_request))
    try:
        if status is None:
            assert client.auth.authorize().client_id == "alice"
        else:
            with pytest.raises(AblyException) as caught:
                client.auth.authorize()
            assert (caught.value.status_code, caught.value.code) == (status, code)
            assert ably_stub.state.tokens == {}
    finally:
        client.close()


def test_token_request_is_single_use(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    token_request = gateway.create_token_request("alice", CAPABILITY, 3_600_000)
    client = token_client(ably_stub, lambda _params: dict(token_request))
    first = client.auth.authorize()
    assert first.client_id == "alice"
    with pytest.raises(AblyException) as caught:
        client.auth.authorize()  # the same nonce again
    client.close()
    assert (caught.value.status_code, caught.value.code) == (401, 40105)
