"""TokenRequests signed without the SDK, held to the SDK (ably-python) and to Ably's checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ably.sync import AblyRestSync

from chatmod.adapters.token_request import ApiKey, create_token_request
from chatmod.core.errors import BadRequestError
from tests.support.ably_stub import FAKE_API_KEY, FAKE_KEY_NAME, FAKE_KEY_SECRET

KEY = ApiKey(FAKE_API_KEY)
NOW_S = 1_790_000_000.123
NONCE = "0123456789abcdef"


def sdk_token_request(client_id: str, capability: dict[str, list[str]], ttl_ms: int) -> dict:
    """What ably-python signs for the same key, time and nonce (no network: query_time off)."""
    sdk = AblyRestSync(key=FAKE_API_KEY)
    try:
        params: dict[str, Any] = {
            "client_id": client_id,
            "capability": capability,
            "ttl": ttl_ms,
            "timestamp": int(NOW_S * 1000),
            "nonce": NONCE,
        }
        signed = sdk.auth.create_token_request(params, query_time=False).to_dict()
    finally:
        sdk.close()
    return {
        name: signed[name]
        for name in ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce", "mac")
    }


@pytest.mark.parametrize(
    "capability",
    [
        {"room-1": ["publish", "subscribe"]},
        # Unsorted resources and operations: both sides must canonicalise the same way.
        {"z::$chat": ["subscribe", "history", "publish"], "a": ["presence"], "[*]*": ["*"]},
        {"ünïcödé-room": ["publish"]},
    ],
)
def test_the_same_fields_as_the_sdk_sign_to_the_same_token_request(capability):
    ours = create_token_request(
        KEY, "alice", capability, 3_600_000, clock=lambda: NOW_S, nonce=NONCE
    )

    assert ours == sdk_token_request("alice", capability, 3_600_000)
    assert list(ours) == ["keyName", "ttl", "capability", "clientId", "timestamp", "nonce", "mac"]


def test_a_different_secret_gives_a_different_mac():
    other = ApiKey(f"{FAKE_KEY_NAME}:another-secret")
    fields = ("alice", {"r": ["publish"]}, 60_000)

    mine = create_token_request(KEY, *fields, clock=lambda: NOW_S, nonce=NONCE)
    theirs = create_token_request(other, *fields, clock=lambda: NOW_S, nonce=NONCE)

    assert mine["mac"] != theirs["mac"]
    assert {k: v for k, v in mine.items() if k != "mac"} == {
        k: v for k, v in theirs.items() if k != "mac"
    }


def test_timestamp_is_the_clock_in_whole_milliseconds_and_nonces_are_fresh():
    first = create_token_request(KEY, "u", {"r": ["publish"]}, 60_000, clock=lambda: 1.0019)
    second = create_token_request(KEY, "u", {"r": ["publish"]}, 60_000, clock=lambda: 1.0019)

    assert first["timestamp"] == second["timestamp"] == 1001
    assert first["nonce"] != second["nonce"]
    assert len(first["nonce"]) == 16


def test_capability_is_the_canonical_json_ably_clients_send():
    signed = create_token_request(
        KEY, "u", {"b": ["subscribe", "publish"], "a": ["history"]}, 60_000
    )

    assert signed["capability"] == '{"a": ["history"], "b": ["publish", "subscribe"]}'
    assert json.loads(signed["capability"]) == {"a": ["history"], "b": ["publish", "subscribe"]}


@pytest.mark.parametrize(
    ("client_id", "capability", "ttl_ms"),
    [
        ("*", {"r": ["publish"]}, 60_000),
        ("", {"r": ["publish"]}, 60_000),
        ("  ", {"r": ["publish"]}, 60_000),
        (None, {"r": ["publish"]}, 60_000),
        ("u", {}, 60_000),
        ("u", {"r": "publish"}, 60_000),
        ("u", {"r": []}, 60_000),
        ("u", {"r": [1]}, 60_000),
        ("u", {"r": ["publish"]}, 0),
        ("u", {"r": ["publish"]}, True),
        ("u", {"r": ["publish"]}, 60_000.0),
        ("u", {"r": ["publish"]}, 3_600_001),  # revocable tokens live at most an hour
    ],
)
def test_bad_input_is_a_bad_request(client_id, capability, ttl_ms):
    with pytest.raises(BadRequestError):
        create_token_request(KEY, client_id, capability, ttl_ms)


def test_the_longest_ttl_ably_revokes_is_accepted():
    signed = create_token_request(KEY, "u", {"r": ["publish"]}, 3_600_000)

    assert signed["ttl"] == 3_600_000


@pytest.mark.parametrize("bad", ["nocolon", "appid.keyid:", "nodot:secret", "a.b:c:d", ""])
def test_a_malformed_key_is_refused_without_echoing_it(bad):
    with pytest.raises(ValueError, match="an Ably API key looks like") as caught:
        ApiKey(bad)

    assert not bad or bad not in str(caught.value)


def test_the_key_never_shows_its_secret():
    assert FAKE_KEY_SECRET not in repr(KEY)
    assert KEY.name == FAKE_KEY_NAME
