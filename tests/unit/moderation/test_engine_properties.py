"""Properties of the engine that no input may break (the before-publish handler's own:
``tests/handlers/test_before_publish_properties.py``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chatmod.core.policy import ModerationPolicy
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome

BLOCKLIST = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)
MASKING = ModerationEngine(ModerationPolicy(on_match="mask"), [BLOCKLIST])
REJECTING = ModerationEngine(ModerationPolicy(), [BLOCKLIST])

# st.text() leaves out surrogates (category Cs); JSON's "\\ud800" escape makes them, so
# every text here may hold one, lone or paired.
TEXT = st.text(
    st.characters(exclude_categories=()) | st.sampled_from(["\ud800", "\udfff", "\U0001f600"])
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
