"""Comprehend provider: request and parsing through botocore's Stubber; segment packing,
concurrency, timeouts and transport errors through real botocore against a loopback fake."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from chatmod.moderation.base import (
    ProviderRateLimitedError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from chatmod.moderation.providers import build_provider
from chatmod.moderation.providers._http import RateLimitedError
from chatmod.moderation.providers.comprehend import ComprehendProvider
from tests.support.fake_providers import (
    COMPREHEND_TARGET,
    FakeServer,
    Reply,
    aws_error,
    comprehend_server_fixture,  # noqa: F401
    error_text,
    refused_url_fixture,  # noqa: F401
    segment_texts,
)

SECRET = "fake-secret-access-key-for-tests"
SLACK = 1.0  # a timed-out call may overrun on a busy shared machine; the slow answer takes 3 s


def comprehend_client(endpoint_url: str | None = None, read_timeout: float = 5) -> Any:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    return session.client(
        "comprehend",
        endpoint_url=endpoint_url,
        config=Config(
            connect_timeout=1,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1, "mode": "standard"},
        ),
    )


@pytest.fixture
def stubbed() -> Iterator[tuple[ComprehendProvider, Stubber]]:
    client = comprehend_client()
    with Stubber(client) as stubber:
        yield ComprehendProvider(boto3_client=client), stubber
        stubber.assert_no_pending_responses()
    client.close()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for the provider's own client (no real AWS is contacted)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def provider(comprehend_server: FakeServer, aws_env: None) -> Iterator[ComprehendProvider]:
    """The provider with the client it builds itself (timeouts, retries off), aimed at the fake."""
    built = ComprehendProvider(region_name="us-east-1", endpoint_url=comprehend_server.url)
    yield built
    if built._client is not None:
        built._client.close()


# --- through Stubber ---------------------------------------------------------


def test_given_text_then_one_call_with_segments_and_language(
    stubbed: tuple[ComprehendProvider, Stubber],
) -> None:
    provider, stubber = stubbed
    stubber.add_response(
        "detect_toxic_content",
        {
            "ResultList": [
                {
                    "Labels": [
                        {"Name": "PROFANITY", "Score": 0.91},
                        {"Name": "INSULT", "Score": 0.2},
                    ],
                    "Toxicity": 0.88,
                }
            ]
        },
        expected_params={"TextSegments": [{"Text": "you badword"}], "LanguageCode": "en"},
    )

    result = provider.moderate("you badword", timeout=10)

    assert result.provider == "comprehend"
    assert result.scores == {"PROFANITY": 0.91, "INSULT": 0.2, "TOXICITY": 0.88}
    assert result.raw == {"segments": [{"start": 0, "end": 11}], "calls": 1}


def test_given_several_segments_then_scores_are_max_per_label_and_toxicity(
    stubbed: tuple[ComprehendProvider, Stubber],
) -> None:
    provider, stubber = stubbed
    text = " ".join(f"w{i}" for i in range(500))  # ~2,400 bytes: three segments, one call
    stubber.add_response(
        "detect_toxic_content",
        {
            "ResultList": [
                {"Labels": [{"Name": "INSULT", "Score": 0.3}], "Toxicity": 0.2},
                {"Labels": [{"Name": "INSULT", "Score": 0.7}], "Toxicity": 0.6},
                {"Labels": [{"Name": "SEXUAL", "Score": 0.1}], "Toxicity": 0.1},
            ]
        },
    )

    result = provider.moderate(text, timeout=10)

    assert result.scores == {"INSULT": 0.7, "SEXUAL": 0.1, "TOXICITY": 0.6}


def test_given_throttling_then_rate_limited(stubbed: tuple[ComprehendProvider, Stubber]) -> None:
    provider, stubber = stubbed
    stubber.add_client_error(
        "detect_toxic_content", service_error_code="ThrottlingException", http_status_code=400
    )

    with pytest.raises(ProviderRateLimitedError) as caught:
        provider.moderate("hello", timeout=10)
    assert isinstance(caught.value, RateLimitedError)
    assert caught.value.retry_after is None
    assert caught.value.code == "ThrottlingException"


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InternalServerException", 500, ProviderUnavailableError),
        ("ServiceUnavailable", 503, ProviderUnavailableError),
        ("TooManyRequestsException", 429, ProviderRateLimitedError),
        ("TextSizeLimitExceededException", 400, ProviderResponseError),
        ("AccessDeniedException", 400, ProviderResponseError),
        ("UnrecognizedClientException", 400, ProviderResponseError),
    ],
)
def test_given_client_errors_then_mapped(
    stubbed: tuple[ComprehendProvider, Stubber],
    code: str,
    status: int,
    expected: type[Exception],
) -> None:
    provider, stubber = stubbed
    stubber.add_client_error(
        "detect_toxic_content", service_error_code=code, http_status_code=status
    )

    with pytest.raises(expected, match=code):
        provider.moderate("hello", timeout=10)


@pytest.mark.parametrize(
    "response",
    [
        {"ResultList": []},
        {"ResultList": [{"Labels": [], "Toxicity": 0.1}, {"Labels": [], "Toxicity": 0.1}]},
        {"ResultList": [{"Labels": [{"Name": "INSULT"}], "Toxicity": 0.1}]},
        {"ResultList": [{"Labels": []}]},
    ],
    ids=["empty", "too-many", "label-without-score", "no-toxicity"],
)
def test_given_answer_of_the_wrong_shape_then_response_error(
    stubbed: tuple[ComprehendProvider, Stubber], response: dict[str, Any]
) -> None:
    provider, stubber = stubbed
    stubber.add_response("detect_toxic_content", response)

    with pytest.raises(ProviderResponseError):
        provider.moderate("hello", timeout=10)


def test_given_blank_text_then_nothing_is_sent(
    stubbed: tuple[ComprehendProvider, Stubber],
) -> None:
    provider, _ = stubbed  # no response queued: a call would fail the test

    assert provider.moderate(" \t\n", timeout=10).scores == {}


# --- segment packing ---------------------------------------------------------


def test_given_multibyte_text_then_segments_are_limited_by_utf8_bytes() -> None:
    provider = ComprehendProvider(boto3_client=object())
    text = " ".join(["日本語のテキスト"] * 200)  # 8 chars = 24 bytes a word; 5,000 bytes

    segments = provider.segments(text)

    assert len(segments) == 6
    assert all(len(s.text.encode()) <= 1000 for s in segments)
    assert all(len(s.text) < 1000 / 2 for s in segments)  # characters would have been wrong
    assert all(word == "日本語のテキスト" for s in segments for word in s.text.split())
    assert segments[0].start == 0
    assert segments[-1].end == len(text)


def test_given_more_than_ten_segments_then_several_concurrent_calls(
    provider: ComprehendProvider, comprehend_server: FakeServer
) -> None:
    comprehend_server.delay = 0.2  # long enough that concurrent requests surely overlap
    words = [f"w{i}" for i in range(2500)]  # ~14,900 bytes: more than 10 segments
    words[5], words[2400] = "badword", "badword"
    text = " ".join(words)

    result = provider.moderate(text, timeout=5)

    calls = segment_texts(comprehend_server.requests)
    segments = len(provider.segments(text))
    assert 10 < segments <= 20
    assert sorted(len(c) for c in calls) == [segments - 10, 10]
    assert comprehend_server.max_in_flight == 2
    assert all(len(s.encode()) <= 1000 for call in calls for s in call)
    assert sum(len(c) for c in calls) == len(result.raw["segments"]) == segments  # type: ignore[arg-type]
    assert result.raw["calls"] == 2
    assert set().union(*(s.split() for call in calls for s in call)) == set(words)
    assert result.scores == {"PROFANITY": 0.9, "INSULT": 0.3, "TOXICITY": 0.9}
    request = comprehend_server.requests[0]
    assert request.headers["x-amz-target"] == COMPREHEND_TARGET
    assert request.json()["LanguageCode"] == "en"


# --- real botocore against the loopback fake ---------------------------------


def test_given_slow_service_then_timeout_on_time(
    provider: ComprehendProvider, comprehend_server: FakeServer
) -> None:
    comprehend_server.delay = 3

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        provider.moderate("hello", timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


def test_given_botocore_read_timeout_then_timeout_error(
    comprehend_server: FakeServer,
) -> None:
    comprehend_server.delay = 2
    client = comprehend_client(comprehend_server.url, read_timeout=0.2)
    provider = ComprehendProvider(boto3_client=client)

    with pytest.raises(ProviderTimeoutError, match="ReadTimeoutError"):
        provider.moderate("hello", timeout=1.5)
    client.close()


def test_given_503_then_unavailable_and_botocore_did_not_retry(
    provider: ComprehendProvider, comprehend_server: FakeServer
) -> None:
    comprehend_server.script(aws_error(503, "ServiceUnavailableException"), aws_error(503, "x"))

    with pytest.raises(ProviderUnavailableError):
        provider.moderate("hello", timeout=10)
    assert len(comprehend_server.requests) == 1  # the policy retries, not botocore


def test_given_throttling_over_http_then_rate_limited(
    provider: ComprehendProvider, comprehend_server: FakeServer
) -> None:
    comprehend_server.script(aws_error(400, "ThrottlingException", "Rate exceeded"))

    with pytest.raises(ProviderRateLimitedError):
        provider.moderate("hello", timeout=10)
    assert len(comprehend_server.requests) == 1


def test_given_malformed_body_then_response_error(
    provider: ComprehendProvider, comprehend_server: FakeServer
) -> None:
    comprehend_server.script(Reply(body=b"<html>oops</html>"))

    with pytest.raises(ProviderResponseError):
        provider.moderate("hello", timeout=10)


def test_given_nothing_listening_then_unavailable(refused_url: str, aws_env: None) -> None:
    provider = ComprehendProvider(region_name="us-east-1", endpoint_url=refused_url)

    with pytest.raises(ProviderUnavailableError) as caught:
        provider.moderate("hello", timeout=10)
    assert SECRET not in error_text(caught.value)
    provider._client.close()


def test_given_no_credentials_then_response_error(
    comprehend_server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    provider = ComprehendProvider(region_name="us-east-1", endpoint_url=comprehend_server.url)

    with pytest.raises(ProviderResponseError, match="credentials"):
        provider.moderate("hello", timeout=10)
    provider._client.close()


def test_factory_builds_comprehend_without_creating_a_client() -> None:
    provider = build_provider("comprehend", region_name="us-east-1")

    assert isinstance(provider, ComprehendProvider)
    assert provider._client is None  # created on first moderate, not at build time
