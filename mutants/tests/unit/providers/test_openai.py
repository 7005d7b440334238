"""OpenAI provider against a loopback fake ``/v1/moderations``: shape, scores, errors."""

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
from chatmod.moderation.providers.openai import OpenAIProvider
from tests.support.fake_providers import (
    FakeServer,
    Reply,
    error_text,
    http_client_fixture,  # noqa: F401
    openai_server_fixture,  # noqa: F401
    refused_url_fixture,  # noqa: F401
)

KEY = "sk-test-openai-secret-0123456789"
SLACK = 1.0  # a timed-out call may overrun on a busy shared machine; the slow answer takes 3 s


@pytest.fixture
def openai(openai_server: FakeServer, http_client: httpx.Client) -> OpenAIProvider:
    return OpenAIProvider(KEY, base_url=openai_server.url, http_client=http_client)


def test_given_text_then_posts_model_and_input_with_bearer_auth(
    openai: OpenAIProvider, openai_server: FakeServer
) -> None:
    openai.moderate("hello", timeout=2)

    (request,) = openai_server.requests
    assert request.method == "POST"
    assert request.path == "/v1/moderations"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json() == {"model": "omni-moderation-latest", "input": "hello"}
    assert "openai-organization" not in request.headers


def test_given_model_and_organization_then_both_are_sent(
    openai_server: FakeServer, http_client: httpx.Client
) -> None:
    provider = OpenAIProvider(
        KEY,
        base_url=openai_server.url + "/",
        model="text-moderation-stable",
        organization="org-1",
        http_client=http_client,
    )

    provider.moderate("hello", timeout=2)

    (request,) = openai_server.requests
    assert request.path == "/v1/moderations"
    assert request.json()["model"] == "text-moderation-stable"
    assert request.headers["openai-organization"] == "org-1"


def test_given_answer_then_scores_are_category_scores(openai: OpenAIProvider) -> None:
    result = openai.moderate("this has a badword", timeout=2)

    assert result.provider == "openai"
    assert result.scores["sexual"] == 0.97
    assert result.scores["harassment"] == 0.4
    assert result.scores["hate"] == 0.0001
    assert "sexual/minors" in result.scores
    assert result.raw["flagged"] is True
    assert result.raw["categories"]["sexual"] is True  # type: ignore[index]
    assert result.raw["model"] == "omni-moderation-latest"


def test_given_blank_text_then_nothing_is_sent(
    openai: OpenAIProvider, openai_server: FakeServer
) -> None:
    assert openai.moderate("", timeout=2).scores == {}
    assert openai_server.requests == []


def test_given_slow_answer_then_timeout_on_time(
    openai: OpenAIProvider, openai_server: FakeServer
) -> None:
    openai_server.delay = 3

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        openai.moderate("hello", timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_given_429_then_rate_limited_with_retry_after(
    openai: OpenAIProvider,
    openai_server: FakeServer,
    headers: dict[str, str],
    expected: float | None,
) -> None:
    openai_server.script(
        Reply(429, json={"error": {"code": "rate_limit_exceeded"}}, headers=headers)
    )

    with pytest.raises(ProviderRateLimitedError) as caught:
        openai.moderate("hello", timeout=2)
    assert isinstance(caught.value, RateLimitedError)
    assert caught.value.retry_after == expected
    assert caught.value.code == "rate_limit_exceeded"


def test_given_429_out_of_quota_then_response_error_not_rate_limited(
    openai: OpenAIProvider, openai_server: FakeServer
) -> None:
    openai_server.script(
        Reply(429, json={"error": {"code": "insufficient_quota", "type": "insufficient_quota"}})
    )

    with pytest.raises(ProviderResponseError, match="insufficient_quota"):
        openai.moderate("hello", timeout=2)


def test_given_503_then_unavailable(openai: OpenAIProvider, openai_server: FakeServer) -> None:
    openai_server.script(Reply(503, json={"error": {"type": "server_error"}}))

    with pytest.raises(ProviderUnavailableError, match=r"HTTP 503 .*\(server_error\)"):
        openai.moderate("hello", timeout=2)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"{not json"),
        Reply(json=[]),
        Reply(json={"results": []}),
        Reply(json={"results": [{"category_scores": [0.1]}]}),
        Reply(json={"results": [{"category_scores": {"hate": None}}]}),
        Reply(json={"results": [{"category_scores": {"hate": True}}]}),
    ],
    ids=["not-json", "list", "no-results", "scores-list", "score-null", "score-bool"],
)
def test_given_malformed_answer_then_response_error(
    openai: OpenAIProvider, openai_server: FakeServer, reply: Reply
) -> None:
    openai_server.script(reply)

    with pytest.raises(ProviderResponseError):
        openai.moderate("hello", timeout=2)


def test_given_wrong_key_then_response_error_and_partial_key_not_echoed(
    openai: OpenAIProvider, openai_server: FakeServer
) -> None:
    # OpenAI's real 401 quotes the key partly masked; none of it may reach our message.
    message = f"Incorrect API key provided: {KEY[:8]}***{KEY[-4:]}. Full: {KEY}"
    openai_server.script(
        Reply(401, json={"error": {"message": message, "code": "invalid_api_key"}})
    )

    with pytest.raises(ProviderResponseError, match="HTTP 401") as caught:
        openai.moderate("hello", timeout=2)
    text = error_text(caught.value)
    assert KEY not in text
    assert KEY[-4:] not in text


def test_given_nothing_listening_then_unavailable(
    refused_url: str, http_client: httpx.Client
) -> None:
    provider = OpenAIProvider(KEY, base_url=refused_url, http_client=http_client)

    with pytest.raises(ProviderUnavailableError) as caught:
        provider.moderate("hello", timeout=2)
    assert KEY not in error_text(caught.value)


@pytest.mark.parametrize("reply", [Reply(429), Reply(500), Reply(body=b"x"), Reply(delay=2)])
def test_given_any_failure_then_key_never_in_error_text(
    openai: OpenAIProvider, openai_server: FakeServer, reply: Reply
) -> None:
    openai_server.script(reply)

    with pytest.raises(Exception) as caught:  # noqa: PT011 (every kind is checked)
        openai.moderate("hello", timeout=0.5)
    assert KEY not in error_text(caught.value)


def test_factory_builds_openai(openai_server: FakeServer) -> None:
    provider = build_provider("openai", api_key=KEY, base_url=openai_server.url)

    assert isinstance(provider, OpenAIProvider)
    assert KEY not in repr(provider)
    with pytest.raises(ValueError, match="api_key"):
        build_provider("openai", api_key="")
