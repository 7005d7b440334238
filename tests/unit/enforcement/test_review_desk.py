"""A moderator's decisions on held messages, one request at a time: approve, deny, expire, sweep.

The review queue is the real ``ReviewStore`` on moto (its conditional writes decide
every race); strikes go to the in-memory sender store, which
``tests/unit/adapters/test_sender_store_contract.py`` holds to ``BanStore``; Ably is a
recording gateway. Clocks are injected; ids, keys and times are written out here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec
import pytest
from moto import mock_aws

from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.review_store import ReviewConflictError, ReviewStore
from chatmod.core.deadline import Deadline
from chatmod.core.errors import (
    ChatmodError,
    ConflictError,
    NotFoundError,
    ServiceUnavailableError,
    UpstreamError,
)
from chatmod.core.policy_runtime import RuntimePolicy
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.review_desk import (
    Denial,
    ReviewDesk,
    Sweep,
    decision_event,
    expire_item,
    sweep,
)
from chatmod.enforcement.reviews import ReviewItem, ReviewState
from chatmod.enforcement.tokens import Identity
from tests.support.dynamodb import create_tables
from tests.support.sender_store import InMemorySenderStore

HELD_MS = 1_795_320_000_000  # 2026-11-22T04:00:00.000Z
UNTIL_MS = HELD_MS + 3_600_000  # an hour to decide
NOW_S = 1_795_320_060.25  # a minute and a quarter second after it was held
NOW_MS = 1_795_320_060_250
RID = "rv_0123456789abcdef0123456789abcdef"
#: base64url of the first 18 bytes of sha256("chatmod" US "approve" US RID), computed by hand.
RID_KEY = "AAIRhucuISMAE_NhsYs6toGv"
DEADLINE_AT = 1005.0  # the deadline's instant on its (frozen) monotonic clock

MOD = Identity("mod1", moderator=True)
OTHER_MOD = Identity("mod2", moderator=True)
POLICY = msgspec.convert({"bans": {"ladder": ["warn", "120s", "permanent"]}}, RuntimePolicy)


def deadline(remaining: float = 5.0) -> Deadline:
    return Deadline(remaining, clock=lambda: DEADLINE_AT - 5.0)


@dataclass
class Sent:
    serial: str


@dataclass
class Published:
    message_id: str


@dataclass
class Gateway:
    """Records what approval asked Ably to do; ``fail`` makes the next call a 502."""

    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    fail: bool = False

    def _record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self.fail:
            self.fail = False
            raise UpstreamError("Ably is down in this test")
        self.calls.append((name, args, kwargs))

    def send_chat_message(self, *args: Any, **kwargs: Any) -> Sent:
        self._record("send_chat_message", args, kwargs)
        return Sent("serial-new")

    def update_chat_message(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._record("update_chat_message", args, kwargs)
        return {}

    def publish_moderation_event(self, *args: Any, **kwargs: Any) -> Published:
        self._record("publish_moderation_event", args, kwargs)
        return Published("event-1")

    def publish(self, *args: Any, **kwargs: Any) -> Published:
        self._record("publish", args, kwargs)
        return Published("id-new")


class WithinRequest:
    """The review store, refusing any call made without the request's deadline.

    The real store falls back to a default budget when given none; a decision must not
    outlive the request that asked for it (the same check as the in-memory sender store's).
    """

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._store, name)

        def within(*args: Any, **kwargs: Any) -> Any:
            assert isinstance(kwargs.get("deadline"), Deadline), f"{name} was given no deadline"
            return call(*args, **kwargs)

        return within


@dataclass
class World:
    store: ReviewStore
    audit: AuditLog
    senders: InMemorySenderStore
    gateway: Gateway
    store_errors: list[tuple[str, ChatmodError]]
    signed: list[tuple[str, str, str]]
    now: list[float]

    def desk(self, store: Any = None, *, sign: bool = True) -> ReviewDesk:
        def signer(place: str, client_id: str, text: str) -> str | None:
            self.signed.append((place, client_id, text))
            return "signed-value" if sign else None

        return ReviewDesk(
            WithinRequest(store or self.store),  # type: ignore[arg-type]
            policy=POLICY,
            senders=self.senders,
            gateway=self.gateway,
            sign=signer,
            clock=lambda: self.now[0],
            on_store_error=lambda what, error: self.store_errors.append((what, error)),
        )

    def hold(self, **fields: Any) -> ReviewItem:
        values: dict[str, Any] = {
            "review_id": RID,
            "state": ReviewState.PENDING,
            "client_id": "alice",
            "text": "what the fuck",
            "created_ms": HELD_MS,
            "pending_until_ms": UNTIL_MS,
            "room": "lobby",
            "metadata": {"lang": "en"},
            "headers": {"x-app": "1"},
            "provider": "blocklist",
            "categories": ("profanity",),
            "source": "before-publish",
            "message_ref": "m1",
        }
        values.update(fields)
        return self.store.hold(ReviewItem(**values), [], retention_days=1, deadline=deadline())

    def actions(self, client_id: str = "alice") -> list[str]:
        events = sorted(self.audit.query(client_id, limit=100), key=lambda e: e.at_ms or 0)
        return [event.action for event in events]


@pytest.fixture
def world() -> Iterator[World]:
    with mock_aws():
        tables = create_tables()
        audit = AuditLog(tables.audit, clock=lambda: NOW_S)
        store = ReviewStore(tables.reviews, audit=audit, clock=lambda: NOW_S)
        yield World(store, audit, InMemorySenderStore(), Gateway(), [], [], [NOW_S])


class Racing:
    """The review store, with another decision landing just before this request's write."""

    def __init__(self, store: ReviewStore, state: ReviewState, by: str) -> None:
        self._store = store
        self._state = state
        self._by = by
        self.raced = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def decide(
        self, item: ReviewItem, decided: ReviewItem, event: AuditEvent, *, deadline: Deadline
    ) -> ReviewItem:
        if not self.raced:
            self.raced = True
            other = item.decided(self._state, by=self._by, at_ms=NOW_MS - 1, reason=None)
            self._store.decide(item, other, decision_event(item, other), deadline=deadline)
        return self._store.decide(item, decided, event, deadline=deadline)


# -- load ---------------------------------------------------------------------------------


def test_given_no_such_review_when_loaded_then_404_review_not_found(world: World):
    with pytest.raises(NotFoundError) as raised:
        world.desk().load(RID, MOD, deadline())

    assert raised.value.code == "review_not_found"
    assert raised.value.message == f"no review {RID!r}"


@pytest.mark.parametrize(
    "who",
    [
        Identity("mod9", moderator=True, rooms=("team-*",)),  # another room's moderator
        Identity("alice", moderator=False),  # not a moderator at all
    ],
)
def test_given_a_review_outside_the_callers_rooms_when_loaded_then_it_does_not_exist(
    world: World, who: Identity
) -> None:
    world.hold()

    with pytest.raises(NotFoundError) as raised:
        world.desk().approve(RID, who, deadline())

    assert raised.value.code == "review_not_found"
    assert world.store.get(RID).state is ReviewState.PENDING


def test_given_a_room_scoped_moderator_of_that_room_when_loaded_then_the_item(world: World):
    world.hold(room="team-red")

    item = world.desk().load(RID, Identity("mod9", moderator=True, rooms=("team-*",)), deadline())

    assert (item.review_id, item.room) == (RID, "team-red")


# -- approve: what is published -------------------------------------------------------------


def test_given_a_chat_message_held_before_publish_when_approved_then_sent_as_its_sender_once(
    world: World,
):
    world.hold(headers={"x-app": "1", "x-chatmod-judged": "forged by the sender"})

    approved = world.desk().approve(RID, MOD, deadline())

    assert approved.state is ReviewState.APPROVED
    assert (approved.decided_by, approved.decided_ms) == ("mod1", NOW_MS)
    assert approved.strike is False
    assert dict(approved.published) == {"serial": "serial-new"}
    assert world.signed == [("lobby", "alice", "what the fuck")]
    assert world.gateway.calls == [
        (
            "send_chat_message",
            (
                "lobby",
                "what the fuck",
                {
                    "lang": "en",
                    "chatmodReview": {
                        "reviewId": RID,
                        "approvedBy": "mod1",
                        "approvedAt": "2026-11-22T04:01:00.250Z",
                        "heldAt": "2026-11-22T04:00:00.000Z",
                    },
                },
                {"x-app": "1", "x-chatmod-judged": "signed-value"},
            ),
            {"client_id": "alice", "idempotency_key": RID_KEY, "deadline": DEADLINE_AT},
        )
    ]
    assert world.store.get(RID) == approved
    assert world.actions() == ["approve"]


def test_given_no_signing_key_when_a_chat_message_is_approved_then_no_judged_header_at_all(
    world: World,
):
    world.hold(headers={"x-app": "1", "x-chatmod-judged": "forged by the sender"})

    world.desk(sign=False).approve(RID, MOD, deadline())

    (_, args, _) = world.gateway.calls[0]
    assert args[3] == {"x-app": "1"}


def test_given_a_sender_metadata_review_key_when_approved_then_chatmods_stamp_replaces_it(
    world: World,
):
    world.hold(metadata={"chatmodReview": "forged"})

    world.desk().approve(RID, MOD, deadline())

    (_, args, _) = world.gateway.calls[0]
    assert args[2]["chatmodReview"]["reviewId"] == RID


def test_given_an_approved_message_when_approved_again_then_nothing_is_published_twice(
    world: World,
):
    world.hold()
    first = world.desk().approve(RID, MOD, deadline())
    world.now[0] += 10

    again = world.desk().approve(RID, OTHER_MOD, deadline())

    assert again == first
    assert len(world.gateway.calls) == 1
    assert world.actions() == ["approve"]


def test_given_ably_down_when_approved_then_the_approval_stands_and_the_next_approve_publishes(
    world: World,
):
    world.hold()
    world.gateway.fail = True

    with pytest.raises(UpstreamError):
        world.desk().approve(RID, MOD, deadline())

    stored = world.store.get(RID)
    assert stored.state is ReviewState.APPROVED
    assert dict(stored.published) == {}
    world.now[0] += 30

    finished = world.desk().approve(RID, OTHER_MOD, deadline())

    assert dict(finished.published) == {"serial": "serial-new"}
    assert finished.decided_by == "mod1"  # the first approval is the decision
    (_, args, kwargs) = world.gateway.calls[0]
    assert args[2]["chatmodReview"]["approvedBy"] == "mod1"
    assert args[2]["chatmodReview"]["approvedAt"] == "2026-11-22T04:01:00.250Z"
    assert kwargs["idempotency_key"] == RID_KEY  # the same key: Ably stores it once
    assert world.actions() == ["approve"]


def test_given_a_chat_message_taken_down_on_the_async_path_when_approved_then_restored(
    world: World,
):
    world.hold(source="async", serial="s-1", headers={"x-app": "1", "x-chatmod-judged": "old"})

    approved = world.desk().approve(RID, MOD, deadline())

    assert dict(approved.published) == {"restored": True, "serial": "s-1"}
    assert world.signed == []  # chatmod's own client restores it: nothing to sign
    assert world.gateway.calls == [
        (
            "update_chat_message",
            (
                "lobby",
                "s-1",
                "what the fuck",
            ),
            {
                "metadata": {
                    "lang": "en",
                    "chatmodReview": {
                        "reviewId": RID,
                        "approvedBy": "mod1",
                        "approvedAt": "2026-11-22T04:01:00.250Z",
                        "heldAt": "2026-11-22T04:00:00.000Z",
                    },
                },
                "headers": {"x-app": "1"},
                "description": "approved by a moderator",
                "operation_metadata": {
                    "moderator": "chatmod",
                    "verdict": "approve",
                    "reviewId": RID,
                    "approvedBy": "mod1",
                },
                "idempotency_key": RID_KEY,
                "deadline": DEADLINE_AT,
            },
        )
    ]


def test_given_an_async_chat_message_without_a_serial_when_approved_then_sent_anew(
    world: World,
):
    world.hold(source="async", serial=None)

    approved = world.desk().approve(RID, MOD, deadline())

    assert [name for name, _, _ in world.gateway.calls] == ["send_chat_message"]
    assert dict(approved.published) == {"serial": "serial-new"}


def test_given_a_chat_message_with_a_serial_held_before_publish_when_approved_then_sent_anew(
    world: World,
):
    world.hold(source="publish", serial="s-1")

    world.desk().approve(RID, MOD, deadline())

    assert [name for name, _, _ in world.gateway.calls] == ["send_chat_message"]


def test_given_a_pubsub_message_taken_down_when_approved_then_a_restore_event_is_published(
    world: World,
):
    world.hold(room=None, channel="news", source="async", serial="s-2", message_id="id-1", name="n")

    approved = world.desk().approve(RID, MOD, deadline())

    assert dict(approved.published) == {"restored": True, "moderationEventId": "event-1"}
    assert world.gateway.calls == [
        (
            "publish_moderation_event",
            (
                "news",
                "chatmod.moderation",
                {
                    "action": "restore",
                    "messageId": "id-1",
                    "serial": "s-2",
                    "clientId": "alice",
                    "reviewId": RID,
                    "approvedBy": "mod1",
                },
            ),
            {"message_id": f"chatmod-restore-{RID}:0", "deadline": DEADLINE_AT},
        )
    ]


def test_given_a_pubsub_message_held_from_post_messages_when_approved_then_published_as_it_was(
    world: World,
):
    world.hold(
        room=None,
        channel="news",
        source="publish",
        message_id="id-1",
        name="greeting",
        data={"x": 1},
        text="hi",
    )

    approved = world.desk().approve(RID, MOD, deadline())

    assert dict(approved.published) == {"id": "id-new"}
    assert world.signed == [("news", "alice", "hi")]
    assert world.gateway.calls == [
        (
            "publish",
            ("news", "greeting", {"x": 1}),
            {
                "client_id": "alice",
                "extras": {
                    "headers": {"x-chatmod-review": RID, "x-chatmod-judged": "signed-value"}
                },
                "message_id": "id-1",
                "deadline": DEADLINE_AT,
            },
        )
    ]


def test_given_no_signing_key_when_a_pubsub_message_is_approved_then_only_the_review_header(
    world: World,
):
    world.hold(room=None, channel="news", source="publish", message_id="id-1")

    world.desk(sign=False).approve(RID, MOD, deadline())

    (_, _, kwargs) = world.gateway.calls[0]
    assert kwargs["extras"] == {"headers": {"x-chatmod-review": RID}}


# -- approve: conflicts and time ----------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "by"), [(ReviewState.DENIED, "mod2"), (ReviewState.EXPIRED, "system")]
)
def test_given_a_decided_item_when_approved_then_409_with_its_state_and_decider(
    world: World, state: ReviewState, by: str
) -> None:
    item = world.hold()
    world.store.decide(
        item,
        item.decided(state, by=by, at_ms=NOW_MS, reason="x"),
        decision_event(item, item.decided(state, by=by, at_ms=NOW_MS, reason="x")),
        deadline=deadline(),
    )

    with pytest.raises(ConflictError) as raised:
        world.desk().approve(RID, MOD, deadline())

    assert raised.value.code == "review_decided"
    assert raised.value.details == {"state": state.value, "decidedBy": by}
    assert raised.value.message == f"review {RID} is {state.value} already"
    assert world.gateway.calls == []


def test_given_an_item_at_its_deadline_when_approved_then_it_expires_now_and_approval_loses(
    world: World,
):
    world.hold()
    world.now[0] = UNTIL_MS / 1000  # exactly pendingSeconds after it was held

    with pytest.raises(ConflictError) as raised:
        world.desk().approve(RID, MOD, deadline())

    assert raised.value.details == {"state": "expired", "decidedBy": "system"}
    stored = world.store.get(RID)
    assert (stored.state, stored.decided_by, stored.decided_ms) == (
        ReviewState.EXPIRED,
        "system",
        UNTIL_MS,
    )
    assert stored.reason == "not reviewed in time"
    assert world.gateway.calls == []
    assert world.actions() == ["expire"]


def test_given_an_item_a_millisecond_before_its_deadline_when_approved_then_approved(
    world: World,
):
    world.hold()
    world.now[0] = (UNTIL_MS - 1) / 1000

    approved = world.desk().approve(RID, MOD, deadline())

    assert approved.state is ReviewState.APPROVED
    assert approved.decided_ms == UNTIL_MS - 1


def test_given_another_approval_lands_first_when_approved_then_the_same_outcome_published_once(
    world: World,
):
    world.hold()
    racing = Racing(world.store, ReviewState.APPROVED, "mod2")

    approved = world.desk(racing).approve(RID, MOD, deadline())

    assert racing.raced
    assert approved.decided_by == "mod2"
    assert dict(approved.published) == {"serial": "serial-new"}
    assert len(world.gateway.calls) == 1


def test_given_a_deny_lands_first_when_approved_then_409_denied_by_the_other(world: World):
    world.hold()
    racing = Racing(world.store, ReviewState.DENIED, "mod2")

    with pytest.raises(ConflictError) as raised:
        world.desk(racing).approve(RID, MOD, deadline())

    assert raised.value.details == {"state": "denied", "decidedBy": "mod2"}
    assert world.gateway.calls == []


class Vanishing(Racing):
    """The item is gone when the loser of a race reads it again (its TTL passed)."""

    def get(self, review_id: str, *, deadline: Deadline | None = None) -> ReviewItem | None:
        return None if self.raced else self._store.get(review_id, deadline=deadline)


def test_given_the_winner_cannot_be_read_back_when_approval_loses_then_409_on_what_it_had(
    world: World,
):
    world.hold()

    with pytest.raises(ConflictError) as raised:
        world.desk(Vanishing(world.store, ReviewState.DENIED, "mod2")).approve(RID, MOD, deadline())

    assert raised.value.details == {"state": "pending"}


def test_given_a_deny_lands_while_the_item_expires_when_approved_then_409_says_denied(
    world: World,
):
    world.hold()
    world.now[0] = UNTIL_MS / 1000
    racing = Racing(world.store, ReviewState.DENIED, "mod2")

    with pytest.raises(ConflictError) as raised:
        world.desk(racing).approve(RID, MOD, deadline())

    assert raised.value.details == {"state": "denied", "decidedBy": "mod2"}


# -- deny -------------------------------------------------------------------------------------


def test_given_a_pending_item_when_denied_without_strike_then_denied_and_no_strike(world: World):
    world.hold()

    denial = world.desk().deny(RID, MOD, reason="rude", strike=False, deadline=deadline())

    assert denial == Denial(world.store.get(RID))
    assert (denial.review.state, denial.review.decided_by) == (ReviewState.DENIED, "mod1")
    assert (denial.review.reason, denial.review.strike) == ("rude", False)
    assert denial.review.decided_ms == NOW_MS
    assert world.senders.events == []
    assert world.gateway.calls == []
    assert world.actions() == ["deny"]


def test_given_a_pending_item_when_denied_with_strike_then_one_strike_along_the_ladder(
    world: World,
):
    world.hold(source="async", serial="s-1")

    denial = world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert denial.strike is not None
    assert denial.strike_failed is False
    assert (denial.strike.client_id, denial.strike.count) == ("alice", 1)
    assert denial.strike.message_ref == f"review:{RID}"
    assert denial.strike.step.label == "warn"
    (event,) = world.senders.events
    assert (event.action, event.client_id, event.reason) == ("strike", "alice", "rude")
    assert (event.room, event.serial, event.at_ms) == ("lobby", "s-1", NOW_MS)


def test_given_a_struck_item_held_before_publish_when_denied_then_its_serial_is_not_ably_s(
    world: World,
):
    world.hold(source="publish", serial="s-1", room=None, channel="news")

    world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    (event,) = world.senders.events
    assert (event.channel, event.serial) == ("news", None)


def test_given_an_empty_reason_when_struck_then_the_strike_says_a_moderator_denied_it(
    world: World,
):
    world.hold()

    world.desk().deny(RID, MOD, reason="", strike=True, deadline=deadline())

    assert world.senders.events[0].reason == "denied by a moderator"


def test_given_a_denial_repeated_when_struck_then_the_ladder_counts_it_once(world: World):
    world.hold()
    first = world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())
    world.now[0] += 5

    again = world.desk().deny(RID, OTHER_MOD, reason="other", strike=False, deadline=deadline())

    assert first.strike is not None
    assert again.strike is not None
    assert again.strike.duplicate is True
    assert again.strike.count == 1
    assert again.review.decided_by == "mod1"  # the first denial is the decision
    assert [event.action for event in world.senders.events] == ["strike"]


def test_given_the_sender_store_down_when_struck_then_denied_and_the_strike_failed(world: World):
    world.hold()
    world.senders.fail.add("load_sender")

    denial = world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert denial.review.state is ReviewState.DENIED
    assert (denial.strike, denial.strike_failed) == (None, True)
    assert [what for what, _ in world.store_errors] == ["load_sender"]
    assert isinstance(world.store_errors[0][1], ServiceUnavailableError)
    world.senders.fail.clear()

    retried = world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert retried.strike is not None  # a repeated deny records the strike that failed
    assert (retried.strike.count, retried.strike_failed) == (1, False)


def test_given_the_strike_commit_fails_when_struck_then_reported_through_the_store_error(
    world: World,
):
    world.hold()
    world.senders.fail.add("commit_strike")

    denial = world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert (denial.strike, denial.strike_failed) == (None, True)
    assert [what for what, _ in world.store_errors] == ["commit_strike"]


def test_given_a_ban_at_the_second_rung_when_struck_then_the_strike_uses_the_desks_clock(
    world: World,
):
    world.hold()
    world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())
    second = "rv_" + "1" * 32
    world.hold(review_id=second, message_ref="m2")

    denial = world.desk().deny(second, MOD, reason="again", strike=True, deadline=deadline())

    assert denial.strike is not None
    assert denial.strike.count == 2
    assert denial.strike.ban is not None
    # 120 s from the desk's clock (NOW_S), not from the machine's.
    assert denial.strike.ban.expires_at == int(NOW_S) + 120


def test_given_a_sender_unknown_when_denied_with_strike_then_nothing_to_strike(world: World):
    world.hold(client_id=None)

    denial = world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert (denial.strike, denial.strike_failed) == (None, False)
    assert denial.review.strike is True
    assert world.senders.round_trips == 0


@pytest.mark.parametrize(
    ("state", "by"), [(ReviewState.APPROVED, "mod2"), (ReviewState.EXPIRED, "system")]
)
def test_given_a_decided_item_when_denied_then_409(
    world: World, state: ReviewState, by: str
) -> None:
    item = world.hold()
    decided = item.decided(state, by=by, at_ms=NOW_MS, reason=None)
    world.store.decide(item, decided, decision_event(item, decided), deadline=deadline())

    with pytest.raises(ConflictError) as raised:
        world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert raised.value.details == {"state": state.value, "decidedBy": by}
    assert world.senders.events == []


def test_given_an_item_past_its_deadline_when_denied_then_it_expires_and_deny_loses(
    world: World,
):
    world.hold()
    world.now[0] = UNTIL_MS / 1000 + 1

    with pytest.raises(ConflictError) as raised:
        world.desk().deny(RID, MOD, reason="rude", strike=True, deadline=deadline())

    assert raised.value.details["state"] == "expired"
    assert world.senders.events == []


# -- expire and sweep ---------------------------------------------------------------------------


def test_given_a_pending_item_when_expired_by_the_desk_then_at_the_desks_time(world: World):
    item = world.hold()

    expired = world.desk().expire(item, deadline())

    assert expired is not None
    assert (expired.state, expired.decided_by, expired.decided_ms) == (
        ReviewState.EXPIRED,
        "system",
        NOW_MS,
    )
    assert expired.reason == "not reviewed in time"
    assert expired.strike is False


def test_given_an_item_decided_first_when_expired_then_none(world: World):
    item = world.hold()
    world.desk().approve(RID, MOD, deadline())

    assert world.desk().expire(item, deadline()) is None
    assert expire_item(world.store, item, NOW_MS, deadline()) is None


def sweep_deadline(remaining: float) -> Deadline:
    return Deadline(remaining, clock=lambda: 0.0)


def test_given_due_and_fresh_items_when_swept_then_only_the_due_expire_oldest_first(world: World):
    for n in range(3):
        world.hold(
            review_id=f"rv_{n:032x}",
            created_ms=HELD_MS + n,
            pending_until_ms=NOW_MS - 1 + n,  # 0 and 1 are due at NOW_MS, 2 is not
        )

    swept = sweep(world.store, NOW_MS, sweep_deadline(5))

    assert swept == Sweep(expired=2, oldest_pending_age_s=60.248)
    items = [world.store.get(f"rv_{n:032x}") for n in range(3)]
    assert [item.state for item in items] == [
        ReviewState.EXPIRED,
        ReviewState.EXPIRED,
        ReviewState.PENDING,
    ]
    assert [item.decided_ms for item in items] == [NOW_MS, NOW_MS, None]
    assert [item.decided_by for item in items] == ["system", "system", None]


def test_given_an_empty_queue_when_swept_then_nothing_and_age_zero(world: World):
    assert sweep(world.store, NOW_MS, sweep_deadline(5)) == Sweep(0, 0.0)


def test_given_an_item_held_after_now_when_swept_then_its_age_is_not_negative(world: World):
    world.hold(created_ms=NOW_MS + 5_000, pending_until_ms=NOW_MS + 10_000)

    assert sweep(world.store, NOW_MS, sweep_deadline(5)) == Sweep(0, 0.0)


def test_given_a_second_or_less_left_when_swept_then_nothing_expires(world: World):
    world.hold(pending_until_ms=NOW_MS)

    at_edge = sweep(world.store, NOW_MS, sweep_deadline(1.0))

    assert at_edge.expired == 0
    assert at_edge.oldest_pending_age_s == 60.25
    assert sweep(world.store, NOW_MS, sweep_deadline(1.001)).expired == 1


@dataclass
class EndlessQueue:
    """A queue that always has a full page of due items (``page``/``decide`` as the store)."""

    decided: int = 0
    pages: int = 0
    limits: list[int] = field(default_factory=list)

    def page(self, *, state: ReviewState, room: str | None, limit: int) -> tuple[list[Any], None]:
        assert (state, room) == (ReviewState.PENDING, None)
        self.pages += 1
        self.limits.append(limit)
        item = ReviewItem(
            review_id=f"rv_{self.pages:032x}",
            state=ReviewState.PENDING,
            client_id="alice",
            text="x",
            created_ms=HELD_MS,
            pending_until_ms=HELD_MS,
        )
        return [
            replace(item, review_id=f"rv_{self.pages:016x}{n:016x}") for n in range(limit)
        ], None

    def decide(self, item: ReviewItem, decided: ReviewItem, event: Any, *, deadline: Any) -> Any:
        self.decided += 1
        return decided

    def oldest_pending(self) -> None:
        return None


def test_given_an_endless_backlog_when_swept_then_500_expire_and_the_next_sweep_carries_on():
    queue = EndlessQueue()

    swept = sweep(queue, NOW_MS, sweep_deadline(60))  # type: ignore[arg-type]

    assert swept.expired == 500
    assert queue.decided == 500
    assert queue.pages == 20
    assert set(queue.limits) == {25}


class LosingQueue(EndlessQueue):
    """The first item of every page was decided by a moderator meanwhile: its expiry loses."""

    def decide(self, item: ReviewItem, decided: ReviewItem, event: Any, *, deadline: Any) -> Any:
        self.decided += 1
        if self.decided % 25 == 1:
            raise ReviewConflictError(item.review_id)
        return decided


def test_given_expiries_that_lose_when_swept_then_only_the_won_are_counted():
    queue = LosingQueue()

    swept = sweep(queue, NOW_MS, sweep_deadline(60))  # type: ignore[arg-type]

    # 24 won per page: 20 pages make 480, the 21st finishes past the batch.
    assert swept.expired == 504
    assert (queue.pages, queue.decided) == (21, 525)


# -- the audit event ------------------------------------------------------------------------------


def test_given_a_denial_when_audited_then_who_when_why_what_flagged_it_and_the_strike():
    item = ReviewItem(
        review_id=RID,
        state=ReviewState.PENDING,
        client_id="alice",
        text="x",
        created_ms=HELD_MS,
        pending_until_ms=UNTIL_MS,
        channel="news",
        serial="s-1",
        message_id="id-1",
        message_ref="m1",
        provider="openai",
        categories=("hate", "violence"),
    )
    denied = item.decided(ReviewState.DENIED, by="mod1", at_ms=NOW_MS, reason="rude", strike=True)

    event = decision_event(item, denied)

    assert event == AuditEvent(
        action="deny",
        actor="mod1",
        client_id="alice",
        reason="rude",
        room=None,
        channel="news",
        serial="s-1",
        message_id="id-1",
        message_ref="m1",
        details={
            "reviewId": RID,
            "heldAt": "2026-11-22T04:00:00.000Z",
            "categories": ["hate", "violence"],
            "provider": "openai",
            "strike": True,
        },
        at_ms=NOW_MS,
    )


@pytest.mark.parametrize(
    ("state", "action"), [(ReviewState.APPROVED, "approve"), (ReviewState.EXPIRED, "expire")]
)
def test_given_an_approval_or_expiry_when_audited_then_no_strike_field(
    state: ReviewState, action: str
) -> None:
    item = ReviewItem(RID, ReviewState.PENDING, "alice", "x", HELD_MS, UNTIL_MS, room="lobby")
    decided = replace(item.decided(state, by="mod1", at_ms=NOW_MS, reason=None), decided_by=None)

    event = decision_event(item, decided)

    assert (event.action, event.actor, event.room) == (action, "system", "lobby")
    assert event.details == {
        "reviewId": RID,
        "heldAt": "2026-11-22T04:00:00.000Z",
        "categories": [],
        "provider": None,
    }
