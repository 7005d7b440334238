"""Hold for review end to end in process: every path holds, moderators approve or deny.

moto for DynamoDB and SSM, the Ably stub (our emulator) over the real SDK: a held
message is not published; approve publishes it once as its sender with the judged
header (or restores what the async path took down); deny strikes along the ladder;
approve and deny racing leave one winner.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from chatmod.adapters.ably.client import reset_gateway
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.review_store import ReviewStore
from chatmod.core import constants
from chatmod.core.deadline import Deadline
from chatmod.core.policy import BanPolicy, IdentityPolicy, ModerationPolicy, RuntimePolicy
from chatmod.enforcement.judged import JUDGED_HEADER, verify_judged_header
from chatmod.enforcement.reviews import ReviewState
from chatmod.handlers import async_moderation, before_publish, moderator, publish
from tests.support.ably_messages import chat_message, stored_chat_message
from tests.support.ably_stub import AblyStub
from tests.support.deployment import JUDGED_KEY, moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import (
    FakeLambdaContext,
    ably_envelope,
    before_publish_request,
    http_event,
    sqs_event,
)

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
OTHER_MODERATOR = {"sub": "mod2", "cognito:groups": "[moderators]"}
USER = {"sub": "alice", "cognito:groups": "[players]"}
HELD = "what the fuck is this"
_SEND = re.compile(r"/chat/v4/rooms/[^/]+/messages")
_UPDATE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+")
_DELETE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+/delete")

HOLD_POLICY = RuntimePolicy(
    moderation=ModerationPolicy(on_match="hold"),
    bans=BanPolicy(ladder=("warn", "120s", "permanent")),
    identity=IdentityPolicy(moderator_rooms_claim="custom:rooms"),
)


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    env = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    async_moderation.reset_removal_guard()
    with moto_deployment(monkeypatch, env=env, policy=HOLD_POLICY) as tables:
        yield tables
    async_moderation.reset_removal_guard()
    reset_gateway()


def call(
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    claims: dict[str, Any] | None = MODERATOR,
) -> tuple[int, Any]:
    encoded = None if query is None else {k: quote(v, safe="") for k, v in query.items()}
    event = http_event(method, path, body=body, claims=claims, query=encoded)
    if query is not None:
        event["queryStringParameters"] = query
    response = moderator.lambda_handler(event, FakeLambdaContext())
    text = response.get("body") or ""
    return response["statusCode"], (json.loads(text) if text else None)


def hold_before_publish(text: str = HELD, *, room: str = "lobby", client_id: str = "alice") -> str:
    """Ask the before-publish handler about ``text``; the review id of its hold."""
    request = before_publish_request(text, room=room, client_id=client_id)
    request["message"]["metadata"] = {"lang": "en"}
    request["message"]["headers"] = {"x-app": "1"}
    response = before_publish.lambda_handler(request, FakeLambdaContext())
    assert response["statusCode"] == 200, response
    answer = json.loads(response["body"])
    assert answer["action"] == "reject"
    assert answer["rejectionDetail"]["reason"] == "held_for_review"
    return str(answer["rejectionDetail"]["reviewId"])


def audit_actions(tables: ChatmodTables, client_id: str = "alice") -> list[str]:
    return sorted(e.action for e in AuditLog(tables.audit).query(client_id, limit=100))


# -- holding -------------------------------------------------------------------------


def test_before_publish_holds_a_flagged_message_and_a_retry_finds_the_same_item(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    review_id = hold_before_publish()
    again = hold_before_publish()  # Ably's retry of the same message

    assert again == review_id
    status, item = call("GET", f"/moderation/reviews/{review_id}")
    assert status == 200
    assert item["state"] == "pending"
    assert (item["room"], item["clientId"], item["text"]) == ("lobby", "alice", HELD)
    assert (item["metadata"], item["headers"]) == ({"lang": "en"}, {"x-app": "1"})
    assert item["flaggedBy"] == {
        "provider": "blocklist",
        "categories": ["profanity"],
        "scores": {"profanity": 2.0},
        "terms": ["fuck"],
    }
    assert item["source"] == "before-publish"
    # A held message is not a strike (the policy's default), and is audited once.
    assert audit_actions(deployment) == ["hold"]
    assert ably_stub.requests_to(_SEND, "POST") == []


def test_post_messages_answers_202_held_with_the_review_id(deployment: ChatmodTables):
    event = http_event("POST", "/messages", body={"room": "lobby", "text": HELD}, claims=USER)

    response = publish.lambda_handler(event, FakeLambdaContext())

    assert response["statusCode"] == 202, response
    body = json.loads(response["body"])
    assert body["held"] is True
    status, item = call("GET", f"/moderation/reviews/{body['reviewId']}")
    assert status == 200
    assert item["source"] == "publish"


def test_async_path_takes_the_message_down_and_approve_restores_it(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    serial = stored_chat_message(ably_stub, "lobby", HELD, "alice")
    body = ably_envelope("lobby::$chat", chat_message(HELD, serial=serial, client_id="alice"))

    response = async_moderation.lambda_handler(sqs_event(body), FakeLambdaContext())

    assert response["batchItemFailures"] == []
    deletes = ably_stub.requests_to(_DELETE, "POST")
    assert len(deletes) == 1
    review_id = deletes[0].json()["metadata"]["reviewId"]
    assert ably_stub.state.rooms["lobby"][serial]["action"] == "message.delete"

    status, answer = call("POST", f"/moderation/reviews/{review_id}/approve")

    assert status == 200, answer
    assert answer["review"]["published"] == {"restored": True, "serial": serial}
    restored = ably_stub.state.rooms["lobby"][serial]
    assert restored["action"] == "message.update"
    assert restored["text"] == HELD
    assert restored["metadata"]["chatmodReview"]["approvedBy"] == "mod1"
    # The restore is chatmod's own edit: the async consumer leaves it alone.
    assert restored["version"]["clientId"] != "alice"


# -- approve ---------------------------------------------------------------------------


def test_approve_publishes_as_the_sender_with_the_judged_header_once(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    review_id = hold_before_publish()

    first = call("POST", f"/moderation/reviews/{review_id}/approve")
    second = call("POST", f"/moderation/reviews/{review_id}/approve")

    assert first[0] == second[0] == 200
    assert first[1]["review"]["published"] == second[1]["review"]["published"]
    sends = ably_stub.requests_to(_SEND, "POST")
    assert len(sends) == 1
    sent = sends[0]
    assert base64.b64decode(sent.headers["x-ably-clientid"]) == b"alice"  # Ably sends it base64
    message = sent.json()
    assert message["text"] == HELD
    assert message["headers"]["x-app"] == "1"
    assert verify_judged_header(
        message["headers"][JUDGED_HEADER],
        JUDGED_KEY,
        room="lobby",
        client_id="alice",
        text=HELD,
        now=time.time(),
    )
    stamp = message["metadata"]["chatmodReview"]
    assert message["metadata"]["lang"] == "en"
    assert stamp["reviewId"] == review_id
    assert stamp["approvedBy"] == "mod1"
    assert stamp["heldAt"] == first[1]["review"]["heldAt"]
    assert first[1]["review"]["state"] == "approved"
    assert audit_actions(deployment) == ["approve", "hold"]


def test_an_approved_message_passes_before_publish_without_a_second_judgement(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    review_id = hold_before_publish()
    call("POST", f"/moderation/reviews/{review_id}/approve")
    sent = ably_stub.requests_to(_SEND, "POST")[0].json()

    # What Ably asks the rule about the approved message.
    request = before_publish_request(HELD)
    request["message"]["metadata"] = sent["metadata"]
    request["message"]["headers"] = sent["headers"]
    answer = json.loads(before_publish.lambda_handler(request, FakeLambdaContext())["body"])

    assert answer == {"action": "accept"}


def test_a_failed_publish_leaves_the_approval_and_the_next_approve_finishes_it(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    from tests.support.ably_stub import Reply

    review_id = hold_before_publish()
    ably_stub.enqueue("POST", _SEND, *[Reply.error(503, 50300)] * 5)

    failed = call("POST", f"/moderation/reviews/{review_id}/approve")
    done = call("POST", f"/moderation/reviews/{review_id}/approve")

    assert failed[0] == 502
    assert done[0] == 200
    assert "serial" in done[1]["review"]["published"]
    # One approval in the audit, and Ably stored the message once (idempotency key).
    assert audit_actions(deployment) == ["approve", "hold"]
    keys = {r.query["idempotencyKey"][0] for r in ably_stub.requests_to(_SEND, "POST")}
    assert len(keys) == 1


# -- deny ------------------------------------------------------------------------------


def test_deny_with_strike_runs_the_ladder_and_a_second_deny_strikes_once(
    deployment: ChatmodTables,
):
    review_id = hold_before_publish()
    body = {"reason": "abusive", "strike": True}

    first = call("POST", f"/moderation/reviews/{review_id}/deny", body=body)
    second = call("POST", f"/moderation/reviews/{review_id}/deny", body=body)

    assert first[0] == 200, first
    assert first[1]["review"]["state"] == "denied"
    assert first[1]["review"]["reason"] == "abusive"
    assert first[1]["strike"]["count"] == 1
    assert first[1]["strike"]["step"] == "warn"
    assert second[0] == 200
    assert second[1]["strike"]["count"] == 1  # recognised, not counted again
    assert audit_actions(deployment) == ["deny", "hold", "strike"]


def test_two_denied_strikes_ban_the_sender(deployment: ChatmodTables):
    for text in (HELD, HELD + " again"):
        review_id = hold_before_publish(text)
        status, answer = call(
            "POST", f"/moderation/reviews/{review_id}/deny", body={"reason": "x", "strike": True}
        )
        assert status == 200, answer

    assert answer["strike"]["banApplied"] is True
    assert answer["strike"]["step"] == "120s"
    assert deployment.bans.get_item(Key={"clientId": "alice"}).get("Item") is not None


def test_deny_without_strike_leaves_the_ladder_alone(deployment: ChatmodTables):
    review_id = hold_before_publish()

    status, answer = call("POST", f"/moderation/reviews/{review_id}/deny", body={"reason": "no"})

    assert status == 200
    assert "strike" not in answer
    assert answer["review"]["strike"] is False
    assert audit_actions(deployment) == ["deny", "hold"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": ""},
        {"reason": "   "},
        {"reason": "x", "strike": "yes"},
        {"reason": "x", "y": 1},
    ],
)
def test_a_bad_deny_body_is_a_400_naming_the_field(deployment: ChatmodTables, body: Any):
    review_id = hold_before_publish()

    status, answer = call("POST", f"/moderation/reviews/{review_id}/deny", body=body)

    assert status == 400
    assert answer["error"] == "bad_request" or answer["error"] == "validation_error"
    assert answer["problems"]


# -- races and expiry ------------------------------------------------------------------


def test_approve_after_deny_is_a_409_and_publishes_nothing(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    review_id = hold_before_publish()
    call("POST", f"/moderation/reviews/{review_id}/deny", body={"reason": "no"}, claims=MODERATOR)

    status, answer = call(
        "POST", f"/moderation/reviews/{review_id}/approve", claims=OTHER_MODERATOR
    )

    assert status == 409
    assert answer["error"] == "review_decided"
    assert answer["state"] == "denied"
    assert answer["decidedBy"] == "mod1"
    assert ably_stub.requests_to(_SEND, "POST") == []


def test_approve_and_deny_racing_on_the_store_leave_exactly_one_winner(
    deployment: ChatmodTables,
):
    """Both read the item pending; the conditional writes decide."""
    from chatmod.adapters.review_store import ReviewConflictError
    from chatmod.enforcement.audit import AuditEvent

    review_id = hold_before_publish()
    store = ReviewStore(deployment.reviews, audit=AuditLog(deployment.audit))
    item = store.get(review_id)
    assert item is not None
    now_ms = int(time.time() * 1000)
    outcomes = []
    for state, who in ((ReviewState.APPROVED, "mod1"), (ReviewState.DENIED, "mod2")):
        decided = item.decided(state, by=who, at_ms=now_ms, reason=None)
        event = AuditEvent(action="approve" if state is ReviewState.APPROVED else "deny", actor=who)
        try:
            store.decide(item, decided, event, deadline=Deadline(5))
            outcomes.append(state)
        except ReviewConflictError:
            outcomes.append(None)

    assert outcomes == [ReviewState.APPROVED, None]
    stored = store.get(review_id)
    assert stored is not None
    assert stored.state is ReviewState.APPROVED
    assert stored.decided_by == "mod1"


def test_a_pending_item_past_its_time_expires_with_an_audit_event_and_approve_is_a_409(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    review_id = hold_before_publish()
    deployment.reviews.update_item(
        Key={"reviewId": review_id},
        UpdateExpression="SET pendingUntilMs = :past",
        ExpressionAttributeValues={":past": 1},
    )

    status, answer = call("POST", f"/moderation/reviews/{review_id}/approve")

    assert status == 409
    assert answer["state"] == "expired"
    assert ably_stub.requests_to(_SEND, "POST") == []
    assert audit_actions(deployment) == ["expire", "hold"]


# -- listing -----------------------------------------------------------------------------


def test_the_queue_lists_pending_items_oldest_first_by_room_and_pages_with_a_cursor(
    deployment: ChatmodTables,
):
    ids = [hold_before_publish(f"{HELD} {n}", room="lobby") for n in range(3)]
    other = hold_before_publish(HELD, room="support")
    # Give them distinct times, in order.
    for n, review_id in enumerate([*ids, other]):
        deployment.reviews.update_item(
            Key={"reviewId": review_id},
            UpdateExpression="SET createdKey = :k, createdMs = :ms",
            ExpressionAttributeValues={
                ":k": f"{1_700_000_000_000 + n:013d}#{review_id}",
                ":ms": 1_700_000_000_000 + n,
            },
        )

    status, first = call("GET", "/moderation/reviews", query={"room": "lobby", "limit": "2"})
    assert status == 200
    status, rest = call(
        "GET",
        "/moderation/reviews",
        query={"room": "lobby", "limit": "2", "cursor": first["nextCursor"]},
    )
    assert status == 200
    listed = [r["reviewId"] for r in first["reviews"] + rest["reviews"]]
    assert listed == ids
    assert "nextCursor" not in rest

    status, everywhere = call("GET", "/moderation/reviews")
    assert [r["reviewId"] for r in everywhere["reviews"]] == [*ids, other]

    call("POST", f"/moderation/reviews/{ids[0]}/deny", body={"reason": "no"})
    status, denied = call("GET", "/moderation/reviews", query={"state": "denied"})
    assert [r["reviewId"] for r in denied["reviews"]] == [ids[0]]


@pytest.mark.parametrize(
    "query",
    [
        {"rooms": "lobby"},
        {"state": "maybe"},
        {"limit": "0"},
        {"cursor": "not-a-cursor"},
        {"room": "   "},
    ],
)
def test_a_bad_listing_query_is_a_400(deployment: ChatmodTables, query: dict[str, str]):
    status, answer = call("GET", "/moderation/reviews", query=query)

    assert status == 400, answer


def test_a_cursor_from_another_room_is_refused(deployment: ChatmodTables):
    for n in range(2):
        hold_before_publish(f"{HELD} {n}")
    _, page = call("GET", "/moderation/reviews", query={"room": "lobby", "limit": "1"})

    status, answer = call(
        "GET", "/moderation/reviews", query={"room": "other", "cursor": page["nextCursor"]}
    )

    assert status == 400
    assert answer["error"] == "invalid_cursor"


@pytest.mark.parametrize("path", ["rv_nothere", "rv_" + "0" * 32, "..%2F..%2Fetc"])
def test_an_unknown_review_is_a_404(deployment: ChatmodTables, path: str):
    for route in ("", "/approve"):
        status, answer = call("POST" if route else "GET", f"/moderation/reviews/{path}{route}")
        assert status == 404, answer
        assert answer["error"] == "review_not_found"


def test_users_are_refused_before_anything_is_read(deployment: ChatmodTables):
    review_id = hold_before_publish()
    for method, path in (
        ("GET", "/moderation/reviews"),
        ("GET", f"/moderation/reviews/{review_id}"),
        ("POST", f"/moderation/reviews/{review_id}/approve"),
    ):
        assert call(method, path, claims=USER)[0] == 403
        assert call(method, path, claims=None)[0] == 401


# -- room-scoped moderators ---------------------------------------------------------------


SUPPORT_ONLY = {"sub": "mod3", "cognito:groups": "[moderators]", "custom:rooms": "[support-*]"}


def test_a_room_scoped_moderator_sees_and_acts_only_in_their_rooms(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    lobby = hold_before_publish(room="lobby")
    support = hold_before_publish(room="support-eu")

    _, listed = call("GET", "/moderation/reviews", claims=SUPPORT_ONLY)
    assert [r["reviewId"] for r in listed["reviews"]] == [support]
    assert (
        call("GET", "/moderation/reviews", query={"room": "lobby"}, claims=SUPPORT_ONLY)[0] == 403
    )
    assert call("GET", f"/moderation/reviews/{lobby}", claims=SUPPORT_ONLY)[0] == 404
    assert call("POST", f"/moderation/reviews/{lobby}/approve", claims=SUPPORT_ONLY)[0] == 404
    denied = call(
        "POST", f"/moderation/reviews/{lobby}/deny", body={"reason": "x"}, claims=SUPPORT_ONLY
    )
    assert denied[0] == 404
    assert call("POST", f"/moderation/reviews/{support}/approve", claims=SUPPORT_ONLY)[0] == 200
    # A moderator without the claim moderates everywhere.
    assert call("POST", f"/moderation/reviews/{lobby}/approve", claims=MODERATOR)[0] == 200


# -- the user view ------------------------------------------------------------------------


def test_the_user_view_shows_the_ban_the_strikes_and_the_history_paged(
    deployment: ChatmodTables,
):
    for text in (HELD, HELD + " again"):
        review_id = hold_before_publish(text)
        call("POST", f"/moderation/reviews/{review_id}/deny", body={"reason": "x", "strike": True})

    status, first = call("GET", "/moderation/users/alice", query={"limit": "3"})
    assert status == 200, first
    assert first["clientId"] == "alice"
    assert first["ban"]["source"] == "auto"
    assert first["strikes"]["count"] == 2
    assert first["strikes"]["ladder"] == ["warn", "120s", "permanent"]
    assert len(first["history"]) == 3
    status, rest = call(
        "GET", "/moderation/users/alice", query={"limit": "50", "cursor": first["nextCursor"]}
    )
    assert status == 200
    everything = [e["action"] for e in first["history"] + rest["history"]]
    assert sorted(everything) == ["ban", "deny", "deny", "hold", "hold", "strike", "strike"]


def test_the_user_view_of_a_stranger_is_empty_and_unknown_parameters_are_refused(
    deployment: ChatmodTables,
):
    status, body = call("GET", "/moderation/users/nobody")
    assert status == 200
    assert body["ban"] is None
    assert body["strikes"]["count"] == 0
    assert body["history"] == []

    assert call("GET", "/moderation/users/nobody", query={"days": "3"})[0] == 400
    assert call("GET", "/moderation/users/nobody", claims=USER)[0] == 403


def test_a_room_scoped_moderator_sees_the_history_of_their_rooms_only(deployment: ChatmodTables):
    hold_before_publish(room="lobby")
    hold_before_publish(room="support-eu")

    status, body = call("GET", "/moderation/users/alice", claims=SUPPORT_ONLY)

    assert status == 200
    assert [e["room"] for e in body["history"]] == ["support-eu"]


def test_a_room_scoped_moderator_deletes_and_reads_the_audit_only_in_their_rooms(
    deployment: ChatmodTables, ably_stub: AblyStub
):
    hold_before_publish(room="lobby")
    hold_before_publish(room="support-eu")
    serial = stored_chat_message(ably_stub, "lobby", "hello", "alice")

    refused = call(
        "POST",
        "/moderation/messages/delete",
        body={"room": "lobby", "serial": serial, "reason": "x"},
        claims=SUPPORT_ONLY,
    )
    assert refused[0] == 403
    assert refused[1]["error"] == "room_not_allowed"
    assert ably_stub.requests_to(_DELETE, "POST") == []

    status, audit = call("GET", "/moderation/audit", claims=SUPPORT_ONLY)
    assert status == 200
    assert {event["room"] for event in audit["events"]} == {"support-eu"}
    assert call("GET", "/moderation/audit", query={"room": "lobby"}, claims=SUPPORT_ONLY)[0] == 403
    # Without the claim: every room.
    status, everything = call("GET", "/moderation/audit")
    assert {event["room"] for event in everything["events"]} == {"lobby", "support-eu"}
