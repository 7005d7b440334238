"""A warning in the console's user view, as a moderator sees it, until the user acknowledges it.

The package's system, switched to a ``warn`` rule for this module (and back) as an operator
would: a user's flagged message is rejected with a warning; the moderator's user view says
the warning waits; once the user acknowledges it (``POST /warnings/{id}/ack``, their own
token), the view no longer shows it and the user writes again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from chatmod_local.client import ApiUser
from chatmod_local.system import LocalSystem
from tests.support import policy_switch
from tests.support.console import axe_violations, needs_console, shoot, sign_in

pytestmark = needs_console

_names = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
def warning(system: LocalSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with policy_switch.warning(system, tmp_path_factory.mktemp("console-warn")):
        yield


@pytest.mark.axe
def test_the_user_view_shows_a_warning_until_the_user_acknowledges_it(system, page, http):
    name = f"cw-user-{next(_names)}"
    user = ApiUser(http, system.info()["apiUrl"], system.token_for(name))
    warned = user.post("/messages", {"room": "cw-room", "text": "you are shit"})
    assert warned.status_code == 422, warned.text
    warning_id = warned.json()["warningId"]

    sign_in(page, system, view=f"users/{name}")
    standing = page.locator(".standing")
    expect(standing).to_contain_text("Warning")
    expect(standing).to_contain_text("Not acknowledged yet")
    expect(standing).to_contain_text("in cw-room")
    assert [v["id"] for v in axe_violations(page)] == []
    shoot(page, "user-warned")

    assert user.post(f"/warnings/{warning_id}/ack", {}).status_code == 200
    page.reload()
    expect(page.get_by_role("heading", name=f"User {name}")).to_be_visible()
    expect(page.locator(".standing")).not_to_contain_text("Not acknowledged yet")
    assert user.post("/messages", {"room": "cw-room", "text": "sorry"}).status_code == 201


def test_a_warned_user_is_refused_until_they_acknowledge(system, http):
    user = ApiUser(http, system.info()["apiUrl"], system.token_for(f"cw-user-{next(_names)}"))
    warning_id = user.post("/messages", {"room": "cw-room", "text": "shit"}).json()["warningId"]

    refused = user.post("/messages", {"room": "cw-room", "text": "hello"})
    pending = user.get("/warnings")

    assert (refused.status_code, refused.json()["error"]) == (403, "warning_unacknowledged")
    assert pending.json()["warning"]["warningId"] == warning_id
