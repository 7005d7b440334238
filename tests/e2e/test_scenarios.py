"""The product's stories end to end: strikes to a ban, revocation, unban, before-publish."""

from __future__ import annotations

import json

import httpx

from chatmod.core.constants import CHATMOD_CLIENT_ID, MODERATION_EVENT_NAME
from chatmod_local.client import ApiUser, wait_for
from chatmod_local.system import LocalSystem


def test_strikes_escalate_to_a_ban_that_refuses_tokens_and_revokes_them(
    system: LocalSystem, new_user, moderator, ably_user
) -> None:  # type: ignore[no-untyped-def]
    # Given a user with an Ably token (ladder: warn, 120s, ...)
    user = new_user()
    client_id = user.get("/token").json()["clientId"]
    ably_user(user)
    assert not system.emulator.revoked(client_id)
    # When two of their messages are rejected
    first = user.post("/messages", {"room": "e2e-ladder", "text": "fuck this"})
    second = user.post("/messages", {"room": "e2e-ladder", "text": "shit game"})
    assert (first.status_code, second.status_code) == (422, 422)
    # Then they are banned: messages and new tokens are refused
    reply = user.post("/messages", {"room": "e2e-ladder", "text": "hello"})
    assert reply.status_code == 403
    assert reply.json()["error"] == "banned"
    reply = user.get("/token")
    assert reply.status_code == 403
    assert reply.json()["bannedUntil"]
    # And the ban-revoker (bans table stream) revokes the tokens they hold
    assert wait_for(lambda: system.emulator.revoked(client_id), timeout=10)

    # (the revoke is audited once Ably has answered: a moment after the emulator saw it)
    def audited() -> set[str]:
        reply = moderator.get("/moderation/audit", params={"clientId": client_id})
        return {event["action"] for event in reply.json()["events"]}

    assert wait_for(lambda: {"reject", "strike", "ban", "revoke"} <= audited(), timeout=10), (
        audited()
    )


def test_moderator_unban_restores_access(new_user, moderator) -> None:  # type: ignore[no-untyped-def]
    # Given a user a moderator banned
    user = new_user()
    client_id = user.get("/token").json()["clientId"]
    assert (
        moderator.post("/moderation/bans", {"clientId": client_id, "reason": "spam"}).status_code
        == 201
    )
    assert user.get("/token").status_code == 403
    assert user.post("/messages", {"room": "e2e-unban", "text": "hi"}).status_code == 403
    # When the moderator unbans them
    reply = moderator.delete(f"/moderation/bans/{client_id}", params={"reason": "appeal"})
    assert reply.status_code == 204
    # Then they get tokens and publish again
    assert user.get("/token").status_code == 200
    assert user.post("/messages", {"room": "e2e-unban", "text": "thanks"}).status_code == 201


def test_a_client_publishing_to_ably_sees_a_before_publish_rejection_as_42213(
    system: LocalSystem, new_user, ably_user
) -> None:  # type: ignore[no-untyped-def]
    # Given a client of the emulator in a room the before-publish rule covers
    client = ably_user(new_user())
    # When it sends a clean message and a flagged one
    accepted = client.send_chat("bp-room", "good game")
    rejected = client.send_chat("bp-room", "you bastard")
    # Then the first is published, the second refused with Ably's 42213 and chatmod's reason
    assert accepted.status_code in (200, 201)
    assert rejected.status_code == 422
    error = rejected.json()["error"]
    assert error["code"] == 42213
    assert error["detail"]["category"] == "profanity"
    texts = [m["text"] for m in system.emulator.chat_messages("bp-room")]
    assert "good game" in texts
    assert "you bastard" not in texts


def test_async_path_soft_deletes_a_flagged_chat_message_published_to_ably(
    system: LocalSystem, new_user, ably_user, moderator
) -> None:  # type: ignore[no-untyped-def]
    # Given a room no before-publish rule covers, and a client of the emulator
    user = new_user()
    client = ably_user(user)
    # When it publishes a clean and a flagged chat message straight to Ably
    clean = client.send_chat("async-room", "nice weather")
    flagged = client.send_chat("async-room", "this is bullshit")
    assert (clean.status_code, flagged.status_code) == (200, 200)
    serial = flagged.json()["serial"]

    # Then the rule's envelope reaches the queue, the async function judges it,
    # and the flagged message is soft-deleted in Ably
    def deleted() -> bool:
        messages = {m["serial"]: m for m in system.emulator.chat_messages("async-room")}
        return messages[serial]["action"] == "message.delete"

    assert wait_for(deleted, timeout=15)
    messages = {m["serial"]: m for m in system.emulator.chat_messages("async-room")}
    assert messages[clean.json()["serial"]]["action"] == "message.create"
    # And it counts as a strike, audited with the real serial
    client_id = user.get("/token").json()["clientId"]
    events = moderator.get("/moderation/audit", params={"clientId": client_id}).json()["events"]
    assert any(e["action"] == "reject" and serial in json.dumps(e) for e in events)


def test_a_forged_moderation_event_is_told_apart_from_chatmods_own(
    system: LocalSystem, http: httpx.Client, new_user, ably_user
) -> None:  # type: ignore[no-untyped-def]
    # Given a user who publishes a fake retraction of someone's message straight to Ably
    mallory = new_user()
    client = ably_user(mallory)
    forged = {"action": "delete", "messageId": "someone-else:0", "reason": "fake"}
    assert client.publish("forge-room", MODERATION_EVENT_NAME, forged).status_code in (200, 201)
    # and through POST /messages, which republishes with chatmod's key: refused
    relayed = mallory.post(
        "/messages", {"channel": "forge-room", "name": MODERATION_EVENT_NAME, "data": "x"}
    )
    assert relayed.status_code == 400
    assert relayed.json()["error"] == "reserved_name"
    # When chatmod removes a flagged pub/sub message on the same channel
    assert client.publish("forge-room", "chat", "this is bullshit").status_code in (200, 201)

    def events() -> list[dict]:  # type: ignore[type-arg]
        stored = system.emulator.messages("forge-room")
        return [m for m in stored if m.get("name") == MODERATION_EVENT_NAME]

    assert wait_for(lambda: len(events()) == 2, timeout=15)
    # Then only chatmod's own event carries chatmod's reserved client id: Ably stamped
    # the forger's own on theirs, and /token never issues the reserved one
    mallory_id = mallory.get("/token").json()["clientId"]
    assert sorted(e["clientId"] for e in events()) == sorted([CHATMOD_CLIENT_ID, mallory_id])
    impostor = ApiUser(http, system.info()["apiUrl"], system.token_for(CHATMOD_CLIENT_ID))
    refused = impostor.get("/token")
    assert refused.status_code == 403
    assert refused.json()["error"] == "reserved_client_id"


def test_a_message_edited_into_abuse_is_removed_on_the_async_path(
    system: LocalSystem, new_user, ably_user, moderator
) -> None:  # type: ignore[no-untyped-def]
    # Given a clean message a user sent straight to Ably (no before-publish rule here)
    user = new_user()
    client = ably_user(user)
    sent = client.send_chat("edit-room", "hello everyone")
    assert sent.status_code in (200, 201)
    serial = sent.json()["serial"]
    # When they edit it into abuse (their token allows editing their own messages)
    edited = client.edit_chat("edit-room", serial, "you are all bastards")
    assert edited.status_code == 200, edited.text

    # Then the async path judges the edit and deletes the message, as chatmod
    def deleted() -> bool:
        messages = {m["serial"]: m for m in system.emulator.chat_messages("edit-room")}
        return messages[serial]["action"] == "message.delete"

    assert wait_for(deleted, timeout=15)
    message = {m["serial"]: m for m in system.emulator.chat_messages("edit-room")}[serial]
    assert message["version"]["clientId"] == CHATMOD_CLIENT_ID
    # And the audit keeps what was said, which Ably no longer has
    client_id = user.get("/token").json()["clientId"]
    events = moderator.get("/moderation/audit", params={"clientId": client_id}).json()["events"]
    (reject,) = [e for e in events if e["action"] == "reject"]
    assert "bastards" in json.dumps(reject)
