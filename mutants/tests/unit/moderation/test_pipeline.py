"""The moderation pipeline with an in-memory store: the sequence, its costs and its failures."""

from __future__ import annotations

import pytest

from chatmod.core.deadline import Deadline
from chatmod.core.policy import BanPolicy, ModerationPolicy, RuntimePolicy
from chatmod.enforcement.bans import Ban, StrikeRef
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine
from chatmod.moderation.pipeline import (
    ModerationPipeline,
    PipelineResult,
    Submission,
    TextTooLongError,
    Verdict,
)
from tests.support.sender_store import InMemorySenderStore

NOW = 1_795_320_000.0
BLOCKLIST = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)


def pipeline(
    store: InMemorySenderStore, *, now: float = NOW, **moderation: object
) -> ModerationPipeline:
    policy = RuntimePolicy(
        moderation=ModerationPolicy.model_validate(moderation),
        bans=BanPolicy(ladder=("warn", "120s", "permanent")),
    )
    engine = ModerationEngine(policy.moderation, [BLOCKLIST])
    return ModerationPipeline(policy, engine, store, clock=lambda: now)


def submit(
    store: InMemorySenderStore,
    text: str,
    *,
    ref: str = "m1",
    now: float = NOW,
    **moderation: object,
) -> PipelineResult:
    return pipeline(store, now=now, **moderation).run(
        Submission(text=text, client_id="alice", room="lobby", ref=StrikeRef(ref), source="test"),
        Deadline(5),
    )


def test_given_a_clean_message_then_accepted_after_one_round_trip():
    store = InMemorySenderStore()

    result = submit(store, "hello everyone")

    assert result.verdict is Verdict.ACCEPT
    assert store.round_trips == 1
    assert store.events == []


def test_given_a_rejected_message_then_reject_and_strike_are_written_in_the_second_round_trip():
    store = InMemorySenderStore()

    result = submit(store, "what the fuck")

    assert result.verdict is Verdict.REJECT
    assert result.strike is not None
    assert result.strike.count == 1
    assert store.round_trips == 2
    assert store.actions() == ["reject", "strike"]
    assert store.events[0].details["provider"] == "blocklist"


@pytest.mark.parametrize(
    ("audit_text", "kept"),
    [
        ("text", {"text": "what the fuck"}),
        # sha256("what the fuck"), computed outside the code under test
        (
            "hash",
            {"textSha256": "2341bdd2d99b46318f363e09fbbcdf9d76817a2f6810c4b00b83fa9106f05570"},
        ),
        ("none", {}),
    ],
)
def test_a_rejection_audit_keeps_the_text_as_the_policy_says(audit_text, kept):
    # Ably blanks a deleted message's text: the audit is the only record of what was said.
    store = InMemorySenderStore()

    submit(store, "what the fuck", auditText=audit_text)

    (reject,) = [event for event in store.events if event.action == "reject"]
    assert {k: v for k, v in reject.details.items() if k in ("text", "textSha256")} == kept
    strikes = [event for event in store.events if event.action == "strike"]
    assert all("text" not in event.details for event in strikes)  # one copy, not two


def test_given_a_second_rejection_then_the_ladder_bans_in_the_same_round_trip():
    store = InMemorySenderStore()
    submit(store, "fuck", ref="m1")
    store.round_trips = 0

    result = submit(store, "shit", ref="m2", now=NOW + 1)

    assert result.ban == Ban(
        "alice", "strike 2 (120s): flagged by blocklist", "auto", NOW + 1, NOW + 121
    )
    assert store.round_trips == 2
    assert store.actions()[-3:] == ["reject", "strike", "ban"]


def test_given_a_banned_sender_then_banned_without_asking_the_engine_or_writing():
    store = InMemorySenderStore(bans={"alice": Ban("alice", "abuse", "mod1", 0, None)})

    result = submit(store, "hello")

    assert result.verdict is Verdict.BANNED
    assert result.decision is None
    assert store.round_trips == 1


def test_given_text_over_the_limit_then_text_too_long():
    with pytest.raises(TextTooLongError):
        submit(InMemorySenderStore(), "a" * 101, max_text_length=100)


@pytest.mark.parametrize("failed_action", ["reject", "publish", "defer"])
def test_given_the_store_cannot_be_read_and_the_engine_accepts_then_the_failed_action_applies(
    failed_action,
):
    store = InMemorySenderStore(fail={"load_sender"})

    result = submit(store, "hello", failed_action=failed_action)

    assert result.verdict is Verdict.FAILED
    assert result.failed_action == failed_action
    assert result.store_failed


def test_given_the_store_cannot_be_read_and_the_engine_rejects_then_rejected_anyway():
    store = InMemorySenderStore(fail={"load_sender"})

    result = submit(store, "fuck", failed_action="publish")

    assert result.verdict is Verdict.REJECT
    assert result.strike is None
    assert result.store_failed


def test_given_the_strike_cannot_be_written_then_the_message_stays_rejected():
    store = InMemorySenderStore(fail={"commit_strike"})

    result = submit(store, "fuck")

    assert result.verdict is Verdict.REJECT
    assert result.strike is None
    assert result.store_failed


def test_given_a_concurrent_strike_then_the_pipeline_rereads_and_retries():
    store = InMemorySenderStore(conflicts=1)

    result = submit(store, "fuck")

    assert result.strike is not None
    assert store.round_trips == 4  # read, conflicting write, re-read, write
    assert store.reloads_after_conflict == 1  # the re-read is the consistent one


def test_given_conflicts_that_never_end_then_bounded_attempts_and_still_rejected():
    store = InMemorySenderStore(conflicts=100)

    result = submit(store, "fuck")

    assert result.verdict is Verdict.REJECT
    assert result.store_failed
    assert store.round_trips == 6  # three reads and three writes, then it stops


def test_given_no_sender_then_only_the_reject_event_is_written():
    store = InMemorySenderStore()

    result = pipeline(store).run(Submission(text="fuck", room="lobby"), Deadline(5))

    assert result.verdict is Verdict.REJECT
    assert store.actions() == ["reject"]
    assert store.round_trips == 1


def test_given_masking_then_masked_text_and_no_strike():
    store = InMemorySenderStore()

    result = submit(store, "what the fuck", on_match="mask")

    assert result.verdict is Verdict.MASK
    assert result.text == "what the ****"
    assert store.events == []


def test_every_result_is_observed_once():
    seen: list[PipelineResult] = []
    store = InMemorySenderStore()
    policy = RuntimePolicy()
    engine = ModerationEngine(policy.moderation, [BLOCKLIST])
    moderation = ModerationPipeline(
        policy, engine, store, observe=lambda _s, result: seen.append(result)
    )

    moderation.run(Submission(text="hello", client_id="a", ref=StrikeRef("x")), Deadline(5))

    assert [result.verdict for result in seen] == [Verdict.ACCEPT]
