"""The moderator console, served by local mode at ``/console/`` on the HTTP API's origin.

It serves the local build (``console/dist-local``, made by ``make console``; the only
build with the local sign-in) and a ``config.json`` that points the console at this
origin. Same origin as the API, so the console needs no CORS, and ``/_local/token``
(which refuses cross-origin pages) signs its users in.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[2]
BUILD: Final = ROOT / "console" / "dist-local"
PREFIX: Final = "/console"

#: The console talks to this origin only (the API, and the emulator through it later).
SECURITY_HEADERS: Final = {
    "content-security-policy": (
        "default-src 'self'; connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:* "
        "http://localhost:* ws://localhost:*; img-src 'self' data:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

Answer = tuple[int, dict[str, str], bytes]


class ConsoleFiles:
    """Answers ``GET /console/...`` from a built console directory."""

    def __init__(self, build: Path = BUILD, *, stage: str = "local") -> None:
        self.build = build.resolve()
        self.config: dict[str, object] = {"apiUrl": "", "stage": stage, "signIn": "local"}

    def use_ably(self, endpoint: str, port: int, *, tls: bool = False) -> None:
        """Point the console's live view at an Ably endpoint (the emulator, in local mode).

        Without it ``config.json`` has no ``ably`` entry and the console uses Ably's default
        endpoint, as with real Ably.
        """
        self.config["ably"] = {"endpoint": endpoint, "port": port, "tls": tls}

    @property
    def available(self) -> bool:
        """Whether the console has been built (``make console``)."""
        return (self.build / "index.html").is_file()

    def answer(self, path: str) -> Answer | None:
        """The response for ``path``, or None when it is not the console's."""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return None
        if path == PREFIX:
            return 308, {"location": PREFIX + "/"}, b""
        if not self.available:
            return _text(
                404, "the console is not built: run `make console` (make local does it for you)"
            )
        relative = path[len(PREFIX) + 1 :] or "index.html"
        if relative == "config.json":
            body = json.dumps(self.config).encode()
            return 200, {"content-type": "application/json", "cache-control": "no-store"}, body
        target = (self.build / relative).resolve()
        if not target.is_relative_to(self.build) or not target.is_file():
            return _text(404, "no such file in the console")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = {"content-type": kind, **SECURITY_HEADERS}
        # Hashed asset names never change content; index.html must be re-read.
        headers["cache-control"] = (
            "public, max-age=31536000, immutable" if relative.startswith("assets/") else "no-cache"
        )
        return 200, headers, target.read_bytes()


def _text(status: int, message: str) -> Answer:
    return status, {"content-type": "text/plain; charset=utf-8"}, message.encode()
