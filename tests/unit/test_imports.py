"""What a cold start imports: only what the function uses, each check in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pydantic import BaseModel, ValidationError

from chatmod.core.errors import BadRequestError, validation_error

PROVIDER_MODULES = [
    "chatmod.moderation.providers.azure",
    "chatmod.moderation.providers.comprehend",
    "chatmod.moderation.providers.hive",
    "chatmod.moderation.providers.http_model",
    "chatmod.moderation.providers.openai",
]


def modules_after(code: str, watched: list[str]) -> list[str]:
    """Which of ``watched`` are in ``sys.modules`` after running ``code`` in a fresh process."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_http_helpers_do_not_import_the_event_handler_until_a_resolver_is_made():
    event_handler = ["aws_lambda_powertools.event_handler"]

    assert modules_after("import chatmod.api.http", event_handler) == []
    assert modules_after(
        "import chatmod.api.http; chatmod.api.http.make_resolver()", event_handler
    ) == (event_handler)


def test_a_blocklist_only_engine_imports_no_network_provider():
    code = (
        "from chatmod.moderation.factory import build_engine\n"
        "from chatmod.core.policy_runtime import ModerationPolicy\n"
        "build_engine(ModerationPolicy(), keys={})"
    )

    assert modules_after(code, [*PROVIDER_MODULES, "httpx", "chatmod.moderation.links"]) == []


@pytest.mark.parametrize("name", ["hive", "openai", "azure", "http"])
def test_building_one_provider_imports_only_that_provider(name):
    module = {"http": "http_model"}.get(name, name)
    options = {
        "hive": "api_key='k'",
        "openai": "api_key='k'",
        "azure": "api_key='k', endpoint='https://example.cognitiveservices.azure.com'",
        "http": "url='https://models.example.com/moderate'",
    }[name]
    code = (
        "from chatmod.moderation.providers import build_provider\n"
        f"build_provider({name!r}, {options})"
    )

    assert modules_after(code, PROVIDER_MODULES) == [f"chatmod.moderation.providers.{module}"]


def test_validation_error_names_fields_without_echoing_input():
    class Body(BaseModel):
        text: str

    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"text": 42})
    error = validation_error(caught.value)

    assert isinstance(error, BadRequestError)
    assert error.to_body()["problems"] == [
        {"field": "text", "problem": "Input should be a valid string"}
    ]
    assert "42" not in json.dumps(error.to_body())


def test_the_async_handler_imports_neither_the_ably_sdk_nor_idempotency_until_used():
    heavy = ["ably", "aws_lambda_powertools.utilities.idempotency"]

    assert modules_after("import chatmod.handlers.async_moderation", heavy) == []


def test_the_token_handler_signs_without_importing_the_ably_sdk():
    # ~90 ms of its cold start was the SDK's realtime client, loaded to compute one HMAC.
    assert modules_after("import chatmod.handlers.token", ["ably"]) == []


@pytest.mark.parametrize("handler", ["before_publish", "token"])
def test_the_latency_paths_import_neither_pydantic_nor_the_event_handler(handler):
    # Before-publish runs inside Ably's publish path, /token on every connect: their cold
    # start is measured against `import boto3` (bench/cold_start_bench.py, <= 1.5x).
    watched = ["pydantic", "aws_lambda_powertools.event_handler"]

    assert modules_after(f"import chatmod.handlers.{handler}", watched) == []
