"""The review queue and the user view in a real browser, as a moderator works with them.

The package's system holds flagged messages for this module (``onMatch: hold``, switched
as an operator would and back). A held message appears in the queue with what flagged it;
approve publishes it to the room (read back from the emulator's room history); deny with a
strike shows in the user view; the keyboard alone approves and denies, and typing in a
field fires no shortcut; a decision another moderator made first is said plainly and the
item leaves, and items decided elsewhere disappear on the next refresh; a ban from the
user view makes ``/token`` refuse. axe-core checks each new view; screenshots of each at
1280x800 and 390x844 go to test-results/console/.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from chatmod_local.client import AblyUser, ApiUser, wait_for
from chatmod_local.system import LocalSystem
from tests.support import policy_switch
from tests.support.console import (
    axe_violations,
    needs_console,
    shoot,
    sign_in,
    token_status,
)

pytestmark = needs_console

_names = itertools.count(1)
#: The console's refresh interval (console/src/views/Reviews.tsx, REFRESH_MS).
REFRESH_MS = 5000


@pytest.fixture(scope="module", autouse=True)
def holding(system: LocalSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with policy_switch.holding(system, tmp_path_factory.mktemp("console-hold")):
        yield


def new_name(kind: str) -> str:
    return f"cq-{kind}-{next(_names)}"


def api_user(system: LocalSystem, http: httpx.Client, name: str, *, moderator: bool = False):
    return ApiUser(http, system.info()["apiUrl"], system.token_for(name, moderator=moderator))


def hold(system: LocalSystem, http: httpx.Client, room: str, text: str) -> tuple[str, str]:
    """A new user's message in ``room`` that the policy holds: (sender, review id)."""
    sender = new_name("user")
    reply = api_user(system, http, sender).post("/messages", {"room": room, "text": text})
    assert reply.status_code == 202, reply.text
    return sender, reply.json()["reviewId"]


def pending(system: LocalSystem, http: httpx.Client, room: str) -> list[str]:
    moderator = api_user(system, http, "moderator", moderator=True)
    answer = moderator.get("/moderation/reviews", params={"room": room})
    return [item["reviewId"] for item in answer.json()["reviews"]]


def actions(system: LocalSystem, room: str) -> list[str]:
    """The actions of the room's messages in the emulator's history, oldest first."""
    return [str(message["action"]) for message in system.emulator.chat_messages(room)]


def open_queue(page: Page, room: str) -> None:
    page.get_by_label("Room", exact=True).fill(room)
    page.get_by_role("button", name="Show").click()


def card(page: Page, text: str) -> Locator:
    return page.get_by_role("article").filter(has_text=text)


def action_row(page: Page, action: str) -> Locator:
    """The history or audit row of ``action`` (its Action cell says exactly that)."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=action, exact=True))


def test_a_held_message_is_in_the_queue_and_approve_publishes_it(system, page, http):
    room = new_name("room")
    sender, _ = hold(system, http, room, "what the fuck is this")
    assert system.emulator.chat_messages(room) == []
    sign_in(page, system, view="reviews")

    open_queue(page, room)
    item = card(page, "what the fuck is this")
    expect(item).to_be_visible()
    expect(item.get_by_role("link", name=sender)).to_have_attribute("href", f"#/users/{sender}")
    expect(item).to_contain_text(f"in {room}")
    expect(item).to_contain_text("blocklist")
    expect(item).to_contain_text("held")
    expect(page.get_by_text("1 message waiting")).to_be_visible()
    shoot(page, "reviews")
    item.get_by_role("button", name="Approve").click()

    expect(page.locator(".status")).to_contain_text(f"Approved: {sender}'s message is published")
    expect(item).to_have_count(0)
    [message] = system.emulator.chat_messages(room)
    assert (message["text"], message["clientId"]) == ("what the fuck is this", sender)
    assert message["metadata"]["chatmodReview"]["approvedBy"] == "moderator"
    expect(page.get_by_text("Nothing is waiting for review")).to_be_visible()
    expect(page.get_by_text("A message is held when")).to_be_visible()
    shoot(page, "reviews-empty")


def test_a_message_taken_down_after_publishing_is_restored_by_approve(system, page, http):
    # Sent straight to Ably (the emulator): the async path takes it down and holds it.
    room = new_name("async-room")
    sender = new_name("user")
    client = AblyUser(http, system.info()["ablyUrl"], api_user(system, http, sender))
    assert client.authorize().status_code == 200
    assert client.send_chat(room, "shit happens").status_code in (200, 201)
    assert wait_for(lambda: pending(system, http, room), timeout=10)
    assert wait_for(lambda: actions(system, room) == ["message.delete"], timeout=10)
    sign_in(page, system, view="reviews")
    open_queue(page, room)
    item = card(page, "shit happens")
    expect(item).to_contain_text("after publishing (taken down until decided)")

    item.get_by_role("button", name="Approve").click()

    expect(page.locator(".status")).to_contain_text(f"Approved: {sender}'s message is restored")
    [message] = system.emulator.chat_messages(room)
    assert (message["action"], message["text"]) == ("message.update", "shit happens")


def test_deny_with_a_strike_shows_the_strike_in_the_user_view(system, page, http):
    room = new_name("room")
    sender, _ = hold(system, http, room, "shit head")
    sign_in(page, system, view="reviews")
    open_queue(page, room)
    item = card(page, "shit head")

    item.get_by_label("Reason for denying").fill("insult")
    item.get_by_label("Strike").check()
    item.get_by_role("button", name="Deny").click()

    expect(page.locator(".status")).to_contain_text(f"Denied: {sender}'s message stays")
    expect(page.locator(".status")).to_contain_text(f"Strike 1 for {sender}")
    expect(item).to_have_count(0)
    assert system.emulator.chat_messages(room) == []
    # The user view, opened from its search box: one strike, and the deny in the history.
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Client id").fill(sender)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name=f"User {sender}")).to_be_visible()
    expect(page.get_by_text("1 strike", exact=True)).to_be_visible()
    expect(page.get_by_text("Not banned")).to_be_visible()
    expect(action_row(page, "deny")).to_contain_text("insult")
    expect(action_row(page, "deny")).to_contain_text(room)
    expect(action_row(page, "strike")).to_contain_text("insult")
    expect(action_row(page, "hold")).to_contain_text("blocklist")
    shoot(page, "user")


def test_a_moderator_approves_and_denies_with_the_keyboard_alone(system, page, http):
    # Letters of the shortcuts in the room's name: typing it must not decide anything.
    room = new_name("kbd-add-jak")
    first, first_id = hold(system, http, room, "fuck one")
    second, second_id = hold(system, http, room, "fuck two")
    third, third_id = hold(system, http, room, "fuck three")
    sign_in(page, system, view="reviews")
    expect(page.get_by_text("a approve")).to_be_visible()  # the shortcuts are on screen

    page.get_by_label("Room", exact=True).focus()
    page.keyboard.type(room)
    page.keyboard.press("Enter")
    expect(card(page, "fuck two")).to_be_visible()
    assert pending(system, http, room) == [first_id, second_id, third_id]
    page.keyboard.press("Tab")  # leave the field: the "Show" button

    page.keyboard.press("j")  # the second (newer) item
    expect(card(page, "fuck two")).to_be_focused()
    expect(card(page, "fuck two")).to_have_css("outline-style", "solid")  # focus is visible
    page.keyboard.press("k")  # back to the oldest
    expect(card(page, "fuck one")).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(".status")).to_contain_text(f"Approved: {first}'s message")
    expect(card(page, "fuck two")).to_be_focused()  # the moderator's place moves on
    assert [m["text"] for m in system.emulator.chat_messages(room)] == ["fuck one"]

    page.keyboard.press("d")  # the remaining item's reason field
    expect(card(page, "fuck two").get_by_label("Reason for denying")).to_be_focused()
    page.keyboard.type("spam")
    page.keyboard.press("Enter")
    expect(page.locator(".status")).to_contain_text(f"Denied: {second}'s message")
    assert pending(system, http, room) == [third_id]
    assert [m["text"] for m in system.emulator.chat_messages(room)] == ["fuck one"]

    expect(card(page, "fuck three")).to_be_focused()
    page.keyboard.press("u")  # the sender of the item the moderator is on: their user view
    expect(page.get_by_role("heading", name=f"User {third}")).to_be_visible()


def test_a_decision_made_elsewhere_is_said_plainly_and_such_items_leave_the_queue(
    system, page, http
):
    room = new_name("room")
    hold(system, http, room, "fuck race")
    sender, quiet_id = hold(system, http, room, "fuck quiet")
    other_name = new_name("othermod")
    other = api_user(system, http, other_name, moderator=True)
    # The page's timers run on a clock the test moves: no refresh happens unless it says so.
    page.clock.install()
    sign_in(page, system, view="reviews")
    open_queue(page, room)
    expect(card(page, "fuck quiet")).to_be_visible()
    page.clock.pause_at(datetime.now(UTC) + timedelta(seconds=1))
    [race_id, _] = pending(system, http, room)

    # Another moderator denies the first item while this page still shows it; Approve here.
    assert other.post(f"/moderation/reviews/{race_id}/deny", {"reason": "dup"}).status_code == 200
    card(page, "fuck race").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Someone else got there first")).to_contain_text(
        f"already denied by {other_name}"
    )
    expect(card(page, "fuck race")).to_have_count(0)
    assert system.emulator.chat_messages(room) == []

    # The other moderator approves the second; the next refresh takes it off this page.
    assert other.post(f"/moderation/reviews/{quiet_id}/approve").status_code == 200
    expect(card(page, "fuck quiet")).to_be_visible()
    page.clock.run_for(REFRESH_MS + 500)
    expect(card(page, "fuck quiet")).to_have_count(0)
    expect(
        page.get_by_text("which you had selected, was decided by another moderator")
    ).to_be_visible()
    assert [m["clientId"] for m in system.emulator.chat_messages(room)] == [sender]


def test_a_ban_from_the_user_view_makes_the_token_refuse(system, page, http):
    target = new_name("banned")
    assert token_status(system, target) == 200
    sign_in(page, system, view=f"users/{target}")
    expect(page.get_by_role("heading", name=f"User {target}")).to_be_visible()
    expect(page.get_by_text("Not banned")).to_be_visible()

    page.get_by_label("For").select_option("24 hours")
    page.get_by_label("Reason", exact=True).fill("raid")
    page.get_by_role("button", name="Time out for 24 hours").click()

    expect(page.locator(".status")).to_contain_text(f"{target} is banned until")
    expect(page.locator(".standing").get_by_text("Banned until")).to_be_visible()
    assert token_status(system, target) == 403
    expect(action_row(page, "ban")).to_contain_text("raid")
    shoot(page, "user-banned")

    # Linked wherever the id is shown: the Bans view and the audit log open this view.
    page.get_by_role("link", name="Bans").click()
    page.get_by_role("row").filter(has_text=target).get_by_role("link", name=target).click()
    expect(page.get_by_role("heading", name=f"User {target}")).to_be_visible()
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("User (client id)").fill(target)
    page.get_by_role("button", name="Filter").click()
    action_row(page, "ban").get_by_role("link", name=target).click()
    expect(page.get_by_role("heading", name=f"User {target}")).to_be_visible()

    page.get_by_label("Why lift the ban").fill("appealed")
    page.get_by_role("button", name="Unban").click()
    expect(page.locator(".status")).to_contain_text(f"The ban on {target} is lifted")
    expect(page.locator(".standing").get_by_text("Not banned")).to_be_visible()
    assert token_status(system, target) == 200


@pytest.mark.axe
@pytest.mark.parametrize("view", ["reviews", "reviews-empty", "user"])
def test_no_serious_accessibility_violations_in_the_new_views(system, page, http, view):
    room = new_name("room")
    sender, review_id = hold(system, http, room, "fuck axe")
    if view == "user":
        moderator = api_user(system, http, "moderator", moderator=True)
        denied = moderator.post(
            f"/moderation/reviews/{review_id}/deny", {"reason": "axe", "strike": True}
        )
        assert denied.status_code == 200, denied.text
        sign_in(page, system, view=f"users/{sender}")
        expect(page.get_by_role("row").filter(has_text="axe").first).to_be_visible()
    else:
        sign_in(page, system, view="reviews")
        open_queue(page, room if view == "reviews" else new_name("empty-room"))
        expected = "fuck axe" if view == "reviews" else "Nothing is waiting for review"
        expect(page.get_by_text(expected)).to_be_visible()

    violations = axe_violations(page)

    assert not violations, json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": len(v["nodes"])} for v in violations], indent=1
    )


@pytest.mark.parametrize("view", ["reviews", "users/alice"])
def test_a_chat_user_sees_no_queue_and_no_user(system, page, http, view):
    hold(system, http, new_name("room"), "fuck hidden")
    sign_in(page, system, "alice", view=view)

    expect(page.get_by_role("alert")).to_contain_text("Only moderators can do this")
    expect(page.get_by_role("article")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Time out", exact=False)).to_have_count(0)
    expect(page.get_by_text("fuck hidden")).to_have_count(0)
