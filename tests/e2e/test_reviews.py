"""Hold for review against the local system over HTTP: every path holds, moderators decide.

The package's system, switched to ``onMatch: hold`` for this module (it rejects
otherwise) and back, as an operator would with ``make policy``: a held message
is not in the emulator's room until a moderator approves it; a client of the
emulator sees a before-publish hold as 42213 with the review id; deny strikes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest

from chatmod_local.client import AblyUser, ApiUser, wait_for
from chatmod_local.system import LocalSystem
from tests.support import policy_switch

_users = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
def holding(system: LocalSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The package's system holds flagged messages for this module, then rejects again.

    One local system serves every e2e test (conftest): this module changes its live
    policy as an operator would (``make policy FILE=…``) and puts it back
    (``tests.support.policy_switch``).
    """
    with policy_switch.holding(system, tmp_path_factory.mktemp("review-policy")):
        yield


def user(system: LocalSystem, http: httpx.Client, *, moderator: bool = False) -> ApiUser:
    name = f"{'rmod' if moderator else 'ruser'}-{next(_users)}"
    return ApiUser(http, system.info()["apiUrl"], system.token_for(name, moderator=moderator))


def test_a_message_held_on_post_messages_is_published_once_when_approved(
    system: LocalSystem, http: httpx.Client
) -> None:
    # Given a user whose message the policy holds
    sender, moderator = user(system, http), user(system, http, moderator=True)
    held = sender.post(
        "/messages", {"room": "e2e-review", "text": "what the fuck", "metadata": {"k": 1}}
    )
    assert held.status_code == 202, held.text
    review_id = held.json()["reviewId"]
    assert system.emulator.chat_messages("e2e-review") == []
    # When a moderator finds it in the queue and approves it (twice)
    queue = moderator.get("/moderation/reviews", params={"room": "e2e-review"}).json()["reviews"]
    assert [item["reviewId"] for item in queue] == [review_id]
    first = moderator.post(f"/moderation/reviews/{review_id}/approve")
    again = moderator.post(f"/moderation/reviews/{review_id}/approve")
    # Then it is in the room once, as its sender, with who approved it
    assert (first.status_code, again.status_code) == (200, 200)
    [message] = system.emulator.chat_messages("e2e-review")
    assert message["text"] == "what the fuck"
    assert message["clientId"] == sender.get("/token").json()["clientId"]
    assert message["metadata"]["k"] == 1
    assert message["metadata"]["chatmodReview"]["reviewId"] == review_id
    assert (
        moderator.get("/moderation/reviews", params={"room": "e2e-review"}).json()["reviews"] == []
    )


def test_a_client_of_the_emulator_sees_a_before_publish_hold_as_42213_with_the_review_id(
    system: LocalSystem, http: httpx.Client
) -> None:
    sender, moderator = user(system, http), user(system, http, moderator=True)
    client = AblyUser(http, system.info()["ablyUrl"], sender)
    assert client.authorize().status_code == 200

    reply = client.send_chat("bp-review", "you bastard")

    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == 42213
    assert error["detail"]["reason"] == "held_for_review"
    review_id = error["detail"]["reviewId"]
    assert system.emulator.chat_messages("bp-review") == []
    # The approval passes the room's before-publish rule (judged header) and is published.
    assert moderator.post(f"/moderation/reviews/{review_id}/approve").status_code == 200
    assert [m["text"] for m in system.emulator.chat_messages("bp-review")] == ["you bastard"]


def test_the_async_path_takes_a_held_message_down_and_approve_restores_it(
    system: LocalSystem, http: httpx.Client
) -> None:
    sender, moderator = user(system, http), user(system, http, moderator=True)
    client = AblyUser(http, system.info()["ablyUrl"], sender)
    assert client.authorize().status_code == 200
    serial = client.send_chat("e2e-async-review", "shit happens").json()["serial"]

    def deleted() -> bool:
        [message] = system.emulator.chat_messages("e2e-async-review")
        return bool(message["action"] == "message.delete")

    assert wait_for(deleted, timeout=10)
    [item] = moderator.get("/moderation/reviews", params={"room": "e2e-async-review"}).json()[
        "reviews"
    ]
    assert item["serial"] == serial
    assert moderator.post(f"/moderation/reviews/{item['reviewId']}/approve").status_code == 200
    [message] = system.emulator.chat_messages("e2e-async-review")
    assert (message["action"], message["text"]) == ("message.update", "shit happens")


def test_denied_with_strikes_the_sender_is_banned_and_the_audit_tells_why(
    system: LocalSystem, http: httpx.Client
) -> None:
    sender, moderator = user(system, http), user(system, http, moderator=True)
    client_id = sender.get("/token").json()["clientId"]
    for text in ("fuck off", "shit head"):
        review_id = sender.post("/messages", {"room": "e2e-deny", "text": text}).json()["reviewId"]
        reply = moderator.post(
            f"/moderation/reviews/{review_id}/deny", {"reason": "abuse", "strike": True}
        )
        assert reply.status_code == 200, reply.text

    assert reply.json()["strike"]["banApplied"] is True
    assert sender.get("/token").status_code == 403
    assert system.emulator.chat_messages("e2e-deny") == []
    view = moderator.get(f"/moderation/users/{client_id}").json()
    assert view["ban"] is not None
    assert view["strikes"]["count"] == 2
    audit = moderator.get(
        "/moderation/audit", params={"clientId": client_id, "action": "deny"}
    ).json()["events"]
    assert [event["reason"] for event in audit] == ["abuse", "abuse"]
    assert moderator.get("/moderation/audit", params={"user": client_id}).status_code == 400
