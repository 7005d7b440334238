"""Properties of the engine and the before-publish contract that no input may break."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chatmod.bans import Ban
from chatmod.errors import ChatmodError
from chatmod.handlers.before_publish import decide
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome
from chatmod.policy import ModerationPolicy, RuntimePolicy

BLOCKLIST = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)
MASKING = ModerationEngine(ModerationPolicy(on_match="mask"), [BLOCKLIST])
REJECTING = ModerationEngine(ModerationPolicy(), [BLOCKLIST])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)


@given(st.text(max_size=400))
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


class UnavailableStrikes:
    """Stands in for the ban store: nobody is banned, and recording a strike fails
    (which must never change Ably's answer)."""

    def get_ban(self, client_id: str) -> Ban | None:
        return None

    def record_strike(self, client_id: str, **_: Any) -> Any:
        raise ChatmodError("strikes are not stored in this test")


@dataclass
class FakeRuntime:
    policy: RuntimePolicy
    engine: ModerationEngine
    bans: UnavailableStrikes


RUNTIME = FakeRuntime(RuntimePolicy(), REJECTING, UnavailableStrikes())


def answer(body: Any) -> tuple[int, dict[str, Any]]:
    """What the endpoint would answer: a decision, or the error's status and body."""
    try:
        return decide(body, RUNTIME)  # type: ignore[arg-type]
    except ChatmodError as error:
        return error.status, error.to_body()


@given(JSON)
@settings(max_examples=300, deadline=None)
def test_any_json_body_gets_a_decision_or_a_4xx_never_a_crash(body):
    status, body = answer(json.dumps(body))

    if status == 200:
        assert body["action"] in ("accept", "reject")
    else:
        assert status == 400
        assert body["error"] in ("bad_request", "text_too_long")
        assert body["message"]


@given(
    text=st.text(max_size=300),
    room=st.text(min_size=1, max_size=30),
    client=st.none() | st.text(min_size=1, max_size=20),
    metadata=st.none() | st.dictionaries(st.text(max_size=5), JSON, max_size=3),
)
@settings(max_examples=200, deadline=None)
def test_any_well_formed_request_is_answered_within_ablys_contract(text, room, client, metadata):
    message: dict[str, Any] = {"text": text, "metadata": metadata}
    if client is not None:
        message["clientId"] = client
    status, body = answer({"room": room, "message": message})

    assert status == 200
    assert len(json.dumps(body).encode()) <= 32 * 1024
    if body["action"] == "reject":
        assert all(isinstance(v, str) for v in body["rejectionDetail"].values())
