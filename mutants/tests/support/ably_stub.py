"""The loopback Ably stub tests use: the local Ably emulator plus recording and scripting.

Everything Ably-like lives in ``chatmod_local.ably_emulator`` (held to the real
clients by ``tests/contract``); this wrapper only adds what tests need on top:
fake credentials, every request recorded (``requests``, ``requests_to``) and
scripted replies (``enqueue``) that replace the emulator's answer.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatmod_local.ably_emulator import (
    AblyEmulator,
    BeforePublishRule,
    EmulatorKey,
    EmulatorState,
    IssuedToken,
    RecordedRequest,
    Reply,
    ably_error_body,
    now_ms,
    sign_token_request,
)

__all__ = [
    "FAKE_API_KEY",
    "FAKE_KEY_NAME",
    "FAKE_KEY_SECRET",
    "AblyStub",
    "BeforePublishRule",
    "EmulatorKey",
    "IssuedToken",
    "RecordedRequest",
    "Reply",
    "StubState",
    "ably_error_body",
    "now_ms",
    "sign_token_request",
]

# The fake credentials tests use everywhere. Plainly not a real Ably key.
FAKE_KEY_NAME = "appid.keyid"
FAKE_KEY_SECRET = "fakesecretfakesecretfake"
FAKE_API_KEY = f"{FAKE_KEY_NAME}:{FAKE_KEY_SECRET}"

StubState = EmulatorState


@dataclass
class _Script:
    method: str | None
    path: str | re.Pattern[str]
    replies: deque[Reply]

    def matches(self, method: str, raw_path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if isinstance(self.path, re.Pattern):
            return self.path.fullmatch(raw_path) is not None
        return self.path == raw_path


class AblyStub(AblyEmulator):
    """The Ably emulator on 127.0.0.1 with the fake key, recording every request.

    Answers come from scripts queued with ``enqueue`` first, then from the emulator.
    """

    def __init__(
        self,
        keys: Mapping[str, str | EmulatorKey] | None = None,
        host: str = "127.0.0.1",
        **options: Any,
    ) -> None:
        super().__init__(keys=keys or {FAKE_KEY_NAME: FAKE_KEY_SECRET}, host=host, **options)
        self._record_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._scripts: list[_Script] = []

    def start(self) -> AblyStub:
        """Bind an ephemeral port and serve in a daemon thread."""
        super().start()
        return self

    def __enter__(self) -> AblyStub:
        return self.start()

    @property
    def base_url(self) -> str:
        return self.url

    def enqueue(self, method: str | None, path: str | re.Pattern[str], *replies: Reply) -> None:
        """Answer the next ``len(replies)`` matching requests with ``replies``, in order.

        Args:
            method: the HTTP method to match, or None for any.
            path: the raw (still percent-encoded) path, exact, or a regex to fullmatch.
            replies: the answers; once used up, the emulator answers again.
        """
        with self._record_lock:
            self._scripts.append(_Script(method, path, deque(replies)))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._record_lock:
            return list(self._requests)

    def requests_to(
        self, path: str | re.Pattern[str] | None = None, method: str | None = None
    ) -> list[RecordedRequest]:
        """The recorded requests whose raw path (exact or regex) and method match."""
        found = []
        for request in self.requests:
            if method is not None and request.method != method:
                continue
            if isinstance(path, re.Pattern):
                if path.fullmatch(request.raw_path) is None:
                    continue
            elif path is not None and request.raw_path != path:
                continue
            found.append(request)
        return found

    def reset(self) -> None:
        """Forget recorded requests and pending scripts (state such as tokens stays)."""
        with self._record_lock:
            self._requests.clear()
            self._scripts.clear()

    def _intercept(self, request: RecordedRequest) -> Reply | None:
        with self._record_lock:
            self._requests.append(request)
            for script in self._scripts:
                if script.replies and script.matches(request.method, request.raw_path):
                    return script.replies.popleft()
        return None
