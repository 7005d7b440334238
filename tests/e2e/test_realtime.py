"""Realtime against the local system: what the moderator console's live view relies on.

A room watched over the emulator's WebSocket (ably-python ``AblyRealtime`` with a
token from chatmod's ``/token``) sees a chat message, then its removal by the async
path; a user banned by the strike ladder has their live connection dropped by the
revocation that follows.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ably import AblyRealtime

from chatmod_local.client import AblyUser, ApiUser
from chatmod_local.system import LocalSystem

TIMEOUT_S = 20


def _realtime(system: LocalSystem, user: AblyUser) -> AblyRealtime:
    assert system.emulator is not None
    # ably-python's WebSocket URL takes the port from the endpoint (see docs/emulator.md).
    return AblyRealtime(
        token=user.token,
        endpoint=f"{system.emulator.host}:{system.emulator.port}",
        tls=False,
        fallback_hosts=[],
        use_binary_protocol=False,
    )


def test_a_watched_room_shows_a_message_then_its_removal(
    system: LocalSystem, new_user, ably_user
) -> None:  # type: ignore[no-untyped-def]
    watcher = ably_user(new_user())
    sender = ably_user(new_user())

    async def watch() -> list[Any]:
        client = _realtime(system, watcher)
        try:
            received: asyncio.Queue[Any] = asyncio.Queue()
            await client.channels.get("rt-room::$chat").subscribe(received.put_nowait)
            sent = await asyncio.to_thread(sender.send_chat, "rt-room", "this is bullshit")
            assert sent.status_code == 200
            return [await asyncio.wait_for(received.get(), TIMEOUT_S) for _ in range(2)]
        finally:
            await client.close()

    created, deleted = asyncio.run(watch())

    assert (created.name, created.action) == ("chat.message", 0)
    assert created.data["text"] == "this is bullshit"
    # The async path judged it and soft-deleted it: the watcher sees the delete.
    assert (deleted.serial, deleted.action) == (created.serial, 2)
    assert deleted.data["text"] == ""


def test_a_banned_users_live_connection_is_dropped(
    system: LocalSystem, new_user, ably_user
) -> None:  # type: ignore[no-untyped-def]
    api: ApiUser = new_user()
    user = ably_user(api)
    client_id = api.get("/token").json()["clientId"]

    async def connect_then_get_banned() -> Any:
        client = _realtime(system, user)
        try:
            await asyncio.wait_for(client.connection.once_async("connected"), TIMEOUT_S)
            # Dropped with 40141; with a fixed token ably-python cannot renew: failed.
            dropped = asyncio.ensure_future(client.connection.once_async("failed"))
            for text in ("fuck this", "shit game"):  # two strikes: banned
                reply = await asyncio.to_thread(
                    api.post, "/messages", {"room": "rt-ban", "text": text}
                )
                assert reply.status_code == 422
            return await asyncio.wait_for(dropped, TIMEOUT_S)
        finally:
            await client.close()

    change = asyncio.run(connect_then_get_banned())

    assert change.reason.code == 40171  # "need a new token": the old one was revoked
    assert api.get("/token").status_code == 403
    assert system.emulator is not None
    assert system.emulator.revoked(client_id)
    assert not [
        c for c in system.emulator.realtime.connections() if c.session.client_id == client_id
    ]
