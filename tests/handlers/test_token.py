"""``/token`` end to end in process: moto for DynamoDB and SSM, the real signing code, no Ably."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chatmod.adapters import aws
from chatmod.adapters.ably import client as ably_client
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.parameters import reset_parameter_cache
from chatmod.core import constants
from chatmod.core.observability import logger
from chatmod.core.policy import RuntimePolicy, TokenPolicy
from chatmod.core.settings import get_settings
from chatmod.handlers import token
from tests.support.ably_stub import FAKE_API_KEY, FAKE_KEY_NAME, FAKE_KEY_SECRET, AblyStub
from tests.support.capabilities import CHAT_PARTICIPANT_OPERATIONS
from tests.support.deployment import (
    ABLY_KEY_PARAMETER,
    POLICY_PARAMETER,
    moto_deployment,
)
from tests.support.dynamodb import BANS_TABLE, ChatmodTables
from tests.support.events import FakeLambdaContext, http_event

KEY_PARAMETER = ABLY_KEY_PARAMETER
USER = {"sub": "alice", "cognito:groups": "[players]"}
MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators admins]"}


@pytest.fixture
def aws_mock(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    """The stack's tables in moto, and no parameters yet (each test puts what it needs)."""
    # Any call to Ably would land on the stub, where the test would see it.
    ably = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    token._ban_store = None
    with moto_deployment(monkeypatch, env=ably, parameters=False) as tables:
        yield tables
    token._ban_store = None


def put_parameters(*, key: str | None = FAKE_API_KEY, policy: RuntimePolicy | None = None) -> None:
    ssm = boto3.client("ssm")
    if key is not None:
        ssm.put_parameter(Name=KEY_PARAMETER, Value=key, Type="SecureString", Overwrite=True)
    ssm.put_parameter(
        Name=POLICY_PARAMETER,
        Value=(policy or RuntimePolicy()).to_json(),
        Type="String",
        Overwrite=True,
    )


@pytest.fixture
def configured(aws_mock: ChatmodTables) -> ChatmodTables:
    put_parameters()
    return aws_mock


@pytest.fixture
def bans(configured: ChatmodTables) -> BanStore:
    return BanStore(configured.bans, configured.strikes)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    level = logger.log_level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield buffer
    logger.removeHandler(handler)
    logger.setLevel(level)


def call(method: str = "GET", claims: dict[str, Any] | None = USER) -> tuple[int, Any, dict]:
    response = token.lambda_handler(
        http_event(method, "/token", claims=claims), FakeLambdaContext()
    )
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def expected_mac(request: dict[str, Any]) -> str:
    text = "".join(
        f"{request[name]}\n"
        for name in ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")
    )
    digest = hmac.new(FAKE_KEY_SECRET.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# -- issued ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_given_a_signed_in_user_when_asking_then_a_token_request_signed_with_the_key(
    configured, method, ably_stub
):
    before_ms = int(time.time() * 1000)

    status, body, headers = call(method)

    assert status == 200
    assert set(body) == {"keyName", "ttl", "capability", "clientId", "timestamp", "nonce", "mac"}
    assert body["keyName"] == FAKE_KEY_NAME
    assert body["clientId"] == "alice"
    assert body["mac"] == expected_mac(body)
    assert 0 < body["ttl"] <= 3_600_000
    assert json.loads(body["capability"]) == {"*": CHAT_PARTICIPANT_OPERATIONS}
    assert before_ms - 1000 <= body["timestamp"] <= int(time.time() * 1000) + 1000
    assert len(body["nonce"]) >= 16
    assert headers["Cache-Control"] == "no-store"
    assert FAKE_KEY_SECRET not in json.dumps(body)
    assert ably_stub.requests == []  # signed locally: no call to Ably


def test_given_a_moderator_when_asking_then_the_capability_allows_deleting_any_message(
    configured,
):
    status, body, _ = call(claims=MODERATOR)

    assert status == 200
    assert body["mac"] == expected_mac(body)
    capability = json.loads(body["capability"])
    assert "message-delete-any" in capability["*"]
    assert "message-update-any" in capability["*"]


def test_given_a_policy_with_rooms_and_a_short_ttl_when_asking_then_both_are_applied(aws_mock):
    put_parameters(
        policy=RuntimePolicy(tokens=TokenPolicy(ttl_seconds=600, rooms=("lobby", "help::$chat")))
    )

    status, body, _ = call()

    assert status == 200
    assert body["ttl"] == 600_000
    assert set(json.loads(body["capability"])) == {"lobby", "help"}
    assert body["mac"] == expected_mac(body)


def test_given_two_requests_when_signed_then_nonces_differ_and_no_ably_client_is_built(configured):
    _, first, _ = call()
    _, second, _ = call()

    assert first["nonce"] != second["nonce"]
    assert ably_client._gateway is None  # signed with the key alone: no SDK client, no connection


def test_given_the_key_is_rotated_when_the_cache_expires_then_the_new_key_signs(configured):
    call()
    put_parameters(key="appid.newkey:anothersecretanothersecret")
    reset_parameter_cache()  # what max_age does after a minute

    status, body, _ = call()

    assert status == 200
    assert body["keyName"] == "appid.newkey"
    text = "".join(
        f"{body[n]}\n" for n in ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")
    )
    mac = hmac.new(b"anothersecretanothersecret", text.encode(), hashlib.sha256).digest()
    assert body["mac"] == base64.b64encode(mac).decode()


def test_given_a_token_request_when_handled_then_exactly_one_dynamodb_call_is_made(configured):
    calls: list[str] = []
    call()  # warm: the SSM values are cached, as on a warm Lambda
    aws.table(BANS_TABLE).meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )

    status, _, _ = call()

    assert status == 200
    assert calls == ["GetItem"]


# -- refused --------------------------------------------------------------------------


def test_given_a_timed_ban_when_asking_then_403_with_reason_and_banned_until(bans):
    now = int(time.time())
    bans.ban("alice", reason="spamming links", source="mod1", duration_seconds=3600, now=now)

    status, body, _ = call()

    assert status == 403
    assert body["error"] == "banned"
    assert body["reason"] == "spamming links"
    assert body["bannedUntil"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600))
    assert body["message"]


def test_given_a_permanent_ban_when_asking_then_403_with_banned_until_null(bans):
    bans.ban("alice", reason="abuse", source="mod1", duration_seconds=None)

    status, body, _ = call()

    assert (status, body["error"], body["bannedUntil"]) == (403, "banned", None)


def test_given_an_expired_ban_ttl_has_not_deleted_when_asking_then_a_token_is_issued(
    configured,
):
    configured.bans.put_item(
        Item={
            "clientId": "alice",
            "reason": "old",
            "source": "auto",
            "createdAt": int(time.time()) - 7200,
            "expiresAt": int(time.time()) - 1,
        }
    )

    status, body, _ = call()

    assert status == 200
    assert body["clientId"] == "alice"


def test_given_another_user_is_banned_when_asking_then_a_token_is_issued(bans):
    bans.ban("bob", reason="r", source="mod1", duration_seconds=None)

    assert call()[0] == 200


@pytest.mark.parametrize("claims", [None, {}, {"email": "a@example.com"}, {"sub": ""}])
def test_given_no_identity_when_asking_then_401_json(configured, claims):
    status, body, headers = call(claims=claims)

    assert status == 401
    assert body["error"] == "unauthorized"
    assert body["message"]
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("sub", ["chatmod:system", "chatmod:anything", "ChatMod:System"])
def test_given_a_client_id_reserved_for_chatmod_when_asking_then_403_and_no_token(configured, sub):
    # chatmod's own events carry the reserved id: a user holding it could forge them.
    status, body, _ = call(claims={"sub": sub})

    assert status == 403
    assert body["error"] == "reserved_client_id"
    assert "keyName" not in body


def test_given_a_client_id_that_only_starts_like_chatmod_when_asking_then_a_token(configured):
    assert call(claims={"sub": "chatmodfan"})[0] == 200


def test_given_no_claims_and_no_configuration_when_asking_then_still_401(aws_mock):
    assert call(claims=None)[0] == 401


def test_given_the_key_parameter_is_missing_when_asking_then_503_json(aws_mock):
    put_parameters(key=None)

    status, body, _ = call()

    assert status == 503
    assert body["error"] == "configuration_unavailable"
    # The caller learns what failed, not where the key lives.
    assert KEY_PARAMETER not in json.dumps(body)


def test_given_no_parameters_at_all_when_asking_then_503_json(aws_mock):
    status, body, _ = call()

    assert (status, body["error"]) == (503, "configuration_unavailable")


def test_given_a_malformed_key_when_asking_then_503_without_echoing_it(aws_mock):
    put_parameters(key="not-a-key-secretvalue")

    status, body, _ = call()

    assert (status, body["error"]) == (503, "configuration_invalid")
    assert "secretvalue" not in json.dumps(body)


def test_given_missing_environment_when_asking_then_503_json(aws_mock, monkeypatch):
    monkeypatch.delenv(constants.ENV_BANS_TABLE)
    get_settings.cache_clear()

    status, body, _ = call()

    assert (status, body["error"]) == (503, "configuration_unavailable")
    assert constants.ENV_BANS_TABLE in body["message"]


def test_given_the_bans_table_is_missing_when_asking_then_503_not_a_token(aws_mock):
    put_parameters()
    boto3.client("dynamodb").delete_table(TableName=BANS_TABLE)

    status, body, _ = call()

    assert (status, body["error"]) == (503, "storage_unavailable")


# -- secrets stay secret --------------------------------------------------------------------


def test_given_every_outcome_when_logged_at_debug_then_the_key_secret_never_appears(
    bans, log_output
):
    call()  # 200
    call(claims=None)  # 401
    bans.ban("alice", reason="r", source="mod1", duration_seconds=None)
    call()  # 403
    put_parameters(key="appid.keyid:" + "s3cr3t" * 4 + "x:y")  # malformed
    reset_parameter_cache()
    call(claims={"sub": "carol"})  # 503

    output = log_output.getvalue()
    assert "request failed" in output  # the logs were captured
    assert FAKE_KEY_SECRET not in output
    assert "s3cr3t" not in output
