"""Room settings and custom terms in a real browser, as a moderator changes them.

The package's system gets, for this module, a ``crossMessage`` entry for rooms ``cs-slow-*``
(only a covered room can have a slow mode) and a rooms claim for room-scoped moderators
(switched as an operator would, and back). A moderator sets a room's slow mode in the
live view, and a user's second message within the window is refused with the seconds to
wait; turning it off lets the user publish again. A moderator blocks terms for some rooms
in the Terms view, and a message with one (obfuscated too) is rejected there and
only there (the e2e policy rejects), within the functions' cache age (2 s locally);
removed, it passes again; under a masking policy it is masked instead. A room-scoped
moderator sees plainly that a room outside their rooms is refused. The keyboard alone sets
a slow mode. axe-core checks each new view; screenshots of each at 1280x800 and 390x844 go
to test-results/console/.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from chatmod_local.client import ApiUser, wait_for
from chatmod_local.system import LocalSystem
from tests.support import policy_switch
from tests.support.console import axe_violations, console_url, needs_console, shoot, sign_in

pytestmark = needs_console

_names = itertools.count(1)
ROOMS_CLAIM = "custom:rooms"


def new_name(kind: str) -> str:
    return f"{kind}-{next(_names)}"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as http:
        yield http


def api_user(http: httpx.Client, system: LocalSystem, name: str, *, moderator: bool = False):
    return ApiUser(http, system.info()["apiUrl"], system.token_for(name, moderator=moderator))


@pytest.fixture(scope="module", autouse=True)
def covered(
    system: LocalSystem, client: httpx.Client, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Rooms ``cs-slow-*`` covered by a crossMessage entry; moderators may be room-scoped."""
    moderator = api_user(client, system, "cs-operator", moderator=True)

    def ready() -> bool:
        return bool(moderator.get("/moderation/rooms/cs-slow-probe").json().get("covered"))

    changes = {
        "moderation": {"crossMessage": [{"rooms": ["cs-slow-*"]}]},
        "identity": {"moderatorRoomsClaim": ROOMS_CLAIM},
    }
    with policy_switch.changed(system, tmp_path_factory.mktemp("console-rooms"), changes, ready):
        yield


@pytest.fixture
def send(system: LocalSystem, client: httpx.Client):  # type: ignore[no-untyped-def]
    """``send(sender, room, text)``: the sender's ``POST /messages``."""

    def post(sender: str, room: str, text: str) -> httpx.Response:
        return api_user(client, system, sender).post("/messages", {"room": room, "text": text})

    return post


def slow_mode_panel(page: Page):
    return page.get_by_role("region", name="Slow mode")


def test_slow_mode_set_in_the_live_view_refuses_a_second_message_until_turned_off(
    system, page, send, client
):
    room, sender = new_name("cs-slow-room"), new_name("cs-user")
    sign_in(page, system, view=f"live/{room}")
    panel = slow_mode_panel(page)
    expect(panel).to_contain_text("Now: off")

    panel.get_by_label("10 s").check()
    panel.get_by_role("button", name="Set slow mode").click()

    expect(panel.locator(".slow-status")).to_have_text(
        f"Slow mode is on in {room}: 10 s between a sender's messages."
    )
    expect(panel).to_contain_text("Set by moderator")
    assert send(sender, room, "first").status_code == 201
    refused = send(sender, room, "second, too soon")
    assert refused.status_code == 422, refused.text
    assert refused.json()["reason"] == "slow_mode"
    assert 0 < refused.json()["retryAfterSeconds"] <= 10
    shoot(page, "live-slow-mode")

    panel.get_by_role("button", name="Turn off").click()

    expect(panel.locator(".slow-status")).to_have_text(f"Slow mode is off in {room}.")
    expect(panel).to_contain_text("Now: off")
    assert send(sender, room, "third, now allowed").status_code == 201
    audit = api_user(client, system, "cs-auditor", moderator=True).get(
        "/moderation/audit", params={"room": room, "action": "slow_mode"}
    )
    assert [e["details"]["seconds"] for e in audit.json()["events"]] == [0, 10]


def test_any_number_of_seconds_can_be_typed_and_more_than_120_is_refused(system, page, client):
    room = new_name("cs-slow-room")
    sign_in(page, system, view=f"live/{room}")
    panel = slow_mode_panel(page)

    seconds = panel.get_by_label("Seconds (0 to 120)")
    seconds.fill("45")
    panel.get_by_role("button", name="Set slow mode").click()
    expect(panel.locator(".slow-status")).to_contain_text("45 s between a sender's messages")
    assert (
        api_user(client, system, "cs-reader", moderator=True)
        .get(f"/moderation/rooms/{room}")
        .json()["slowModeSeconds"]
        == 45
    )

    seconds.fill("121")  # the browser refuses it: the button stays disabled
    expect(panel.get_by_role("button", name="Set slow mode")).to_be_disabled()
    seconds.fill("0")
    panel.get_by_role("button", name="Turn slow mode off").click()
    expect(panel.locator(".slow-status")).to_have_text(f"Slow mode is off in {room}.")


def test_the_keyboard_alone_sets_slow_mode(system, page, client):
    room = new_name("cs-slow-room")
    sign_in(page, system, view=f"live/{room}")
    panel = slow_mode_panel(page)
    expect(panel).to_contain_text("Now: off")
    panel.get_by_label("Off").focus()

    page.keyboard.press("ArrowRight")  # the presets are one radio group: 5 s
    expect(panel.get_by_label("5 s")).to_be_checked()
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Seconds (0 to 120)")).to_be_focused()
    expect(panel.get_by_label("Seconds (0 to 120)")).to_have_value("5")
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Reason")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Set slow mode")).to_be_focused()
    page.keyboard.press("Enter")

    expect(panel.locator(".slow-status")).to_have_text(
        f"Slow mode is on in {room}: 5 s between a sender's messages."
    )
    moderator = api_user(client, system, "cs-reader", moderator=True)
    assert moderator.get(f"/moderation/rooms/{room}").json()["slowModeSeconds"] == 5


def test_a_room_no_entry_covers_says_why_it_has_no_slow_mode(system, page):
    room = new_name("cs-plain-room")
    sign_in(page, system, view=f"live/{room}")

    panel = slow_mode_panel(page)
    expect(panel).to_contain_text("no crossMessage entry of the policy covers this room")
    expect(panel.get_by_role("button")).to_have_count(0)


def sign_in_scoped(page: Page, system: LocalSystem, rooms: list[str], view: str) -> str:
    """A moderator of ``rooms`` only (the rooms claim), signed in with the session set."""
    name = new_name("cs-scoped-mod")
    assert system.issuer is not None
    token = system.issuer.issue(name, ["moderators"], extra={ROOMS_CLAIM: rooms})
    page.goto(console_url(system))
    page.evaluate(
        "s => sessionStorage.setItem('chatmod.console.session', s)",
        json.dumps({"clientId": name, "token": token}),
    )
    page.goto(f"{console_url(system)}#/{view}")
    page.reload()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    return name


def test_a_room_scoped_moderator_is_told_plainly_a_room_is_not_theirs(system, page):
    sign_in_scoped(page, system, ["cs-slow-kids-*"], view="live/cs-slow-adults")

    panel = slow_mode_panel(page)
    expect(panel.get_by_role("alert")).to_have_text(
        "You do not moderate this room. Its slow mode is not shown."
    )
    expect(panel.get_by_role("button")).to_have_count(0)
    shoot(page, "live-slow-mode-refused")

    page.goto(f"{console_url(system)}#/live/cs-slow-kids-1")
    expect(panel).to_contain_text("Now: off")
    # Nothing to change yet: the button waits for another number of seconds.
    expect(panel.get_by_role("button", name="Turn slow mode off")).to_be_disabled()
    panel.get_by_label("5 s").check()
    expect(panel.get_by_role("button", name="Set slow mode")).to_be_enabled()


def test_blocked_terms_apply_in_their_rooms_and_removing_one_lifts_it(system, page, send, client):
    glob, room, elsewhere = "cs-terms-*", new_name("cs-terms-room"), new_name("cs-other")
    sign_in(page, system, view="terms")
    expect(page.get_by_text("within 60 seconds")).to_be_visible()

    form = page.get_by_role("form", name="Add terms")
    form.get_by_label("Terms, one per line").fill("zorblax\n  quuxfrob  \n\nzorblax")
    form.get_by_label("Rooms matching").check()
    form.get_by_label("Room glob").fill(glob)
    form.get_by_label("Category").select_option("harassment")
    form.get_by_label("Reason").fill("new slang")
    form.get_by_role("button", name="Block 2 terms").click()

    expect(page.locator(".status").first).to_have_text(
        f"Blocked in rooms {glob}: zorblax, quuxfrob. In effect within 60 seconds."
    )
    scope = page.get_by_role("region", name=f"Rooms {glob}")
    expect(scope.get_by_role("row").filter(has_text="zorblax")).to_contain_text("Harassment")
    expect(scope.get_by_role("caption")).to_have_text("2 blocked terms")
    # Within the cache age (2 s locally): obfuscated spellings are caught as well.
    assert wait_for(lambda: send(new_name("cs-user"), room, "you zorblax").status_code == 422)
    for obfuscated in ("you Z.0.R.B.L.A.X", "ZORBLAAAX", "z0rbl4x!"):
        rejected = send(new_name("cs-user"), room, obfuscated)
        assert rejected.status_code == 422, (obfuscated, rejected.text)
        assert "harassment" in rejected.json()["categories"]
    assert send(new_name("cs-user"), elsewhere, "you zorblax").status_code == 201
    shoot(page, "terms")

    opener = scope.get_by_role("button", name=f"Remove zorblax from Rooms {glob}")
    opener.click()
    remove = page.get_by_role("form", name="Remove zorblax")
    expect(remove.get_by_label("Reason for removing")).to_be_focused()
    page.keyboard.press("Escape")  # changed my mind: back to the button
    expect(remove).to_have_count(0)
    expect(opener).to_be_focused()
    page.keyboard.press("Enter")
    expect(remove.get_by_label("Reason for removing")).to_be_focused()
    page.keyboard.type("was a false alarm")
    page.keyboard.press("Enter")

    expect(page.locator(".status").first).to_have_text(
        f"Removed zorblax from the blocked terms in rooms {glob}. In effect within 60 seconds."
    )
    expect(scope.get_by_role("caption")).to_have_text("1 blocked term")
    assert wait_for(lambda: send(new_name("cs-user"), room, "zorblax").status_code == 201)
    assert send(new_name("cs-user"), room, "quuxfrob").status_code == 422
    moderator = api_user(client, system, "cs-cleaner", moderator=True)
    moderator.delete(
        "/moderation/terms", params={"term": "quuxfrob", "rooms": glob, "reason": "test done"}
    )


def test_under_a_masking_policy_a_blocked_term_is_masked(system, page, send, client, tmp_path):
    glob, room = "cs-mask-*", new_name("cs-mask-room")
    with policy_switch.masking(system, tmp_path):
        sign_in(page, system, view="terms")
        form = page.get_by_role("form", name="Add terms")
        form.get_by_label("Terms, one per line").fill("flibbertop")
        form.get_by_label("Rooms matching").check()
        form.get_by_label("Room glob").fill(glob)
        form.get_by_label("Reason").fill("new slang")
        form.get_by_role("button", name="Block").click()
        expect(page.get_by_role("region", name=f"Rooms {glob}")).to_contain_text("flibbertop")

        def masked() -> bool:
            reply = send(new_name("cs-user"), room, "such a flibbertop")
            return reply.status_code == 201 and reply.json().get("masked") is True

        assert wait_for(masked)
        texts = [m["text"] for m in system.emulator.chat_messages(room)]
        assert texts[-1].startswith("such a ")
        assert "flibbertop" not in texts[-1]
    api_user(client, system, "cs-cleaner", moderator=True).delete(
        "/moderation/terms", params={"term": "flibbertop", "rooms": glob, "reason": "test done"}
    )


def test_a_room_scoped_moderator_cannot_change_the_stage_terms(system, page):
    sign_in_scoped(page, system, ["cs-kids-*"], view="terms")
    form = page.get_by_role("form", name="Add terms")
    form.get_by_label("Terms, one per line").fill("blorptastic")
    form.get_by_label("Reason").fill("mean")

    form.get_by_role("button", name="Block").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Could not add blorptastic: Only a moderator of every room changes the stage's terms."
    )
    expect(form.get_by_label("Terms, one per line")).to_have_value("blorptastic")


@pytest.mark.axe
def test_the_new_views_have_no_serious_accessibility_violations(system, page):
    room = new_name("cs-slow-room")
    sign_in(page, system, view=f"live/{room}")
    expect(slow_mode_panel(page)).to_contain_text("Now: off")
    assert axe_violations(page) == []

    page.goto(f"{console_url(system)}#/terms")
    form = page.get_by_role("form", name="Add terms")
    form.get_by_label("Terms, one per line").fill("glimwort")
    form.get_by_label("Reason").fill("axe check")
    form.get_by_role("button", name="Block").click()
    # (as a person would: the next term once the first is listed; the box clears on success)
    expect(page.get_by_role("region", name="Whole stage")).to_contain_text("glimwort")
    form.get_by_label("Terms, one per line").fill("Glimmerdale")
    form.get_by_label("Allow (never flag it)").check()
    expect(form.get_by_label("Category")).to_have_count(0)  # an allowed term has none
    form.get_by_role("button", name="Allow").click()
    scope = page.get_by_role("region", name="Whole stage")
    allowed = scope.get_by_role("list", name="Allowed (never flagged)")
    expect(scope).to_contain_text("glimmerdale")
    expect(allowed.get_by_role("listitem")).to_have_count(1)
    scope.get_by_role("button", name="Remove glimwort from Whole stage").click()
    expect(page.get_by_label("Reason for removing")).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, "terms-remove")

    page.keyboard.type("axe check done")
    page.keyboard.press("Enter")
    expect(scope.get_by_role("table")).to_have_count(0)
    allowed.get_by_role("button", name="Remove glimmerdale from Whole stage").click()
    page.keyboard.type("axe check done")
    page.keyboard.press("Enter")
    expect(page.get_by_text("No custom terms yet")).to_be_visible()
    shoot(page, "terms-empty")
