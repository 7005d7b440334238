"""``/moderation/*`` end to end in process: moto for DynamoDB and SSM, the Ably stub over the real SDK."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from chatmod.adapters.ably.client import reset_gateway
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.api import cursors
from chatmod.core import constants
from chatmod.enforcement.audit import AuditEvent
from chatmod.handlers import moderator
from tests.support.ably_stub import AblyStub, Reply
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, http_event

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators admins]"}
USER = {"sub": "alice", "cognito:groups": "[players]"}


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    env = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    with moto_deployment(monkeypatch, env=env) as tables:
        yield tables
    reset_gateway()


def call(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, Any] | None = MODERATOR,
) -> tuple[int, Any]:
    encoded = None if query is None else {k: quote(v, safe="") for k, v in query.items()}
    event = http_event(method, path, body=body, raw_body=raw_body, claims=claims, query=encoded)
    if query is not None:
        event["queryStringParameters"] = query
    response = moderator.lambda_handler(event, FakeLambdaContext())
    text = response.get("body") or ""
    return response["statusCode"], (json.loads(text) if text else None)


def audit_events(tables: ChatmodTables, client_id: str | None = None) -> list[AuditEvent]:
    return AuditLog(tables.audit).query(client_id, limit=1000)


def send_chat(stub: AblyStub, room: str = "lobby", text: str = "hello") -> str:
    """A message in the stub's room, as the user alice sent it; its serial."""
    serial = stub.state.next_serial()
    stub.state.rooms.setdefault(room, {})[serial] = {
        "serial": serial,
        "version": {"serial": serial, "timestamp": 1},
        "text": text,
        "clientId": "alice",
        "action": "message.create",
        "metadata": {},
        "headers": {},
        "timestamp": 1,
    }
    return serial


# -- who may call ----------------------------------------------------------------------

ROUTES = [
    ("POST", "/moderation/bans", {"clientId": "bob", "reason": "spam"}, None),
    ("GET", "/moderation/bans", None, None),
    ("DELETE", "/moderation/bans/bob", None, {"reason": "appeal"}),
    ("GET", "/moderation/bans/bob", None, None),
    ("POST", "/moderation/messages/delete", {"room": "r", "serial": "s", "reason": "x"}, None),
    ("GET", "/moderation/audit", None, None),
]


@pytest.mark.parametrize(("method", "path", "body", "query"), ROUTES)
def test_given_a_user_who_is_not_a_moderator_when_calling_then_403_and_nothing_done(
    deployment, ably_stub, method, path, body, query
):
    status, answer = call(method, path, body=body, query=query, claims=USER)

    assert status == 403
    assert answer["error"] == "not_moderator"
    assert deployment.bans.scan()["Items"] == []
    assert audit_events(deployment) == []
    assert ably_stub.requests == []


@pytest.mark.parametrize(("method", "path", "body", "query"), ROUTES)
def test_given_no_identity_when_calling_then_401(deployment, method, path, body, query):
    status, answer = call(method, path, body=body, query=query, claims=None)

    assert status == 401
    assert answer["error"] == "unauthorized"


def test_given_a_custom_moderator_claim_in_the_policy_when_calling_then_it_decides(
    monkeypatch, ably_stub
):
    from chatmod.core.policy import IdentityPolicy, RuntimePolicy

    policy = RuntimePolicy(identity=IdentityPolicy(moderator_claim="roles", moderator_value="mod"))
    with moto_deployment(monkeypatch, policy=policy):
        assert call("GET", "/moderation/bans")[0] == 403  # cognito:groups no longer counts
        assert call("GET", "/moderation/bans", claims={"sub": "m", "roles": "mod"})[0] == 200


# -- ban -----------------------------------------------------------------------------


def test_given_a_moderator_when_banning_for_a_while_then_201_with_the_ban_and_it_is_audited(
    deployment,
):
    before = int(time.time())

    status, ban = call(
        "POST",
        "/moderation/bans",
        body={"clientId": "bob", "durationSeconds": 600, "reason": "spam"},
    )

    assert status == 201
    assert ban["clientId"] == "bob"
    assert ban["source"] == "mod1"
    assert ban["reason"] == "spam"
    assert ban["permanent"] is False
    assert before + 600 <= ban["expiresAt"] <= int(time.time()) + 600
    assert BanStore(deployment.bans).get_ban("bob") is not None
    [event] = audit_events(deployment, "bob")
    assert (event.action, event.actor, event.reason) == ("ban", "mod1", "spam")


def test_given_no_duration_when_banning_then_the_ban_is_permanent(deployment):
    status, ban = call("POST", "/moderation/bans", body={"clientId": "bob", "reason": "abuse"})

    assert status == 201
    assert ban["permanent"] is True
    assert ban["bannedUntil"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"clientId": "bob"}, "reason"),
        ({"clientId": "bob", "reason": ""}, "reason"),
        ({"clientId": "bob", "reason": "   "}, "reason"),
        ({"clientId": "bob", "reason": "x" * 257}, "reason"),
        ({"clientId": "bob", "reason": 5}, "reason"),
        ({"reason": "spam"}, "clientId"),
        ({"clientId": "*", "reason": "spam"}, "clientId"),
        ({"clientId": "x" * 257, "reason": "spam"}, "clientId"),
        ({"clientId": "bob", "reason": "spam", "durationSeconds": 0}, "durationSeconds"),
        ({"clientId": "bob", "reason": "spam", "durationSeconds": -5}, "durationSeconds"),
        ({"clientId": "bob", "reason": "spam", "durationSeconds": 1.5}, "durationSeconds"),
        ({"clientId": "bob", "reason": "spam", "durationSeconds": "60"}, "durationSeconds"),
        ({"clientId": "bob", "reason": "spam", "durationSeconds": True}, "durationSeconds"),
        ({"clientId": "bob", "reason": "spam", "durationSeconds": 10**12}, "durationSeconds"),
        ({"clientId": "bob", "reason": "spam", "extra": 1}, "extra"),
    ],
)
def test_given_an_invalid_ban_when_posting_then_400_naming_the_field(deployment, body, field):
    status, answer = call("POST", "/moderation/bans", body=body)

    assert status == 400
    assert answer["error"] == "bad_request"
    assert field in [problem["field"] for problem in answer["problems"]]
    assert field in answer["message"]
    assert deployment.bans.scan()["Items"] == []


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", "", '"text"'])
def test_given_a_body_that_is_no_object_when_banning_then_400_not_422(deployment, raw):
    status, answer = call("POST", "/moderation/bans", raw_body=raw)

    assert status == 400
    assert answer["error"] == "bad_request"


def test_given_a_reason_of_256_characters_when_banning_then_it_is_accepted(deployment):
    assert call("POST", "/moderation/bans", body={"clientId": "bob", "reason": "x" * 256})[0] == 201


def test_given_a_moderators_permanent_ban_when_another_bans_briefly_then_the_longer_ban_is_kept(
    deployment,
):
    call("POST", "/moderation/bans", body={"clientId": "bob", "reason": "first"})

    status, ban = call(
        "POST",
        "/moderation/bans",
        body={"clientId": "bob", "reason": "again", "durationSeconds": 60},
    )

    assert status == 201
    assert (ban["reason"], ban["permanent"]) == ("first", True)


# -- unban ---------------------------------------------------------------------------


def test_given_a_banned_user_when_unbanning_then_204_the_ban_and_strikes_go_and_it_is_audited(
    deployment,
):
    BanStore(deployment.bans).ban("bob", reason="spam", source="auto", duration_seconds=600)
    deployment.strikes.put_item(Item={"clientId": "bob", "strikes": [], "version": 1})

    status, body = call("DELETE", "/moderation/bans/bob", query={"reason": "appeal upheld"})

    assert (status, body) == (204, None)
    assert BanStore(deployment.bans).get_ban("bob") is None
    assert "Item" not in deployment.strikes.get_item(Key={"clientId": "bob"})
    [event] = audit_events(deployment, "bob")
    assert (event.action, event.actor, event.reason) == ("unban", "mod1", "appeal upheld")


def test_given_a_client_id_with_reserved_characters_when_unbanning_then_it_is_decoded(deployment):
    BanStore(deployment.bans).ban("a b/c%", reason="x", source="auto", duration_seconds=None)

    status, _ = call(
        "DELETE", "/moderation/bans/" + quote("a b/c%", safe=""), query={"reason": "ok"}
    )

    assert status == 204
    assert BanStore(deployment.bans).get_ban("a b/c%") is None


def test_given_a_user_who_is_not_banned_when_unbanning_then_404_and_nothing_audited(deployment):
    status, answer = call("DELETE", "/moderation/bans/bob", query={"reason": "appeal"})

    assert status == 404
    assert answer["error"] == "not_banned"
    assert audit_events(deployment) == []


def test_given_an_expired_ban_when_unbanning_then_404(deployment):
    BanStore(deployment.bans).ban(
        "bob", reason="x", source="auto", duration_seconds=60, now=time.time() - 120
    )

    assert call("DELETE", "/moderation/bans/bob", query={"reason": "appeal"})[0] == 404


@pytest.mark.parametrize("query", [None, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 257}])
def test_given_no_usable_reason_when_unbanning_then_400_naming_reason(deployment, query):
    BanStore(deployment.bans).ban("bob", reason="x", source="auto", duration_seconds=None)

    status, answer = call("DELETE", "/moderation/bans/bob", query=query)

    assert status == 400
    assert [problem["field"] for problem in answer["problems"]] == ["reason"]
    assert BanStore(deployment.bans).get_ban("bob") is not None


# -- list bans -----------------------------------------------------------------------


def test_given_active_and_expired_bans_when_listing_then_only_the_active_ones(deployment):
    store = BanStore(deployment.bans)
    store.ban("active", reason="x", source="mod1", duration_seconds=600)
    store.ban("forever", reason="x", source="mod1", duration_seconds=None)
    store.ban("expired", reason="x", source="auto", duration_seconds=60, now=time.time() - 120)

    status, body = call("GET", "/moderation/bans")

    assert status == 200
    assert sorted(ban["clientId"] for ban in body["bans"]) == ["active", "forever"]
    assert "nextCursor" not in body


# -- read one ban --------------------------------------------------------------------


def test_given_a_banned_user_when_reading_their_ban_then_200_with_the_lists_item(deployment):
    store = BanStore(deployment.bans)
    store.ban("bob", reason="spam", source="mod1", duration_seconds=600)
    store.ban("a b/c", reason="x", source="mod1", duration_seconds=None)

    status, body = call("GET", "/moderation/bans/bob")

    assert status == 200
    [listed] = [
        ban for ban in call("GET", "/moderation/bans")[1]["bans"] if ban["clientId"] == "bob"
    ]
    assert body == listed
    assert body["reason"] == "spam"
    assert body["permanent"] is False
    # a percent-encoded client id in the path is decoded, as for DELETE
    status, body = call("GET", f"/moderation/bans/{quote('a b/c', safe='')}")
    assert status == 200
    assert body["clientId"] == "a b/c"
    assert body["permanent"] is True


@pytest.mark.parametrize("client_id", ["nobody", "expired", "lifted"])
def test_given_no_active_ban_when_reading_then_json_404_not_banned(deployment, client_id):
    store = BanStore(deployment.bans)
    store.ban("expired", reason="x", source="auto", duration_seconds=60, now=time.time() - 120)
    store.ban("lifted", reason="x", source="mod1", duration_seconds=600)
    assert call("DELETE", "/moderation/bans/lifted", query={"reason": "appeal"})[0] == 204

    status, body = call("GET", f"/moderation/bans/{client_id}")

    assert status == 404
    assert body["error"] == "not_banned"
    assert client_id in body["message"]


def test_given_an_unusable_client_id_when_reading_a_ban_then_400(deployment):
    status, body = call("GET", "/moderation/bans/%2A")

    assert status == 400
    assert body["error"] == "invalid_client_id"


def test_given_many_bans_when_paging_then_every_active_ban_appears_once(deployment):
    store = BanStore(deployment.bans)
    names = [f"user{index:02d}" for index in range(23)]
    for name in names:
        store.ban(name, reason="x", source="mod1", duration_seconds=600)
    for index in range(7):
        store.ban(
            f"old{index}", reason="x", source="auto", duration_seconds=1, now=time.time() - 60
        )

    seen: list[str] = []
    query: dict[str, str] = {"limit": "5"}
    pages = 0
    while True:
        status, body = call("GET", "/moderation/bans", query=query)
        assert status == 200
        assert len(body["bans"]) <= 5
        seen += [ban["clientId"] for ban in body["bans"]]
        pages += 1
        if "nextCursor" not in body:
            break
        query = {"limit": "5", "cursor": body["nextCursor"]}

    assert sorted(seen) == names
    assert pages >= 5


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "e30",  # {}
        cursors.encode("audit", before="x", oldest="2026-01-01", clientId=None),
        cursors.encode("bans", after="*"),
        cursors.encode("bans", after="bob", extra=1),
        cursors.encode("bans", after=5),
    ],
)
def test_given_a_bad_cursor_when_listing_bans_then_400(deployment, cursor):
    status, answer = call("GET", "/moderation/bans", query={"cursor": cursor})

    assert status == 400
    assert answer["error"] in {"invalid_cursor", "bad_request"}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "x", "1.5"])
def test_given_a_limit_out_of_range_when_listing_then_400_naming_limit(deployment, limit):
    status, answer = call("GET", "/moderation/bans", query={"limit": limit})

    assert status == 400
    assert [problem["field"] for problem in answer["problems"]] == ["limit"]


# -- delete a message ----------------------------------------------------------------


def test_given_a_chat_message_when_a_moderator_deletes_it_then_ably_soft_deletes_it_and_it_is_audited(
    deployment, ably_stub
):
    serial = send_chat(ably_stub, "lobby")

    status, body = call(
        "POST",
        "/moderation/messages/delete",
        body={"room": "lobby", "serial": serial, "reason": "slur"},
    )

    assert status == 200
    assert body == {"deleted": True, "room": "lobby", "serial": serial}
    message = ably_stub.state.rooms["lobby"][serial]
    assert message["action"] == "message.delete"
    assert message["version"]["description"] == "slur"
    assert message["version"]["metadata"] == {"moderator": "mod1", "reason": "slur"}
    [request] = ably_stub.requests_to(re.compile(r"/chat/.*/delete.*"), method="POST")
    assert request.header("x-ably-version") == "4"
    [event] = audit_events(deployment, "alice")
    assert (event.action, event.actor, event.reason) == ("delete", "mod1", "slur")
    assert (event.room, event.serial) == ("lobby", serial)


def test_given_a_pubsub_message_when_a_moderator_deletes_it_then_a_moderation_event_names_it(
    deployment, ably_stub
):
    status, body = call(
        "POST",
        "/moderation/messages/delete",
        body={"channel": "news", "id": "msg-1:0", "reason": "spam"},
    )

    assert status == 200
    assert body["messageId"] == "msg-1:0"
    [published] = ably_stub.state.channels["news"].values()
    assert published["name"] == constants.MODERATION_EVENT_NAME
    assert published["extras"]["privileged"]["skipRule"] == "*"
    data = (
        published["data"] if isinstance(published["data"], dict) else json.loads(published["data"])
    )
    assert data == {
        "action": "delete",
        "messageId": "msg-1:0",
        "moderator": "mod1",
        "reason": "spam",
    }
    [event] = audit_events(deployment)
    assert (event.action, event.actor, event.reason) == ("delete", "mod1", "spam")
    assert (event.channel, event.message_id) == ("news", "msg-1:0")
    assert event.details["moderationEventId"] == body["moderationEventId"]


def test_given_the_same_pubsub_delete_twice_then_one_moderation_event(deployment, ably_stub):
    body = {"channel": "news", "id": "msg-1:0", "reason": "spam"}

    assert call("POST", "/moderation/messages/delete", body=body)[0] == 200
    assert call("POST", "/moderation/messages/delete", body=body)[0] == 200

    assert len(ably_stub.state.channels["news"]) == 1


def test_given_an_unknown_chat_message_when_deleting_then_404_and_nothing_audited(
    deployment, ably_stub
):
    status, answer = call(
        "POST",
        "/moderation/messages/delete",
        body={"room": "lobby", "serial": "nope", "reason": "x"},
    )

    assert status == 404
    assert answer["error"] == "message_not_found"
    assert audit_events(deployment) == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (
            {"room": "lobby", "serial": "s1", "reason": "x"},
            r"/chat/v4/rooms/lobby/messages/s1/delete",
        ),
        ({"channel": "news", "id": "m1", "reason": "x"}, r"/channels/news/messages"),
    ],
)
def test_given_ably_failing_when_deleting_then_502_and_nothing_audited(
    deployment, ably_stub, body, path
):
    ably_stub.enqueue("POST", path, *[Reply.error(400, 40000, "refused")] * 5)

    status, answer = call("POST", "/moderation/messages/delete", body=body)

    assert status == 502
    assert answer["ablyStatus"] == 400
    assert audit_events(deployment) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"room": "lobby", "serial": "s1"}, "reason"),
        ({"room": "lobby", "serial": "s1", "reason": "x" * 257}, "reason"),
        ({"room": "lobby", "reason": "x"}, "serial"),
        ({"channel": "news", "reason": "x"}, "id"),
        ({"room": "", "serial": "s1", "reason": "x"}, "room"),
    ],
)
def test_given_an_invalid_delete_when_posting_then_400_naming_the_field(
    deployment, ably_stub, body, field
):
    status, answer = call("POST", "/moderation/messages/delete", body=body)

    assert status == 400
    assert field in [problem["field"] for problem in answer["problems"]]
    assert ably_stub.requests == []


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        # a chat delete with the pub/sub id: only the chat shape's fields are named
        (
            {"room": "lobby", "id": "s1", "reason": "x"},
            {"serial": "Field required", "id": "Extra inputs are not permitted"},
        ),
        # a pub/sub delete with a chat serial: only the pub/sub shape's fields
        (
            {"channel": "news", "serial": "s1", "reason": "x"},
            {"id": "Field required", "serial": "Extra inputs are not permitted"},
        ),
        # both: room decides, channel is the extra field
        (
            {"room": "lobby", "channel": "news", "serial": "s1", "reason": "x"},
            {"channel": "Extra inputs are not permitted"},
        ),
    ],
)
def test_given_a_delete_of_one_shape_when_invalid_then_400_names_only_that_shapes_fields(
    deployment, ably_stub, body, problems
):
    status, answer = call("POST", "/moderation/messages/delete", body=body)

    assert status == 400
    assert answer["error"] == "bad_request"
    assert {p["field"]: p["problem"] for p in answer["problems"]} == problems
    assert ably_stub.requests == []


@pytest.mark.parametrize(
    "body", [{"reason": "x"}, {"serial": "s1", "id": "m1", "reason": "x"}, [1]]
)
def test_given_a_delete_naming_neither_room_nor_channel_then_400_says_which_to_give(
    deployment, ably_stub, body
):
    status, answer = call("POST", "/moderation/messages/delete", body=body)

    assert status == 400
    [problem] = answer["problems"]
    assert problem["field"] == "room|channel"
    assert "room and serial" in problem["problem"]
    assert "channel and id" in problem["problem"]


# -- audit log -----------------------------------------------------------------------


def test_given_moderator_actions_when_reading_the_audit_log_then_newest_first_with_who_and_why(
    deployment, ably_stub
):
    call("POST", "/moderation/bans", body={"clientId": "bob", "reason": "spam"})
    call("DELETE", "/moderation/bans/bob", query={"reason": "appeal"})

    status, body = call("GET", "/moderation/audit")

    assert status == 200
    assert [(e["action"], e["actor"], e["reason"]) for e in body["events"]] == [
        ("unban", "mod1", "appeal"),
        ("ban", "mod1", "spam"),
    ]


def test_given_many_events_when_paging_the_audit_log_then_each_event_once_newest_first(deployment):
    audit = AuditLog(deployment.audit)
    now_ms = int(time.time() * 1000)
    for index in range(17):
        client = "bob" if index % 2 else "carol"
        # Some on earlier days: the pages cross the byTime index's day partitions.
        audit.record(
            AuditEvent(
                action="warn", actor="auto", client_id=client, at_ms=now_ms - index * 9_000_000
            )
        )

    for client_filter, expected in ((None, 17), ("bob", 8)):
        seen: list[str] = []
        query: dict[str, str] = {"limit": "3"}
        if client_filter:
            query["clientId"] = client_filter
        while True:
            status, body = call("GET", "/moderation/audit", query=query)
            assert status == 200
            seen += [event["eventId"] for event in body["events"]]
            if "nextCursor" not in body:
                break
            query = {**query, "cursor": body["nextCursor"]}
        assert len(seen) == expected
        assert seen == sorted(set(seen), reverse=True)


def test_given_events_from_before_the_index_was_sharded_then_the_listing_pages_them_in_order(
    deployment,
):
    audit = AuditLog(deployment.audit)
    now_ms = int(time.time() * 1000)
    expected = []
    for index in range(12):
        event = AuditEvent(action="warn", actor="auto", client_id="bob", at_ms=now_ms - index)
        if index % 3:
            expected.append(audit.record(event).event_id)
        else:  # the legacy "day" key: the bare UTC date, no shard
            stored, item = audit.prepare(event)
            deployment.audit.put_item(Item={**item, "day": stored.event_id[:10]})
            expected.append(stored.event_id)

    seen: list[str] = []
    query = {"limit": "5"}
    while True:
        status, body = call("GET", "/moderation/audit", query=query)
        assert status == 200
        seen += [event["eventId"] for event in body["events"]]
        if "nextCursor" not in body:
            break
        query = {"limit": "5", "cursor": body["nextCursor"]}

    assert seen == sorted(expected, reverse=True)


def test_given_a_cursor_for_another_filter_when_reading_the_audit_log_then_400(deployment):
    audit = AuditLog(deployment.audit)
    for _ in range(3):
        audit.record(AuditEvent(action="warn", actor="auto", client_id="bob"))
    _, body = call("GET", "/moderation/audit", query={"limit": "1", "clientId": "bob"})

    status, answer = call(
        "GET", "/moderation/audit", query={"clientId": "carol", "cursor": body["nextCursor"]}
    )

    assert status == 400
    assert answer["error"] == "invalid_cursor"


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        cursors.encode("bans", after="bob"),
        cursors.encode(
            "audit",
            before="2026-13-45T00:00:00.000Z#0123456789ab",
            oldest="2026-01-01",
            clientId=None,
        ),
        cursors.encode("audit", before="nope", oldest="2026-01-01", clientId=None),
        cursors.encode(
            "audit",
            before="2026-01-02T00:00:00.000Z#0123456789ab",
            oldest="2026-02-30",
            clientId=None,
        ),
    ],
)
def test_given_a_bad_cursor_when_reading_the_audit_log_then_400(deployment, cursor):
    status, answer = call("GET", "/moderation/audit", query={"cursor": cursor})

    assert status == 400
    assert answer["error"] == "invalid_cursor"


@pytest.mark.parametrize("query", [{"clientId": "*"}, {"limit": "0"}, {"limit": "1000"}])
def test_given_an_invalid_filter_when_reading_the_audit_log_then_400(deployment, query):
    assert call("GET", "/moderation/audit", query=query)[0] == 400


def test_given_an_unknown_route_when_calling_then_404_json(deployment):
    status, answer = call("GET", "/moderation/nothing")

    assert status == 404
    assert answer["error"] == "not_found"
