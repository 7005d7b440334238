"""The pipeline's hold: a flagged message waits in the review queue instead of being rejected."""

from __future__ import annotations

from chatmod.core.deadline import Deadline
from chatmod.core.policy import BanPolicy, ModerationPolicy, ReviewPolicy, RuntimePolicy
from chatmod.enforcement.bans import StrikeRef
from chatmod.enforcement.reviews import ReviewState, review_id_for
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine
from chatmod.moderation.pipeline import ModerationPipeline, PipelineResult, Submission, Verdict
from tests.support.sender_store import InMemoryReviewStore, InMemorySenderStore

NOW = 1_795_320_000.0
BLOCKLIST = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)


def run(
    store: InMemorySenderStore,
    reviews: InMemoryReviewStore | None,
    text: str,
    *,
    ref: str = "m1",
    review: ReviewPolicy | None = None,
) -> PipelineResult:
    policy = RuntimePolicy(
        moderation=ModerationPolicy(on_match="hold"),
        bans=BanPolicy(ladder=("warn", "120s", "permanent")),
        review=review or ReviewPolicy(),
    )
    pipeline = ModerationPipeline(
        policy,
        ModerationEngine(policy.moderation, [BLOCKLIST]),
        store,
        clock=lambda: NOW,
        reviews=reviews,
    )
    return pipeline.run(
        Submission(
            text=text,
            client_id="alice",
            room="lobby",
            ref=StrikeRef(ref),
            metadata={"k": "v"},
            headers={"h": "1"},
            source="test",
        ),
        Deadline(5),
    )


def test_given_on_match_hold_then_the_message_is_held_with_what_flagged_it_and_no_strike():
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store)

    result = run(store, reviews, "what the fuck")

    assert result.verdict is Verdict.HOLD
    assert result.strike is None
    item = result.review
    assert item is not None
    assert item.review_id == review_id_for("m1")
    assert item.state is ReviewState.PENDING
    assert (item.room, item.client_id, item.text) == ("lobby", "alice", "what the fuck")
    assert (dict(item.metadata), dict(item.headers)) == ({"k": "v"}, {"h": "1"})
    assert (item.provider, item.categories, item.terms) == ("blocklist", ("profanity",), ("fuck",))
    assert item.created_ms == int(NOW * 1000)
    assert item.pending_until_ms == int(NOW * 1000) + 86_400_000
    assert store.actions() == ["hold"]
    assert store.events[0].details["reviewId"] == item.review_id
    assert store.round_trips == 2


def test_given_the_same_message_held_twice_then_one_item_and_one_event():
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store)

    first = run(store, reviews, "what the fuck")
    second = run(store, reviews, "what the fuck")

    assert first.review == second.review
    assert len(reviews.items) == 1
    assert store.actions() == ["hold"]


def test_given_strike_on_hold_then_a_hold_is_also_a_strike():
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store)

    result = run(store, reviews, "what the fuck", review=ReviewPolicy(strike_on_hold=True))

    assert result.verdict is Verdict.HOLD
    assert result.strike is not None
    assert result.strike.count == 1
    assert store.actions() == ["hold", "strike"]


def test_given_a_clean_message_then_nothing_is_held():
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store)

    result = run(store, reviews, "hello there")

    assert result.verdict is Verdict.ACCEPT
    assert reviews.items == {}
    assert store.round_trips == 1


def test_given_no_review_queue_then_a_hold_is_a_reject_with_a_strike():
    store = InMemorySenderStore()

    result = run(store, None, "what the fuck")

    assert result.verdict is Verdict.REJECT
    assert result.decision is not None
    assert result.decision.reason == "flagged by blocklist"
    assert store.actions() == ["reject", "strike"]


def test_given_the_queue_cannot_be_written_then_rejected_without_a_strike():
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store, fail=True)

    result = run(store, reviews, "what the fuck")

    assert result.verdict is Verdict.REJECT
    assert result.store_failed
    assert result.strike is None
    assert store.events == []


def test_the_same_words_past_the_retry_window_are_a_new_item():
    """A before-publish reference is a digest of the words: a retry finds the item, a
    repeat later (perhaps after the first was approved) is held anew."""
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store)
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="hold"))
    now = [NOW + 20]  # windows of 30 s start at NOW

    def hold() -> PipelineResult:
        pipeline = ModerationPipeline(
            policy,
            ModerationEngine(policy.moderation, [BLOCKLIST]),
            store,
            clock=lambda: now[0],
            reviews=reviews,
        )
        submission = Submission(
            text="what the fuck",
            client_id="alice",
            room="lobby",
            ref=StrikeRef("before-publish:abc", dedupe_seconds=30),
        )
        return pipeline.run(submission, Deadline(5))

    first = hold()
    now[0] += 15  # Ably's retry, across the window's edge (NOW + 30)
    retry = hold()
    now[0] += 60
    later = hold()
    now[0] += 5
    later_retry = hold()

    assert first.review is not None
    assert retry.review is not None
    assert later.review is not None
    assert later_retry.review is not None
    assert retry.review.review_id == first.review.review_id
    assert later.review.review_id != first.review.review_id
    assert later_retry.review.review_id == later.review.review_id
    assert len(reviews.items) == 2


def test_a_hold_without_a_sender_is_a_reject():
    store = InMemorySenderStore()
    reviews = InMemoryReviewStore(store)
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="hold"))
    pipeline = ModerationPipeline(
        policy, ModerationEngine(policy.moderation, [BLOCKLIST]), store, reviews=reviews
    )

    result = pipeline.run(Submission(text="what the fuck", room="lobby"), Deadline(5))

    assert result.verdict is Verdict.REJECT
    assert reviews.items == {}
