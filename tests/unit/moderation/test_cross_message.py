"""Behaviour across messages: slow mode, floods, repeats, words spelled across messages.

The pipeline with the in-memory store (held to DynamoDB by the store contract) and an
injected clock: each limit at, below and above its number; only covered rooms keep state.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from chatmod.core.deadline import Deadline
from chatmod.core.policy_runtime import BanPolicy, ModerationPolicy, RuntimePolicy
from chatmod.enforcement.bans import StrikeRef
from chatmod.enforcement.pace import RoomSettings, digest, pace_key
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine
from chatmod.moderation.pipeline import ModerationPipeline, PipelineResult, Submission, Verdict
from tests.support.sender_store import InMemorySenderStore

T0 = 1_795_320_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class Room:
    """A sender writing in one room under a ``crossMessage`` entry, on an injected clock."""

    def __init__(self, entry: dict[str, Any], *, room: str = "lobby") -> None:
        moderation = msgspec.convert({"crossMessage": [entry]}, ModerationPolicy)
        policy = RuntimePolicy(moderation=moderation, bans=BanPolicy(ladder=("warn", "120s")))
        blocklist = ConfiguredProvider(
            BlocklistProvider.default(), {}, default_threshold=1, local=True
        )
        self.store = InMemorySenderStore()
        self.clock = Clock()
        self.pipeline = ModerationPipeline(
            policy, ModerationEngine(moderation, [blocklist]), self.store, clock=self.clock
        )
        self.room = room
        self.refs = 0

    def send(self, text: str, *, after: float = 0.0, room: str | None = None) -> PipelineResult:
        self.clock.now += after
        self.refs += 1
        return self.pipeline.run(
            Submission(
                text=text,
                client_id="alice",
                room=room or self.room,
                ref=StrikeRef(f"m{self.refs}"),
                source="test",
            ),
            Deadline(5),
        )


# --- slow mode --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "verdict"), [(4.999, Verdict.REJECT), (5.0, Verdict.ACCEPT), (5.001, Verdict.ACCEPT)]
)
def test_slow_mode_refuses_a_second_message_sooner_than_its_seconds(after, verdict):
    chat = Room({"slowModeSeconds": 5})
    chat.send("hello")

    second = chat.send("again", after=after)

    assert second.verdict is verdict
    if verdict is Verdict.REJECT:
        assert second.decision is not None
        assert second.decision.reason == "slow_mode"
        assert second.decision.details["retryAfterSeconds"] == "1"
        assert second.strike is None  # writing too soon is not a strike


def test_a_refused_message_does_not_reset_slow_mode():
    chat = Room({"slowModeSeconds": 5})
    chat.send("hello")
    chat.send("too soon", after=3)

    assert chat.send("now", after=2).verdict is Verdict.ACCEPT


def test_a_moderators_slow_mode_replaces_the_policys_and_zero_turns_it_off():
    chat = Room({"slowModeSeconds": 5})
    chat.store.rooms["lobby"] = RoomSettings(30, "mod1", 0)
    chat.send("hello")
    assert chat.send("later", after=10).verdict is Verdict.REJECT

    chat.store.rooms["lobby"] = RoomSettings(0, "mod1", 0)
    assert chat.send("now", after=0.1).verdict is Verdict.ACCEPT


# --- floods and repeats ---------------------------------------------------------------


def test_a_flood_is_more_than_max_messages_inside_the_window():
    chat = Room({"floods": {"max": 3, "windowSeconds": 10}})
    verdicts = [chat.send(f"message {n}", after=1).verdict for n in range(4)]
    later = chat.send("after the window", after=10)

    assert verdicts == [Verdict.ACCEPT] * 3 + [Verdict.REJECT]
    assert later.verdict is Verdict.ACCEPT


def test_a_flood_with_a_timeout_bans_for_its_duration():
    chat = Room({"floods": {"max": 1, "action": "timeout", "durationSeconds": 300}})
    chat.send("one")

    flood = chat.send("two", after=1)

    assert flood.verdict is Verdict.REJECT
    assert flood.decision is not None
    assert flood.decision.reason == "flood"
    assert chat.store.bans["alice"].expires_at == int(chat.clock.now) + 300


def test_repeats_count_the_same_words_whatever_the_case_and_punctuation():
    chat = Room({"repeats": {"max": 2, "windowSeconds": 60}})
    first = [chat.send(text, after=1).verdict for text in ("Buy now!", "buy NOW", "hello")]

    third = chat.send("buy... now", after=1)

    assert first == [Verdict.ACCEPT] * 3
    assert third.verdict is Verdict.REJECT
    assert third.decision is not None
    assert third.decision.reason == "repeated"
    assert third.strike is not None


def test_a_repeat_whose_action_is_mask_is_published_masked_with_a_strike():
    chat = Room({"repeats": {"max": 1, "action": "mask"}})
    chat.send("spam spam")

    again = chat.send("spam spam", after=1)

    assert again.verdict is Verdict.MASK
    assert again.text == "**** ****"
    assert again.strike is not None


# --- words spelled across messages ---------------------------------------------------


@pytest.mark.parametrize("pieces", [["f", "u", "c", "k"], ["fu", "ck"], ["what the sh", "it"]])
def test_a_word_spelled_across_messages_rejects_the_one_that_completes_it(pieces):
    chat = Room({"splitWords": {"windowSeconds": 60, "messages": 4}})
    verdicts = [chat.send(piece, after=1).verdict for piece in pieces]

    assert verdicts == [Verdict.ACCEPT] * (len(pieces) - 1) + [Verdict.REJECT]


def test_split_words_forget_messages_outside_their_window_and_count():
    chat = Room({"splitWords": {"windowSeconds": 60, "messages": 2}})
    chat.send("f", after=1)
    chat.send("u", after=1)
    chat.send("c", after=1)

    assert chat.send("k", after=1).verdict is Verdict.ACCEPT  # "f" is 3 messages back
    chat.send("fu", after=1)
    assert chat.send("ck", after=61).verdict is Verdict.ACCEPT  # outside the window


def test_innocent_words_across_messages_stay_clean():
    chat = Room({"splitWords": {}})
    verdicts = [chat.send(text, after=1).verdict for text in ("class", "ic", "Scunthorpe", "pass")]

    assert verdicts == [Verdict.ACCEPT] * 4


# --- state and cost ---------------------------------------------------------------------


def test_a_covered_room_costs_one_write_per_published_message_and_others_nothing():
    chat = Room({"rooms": ["kids-*"], "floods": {"max": 5}})

    chat.send("hello", room="lobby")
    uncovered = chat.store.round_trips
    chat.send("hello", room="kids-1", after=1)

    assert uncovered == 1  # the sender's ban and strikes, as before
    assert chat.store.round_trips - uncovered == 2  # the same read, plus the write
    assert list(chat.store.paces) == [("kids-1", "alice")]


def test_what_is_remembered_is_bounded_and_the_text_only_for_split_words():
    chat = Room({"floods": {"max": 3, "windowSeconds": 10}})
    results = [chat.send(f"message {n}", after=5).verdict for n in range(10)]

    record = chat.store.paces[("lobby", "alice")]
    assert results == [Verdict.ACCEPT] * 10
    assert len(record.sent) == 3
    assert all(sent.tail == "" for sent in record.sent)
    assert record.sent[-1].digest == digest("message 9")


def test_the_state_key_cannot_meet_a_users_strikes_item():
    # Users never hold chatmod: client ids; the room's length keeps the parts apart.
    assert pace_key("a:b", "c") != pace_key("a", "b:c")
    assert pace_key("lobby", "alice").startswith("chatmod:")
