"""Properties of the engine and the before-publish contract that no input may break."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError
from chatmod.core.policy import ModerationPolicy, RuntimePolicy
from chatmod.enforcement.client_ids import is_well_formed
from chatmod.moderation import before_publish as contract
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome
from chatmod.moderation.pipeline import ModerationPipeline
from tests.support.sender_store import InMemorySenderStore

BLOCKLIST = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)
MASKING = ModerationEngine(ModerationPolicy(on_match="mask"), [BLOCKLIST])
REJECTING = ModerationEngine(ModerationPolicy(), [BLOCKLIST])

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


@given(st.text(max_size=400) | TEXT)
@settings(max_examples=300, deadline=None)
def test_no_text_crashes_the_engine_and_masking_keeps_length(text):
    masked = MASKING.moderate(text, room="lobby")
    rejected = REJECTING.moderate(text, room="lobby")

    assert masked.outcome in (Outcome.ACCEPT, Outcome.MASK)
    assert rejected.outcome in (Outcome.ACCEPT, Outcome.REJECT)
    if masked.outcome is Outcome.MASK:
        assert masked.text is not None
        assert len(masked.text) == len(text)
        assert rejected.outcome is Outcome.REJECT
    else:
        assert rejected.outcome is Outcome.ACCEPT


def answer(body: Any) -> tuple[int, dict[str, Any]]:
    """What the endpoint would answer: a decision, or the error's status and body.

    The store fails every call: a store failure must never change the kind of answer.
    """
    store = InMemorySenderStore(fail={"load_sender", "commit_strike", "record_event"})
    pipeline = ModerationPipeline(RuntimePolicy(), REJECTING, store)
    try:
        request = contract.parse_request(contract.decode_body(body))
        result = pipeline.run(contract.submission_for(request), Deadline(5))
        decided = contract.answer_for(result, request)
    except ChatmodError as error:
        return error.status, error.to_body()
    assert decided is not None
    # The answer must serialise as Ably receives it.
    json.dumps(decided, ensure_ascii=False).encode("utf-8")
    return 200, decided


@given(JSON)
@settings(max_examples=300, deadline=None)
def test_any_json_body_gets_a_decision_or_a_4xx_never_a_crash(body):
    status, body = answer(json.dumps(body))

    if status == 200:
        assert body["action"] in ("accept", "reject")
    else:
        assert status == 400
        assert body["error"] in ("bad_request", "text_too_long", "invalid_text")
        assert body["message"]


@given(
    text=TEXT.filter(lambda t: len(t) <= 300),
    room=TEXT.filter(lambda t: 1 <= len(t) <= 30),
    client=st.none() | TEXT.filter(lambda t: 1 <= len(t) <= 20),
    metadata=st.none() | st.dictionaries(TEXT, JSON, max_size=3),
)
@settings(max_examples=200, deadline=None)
def test_any_well_formed_request_is_answered_within_ablys_contract(text, room, client, metadata):
    message: dict[str, Any] = {"text": text, "metadata": metadata}
    if client is not None:
        message["clientId"] = client
    status, body = answer(json.dumps({"room": room, "message": message}))

    well_formed = all(is_well_formed(json.dumps(v, ensure_ascii=False)) for v in message.values())
    if not (well_formed and is_well_formed(room)):
        assert status == 400
        assert body["error"] == "invalid_text"
        return
    assert status == 200
    assert len(json.dumps(body).encode()) <= 32 * 1024
    if body["action"] == "reject":
        assert all(isinstance(v, str) for v in body["rejectionDetail"].values())
