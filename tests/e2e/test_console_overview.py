"""The Overview in a real browser: a room's decisions per hour, drawn and tabled, with the
top categories and offenders — from messages users really sent through the local system.

Users post to a fresh room (two accepted, two rejected from one sender); the counts reach
the counter through local mode's log subscription within about a second. The moderator
picks the room in the Overview (by keyboard), sees the totals, the per-hour table, the
category and the offender (linked to their user view). axe-core checks the page;
screenshots at 1280x800 and 390x844 go to test-results/console/.
"""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from chatmod_local.client import wait_for
from chatmod_local.system import LocalSystem
from tests.support.console import axe_violations, needs_console, shoot, sign_in

pytestmark = needs_console

_rooms = itertools.count(1)


@pytest.fixture
def busy_room(system: LocalSystem, new_user, moderator) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A fresh room with two accepted messages and two rejections from one sender."""
    room = f"ov-room-{next(_rooms)}"
    alice, mallory = new_user(), new_user()
    offender = mallory.get("/token").json()["clientId"]  # (before the ladder bans them)
    for user, text in (
        (alice, "hello"),
        (alice, "good game"),
        (mallory, "you are a shit"),
        (mallory, "shit shit"),
    ):
        user.post("/messages", {"room": room, "text": text})

    def counted() -> bool:
        reply = moderator.get("/moderation/counts", params={"room": room})
        return bool(reply.json()["totals"]["rejected"] == 2)

    assert wait_for(counted, timeout=20)
    return room, offender


def test_a_moderator_sees_a_rooms_counts_and_opens_its_top_offender(
    page: Page, system: LocalSystem, busy_room: tuple[str, str]
):
    room, offender = busy_room
    sign_in(page, system, view="overview")

    # When the moderator names the room and shows it, by keyboard alone
    page.get_by_label("Room (empty: the whole stage)").fill(room)
    page.keyboard.press("Enter")

    # Then the totals, the hour's row, the category and the offender are there
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"4 messages in room {room}")
    totals = page.get_by_role("list", name="Totals")
    expect(totals.get_by_role("listitem").filter(has_text="Accepted")).to_contain_text("2")
    expect(totals.get_by_role("listitem").filter(has_text="Rejected")).to_contain_text("2")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the one busy hour
    expect(page.get_by_role("heading", name="Top categories").locator("..")).to_contain_text(
        "profanity (2)"
    )
    shoot(page, "overview")
    # And the offender opens their user view
    page.get_by_role("link", name=offender).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(offender)


def test_a_room_nobody_spoke_in_shows_zeros_and_says_so(page: Page, system: LocalSystem):
    sign_in(page, system, view="overview")
    page.get_by_label("Room (empty: the whole stage)").fill("ov-empty-room")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("status")).to_contain_text("0 messages in room ov-empty-room")
    expect(page.get_by_text("No category matched in this period.")).to_be_visible()
    expect(page.get_by_text("Nobody's message was masked, held or rejected.")).to_be_visible()


@pytest.mark.axe
def test_the_overview_has_no_serious_accessibility_violations(
    page: Page, system: LocalSystem, busy_room: tuple[str, str]
):
    sign_in(page, system, view="overview")
    page.get_by_label("Room (empty: the whole stage)").fill(busy_room[0])
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status")).to_contain_text("4 messages")

    assert axe_violations(page) == []
