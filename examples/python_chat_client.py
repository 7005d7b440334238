"""A minimal chat client on chatmod: a bearer token, an Ably token from ``/token``, send, read.

Run ``make local``, then ``.venv/bin/python examples/python_chat_client.py --user carol``.
It does what a chat app does: sign the user in (here: a local bearer token from
``GET /_local/token``; in production, your identity provider's JWT), point the
Ably client's ``auth_url`` at chatmod's ``/token`` with that JWT (chatmod refuses
banned users there), then talk to Ably directly: send chat messages (the
before-publish rule moderates them; a rejection is Ably error 42213) and read
the room back. To stay short it uses ably-python's REST client, so "receiving"
reads the room's history.

Against a deployed stage, configure it by environment (as the Node example):
``CHATMOD_API_URL`` (the stack's ``ApiUrl`` output), ``CHATMOD_BEARER_TOKEN`` (the
user's JWT from your sign-in) and, only for an Ably endpoint other than Ably's own,
``ABLY_ENDPOINT``. Without ``CHATMOD_BEARER_TOKEN`` it asks the local system.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from ably.sync import AblyRestSync
from ably.sync.util.exceptions import AblyException

CHAT_API_VERSION = "4"  # Ably Chat REST: X-Ably-Version 4


def local_system(port: int) -> dict[str, Any]:
    """``GET /_local``: where the local API and Ably emulator listen."""
    try:
        reply = httpx.get(f"http://127.0.0.1:{port}/_local", timeout=5)
        reply.raise_for_status()
    except httpx.HTTPError as exc:
        raise SystemExit(f"no local system on 127.0.0.1:{port} ({exc}): run `make local`") from None
    info: dict[str, Any] = reply.json()
    return info


def bearer_token(api_url: str, user: str) -> str:
    """Sign ``user`` in: in local mode, a token from ``GET /_local/token`` (loopback only)."""
    reply = httpx.get(f"{api_url}/_local/token", params={"clientId": user}, timeout=5)
    reply.raise_for_status()
    token: str = reply.json()["token"]
    return token


def ably_client(info: dict[str, Any], jwt: str) -> AblyRestSync:
    """ably-python authenticated through chatmod's ``/token`` (as ably-js with ``authUrl``)."""
    options: dict[str, Any] = {
        "auth_url": f"{info['apiUrl']}/token",
        "auth_headers": {"authorization": f"Bearer {jwt}"},
    }
    if info.get("ablyUrl"):  # e.g. the emulator: plain HTTP on loopback, no fallback hosts
        ably = urlsplit(info["ablyUrl"])
        options.update(
            endpoint=ably.hostname,
            port=ably.port,
            tls=ably.scheme == "https",
            fallback_hosts=[],
            use_binary_protocol=False,
        )
    return AblyRestSync(**options)


def send(client: AblyRestSync, room: str, text: str) -> dict[str, Any]:
    """Send a chat message to ``room`` (Chat REST); Ably answers the whole message."""
    path = f"/chat/v4/rooms/{quote(room, safe='')}/messages"
    reply = client.request("POST", path, CHAT_API_VERSION, None, {"text": text})
    if not reply.success:  # request() answers errors rather than raising them
        raise AblyException(reply.error_message, reply.status_code, reply.error_code)
    [message] = reply.items
    return dict(message)


def read(client: AblyRestSync, room: str, limit: int = 10) -> list[dict[str, Any]]:
    """The room's latest messages, newest first."""
    path = f"/chat/v4/rooms/{quote(room, safe='')}/messages"
    reply = client.request("GET", path, CHAT_API_VERSION, {"limit": str(limit)})
    if not reply.success:
        raise AblyException(reply.error_message, reply.status_code, reply.error_code)
    return [dict(item) for item in reply.items]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="carol", help="the client id to sign in as")
    parser.add_argument("--room", default="lobby")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CHATMOD_LOCAL_PORT", 8787)))
    parser.add_argument("texts", nargs="*", default=["hello from ably-python", "you bastard"])
    args = parser.parse_args(argv)

    jwt = os.environ.get("CHATMOD_BEARER_TOKEN")
    if jwt:  # a deployed stage (or any API) named by configuration
        info: dict[str, Any] = {
            "apiUrl": os.environ.get("CHATMOD_API_URL", f"http://127.0.0.1:{args.port}"),
            "ablyUrl": os.environ.get("ABLY_ENDPOINT"),
        }
    else:
        info = local_system(args.port)
        jwt = bearer_token(info["apiUrl"], args.user)
    client = ably_client(info, jwt)
    try:
        for text in args.texts:
            try:
                message = send(client, args.room, text)
                print(
                    f"sent     {text!r}: serial {message['serial']}, Ably has {message['text']!r}"
                )
            except AblyException as exc:  # 42213: the before-publish rule rejected it
                print(f"rejected {text!r}: Ably error {exc.code} ({exc.status_code})")
        print(f"latest in {args.room!r}:")
        for message in read(client, args.room):
            print(f"  {message.get('clientId')}: {message.get('text')!r}")
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
