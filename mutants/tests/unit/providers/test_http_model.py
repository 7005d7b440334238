"""The user's own model (Ably before-publish contract) against a loopback fake model."""

from __future__ import annotations

import time

import httpx
import pytest

from chatmod.moderation.base import (
    ProviderRateLimitedError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from chatmod.moderation.providers import build_provider
from chatmod.moderation.providers._http import RateLimitedError
from chatmod.moderation.providers.http_model import HttpModelProvider, MessageContext
from tests.support.fake_providers import (
    FakeServer,
    Reply,
    error_text,
    http_client_fixture,  # noqa: F401
    model_server_fixture,  # noqa: F401
    refused_url_fixture,  # noqa: F401
    shared_http_client_fixture,  # noqa: F401
)

TOKEN = "model-bearer-token-secret"
SECRET_HEADER = "shared-secret-value-42"
SLACK = 1.0  # a timed-out call may overrun on a busy shared machine; the slow answer takes 3 s


@pytest.fixture
def model(model_server: FakeServer, http_client: httpx.Client) -> HttpModelProvider:
    return HttpModelProvider(
        model_server.url + "/moderate",
        token=TOKEN,
        headers={"x-moderation-secret": SECRET_HEADER},
        http_client=http_client,
    )


def test_given_context_then_posts_the_before_publish_request(
    model: HttpModelProvider, model_server: FakeServer
) -> None:
    context = MessageContext(
        room="lobby",
        client_id="alice",
        metadata={"lang": "en"},
        headers={"h": "v"},
        user_claim="vip",
    )

    model.moderate("hello", timeout=2, context=context)

    (request,) = model_server.requests
    assert request.method == "POST"
    assert request.path == "/moderate"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-moderation-secret"] == SECRET_HEADER
    assert request.json() == {
        "source": "chatmod",
        "appId": "chatmod",
        "site": "chatmod",
        "ruleId": "chatmod",
        "room": "lobby",
        "message": {
            "clientId": "alice",
            "text": "hello",
            "metadata": {"lang": "en"},
            "headers": {"h": "v"},
            "userClaim": "vip",
        },
    }


def test_given_no_context_or_token_then_defaults_are_sent_without_auth(
    model_server: FakeServer, http_client: httpx.Client
) -> None:
    provider = HttpModelProvider(
        model_server.url, app_id="app1", site="eu", rule_id="r1", http_client=http_client
    )

    provider.moderate("", timeout=2)  # blank text is still sent: metadata may matter

    (request,) = model_server.requests
    assert "authorization" not in request.headers
    assert request.json() == {
        "source": "chatmod",
        "appId": "app1",
        "site": "eu",
        "ruleId": "r1",
        "room": "",
        "message": {"clientId": "", "text": "", "metadata": {}, "headers": {}},
    }


def test_given_accept_then_rejected_scores_zero(model: HttpModelProvider) -> None:
    result = model.moderate("hello", timeout=2)

    assert result.provider == "http"
    assert result.scores == {"rejected": 0.0}
    assert result.raw == {"action": "accept"}


def test_given_reject_with_category_then_scores_and_reason_in_raw(model: HttpModelProvider) -> None:
    result = model.moderate("a badword", timeout=2)

    assert result.scores == {"rejected": 1.0, "profanity": 1.0}
    assert result.raw["rejectionDetail"] == {"reason": "no bad words", "category": "profanity"}


@pytest.mark.parametrize(
    ("answer", "scores", "raw"),
    [
        ({"action": "reject"}, {"rejected": 1.0}, {"action": "reject"}),
        (
            {"action": "reject", "rejectionReason": {"reason": "old field"}},
            {"rejected": 1.0},
            {"action": "reject", "rejectionDetail": {"reason": "old field"}},
        ),
        (
            {"action": "accept", "message": {"text": "h***o", "metadata": {}}},
            {"rejected": 0.0},
            {"action": "accept", "message": {"text": "h***o", "metadata": {}}},
        ),
        (
            {"action": "accept", "rejectionDetail": {"category": "ignored-on-accept"}},
            {"rejected": 0.0},
            {"action": "accept", "rejectionDetail": {"category": "ignored-on-accept"}},
        ),
    ],
    ids=["bare-reject", "legacy-rejectionReason", "rewrite", "category-on-accept"],
)
def test_given_answer_variants_then_mapped(
    model: HttpModelProvider,
    model_server: FakeServer,
    answer: dict[str, object],
    scores: dict[str, float],
    raw: dict[str, object],
) -> None:
    model_server.script(Reply(json=answer))

    result = model.moderate("hello", timeout=2)

    assert result.scores == scores
    assert result.raw == raw


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"accept"),
        Reply(json=["accept"]),
        Reply(json={}),
        Reply(json={"action": "maybe"}),
        Reply(json={"action": "reject", "rejectionDetail": "rude"}),
        Reply(json={"action": "accept", "message": "rewritten"}),
    ],
    ids=["not-json", "list", "no-action", "unknown-action", "detail-string", "message-string"],
)
def test_given_malformed_answer_then_response_error(
    model: HttpModelProvider, model_server: FakeServer, reply: Reply
) -> None:
    model_server.script(reply)

    with pytest.raises(ProviderResponseError):
        model.moderate("hello", timeout=2)


def test_given_slow_model_then_timeout_on_time(
    model: HttpModelProvider, model_server: FakeServer
) -> None:
    model_server.delay = 3

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        model.moderate("hello", timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


def test_given_429_then_rate_limited_with_retry_after(
    model: HttpModelProvider, model_server: FakeServer
) -> None:
    model_server.script(Reply(429, headers={"Retry-After": "1"}))

    with pytest.raises(ProviderRateLimitedError) as caught:
        model.moderate("hello", timeout=2)
    assert isinstance(caught.value, RateLimitedError)
    assert caught.value.retry_after == 1


def test_given_503_then_unavailable(model: HttpModelProvider, model_server: FakeServer) -> None:
    model_server.script(Reply(503))

    with pytest.raises(ProviderUnavailableError):
        model.moderate("hello", timeout=2)


def test_given_other_4xx_then_response_error(
    model: HttpModelProvider, model_server: FakeServer
) -> None:
    model_server.script(Reply(400, json={"error": "bad_request"}))

    with pytest.raises(ProviderResponseError, match="HTTP 400"):
        model.moderate("hello", timeout=2)


def test_given_nothing_listening_then_unavailable(
    refused_url: str, http_client: httpx.Client
) -> None:
    provider = HttpModelProvider(refused_url, token=TOKEN, http_client=http_client)

    with pytest.raises(ProviderUnavailableError):
        provider.moderate("hello", timeout=2)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(401, json={"code": TOKEN, "message": f"bad token {TOKEN} {SECRET_HEADER}"}),
        Reply(429),
        Reply(500),
        Reply(body=b"x"),
        Reply(delay=2),
    ],
)
def test_given_any_failure_then_token_header_and_url_query_never_in_error_text(
    model_server: FakeServer, http_client: httpx.Client, reply: Reply
) -> None:
    url_secret = "querytoken123"
    provider = HttpModelProvider(
        f"{model_server.url}/moderate?token={url_secret}",
        token=TOKEN,
        headers={"x-moderation-secret": SECRET_HEADER},
        http_client=http_client,
    )
    model_server.script(reply)

    with pytest.raises(Exception) as caught:  # noqa: PT011 (every kind is checked)
        provider.moderate("hello", timeout=0.5)
    text = error_text(caught.value)
    for secret in (TOKEN, SECRET_HEADER, url_secret):
        assert secret not in text
    assert url_secret not in repr(provider)


@pytest.mark.usefixtures("shared_http_client")
def test_factory_builds_http_model(model_server: FakeServer) -> None:
    provider = build_provider("http", url=model_server.url, token=TOKEN)

    assert isinstance(provider, HttpModelProvider)
    assert provider.moderate("badword", timeout=2).scores["rejected"] == 1.0
    with pytest.raises(ValueError, match="url"):
        build_provider("http", url="")
