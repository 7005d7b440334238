"""The runtime policy refuses provider URLs that would fail or leak at run time."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from chatmod.core.policy import AsyncPolicy, ModerationPolicy, RuntimePolicy, is_loopback_host

THRESHOLDS = {"hive": {"hate": 2}, "openai": {"hate": 0.5}, "azure": {"Hate": 2}, "http": None}
URL_FIELD = {"hive": "baseUrl", "openai": "baseUrl", "azure": "endpoint", "http": "url"}


def provider(name: str, url: str) -> dict:
    config: dict = {"name": name, URL_FIELD[name]: url}
    if THRESHOLDS[name] is not None:
        config["thresholds"] = THRESHOLDS[name]
    return config


@pytest.mark.parametrize("name", list(URL_FIELD))
@pytest.mark.parametrize(
    "url",
    [
        "ftp://models.example.com",
        "http://models.example.com/moderate",
        "http://10.0.0.5:8080",
        "http://localhost.example.com",
        "",
        "   ",
        "models.example.com",
        "https://",
        "https://host:notaport/",
    ],
)
def test_given_a_non_https_provider_url_when_the_policy_is_read_then_the_field_is_named(name, url):
    with pytest.raises(ValidationError) as caught:
        ModerationPolicy.model_validate({"providers": [provider(name, url)]})

    message = str(caught.value)
    assert URL_FIELD[name] in message
    assert "https://" in message or "invalid port" in message


@pytest.mark.parametrize("name", list(URL_FIELD))
@pytest.mark.parametrize(
    "url",
    [
        "https://models.example.com/moderate",
        "https://my-resource.cognitiveservices.azure.com",
        "http://127.0.0.1:8080",
        "http://127.9.9.9",
        "http://localhost:3000/moderate",
        "http://[::1]:9000",
    ],
)
def test_given_https_or_loopback_http_when_the_policy_is_read_then_it_is_kept(name, url):
    policy = ModerationPolicy.model_validate({"providers": [provider(name, url)]})

    assert (
        getattr(policy.providers[0], {"baseUrl": "base_url"}.get(URL_FIELD[name], URL_FIELD[name]))
        == url
    )


def test_a_bad_url_edited_into_the_policy_parameter_is_refused_when_read():
    document = (
        '{"moderation": {"providers": [{"name": "http", "url": "http://models.example.com"}]}}'
    )

    with pytest.raises(ValidationError, match=r"moderation\.providers\.0\.http\.url"):
        RuntimePolicy.model_validate_json(document)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.255.0.1", True),
        ("::1", True),
        ("128.0.0.1", False),
        ("localhost.evil.example", False),
        ("0.0.0.0", False),  # noqa: S104 (a host name under test, not a bind)
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("path", ["text", "payload.body", "a.b.c"])
def test_an_async_text_path_of_dotted_keys_is_kept(path):
    policy = RuntimePolicy.model_validate({"async": {"textPath": path}})

    assert policy.async_moderation.text_keys == tuple(path.split("."))
    assert json.loads(policy.to_json())["async"]["textPath"] == path


@pytest.mark.parametrize("path", ["", "a..b", ".a", "a.", "has space"])
def test_a_malformed_async_text_path_is_refused_naming_the_field(path):
    with pytest.raises(ValidationError, match="textPath"):
        RuntimePolicy.model_validate({"async": {"textPath": path}})


def test_the_async_defaults_read_text_with_bounded_concurrency():
    assert RuntimePolicy().async_moderation == AsyncPolicy(text_path="text", max_concurrency=16)
