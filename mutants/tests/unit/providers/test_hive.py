"""Hive provider against a loopback fake Hive: request shape, scores, chunks, errors."""

from __future__ import annotations

import itertools
import re
import time

import httpx
import pytest

from chatmod.moderation.base import (
    Provider,
    ProviderRateLimitedError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from chatmod.moderation.providers import build_provider
from chatmod.moderation.providers._http import RateLimitedError, most_meaningful
from chatmod.moderation.providers.hive import HiveProvider
from tests.support.fake_providers import (
    FakeServer,
    RecordedRequest,
    Reply,
    error_text,
    hive_body,
    hive_responder,
    hive_server_fixture,  # noqa: F401
    hive_text,
    http_client_fixture,  # noqa: F401
    refused_url_fixture,  # noqa: F401
    shared_http_client_fixture,  # noqa: F401
)

KEY = "hive-secret-key-123"
SLACK = 1.0  # seconds a timed-out call may run past its timeout on a busy CI machine


def long_text(words: int = 900, marker: dict[int, str] | None = None) -> str:
    """Distinct words (``w0 w1 ...``), some replaced by ``marker``."""
    marker = marker or {}
    return " ".join(marker.get(i, f"w{i}") for i in range(words))


@pytest.fixture
def hive(hive_server: FakeServer, http_client: httpx.Client) -> HiveProvider:
    return HiveProvider(KEY, base_url=hive_server.url, http_client=http_client)


def test_given_text_when_moderated_then_posts_text_data_with_token_auth(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    hive.moderate("hello there", timeout=2)

    (request,) = hive_server.requests
    assert request.method == "POST"
    assert request.path == "/api/v2/task/sync"
    assert request.headers["authorization"] == f"token {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("chatmod/")
    assert request.json() == {"text_data": "hello there"}


def test_given_hive_classes_when_moderated_then_scores_are_max_severity_per_class(
    hive: HiveProvider,
) -> None:
    result = hive.moderate("a badword and a meanword", timeout=2)

    assert result.provider == "hive"
    assert result.scores["sexual"] == 3
    assert result.scores["bullying"] == 2
    assert result.scores["hate"] == 0
    assert len(result.raw["chunks"]) == 1  # type: ignore[arg-type]


def test_given_several_outputs_in_one_answer_then_max_is_taken(
    hive_server: FakeServer, hive: HiveProvider
) -> None:
    body = hive_body("x", {"sexual": 1})
    outputs = body["status"][0]["response"]["output"]
    outputs.append({"classes": [{"class": "sexual", "score": 2}, {"class": "hate", "score": 1}]})
    hive_server.script(Reply(json=body))

    assert hive.moderate("x", timeout=2).scores == {
        **dict.fromkeys(_classes(body), 0),
        "sexual": 2,
        "hate": 1,
    }


def _classes(body: dict[str, object]) -> list[str]:
    output = body["status"][0]["response"]["output"][0]  # type: ignore[index]
    return [c["class"] for c in output["classes"]]


def test_given_blank_text_then_nothing_is_sent(hive: HiveProvider, hive_server: FakeServer) -> None:
    assert hive.moderate("  \n ", timeout=2).scores == {}
    assert hive_server.requests == []


def test_given_slow_hive_when_timeout_passes_then_timeout_error_on_time(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    hive_server.delay = 3

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        hive.moderate("hello", timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


def test_given_429_with_retry_after_then_rate_limited_with_seconds(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    hive_server.script(Reply(429, json={"message": "slow down"}, headers={"Retry-After": "7"}))

    with pytest.raises(ProviderRateLimitedError) as caught:
        hive.moderate("hello", timeout=2)
    assert isinstance(caught.value, RateLimitedError)
    assert caught.value.retry_after == 7


def test_given_429_without_retry_after_then_retry_after_is_none(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    hive_server.script(Reply(429))

    with pytest.raises(RateLimitedError) as caught:
        hive.moderate("hello", timeout=2)
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_given_5xx_then_unavailable(
    hive: HiveProvider, hive_server: FakeServer, status: int
) -> None:
    hive_server.script(Reply(status))

    with pytest.raises(ProviderUnavailableError, match=f"HTTP {status}"):
        hive.moderate("hello", timeout=2)


def test_given_status_sequence_then_each_attempt_maps_its_own_status(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    hive_server.script(Reply(429), Reply(503))

    with pytest.raises(ProviderRateLimitedError):
        hive.moderate("hello", timeout=2)
    with pytest.raises(ProviderUnavailableError):
        hive.moderate("hello", timeout=2)
    assert hive.moderate("badword", timeout=2).scores["sexual"] == 3


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"<html>not json</html>"),
        Reply(json={"status": []}),
        Reply(json={"status": [{"response": {"output": []}}]}),
        Reply(json={"status": [{"response": {"output": [{"classes": [{"class": "x"}]}]}}]}),
        Reply(json={"status": [{"response": {"output": [{"classes": [{"score": 1}]}]}}]}),
        Reply(
            json={
                "status": [{"response": {"output": [{"classes": [{"class": "x", "score": "3"}]}]}}]
            }
        ),
    ],
    ids=["not-json", "no-status", "empty-output", "no-score", "no-class", "score-string"],
)
def test_given_malformed_answer_then_response_error(
    hive: HiveProvider, hive_server: FakeServer, reply: Reply
) -> None:
    hive_server.script(reply)

    with pytest.raises(ProviderResponseError, match="hive"):
        hive.moderate("hello", timeout=2)


def test_given_bad_key_401_then_response_error_without_the_key(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    hive_server.script(Reply(401, json={"code": "unauthorized", "message": f"bad key {KEY}"}))

    with pytest.raises(ProviderResponseError) as caught:
        hive.moderate("hello", timeout=2)
    assert "HTTP 401" in str(caught.value)
    assert "(unauthorized)" in str(caught.value)
    assert KEY not in error_text(caught.value)


def test_given_nothing_listening_then_unavailable(
    refused_url: str, http_client: httpx.Client
) -> None:
    hive = HiveProvider(KEY, base_url=refused_url, http_client=http_client)

    with pytest.raises(ProviderUnavailableError) as caught:
        hive.moderate("hello", timeout=2)
    assert KEY not in error_text(caught.value)


@pytest.mark.parametrize(
    "reply", [Reply(429), Reply(503), Reply(body=b"oops"), Reply(403), Reply(delay=2)]
)
def test_given_any_failure_then_key_never_in_error_text(
    hive: HiveProvider, hive_server: FakeServer, reply: Reply
) -> None:
    hive_server.script(reply)

    with pytest.raises(Exception) as caught:  # noqa: PT011 (every kind is checked)
        hive.moderate("hello", timeout=0.5)
    assert KEY not in error_text(caught.value)


# --- long text: chunks -----------------------------------------------------


def test_given_long_text_then_every_word_is_sent_whole_in_some_chunk(
    hive: HiveProvider, hive_server: FakeServer
) -> None:
    text = long_text(1200)  # ~6,000 characters

    result = hive.moderate(text, timeout=5)

    sent = [hive_text(r) for r in hive_server.requests]
    assert len(sent) == len(result.raw["chunks"]) > 1  # type: ignore[arg-type]
    assert all(len(chunk) <= 1024 for chunk in sent)
    words_seen = set()
    for chunk in sent:
        words_seen |= set(chunk.split())
    assert words_seen == set(text.split())
    # Neighbouring chunks overlap, so context crosses every boundary.
    spans = result.raw["chunks"]
    assert all(b["start"] < a["end"] for a, b in itertools.pairwise(spans))  # type: ignore[index]


def test_given_five_chunks_with_50ms_answers_then_they_run_concurrently(
    hive_server: FakeServer, hive: HiveProvider
) -> None:
    # Concurrency is shown by requests overlapping at the server; how much faster that
    # is than one call per chunk is measured in bench/hive_chunking_bench.py.
    hive_server.delay = 0.2  # long enough that concurrent requests surely overlap
    text = long_text(820)  # ~4,300 characters: five chunks

    hive.moderate(text, timeout=5)

    assert len(hive_server.requests) == 5
    assert hive_server.max_in_flight >= 2


def test_given_chunks_then_scores_aggregate_by_max_across_chunks(
    hive_server: FakeServer, http_client: httpx.Client
) -> None:
    hive_server.responder = hive_responder(
        {"mild": {"sexual": 1}, "badword": {"sexual": 3}, "meanword": {"bullying": 2}}
    )
    hive = HiveProvider(KEY, base_url=hive_server.url, http_client=http_client)
    text = long_text(1000, {5: "mild", 500: "badword", 990: "meanword"})

    result = hive.moderate(text, timeout=5)

    assert result.scores["sexual"] == 3
    assert result.scores["bullying"] == 2
    assert result.scores["hate"] == 0


def test_given_one_chunk_fails_then_the_whole_call_fails(
    hive_server: FakeServer, http_client: httpx.Client
) -> None:
    good = hive_responder()

    def respond(request: RecordedRequest) -> Reply:
        return Reply(503) if "poison" in hive_text(request).split() else good(request)

    hive_server.responder = respond
    hive = HiveProvider(KEY, base_url=hive_server.url, http_client=http_client)

    with pytest.raises(ProviderUnavailableError):
        hive.moderate(long_text(1000, {700: "poison"}), timeout=5)


def test_given_one_chunk_has_a_bad_answer_then_response_error(
    hive_server: FakeServer, http_client: httpx.Client
) -> None:
    good = hive_responder()

    def respond(request: RecordedRequest) -> Reply:
        return Reply(body=b"garbage") if "poison" in hive_text(request).split() else good(request)

    hive_server.responder = respond
    hive = HiveProvider(KEY, base_url=hive_server.url, http_client=http_client)

    with pytest.raises(ProviderResponseError):
        hive.moderate(long_text(1000, {10: "poison"}), timeout=5)


def test_given_slow_chunks_then_the_whole_call_times_out_on_time(
    hive_server: FakeServer, hive: HiveProvider
) -> None:
    hive_server.delay = 3

    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        hive.moderate(long_text(1000), timeout=0.3)
    assert time.monotonic() - started < 0.3 + SLACK


def test_most_meaningful_error_prefers_definite_answers() -> None:
    timeout = ProviderTimeoutError("hive", "t")
    unavailable = ProviderUnavailableError("hive", "u")
    limited = RateLimitedError("hive", "r")
    bad = ProviderResponseError("hive", "b")

    assert most_meaningful([timeout, unavailable, limited, bad]) is bad
    assert most_meaningful([timeout, unavailable, limited]) is limited
    assert most_meaningful([timeout, unavailable]) is unavailable
    bug = KeyError("x")
    assert most_meaningful([bad, bug]) is bug


# --- construction ----------------------------------------------------------


@pytest.mark.usefixtures("shared_http_client")
def test_factory_builds_hive_and_it_satisfies_the_protocol(hive_server: FakeServer) -> None:
    provider = build_provider("hive", api_key=KEY, base_url=hive_server.url + "/")

    assert isinstance(provider, HiveProvider)
    assert isinstance(provider, Provider)
    assert KEY not in repr(provider)
    # The shared pooled client (no client injected) works too.
    assert provider.moderate("badword", timeout=2).scores["sexual"] == 3
    assert hive_server.requests[0].path == "/api/v2/task/sync"


def test_factory_rejects_unknown_names_and_options() -> None:
    with pytest.raises(ValueError, match=re.escape("known: azure, comprehend, hive, http, openai")):
        build_provider("nope")
    with pytest.raises(TypeError):
        build_provider("hive", api_key=KEY, colour="red")
    with pytest.raises(ValueError, match="api_key"):
        build_provider("hive", api_key="")


@pytest.mark.parametrize("timeout", [0, -1])
def test_given_no_time_at_all_then_timeout_error_at_once(
    hive: HiveProvider, timeout: float
) -> None:
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        hive.moderate("hello", timeout=timeout)
    assert time.monotonic() - started < SLACK
