"""Review items' pure rules: the id a held message gets, when it is due, what the API shows.

Times are epoch milliseconds chosen here; ids and ISO strings are written out, not
read from the module, so a change of derivation (which would orphan the items held
before a deploy) fails here.
"""

from __future__ import annotations

import pytest

from chatmod.enforcement.reviews import ReviewItem, ReviewState, is_review_id, review_id_for

HELD_MS = 1_795_320_000_123  # 2026-11-22T04:00:00.123Z
UNTIL_MS = HELD_MS + 86_400_000  # a day later


def pending(**fields: object) -> ReviewItem:
    values: dict[str, object] = {
        "review_id": "rv_0123456789abcdef0123456789abcdef",
        "state": ReviewState.PENDING,
        "client_id": "alice",
        "text": "what the fuck",
        "created_ms": HELD_MS,
        "pending_until_ms": UNTIL_MS,
        "room": "lobby",
    }
    values.update(fields)
    return ReviewItem(**values)  # type: ignore[arg-type]


# -- ids ---------------------------------------------------------------------------------


def test_given_a_message_ref_when_its_review_id_is_derived_then_it_is_stable_across_deploys():
    first = review_id_for("m1")

    # sha256 of "review", US, the ref: its first 32 hex digits, written out here.
    assert first == "rv_fbdf361af2fbcbfc25d8e56ca397bff9"
    assert review_id_for("ably:abc") == "rv_0234da7b036e0748a1a4d39e6dd849df"
    assert is_review_id(first)


def test_given_no_ref_when_an_id_is_made_then_each_is_fresh_and_well_formed():
    first, second = review_id_for(None), review_id_for(None)

    assert first != second
    for made in (first, second):
        assert made.startswith("rv_")
        assert len(made) == 35
        assert is_review_id(made)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("rv_" + "0123456789abcdef" * 2, True),
        ("rv_" + "f" * 32, True),
        ("rv_" + "a" * 31, False),  # one short
        ("rv_" + "a" * 33, False),  # one long
        ("rv_" + "A" * 32, False),  # upper-case hex is not what ids are made of
        ("rv_" + "a" * 31 + "g", False),  # not hex
        ("rv_" + "X" * 32, False),  # not hex either
        ("rv_" + "a" * 31 + "/", False),  # a path separator
        ("rx_" + "a" * 32, False),  # another prefix
        ("xrv_" + "a" * 31, False),  # right length, prefix not at the start
        ("rv_", False),
        ("", False),
    ],
)
def test_given_a_path_segment_when_checked_then_only_an_id_shape_passes(
    value: str, valid: bool
) -> None:
    assert is_review_id(value) is valid


# -- place and due -------------------------------------------------------------------------


def test_given_a_room_or_a_channel_when_placed_then_the_room_wins_else_the_channel():
    assert pending(room="lobby", channel="news").place == "lobby"
    assert pending(room=None, channel="news").place == "news"
    assert pending(room=None, channel=None).place == ""
    # An empty room name is still a room: the channel is not consulted.
    assert pending(room="", channel="news").place == ""


def test_given_a_pending_item_when_asked_if_due_then_due_from_its_deadline_on():
    item = pending()

    assert item.due(UNTIL_MS - 1) is False
    assert item.due(UNTIL_MS) is True
    assert item.due(UNTIL_MS + 1) is True


@pytest.mark.parametrize("state", [ReviewState.APPROVED, ReviewState.DENIED, ReviewState.EXPIRED])
def test_given_a_decided_item_when_asked_if_due_then_never(state: ReviewState) -> None:
    assert pending(state=state).due(UNTIL_MS + 1) is False


def test_given_a_decision_when_applied_then_who_when_why_and_strike_are_recorded():
    item = pending()

    denied = item.decided(
        ReviewState.DENIED, by="mod1", at_ms=HELD_MS + 5, reason="rude", strike=True
    )
    approved = item.decided(ReviewState.APPROVED, by="mod2", at_ms=HELD_MS + 6, reason=None)

    assert (denied.state, denied.decided_by, denied.decided_ms) == (
        ReviewState.DENIED,
        "mod1",
        HELD_MS + 5,
    )
    assert (denied.reason, denied.strike) == ("rude", True)
    assert (approved.state, approved.decided_by, approved.decided_ms) == (
        ReviewState.APPROVED,
        "mod2",
        HELD_MS + 6,
    )
    assert (approved.reason, approved.strike) == (None, False)
    assert item.state is ReviewState.PENDING  # the original is unchanged
    assert (denied.text, denied.room, denied.created_ms) == (item.text, item.room, item.created_ms)


def test_given_states_when_listed_then_their_wire_values_are_fixed():
    assert [state.value for state in ReviewState] == ["pending", "approved", "denied", "expired"]


# -- to_json ---------------------------------------------------------------------------------


def test_given_a_pending_chat_item_when_shown_then_every_field_and_nothing_empty():
    item = pending(
        metadata={"lang": "en"},
        headers={"x-app": "1"},
        provider="blocklist",
        categories=("profanity",),
        scores={"profanity": 2.0},
        terms=("fuck",),
        source="before-publish",
        message_ref="m1",
    )

    shown = item.to_json()

    assert shown == {
        "reviewId": "rv_0123456789abcdef0123456789abcdef",
        "state": "pending",
        "room": "lobby",
        "clientId": "alice",
        "text": "what the fuck",
        "metadata": {"lang": "en"},
        "headers": {"x-app": "1"},
        "flaggedBy": {
            "provider": "blocklist",
            "categories": ["profanity"],
            "scores": {"profanity": 2.0},
            "terms": ["fuck"],
        },
        "source": "before-publish",
        "heldAt": "2026-11-22T04:00:00.123Z",
        "expiresAt": "2026-11-23T04:00:00.123Z",
    }


def test_given_a_denied_pubsub_item_when_shown_then_the_decision_and_its_strike_appear():
    item = pending(
        room=None,
        channel="news",
        name="greeting",
        data={"x": 1},
        serial="s1",
        message_id="id1",
    ).decided(ReviewState.DENIED, by="mod1", at_ms=HELD_MS + 1_000, reason="rude", strike=False)

    shown = item.to_json()

    assert "room" not in shown
    assert (shown["channel"], shown["name"], shown["data"]) == ("news", "greeting", {"x": 1})
    assert (shown["serial"], shown["messageId"]) == ("s1", "id1")
    assert shown["state"] == "denied"
    assert shown["decidedBy"] == "mod1"
    assert shown["decidedAt"] == "2026-11-22T04:00:01.123Z"
    assert shown["reason"] == "rude"
    assert shown["strike"] is False  # denied without a strike says so
    assert shown["flaggedBy"] == {"provider": None, "categories": [], "scores": {}, "terms": []}
    assert "published" not in shown


def test_given_an_approved_and_published_item_when_shown_then_no_strike_but_what_was_published():
    item = pending().decided(ReviewState.APPROVED, by="mod1", at_ms=HELD_MS, reason=None)
    published = ReviewItem(**{**_fields(item), "published": {"serial": "s9"}})

    shown = published.to_json()

    assert "strike" not in shown  # a strike means something only on a denial
    assert shown["published"] == {"serial": "s9"}
    assert shown["decidedAt"] == "2026-11-22T04:00:00.123Z"
    assert "reason" not in shown


def test_given_a_data_value_of_zero_when_shown_then_it_is_kept():
    # Only None is left out: falsy values a sender published are shown.
    shown = pending(room=None, channel="news", data=0, text="").to_json()

    assert shown["data"] == 0
    assert shown["text"] == ""


def _fields(item: ReviewItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in ReviewItem.__slots__}
