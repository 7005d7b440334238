"""The moderation pipeline with an in-memory store: the sequence, its costs and its failures."""

from __future__ import annotations

import pytest

from chatmod.core.deadline import Deadline
from chatmod.core.policy import BanPolicy, ModerationPolicy, RuntimePolicy
from chatmod.enforcement.bans import Ban, StrikeRef
from chatmod.moderation.base import MessageContext, ProviderResult
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


def test_given_masking_then_masked_text_no_strike_and_a_mask_event_naming_the_term():
    store = InMemorySenderStore()

    result = submit(store, "what the fuck", on_match="mask")

    assert result.verdict is Verdict.MASK
    assert result.text == "what the ****"
    assert store.actions() == ["mask"]
    assert store.events[0].details["terms"] == ["fuck"]
    assert store.events[0].details["provider"] == "blocklist"
    assert store.round_trips == 2


def test_given_a_mask_event_that_cannot_be_written_then_the_message_is_still_masked():
    store = InMemorySenderStore(fail={"record_event"})

    result = submit(store, "what the fuck", on_match="mask")

    assert result.verdict is Verdict.MASK
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


# --- boundaries: every number that decides, at, below and above it ---------------------


@pytest.mark.parametrize("length", [99, 100])
def test_given_text_at_or_below_the_limit_then_it_is_moderated(length):
    result = submit(InMemorySenderStore(), "a" * length, max_text_length=100)

    assert result.verdict is Verdict.ACCEPT


def test_given_text_one_over_the_limit_then_the_error_says_both_numbers():
    with pytest.raises(TextTooLongError, match="101 characters; the limit is 100"):
        submit(InMemorySenderStore(), "a" * 101, max_text_length=100)


class RecordingProvider:
    """A network-style provider that keeps the context each call received."""

    name = "recording"

    def __init__(self) -> None:
        self.contexts: list[MessageContext] = []

    def moderate(
        self, text: str, *, timeout: float, context: MessageContext | None = None
    ) -> ProviderResult:
        assert context is not None
        self.contexts.append(context)
        return ProviderResult(self.name, {})


def test_the_sender_room_metadata_headers_and_user_claim_reach_a_provider_that_wants_them():
    provider = RecordingProvider()
    policy = RuntimePolicy()
    engine = ModerationEngine(
        policy.moderation,
        [ConfiguredProvider(provider, {}, default_threshold=None, wants_context=True)],
    )
    moderation = ModerationPipeline(policy, engine, InMemorySenderStore(), clock=lambda: NOW)

    moderation.run(
        Submission(
            text="hi",
            client_id="alice",
            room="lobby",
            metadata={"k": 1},
            headers={"h": "v"},
            user_claim="vip",
        ),
        Deadline(5),
    )

    assert provider.contexts == [
        MessageContext(
            room="lobby", client_id="alice", metadata={"k": 1}, headers={"h": "v"}, user_claim="vip"
        )
    ]


def test_a_channel_message_names_its_channel_as_the_room_for_providers():
    provider = RecordingProvider()
    policy = RuntimePolicy()
    engine = ModerationEngine(
        policy.moderation,
        [ConfiguredProvider(provider, {}, default_threshold=None, wants_context=True)],
    )
    moderation = ModerationPipeline(policy, engine, InMemorySenderStore(), clock=lambda: NOW)

    moderation.run(Submission(text="hi", channel="news"), Deadline(5))

    assert provider.contexts[0].room == "news"
    assert provider.contexts[0].client_id == ""


class DeadlineRecordingStore(InMemorySenderStore):
    """Keeps the time each sender lookup was given."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lookup_budgets: list[float] = []

    def load_sender(self, client_id, *, deadline, after_conflict=False):  # type: ignore[no-untyped-def]
        self.lookup_budgets.append(deadline.remaining())
        return super().load_sender(client_id, deadline=deadline, after_conflict=after_conflict)


def test_the_sender_lookup_gets_at_most_one_second_of_the_requests_budget():
    # One second: a healthy lookup takes milliseconds, and a slow table must leave the
    # providers the rest of the request's budget (ARCHITECTURE §5, "within the budget").
    store = DeadlineRecordingStore(conflicts=1)
    frozen = Deadline(5, clock=lambda: 0.0)

    pipeline(store).run(
        Submission(text="fuck", client_id="alice", room="lobby", ref=StrikeRef("m1")), frozen
    )

    assert store.lookup_budgets == [1.0, 1.0]  # the first read and the re-read after a conflict


def test_a_request_with_less_than_a_second_left_gives_the_lookup_only_what_is_left():
    store = DeadlineRecordingStore()

    submit_with = pipeline(store)
    submit_with.run(
        Submission(text="hi", client_id="alice", ref=StrikeRef("m1")),
        Deadline(0.25, clock=lambda: 0.0),
    )

    assert store.lookup_budgets == [0.25]


def test_given_no_sender_and_the_audit_write_fails_then_rejected_and_store_failed():
    # store_failed decides redelivery on the async path: a lost audit must say so.
    store = InMemorySenderStore(fail={"record_event"})

    result = pipeline(store).run(Submission(text="fuck", room="lobby"), Deadline(5))

    assert result.verdict is Verdict.REJECT
    assert result.store_failed
    assert store.events == []


def test_given_a_sender_without_a_ref_then_only_the_reject_is_audited_and_no_strike():
    store = InMemorySenderStore()

    result = pipeline(store).run(
        Submission(text="fuck", client_id="alice", room="lobby"), Deadline(5)
    )

    assert result.verdict is Verdict.REJECT
    assert result.strike is None
    assert not result.store_failed
    assert store.actions() == ["reject"]


def test_given_the_ban_store_unreadable_and_no_ref_then_the_audit_is_not_attempted():
    store = InMemorySenderStore(fail={"load_sender"})

    result = pipeline(store).run(
        Submission(text="fuck", client_id="alice", room="lobby", ref=StrikeRef("m1")), Deadline(5)
    )

    assert result.store_failed
    assert store.round_trips == 1  # the failed read only: nothing written blind


def test_the_ban_audit_event_names_its_duration_end_and_iso_end():
    store = InMemorySenderStore()
    submit(store, "fuck", ref="m1")

    submit(store, "shit", ref="m2", now=NOW + 1)

    (ban,) = [event for event in store.events if event.action == "ban"]
    assert {k: ban.details[k] for k in ("durationSeconds", "expiresAt", "bannedUntil")} == {
        "durationSeconds": 120,
        "expiresAt": NOW + 1 + 120,
        "bannedUntil": "2026-11-22T04:02:01Z",
    }
    assert ban.reason == "strike 2 (120s): flagged by blocklist"
    assert ban.client_id == "alice"
    assert ban.actor == "auto"
    assert ban.at_ms == (NOW + 1) * 1000


def test_a_permanent_ban_audit_event_has_no_end():
    store = InMemorySenderStore()
    for index in range(3):
        store.bans.clear()  # the test's moderator lifts each ban; strikes stay
        submit(store, "fuck", ref=f"m{index}", now=NOW + index)

    bans = [event for event in store.events if event.action == "ban"]
    assert [(e.details["durationSeconds"], e.details["expiresAt"]) for e in bans] == [
        (120, NOW + 1 + 120),
        (None, None),
    ]
    assert bans[-1].details["bannedUntil"] is None


def test_the_strike_audit_event_names_the_count_and_the_rung():
    store = InMemorySenderStore()

    submit(store, "fuck", ref="m1")

    (strike,) = [event for event in store.events if event.action == "strike"]
    assert strike.details == {"count": 1, "step": "warn"}
    assert strike.message_ref == "m1"
    assert strike.at_ms == NOW * 1000


def test_the_reject_event_names_categories_provider_source_and_where():
    store = InMemorySenderStore()

    submit(store, "fuck", ref="m1")

    (reject,) = [event for event in store.events if event.action == "reject"]
    assert reject.details["categories"] == ["profanity"]
    assert reject.details["provider"] == "blocklist"
    assert reject.details["source"] == "test"
    assert (reject.room, reject.client_id, reject.actor) == ("lobby", "alice", "auto")


def test_given_a_redelivered_strike_after_its_ban_was_lifted_then_counted_once_and_no_ban():
    store = InMemorySenderStore()
    submit(store, "fuck", ref="m1")
    first = submit(store, "shit", ref="m2", now=NOW + 1)
    store.bans.clear()  # a moderator lifted the ban; the strikes stay
    written = len(store.events)

    again = submit(store, "shit", ref="m2", now=NOW + 2)

    assert first.ban is not None
    assert again.strike is not None
    assert again.strike.duplicate
    assert again.strike.count == 2
    assert again.ban is None  # no ban in force any more: none reported
    assert len(store.events) == written  # a redelivery writes nothing


def test_given_a_strike_conflict_with_a_ban_landing_then_the_replan_keeps_the_longer_ban():
    # A concurrent path bans for an hour between our read and our write: the re-plan
    # must see that timed ban in force and not replace it with the 120 s rung.
    store = InMemorySenderStore()
    submit(store, "fuck", ref="m1")

    class BanLandsStore(InMemorySenderStore):
        def commit_strike(self, plan, events, *, seen_ban, deadline):  # type: ignore[no-untyped-def]
            if "alice" not in self.bans:
                self.bans["alice"] = Ban("alice", "hour", "auto", int(NOW), int(NOW) + 3600)
            return super().commit_strike(plan, events, seen_ban=seen_ban, deadline=deadline)

    racing = BanLandsStore(records=dict(store.records))
    result = submit(racing, "shit", ref="m2", now=NOW + 1)

    assert result.strike is not None
    assert result.strike.count == 2
    assert not result.strike.ban_applied
    assert result.ban == Ban("alice", "hour", "auto", int(NOW), int(NOW) + 3600)
    assert racing.actions()[-2:] == ["reject", "strike"]  # no ban event: none written


# --- what the pipeline reports when a store fails (the log line names the call) --------


def reporting_pipeline(store: InMemorySenderStore, seen: list[tuple[str, object]]):
    policy = RuntimePolicy(bans=BanPolicy(ladder=("warn", "120s", "permanent")))
    engine = ModerationEngine(policy.moderation, [BLOCKLIST])
    return ModerationPipeline(
        policy,
        engine,
        store,
        on_store_error=lambda what, error: seen.append((what, error)),
        clock=lambda: NOW,
    )


def test_an_unreadable_sender_is_reported_as_load_sender_with_its_error():
    seen: list[tuple[str, object]] = []
    store = InMemorySenderStore(fail={"load_sender"})

    result = reporting_pipeline(store, seen).run(
        Submission(text="hello", client_id="alice", ref=StrikeRef("m1")), Deadline(5)
    )

    assert [what for what, _ in seen] == ["load_sender"]
    assert getattr(seen[0][1], "code", None) == "storage_unavailable"
    assert result.failure == "the ban store could not be read"
    assert result.decision is not None


def test_a_lost_audit_event_is_reported_as_record_event_with_its_error():
    seen: list[tuple[str, object]] = []
    store = InMemorySenderStore(fail={"record_event"})

    result = reporting_pipeline(store, seen).run(Submission(text="fuck", room="lobby"), Deadline(5))

    assert [what for what, _ in seen] == ["record_event"]
    assert getattr(seen[0][1], "code", None) == "storage_unavailable"
    assert result.decision is not None
    assert result.decision.provider == "blocklist"


def test_endless_conflicts_are_reported_as_a_strike_conflict():
    seen: list[tuple[str, object]] = []
    store = InMemorySenderStore(conflicts=100)

    reporting_pipeline(store, seen).run(
        Submission(text="fuck", client_id="alice", ref=StrikeRef("m1")), Deadline(5)
    )

    ((what, error),) = seen
    assert what == "commit_strike"
    assert getattr(error, "code", None) == "strike_conflict"
    assert str(error) == "alice"  # StaleRecordError names the sender


def test_a_failed_reread_after_a_conflict_is_reported_as_load_sender():
    seen: list[tuple[str, object]] = []

    class RereadFails(InMemorySenderStore):
        def load_sender(self, client_id, *, deadline, after_conflict=False):  # type: ignore[no-untyped-def]
            if after_conflict:
                self.fail.add("load_sender")
            return super().load_sender(client_id, deadline=deadline, after_conflict=after_conflict)

    result = reporting_pipeline(RereadFails(conflicts=1), seen).run(
        Submission(text="fuck", client_id="alice", ref=StrikeRef("m1")), Deadline(5)
    )

    assert [what for what, _ in seen] == ["load_sender"]
    assert result.verdict is Verdict.REJECT
    assert result.store_failed


def test_a_judged_message_is_accepted_without_the_engine():
    store = InMemorySenderStore()

    result = pipeline(store).run(
        Submission(text="fuck", client_id="alice", ref=StrikeRef("m1"), judged=True), Deadline(5)
    )

    assert result.verdict is Verdict.ACCEPT
    assert result.decision is None
    assert store.events == []


def test_a_channel_rejection_is_audited_with_its_channel():
    store = InMemorySenderStore()

    pipeline(store).run(Submission(text="fuck", channel="news", message_id="id-1"), Deadline(5))

    (reject,) = store.events
    assert (reject.channel, reject.room, reject.message_id) == ("news", None, "id-1")
