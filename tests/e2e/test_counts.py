"""The overview's counts in local mode: every path's decisions reach ``GET /moderation/counts``
through the same counter function and table as in AWS (the log subscription emulated)."""

from __future__ import annotations

import itertools
from typing import Any

from chatmod_local.client import AblyUser, ApiUser, wait_for
from chatmod_local.system import LocalSystem

_rooms = itertools.count(1)


def _totals(moderator: ApiUser, room: str) -> dict[str, Any] | None:
    reply = moderator.get("/moderation/counts", params={"room": room})
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["totals"])


def test_messages_on_every_path_are_counted_for_their_room(
    system: LocalSystem, new_user, moderator, ably_user
):
    # Given a fresh room for each path: POST /messages, before-publish (bp-*), async
    api_room, bp_room, async_room = (f"{p}counts-{next(_rooms)}" for p in ("", "bp-", "async-"))
    # (the e2e system's SQS rule covers every room, bp-* too: a message there is judged, and
    # counted, before publish and again after it — docs/counts.md says to filter the rules)
    alice, mallory = new_user(), new_user()
    # When users publish there: two accepted and one rejection through POST /messages
    for user, text in ((alice, "hello"), (alice, "good game"), (mallory, "you are a shit")):
        user.post("/messages", {"room": api_room, "text": text})
    # ... and one of each through Ably, judged before publish and after it
    realtime: AblyUser = ably_user(new_user())
    assert realtime.send_chat(bp_room, "hi there").status_code < 300
    assert realtime.send_chat(async_room, "hi again").status_code < 300

    # Then the counts show them within a few seconds, per room
    expected = {"accepted": 2, "masked": 0, "held": 0, "rejected": 1, "failed": 0}
    assert wait_for(lambda: _totals(moderator, api_room) == expected, timeout=20), _totals(
        moderator, api_room
    )
    assert wait_for(lambda: (_totals(moderator, bp_room) or {}).get("accepted") == 2, timeout=20), (
        _totals(moderator, bp_room)
    )
    assert wait_for(lambda: (_totals(moderator, async_room) or {}).get("accepted") == 1, timeout=20)
    body = moderator.get("/moderation/counts", params={"room": api_room}).json()
    offender = mallory.get("/token").json()["clientId"]
    assert body["topOffenders"] == [{"clientId": offender, "count": 1}]
    assert body["topCategories"] == [{"category": "profanity", "count": 1}]
