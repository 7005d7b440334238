"""Properties of the before-publish handler that no input may break, through the handler itself.

Any JSON body gets a decision or a 4xx (never a crash), and any well-formed request
is answered within Ably's contract (string details, at most 32 KiB of the body as
sent) — with every store call failing, since a store failure must never change the
kind of answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatmod.enforcement.client_ids import is_well_formed
from chatmod.handlers import before_publish
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import AUDIT_TABLE, BANS_TABLE, STRIKES_TABLE
from tests.support.events import FakeLambdaContext

KIB_32 = 32 * 1024  # Ably's limit on a before-publish answer
#: One failing deployment serves every example on purpose (nothing in it changes).
SHARED = HealthCheck.function_scoped_fixture

# st.text() leaves out surrogates (category Cs); JSON's "\\ud800" escape makes them, so
# every text here may hold one, lone or paired.
TEXT = st.text(
    st.characters(exclude_categories=()) | st.sampled_from(["\ud800", "\udfff", "\U0001f600"])
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)


@pytest.fixture
def failing_stores(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A deployment whose bans, strikes and audit tables are gone: every store call fails."""
    with moto_deployment(monkeypatch):
        dynamodb = boto3.client("dynamodb")
        for table in (BANS_TABLE, STRIKES_TABLE, AUDIT_TABLE):
            dynamodb.delete_table(TableName=table)
        yield


def answer(body: str) -> tuple[int, str]:
    """The handler's status and body as sent, for a Lambda-transport request ``body``."""
    response = before_publish.lambda_handler({"body": body}, FakeLambdaContext())
    return response["statusCode"], response["body"]


@settings(max_examples=200, deadline=None, suppress_health_check=[SHARED])
@given(body=JSON)
def test_any_json_body_gets_a_decision_or_a_4xx_never_a_crash(failing_stores, body):
    status, sent = answer(json.dumps(body))

    decoded = json.loads(sent)
    if status == 200:
        assert decoded["action"] in ("accept", "reject")
    else:
        assert status == 400
        assert decoded["error"] in ("bad_request", "text_too_long", "invalid_text")
        assert decoded["message"]


@settings(max_examples=150, deadline=None, suppress_health_check=[SHARED])
@given(
    text=TEXT.filter(lambda t: len(t) <= 300),
    room=TEXT.filter(lambda t: 1 <= len(t) <= 30),
    client=st.none() | TEXT.filter(lambda t: 1 <= len(t) <= 20),
    metadata=st.none() | st.dictionaries(TEXT, JSON, max_size=3),
)
def test_any_well_formed_request_is_answered_within_ablys_contract(
    failing_stores, text, room, client, metadata
):
    message: dict[str, Any] = {"text": text, "metadata": metadata}
    if client is not None:
        message["clientId"] = client
    status, sent = answer(json.dumps({"room": room, "message": message}))

    decoded = json.loads(sent)
    well_formed = all(is_well_formed(json.dumps(v, ensure_ascii=False)) for v in message.values())
    if not (well_formed and is_well_formed(room)):
        assert status == 400
        assert decoded["error"] == "invalid_text"
        return
    assert status == 200
    assert len(sent.encode("utf-8")) <= KIB_32  # the bytes Ably receives
    if decoded["action"] == "reject":
        assert all(isinstance(v, str) for v in decoded["rejectionDetail"].values())
