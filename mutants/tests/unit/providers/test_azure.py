"""Azure AI Content Safety provider against a loopback fake ``text:analyze``."""

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
from chatmod.moderation.providers.azure import AzureContentSafetyProvider
from tests.support.fake_providers import (
    FakeServer,
    RecordedRequest,
    Reply,
    azure_responder,
    azure_server_fixture,  # noqa: F401
    error_text,
    http_client_fixture,  # noqa: F401
    refused_url_fixture,  # noqa: F401
)

KEY = "azure-content-safety-secret-key"
SLACK = 1.0  # a timed-out call may overrun on a busy shared machine; the slow answer takes 3 s


@pytest.fixture
def azure(azure_server: FakeServer, http_client: httpx.Client) -> AzureContentSafetyProvider:
    return AzureContentSafetyProvider(KEY, endpoint=azure_server.url, http_client=http_client)


def test_given_text_then_posts_analyze_with_subscription_key_and_eight_levels(
    azure: AzureContentSafetyProvider, azure_server: FakeServer
) -> None:
    azure.moderate("hello", timeout=2)

    (request,) = azure_server.requests
    assert request.method == "POST"
    assert request.path == "/contentsafety/text:analyze"
    assert request.query == {"api-version": ["2024-09-01"]}
    assert request.headers["ocp-apim-subscription-key"] == KEY
    assert "authorization" not in request.headers
    assert request.json() == {"text": "hello", "outputType": "EightSeverityLevels"}


def test_given_categories_then_they_are_sent_and_scored(
    azure_server: FakeServer, http_client: httpx.Client
) -> None:
    provider = AzureContentSafetyProvider(
        KEY,
        endpoint=azure_server.url + "/",
        categories=["Hate", "Sexual"],
        api_version="2023-10-01",
        http_client=http_client,
    )

    result = provider.moderate("a badword", timeout=2)

    (request,) = azure_server.requests
    assert request.json()["categories"] == ["Hate", "Sexual"]
    assert request.query == {"api-version": ["2023-10-01"]}
    assert result.scores == {"Hate": 0, "Sexual": 6}


def test_given_answer_then_scores_are_severities(azure: AzureContentSafetyProvider) -> None:
    result = azure.moderate("badword meanword", timeout=2)

    assert result.provider == "azure"
    assert result.scores == {"Hate": 2, "SelfHarm": 0, "Sexual": 6, "Violence": 0}
    assert result.raw["blocklistsMatch"] == []


def test_given_blocklist_matches_then_they_are_kept_in_raw(
    azure: AzureContentSafetyProvider, azure_server: FakeServer
) -> None:
    match = {"blocklistName": "mine", "blocklistItemId": "1", "blocklistItemText": "x"}
    azure_server.script(
        Reply(
            json={
                "blocklistsMatch": [match],
                "categoriesAnalysis": [{"category": "Hate", "severity": 0}],
            }
        )
    )

    assert azure.moderate("x", timeout=2).raw["blocklistsMatch"] == [match]


def test_given_text_over_10k_then_split_concurrently_and_aggregated_by_max(
    azure_server: FakeServer, http_client: httpx.Client
) -> None:
    azure_server.responder = azure_responder(
        {"mild": {"Sexual": 2}, "badword": {"Sexual": 6}, "meanword": {"Hate": 4}}
    )
    azure_server.delay = 0.2  # long enough that concurrent requests surely overlap
    provider = AzureContentSafetyProvider(KEY, endpoint=azure_server.url, http_client=http_client)
    words = [f"w{i}" for i in range(4000)]  # ~21,000 characters: three chunks
    words[10], words[2000], words[3990] = "mild", "badword", "meanword"
    text = " ".join(words)

    result = provider.moderate(text, timeout=5)

    sent = [r.json()["text"] for r in azure_server.requests]
    assert len(sent) == 3
    assert all(len(chunk) <= 10_000 for chunk in sent)
    assert set().union(*(chunk.split() for chunk in sent)) == set(words)
    assert azure_server.max_in_flight >= 2
    assert result.scores["Sexual"] == 6
    assert result.scores["Hate"] == 4


def test_given_emoji_then_the_limit_counts_utf16_units(
    azure_server: FakeServer, http_client: httpx.Client
) -> None:
    provider = AzureContentSafetyProvider(KEY, endpoint=azure_server.url, http_client=http_client)
    text = " ".join(["\U0001f600" * 4] * 1500)  # 7,499 code points, 13,499 UTF-16 units

    provider.moderate(text, timeout=5)

    sent = [r.json()["text"] for r in azure_server.requests]
    assert len(sent) == 2
    assert all(len(chunk.encode("utf-16-le")) // 2 <= 10_000 for chunk in sent)


def test_given_slow_answer_then_timeout_on_time(
    azure: AzureContentSafetyProvider, azure_server: FakeServer
) -> None:
    azure_server.delay = 3

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        azure.moderate("hello", timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


def test_given_429_then_rate_limited_with_retry_after(
    azure: AzureContentSafetyProvider, azure_server: FakeServer
) -> None:
    azure_server.script(
        Reply(429, json={"error": {"code": "TooManyRequests"}}, headers={"Retry-After": "3"})
    )

    with pytest.raises(ProviderRateLimitedError) as caught:
        azure.moderate("hello", timeout=2)
    assert isinstance(caught.value, RateLimitedError)
    assert caught.value.retry_after == 3


def test_given_503_then_unavailable(
    azure: AzureContentSafetyProvider, azure_server: FakeServer
) -> None:
    azure_server.script(Reply(503))

    with pytest.raises(ProviderUnavailableError):
        azure.moderate("hello", timeout=2)


def test_given_one_chunk_fails_then_the_call_fails(
    azure_server: FakeServer, http_client: httpx.Client
) -> None:
    good = azure_responder()

    def respond(request: RecordedRequest) -> Reply:
        return Reply(500) if "poison" in request.json()["text"].split() else good(request)

    azure_server.responder = respond
    provider = AzureContentSafetyProvider(KEY, endpoint=azure_server.url, http_client=http_client)
    words = [f"w{i}" for i in range(4000)]
    words[3000] = "poison"

    with pytest.raises(ProviderUnavailableError):
        provider.moderate(" ".join(words), timeout=5)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b""),
        Reply(json={"categoriesAnalysis": None}),
        Reply(json={"categoriesAnalysis": [{"severity": 2}]}),
        Reply(json={"categoriesAnalysis": [{"category": "Hate"}]}),
        Reply(json={"categoriesAnalysis": ["Hate"]}),
    ],
    ids=["empty", "null", "no-category", "no-severity", "not-object"],
)
def test_given_malformed_answer_then_response_error(
    azure: AzureContentSafetyProvider, azure_server: FakeServer, reply: Reply
) -> None:
    azure_server.script(reply)

    with pytest.raises(ProviderResponseError):
        azure.moderate("hello", timeout=2)


def test_given_bad_key_then_response_error_without_key(
    azure: AzureContentSafetyProvider, azure_server: FakeServer
) -> None:
    azure_server.script(
        Reply(401, json={"error": {"code": "401", "message": f"Access denied for key {KEY}"}})
    )

    with pytest.raises(ProviderResponseError, match="HTTP 401") as caught:
        azure.moderate("hello", timeout=2)
    assert KEY not in error_text(caught.value)


def test_given_nothing_listening_then_unavailable(
    refused_url: str, http_client: httpx.Client
) -> None:
    provider = AzureContentSafetyProvider(KEY, endpoint=refused_url, http_client=http_client)

    with pytest.raises(ProviderUnavailableError) as caught:
        provider.moderate("hello", timeout=2)
    assert KEY not in error_text(caught.value)


@pytest.mark.parametrize("reply", [Reply(429), Reply(502), Reply(body=b"x"), Reply(delay=2)])
def test_given_any_failure_then_key_never_in_error_text(
    azure: AzureContentSafetyProvider, azure_server: FakeServer, reply: Reply
) -> None:
    azure_server.script(reply)

    with pytest.raises(Exception) as caught:  # noqa: PT011 (every kind is checked)
        azure.moderate("hello", timeout=0.5)
    assert KEY not in error_text(caught.value)


def test_factory_builds_azure_and_requires_an_endpoint(azure_server: FakeServer) -> None:
    provider = build_provider("azure", api_key=KEY, endpoint=azure_server.url)

    assert isinstance(provider, AzureContentSafetyProvider)
    assert KEY not in repr(provider)
    with pytest.raises(ValueError, match="endpoint"):
        build_provider("azure", api_key=KEY, endpoint="")
