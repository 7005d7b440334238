"""Small HTTP clients for the local system: discovery, the API as a user, Ably as a user.

Used by the demo, the load run and the end-to-end tests; plain httpx, nothing of
chatmod's, so they exercise the system exactly as an outside client would.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

T = TypeVar("T")


def discover(api_url: str, *, timeout: float = 1.0) -> dict[str, Any] | None:
    """``GET /_local`` of a running local system, or None when nothing answers."""
    try:
        reply = httpx.get(f"{api_url}/_local", timeout=timeout)
    except httpx.HTTPError:
        return None
    if reply.status_code != 200:
        return None
    info: dict[str, Any] = reply.json()
    return info


def wait_for(
    probe: Callable[[], T | None], *, timeout: float = 10.0, interval: float = 0.1
) -> T | None:
    """Call ``probe`` until it returns something truthy or ``timeout`` passes."""
    end = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= end:
            return None
        time.sleep(interval)


class ApiUser:
    """A caller of the HTTP API with a bearer token."""

    def __init__(self, http: httpx.Client, api_url: str, token: str) -> None:
        self.http = http
        self.api_url = api_url
        self.headers = {"authorization": f"Bearer {token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """``GET`` with the token."""
        return self.http.get(f"{self.api_url}{path}", headers=self.headers, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """``POST`` a JSON body with the token."""
        return self.http.post(f"{self.api_url}{path}", headers=self.headers, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        """``DELETE`` with the token."""
        return self.http.delete(f"{self.api_url}{path}", headers=self.headers, **kwargs)


class AblyUser:
    """A client of Ably (the emulator, or real Ably) authenticated through ``/token``.

    Does what ably-js does with an ``authUrl``: fetch a TokenRequest from chatmod,
    exchange it at ``/keys/{keyName}/requestToken``, then send the token.
    """

    def __init__(self, http: httpx.Client, ably_url: str, api: ApiUser) -> None:
        self.http = http
        self.ably_url = ably_url
        self.api = api
        self._token: str | None = None

    def authorize(self) -> httpx.Response:
        """Ask chatmod for a TokenRequest and exchange it; the ``/token`` reply is returned."""
        reply = self.api.get("/token")
        if reply.status_code == 200:
            request = reply.json()
            exchanged = self.http.post(
                f"{self.ably_url}/keys/{quote(request['keyName'], safe='')}/requestToken",
                json=request,
            )
            exchanged.raise_for_status()
            self._token = exchanged.json()["token"]
        return reply

    @property
    def token(self) -> str:
        """The Ably token ``authorize`` obtained (for a realtime client's ``token``)."""
        if self._token is None:
            raise RuntimeError("authorize() first")
        return self._token

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            raise RuntimeError("authorize() first")
        token = base64.b64encode(self._token.encode()).decode()
        return {"authorization": f"Bearer {token}", "x-ably-version": "4"}

    def send_chat(self, room: str, text: str) -> httpx.Response:
        """Chat REST send, as @ably/chat's ``room.messages.send``."""
        return self.http.post(
            f"{self.ably_url}/chat/v4/rooms/{quote(room, safe='')}/messages",
            headers=self._headers(),
            json={"text": text, "metadata": {}, "headers": {}},
        )

    def edit_chat(self, room: str, serial: str, text: str) -> httpx.Response:
        """Chat REST update of one's own message, as @ably/chat's ``room.messages.update``."""
        path = f"/chat/v4/rooms/{quote(room, safe='')}/messages/{quote(serial, safe='')}"
        return self.http.put(
            f"{self.ably_url}{path}",
            headers=self._headers(),
            json={"message": {"text": text, "metadata": {}, "headers": {}}},
        )

    def publish(self, channel: str, name: str, data: Any) -> httpx.Response:
        """Pub/sub REST publish, as ably-js's ``channel.publish``."""
        return self.http.post(
            f"{self.ably_url}/channels/{quote(channel, safe='')}/messages",
            headers=self._headers(),
            json={"name": name, "data": data},
        )


def ably_history(http: httpx.Client, ably_url: str, key: str, path: str) -> list[Mapping[str, Any]]:
    """Read history with the API key (Basic auth), newest first."""
    auth = base64.b64encode(key.encode()).decode()
    reply = http.get(
        f"{ably_url}{path}",
        headers={"authorization": f"Basic {auth}", "x-ably-version": "4"},
        params={"limit": 100},
    )
    reply.raise_for_status()
    body = reply.json()
    items = body.get("items", body) if isinstance(body, dict) else body
    return list(items)
