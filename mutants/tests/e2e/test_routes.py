"""Every route of the HTTP API (ARCHITECTURE.md §3), over HTTP against the local system."""

from __future__ import annotations

import json

import httpx

from chatmod_local.client import ApiUser, wait_for
from chatmod_local.system import LocalSystem


def client_id_of(user: ApiUser) -> str:
    return str(user.get("/token").json()["clientId"])


def test_discovery_names_every_part_and_its_tokens_work(
    system: LocalSystem, http: httpx.Client
) -> None:
    # Given the running system, when a client asks GET /_local
    info = http.get(f"{system.info()['apiUrl']}/_local").json()
    # Then it names the API, the emulator, its key, the secret and tokens
    assert {"apiUrl", "ablyUrl", "ablyKey", "beforePublishSecret", "tokens"} <= set(info)
    assert set(info["tokens"]) == {"alice", "bob", "moderator"}
    assert info["apiUrl"].startswith("http://127.0.0.1:")
    # And the tokens are accepted: alice gets a TokenRequest for herself
    reply = ApiUser(http, info["apiUrl"], info["tokens"]["alice"]).get("/token")
    assert reply.status_code == 200
    assert reply.json()["clientId"] == "alice"


def test_local_token_mints_working_tokens_for_any_user_on_loopback_only(
    system: LocalSystem, http: httpx.Client
) -> None:
    api = system.info()["apiUrl"]
    # Given GET /_local/token for carol, a user the banner does not list
    reply = http.get(f"{api}/_local/token", params={"clientId": "carol"})
    assert reply.status_code == 200
    assert reply.json()["clientId"] == "carol"
    # Then her token works on the /token-protected routes, as carol and not as a moderator
    carol = ApiUser(http, api, reply.json()["token"])
    assert carol.get("/token").json()["clientId"] == "carol"
    assert carol.get("/moderation/bans").status_code == 403
    # And moderator=1 mints a moderator's token
    reply = http.get(f"{api}/_local/token", params={"clientId": "dora", "moderator": "1"})
    assert ApiUser(http, api, reply.json()["token"]).get("/moderation/bans").status_code == 200
    # But a browser (an Origin header) or an unusable client id gets no token
    refused = http.get(
        f"{api}/_local/token", params={"clientId": "x"}, headers={"origin": "https://evil.test"}
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    rebound = http.get(
        f"{api}/_local/token", params={"clientId": "x"}, headers={"host": "evil.test:8787"}
    )
    assert rebound.status_code == 403
    localhost = http.get(
        f"{api}/_local/token", params={"clientId": "x"}, headers={"host": "localhost:8787"}
    )
    assert localhost.status_code == 200
    for client_id in ("", "*"):
        reply = http.get(f"{api}/_local/token", params={"clientId": client_id})
        assert reply.status_code == 400
        assert reply.json()["problems"][0]["field"] == "clientId"


def test_local_token_is_refused_to_a_remote_caller(system: LocalSystem) -> None:
    assert system.api is not None
    status, _, body = system.api.dispatch(
        "GET", "/_local/token?clientId=carol", {"host": "127.0.0.1"}, b"", "192.0.2.7"
    )
    assert status == 403
    assert json.loads(body)["error"] == "forbidden"


def test_token_get_and_post_sign_a_token_request(new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    for reply in (user.get("/token"), user.post("/token")):
        assert reply.status_code == 200
        body = reply.json()
        assert {"keyName", "ttl", "capability", "clientId", "timestamp", "nonce", "mac"} <= set(
            body
        )
        assert json.loads(body["capability"])


def test_routes_behind_the_authorizer_refuse_missing_or_forged_tokens(
    system: LocalSystem, http: httpx.Client
) -> None:
    api = system.info()["apiUrl"]
    forged = system.token_for("mallory")[:-4] + "AAAA"
    for headers in (
        {},
        {"authorization": "Bearer not-a-jwt"},
        {"authorization": f"Bearer {forged}"},
    ):
        for method, path in (("GET", "/token"), ("POST", "/messages"), ("GET", "/moderation/bans")):
            reply = http.request(method, f"{api}{path}", headers=headers)
            assert reply.status_code == 401, (method, path, headers)


def test_unknown_route_is_404(system: LocalSystem, http: httpx.Client) -> None:
    assert http.get(f"{system.info()['apiUrl']}/nope").status_code == 404


def test_post_messages_publishes_a_chat_message_as_the_caller(
    system: LocalSystem, new_user
) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    reply = user.post("/messages", {"room": "e2e-chat", "text": "hello world"})
    assert reply.status_code == 201
    serial = reply.json()["serial"]
    published = {m["serial"]: m for m in system.emulator.chat_messages("e2e-chat")}
    assert published[serial]["text"] == "hello world"
    assert published[serial]["clientId"] == client_id_of(user)


def test_post_messages_publishes_on_a_pubsub_channel(system: LocalSystem, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    reply = user.post("/messages", {"channel": "e2e-news", "name": "post", "data": "good news"})
    assert reply.status_code == 201
    ids = [m.get("id") for m in system.emulator.messages("e2e-news")]
    assert reply.json()["id"] in ids


def test_post_messages_rejects_a_flagged_message_with_42213(system: LocalSystem, new_user) -> None:  # type: ignore[no-untyped-def]
    reply = new_user().post("/messages", {"room": "e2e-reject", "text": "you are shit"})
    assert reply.status_code == 422
    body = reply.json()
    assert body["error"] == "rejected"
    assert body["code"] == 42213
    assert "profanity" in body["categories"]
    assert system.emulator.chat_messages("e2e-reject") == []


def test_post_messages_invalid_body_is_400(new_user) -> None:  # type: ignore[no-untyped-def]
    reply = new_user().post("/messages", {"room": "x"})
    assert reply.status_code == 400
    assert reply.json()["error"] == "bad_request"


def test_before_publish_route_needs_the_secret_and_decides(
    system: LocalSystem, http: httpx.Client
) -> None:
    url = f"{system.info()['apiUrl']}/before-publish"
    request = {
        "source": "chat",
        "appId": "local",
        "room": "e2e-bp",
        "site": "local",
        "ruleId": "rule",
        "message": {"clientId": "someone", "text": "hi", "metadata": {}, "headers": {}},
    }
    assert http.post(url, json=request).status_code == 401
    assert (
        http.post(url, json=request, headers={"authorization": "Bearer wrong"}).status_code == 401
    )
    secret = {"authorization": f"Bearer {system.before_publish_secret}"}
    reply = http.post(url, json=request, headers=secret)
    assert reply.status_code == 200
    assert reply.json() == {"action": "accept"}
    request["message"]["text"] = "fuck off"  # type: ignore[index]
    reply = http.post(url, json=request, headers=secret)
    assert reply.status_code == 200
    assert reply.json()["action"] == "reject"


def test_moderator_routes_ban_list_audit_unban(system: LocalSystem, new_user, moderator) -> None:  # type: ignore[no-untyped-def]
    target = client_id_of(new_user())
    reply = moderator.post(
        "/moderation/bans", {"clientId": target, "reason": "spam", "durationSeconds": 600}
    )
    assert reply.status_code == 201
    assert reply.json()["clientId"] == target

    reply = moderator.get("/moderation/bans")
    assert reply.status_code == 200
    [listed] = [ban for ban in reply.json()["bans"] if ban["clientId"] == target]
    reply = moderator.get(f"/moderation/bans/{target}")
    assert reply.status_code == 200
    assert reply.json() == listed

    def audited() -> list[str]:
        events = moderator.get("/moderation/audit", params={"clientId": target}).json()["events"]
        return [event["action"] for event in events]

    assert "ban" in audited()
    assert moderator.get("/moderation/audit", params={"limit": "5"}).status_code == 200

    assert (
        moderator.delete(f"/moderation/bans/{target}", params={"reason": "ok"}).status_code == 204
    )
    reply = moderator.delete(f"/moderation/bans/{target}", params={"reason": "ok"})
    assert reply.status_code == 404
    reply = moderator.get(f"/moderation/bans/{target}")
    assert reply.status_code == 404
    assert reply.json()["error"] == "not_banned"
    assert wait_for(lambda: "unban" in audited(), timeout=5)


def test_moderator_routes_refuse_users(new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    assert user.get("/moderation/bans").status_code == 403
    assert user.get("/moderation/audit").status_code == 403
    reply = user.post("/moderation/bans", {"clientId": "x", "reason": "no"})
    assert reply.status_code == 403


def test_moderator_deletes_a_chat_message(system: LocalSystem, new_user, moderator) -> None:  # type: ignore[no-untyped-def]
    serial = new_user().post("/messages", {"room": "e2e-del", "text": "oops"}).json()["serial"]
    reply = moderator.post(
        "/moderation/messages/delete", {"room": "e2e-del", "serial": serial, "reason": "off-topic"}
    )
    assert reply.status_code == 200
    message = next(m for m in system.emulator.chat_messages("e2e-del") if m["serial"] == serial)
    assert message["action"] == "message.delete"
    unknown = {"room": "e2e-del", "serial": "01700000000000-000@nowhere:000", "reason": "x"}
    assert moderator.post("/moderation/messages/delete", unknown).status_code == 404
