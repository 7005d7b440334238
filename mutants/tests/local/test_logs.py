"""Local mode's console: a readable line per decision, naming the function that decided."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from chatmod.core.observability import logger
from chatmod.handlers import before_publish
from chatmod_local.logs import configure_console
from tests.support.deployment import moto_deployment
from tests.support.events import FakeLambdaContext, before_publish_request


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The handlers' logger writing to a buffer; its formatter, filters and level restored."""
    handler = logger.registered_handler
    saved = (handler.formatter, list(handler.filters), logger.log_level)
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    with moto_deployment(monkeypatch):
        yield stream
    handler.setStream(previous)  # type: ignore[attr-defined]
    handler.setFormatter(saved[0])
    handler.filters[:] = saved[1]
    logger.setLevel(saved[2])


def decide(text: str, client_id: str) -> None:
    context = FakeLambdaContext(function_name="BeforePublish", aws_request_id="r-1")
    before_publish.lambda_handler(before_publish_request(text, client_id=client_id), context)


def test_by_default_one_readable_line_per_decision_accepted_ones_included(console):
    assert configure_console({}) == "text"

    decide("hello everyone", "alice")
    decide("you are shit", "mallory")

    lines = console.getvalue().splitlines()
    assert len(lines) == 2, lines
    accepted, rejected = lines
    for line in lines:
        assert "BeforePublish" in line
        assert "before-publish" in line
        assert "lobby" in line
        assert " ms" in line
    assert "alice" in accepted
    assert " accept " in accepted
    assert "mallory" in rejected
    assert " reject " in rejected
    assert "(blocklist)" in rejected
    assert "strike 1" in rejected
    assert "shit" not in console.getvalue()  # the text is never printed


def test_json_mode_prints_the_structured_lines(console):
    assert configure_console({"CHATMOD_LOCAL_LOG": "json"}) == "json"

    decide("hello everyone", "alice")

    (line,) = [json.loads(line) for line in console.getvalue().splitlines()]
    assert line["message"] == "moderation decision"
    assert line["outcome"] == "accept"
    assert line["function_name"] == "BeforePublish"
    assert line["level"] == "DEBUG"


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="CHATMOD_LOCAL_LOG"):
        configure_console({"CHATMOD_LOCAL_LOG": "yaml"})


def test_warnings_print_as_one_line_with_their_fields(console):
    configure_console({})

    before_publish.lambda_handler({"body": "{not json"}, FakeLambdaContext(function_name="Bp"))

    (line,) = console.getvalue().splitlines()
    assert "Bp" in line
    assert "WARNING" in line
    assert "before-publish request failed" in line
    assert "error=bad_request" in line
    assert "status=400" in line
    assert logging.getLevelName(logger.log_level) == "DEBUG"
