"""Builders for the messages inside Ably integration-rule envelopes (SQS, enveloped JSON).

``ably_envelope`` (``tests.support.events``) wraps them; ``encode`` gives ``data``
and ``encoding`` as Ably puts them on the wire for each encoding chain, and
``stored_chat_message`` puts a message in the Ably stub's room so that deletes and
updates of it succeed, as they would on Ably.
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

from tests.support.ably_stub import AblyStub, now_ms

_ids = itertools.count(1)

#: The encoding chains a rule may forward: none, json, base64, utf-8/base64, json/utf-8/base64.
ENCODINGS = ("none", "json", "base64", "utf-8/base64", "json/utf-8/base64")


def encode(data: Any, encoding: str) -> tuple[Any, str | None]:
    """``data`` as Ably sends it with ``encoding`` (``none``: as it is).

    Objects are JSON first for every chain that starts with ``json``; text is
    UTF-8 for ``base64`` chains (``base64`` alone is binary data that happens to be text).
    """
    if encoding == "none":
        return data, None
    if encoding == "json":
        return json.dumps(data), "json"
    if encoding == "base64":
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return base64.b64encode(raw).decode("ascii"), "base64"
    if encoding == "utf-8/base64":
        return base64.b64encode(data.encode("utf-8")).decode("ascii"), "utf-8/base64"
    if encoding == "json/utf-8/base64":
        text = json.dumps(data)
        return base64.b64encode(text.encode("utf-8")).decode("ascii"), "json/utf-8/base64"
    raise ValueError(f"unknown encoding {encoding}")


def chat_message(
    text: str,
    *,
    serial: str,
    client_id: str | None = "alice",
    metadata: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    encoding: str = "json",
    action: Any = 0,
    message_id: str | None = None,
    extras: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A Chat message as the rule forwards it: ``chat.message``, ``data {text, metadata}``."""
    data, wire_encoding = encode({"text": text, "metadata": metadata or {}}, encoding)
    message: dict[str, Any] = {
        "id": message_id or f"conn{next(_ids)}:0:0",
        "name": "chat.message",
        "data": data,
        "extras": {"headers": headers or {}, **(extras or {})},
        "serial": serial,
        "action": action,
        "timestamp": now_ms(),
        "connectionId": "conn",
    }
    if client_id is not None:
        message["clientId"] = client_id
    if wire_encoding:
        message["encoding"] = wire_encoding
    return message


def pubsub_message(
    data: Any,
    *,
    message_id: str | None = None,
    client_id: str | None = "alice",
    name: str = "message",
    encoding: str = "none",
    action: Any = 0,
    extras: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A pub/sub message as the rule forwards it."""
    wire, wire_encoding = encode(data, encoding)
    seq = next(_ids)
    message: dict[str, Any] = {
        "id": message_id or f"pubconn{seq}:0:0",
        "name": name,
        "data": wire,
        "serial": f"{now_ms():014d}-{seq:03d}@node:000",
        "action": action,
        "timestamp": now_ms(),
        "connectionId": "pubconn",
    }
    if client_id is not None:
        message["clientId"] = client_id
    if wire_encoding:
        message["encoding"] = wire_encoding
    if extras:
        message["extras"] = extras
    return message


def presence_envelope(channel: str, *members: dict[str, Any]) -> str:
    """A presence rule's envelope: ``presence`` instead of ``messages``."""
    return json.dumps(
        {
            "source": "channel.presence",
            "appId": "appid",
            "channel": channel,
            "site": "eu-west-1-A",
            "ruleId": "rule1",
            "presence": list(members) or [{"clientId": "alice", "action": 2}],
        }
    )


def stored_chat_message(stub: AblyStub, room: str, text: str, client_id: str = "alice") -> str:
    """Put a chat message in the stub's room, as if a client had sent it; return its serial."""
    state = stub.state
    with stub._lock:  # the stub's default handlers run under it
        serial = state.next_serial()
        timestamp = now_ms()
        state.rooms.setdefault(room, {})[serial] = {
            "serial": serial,
            "version": {"serial": serial, "timestamp": timestamp},
            "text": text,
            "clientId": client_id,
            "action": "message.create",
            "metadata": {},
            "headers": {},
            "timestamp": timestamp,
        }
    return serial
