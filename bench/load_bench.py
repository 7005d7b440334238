"""A bounded load run against the local system: ``make load`` (also part of ``make bench``).

``python -m bench.load_bench [--clients 50] [--duration 30]``: starts ``python -m
chatmod_local`` in a child process on a free port (or uses the one ``make local``
runs, with ``--use-running``), then N concurrent clients on loopback send for the
duration: mostly chat messages through ``POST /messages`` (one room per client;
one in ten profane, which the dev policy masks), and a ``GET /token`` every tenth
request. Prints requests/s, p50/p99 per kind and the errors, then accounts for
every message: each serial ``POST /messages`` answered must be in the room's
Ably history. Targets: 0 errors, 0 messages lost; a missed one exits with MISSED_TARGET
(a quick run reports it, a full one fails).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench._measure import percentile, scaled, target_status
from chatmod_local.client import ApiUser, discover, wait_for

PROFANE = "what the fuck"
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass
class LoadResult:
    """What a run measured."""

    duration_s: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    serials: dict[str, set[str]] = field(default_factory=dict)  # room → serials answered
    lost: int = 0
    missing: list[str] = field(default_factory=list)  # room/serial of each one lost

    @property
    def requests(self) -> int:
        """Requests that got an answer."""
        return sum(len(samples) for samples in self.latencies.values())


def _client(
    index: int,
    info: dict[str, Any],
    until: float,
    result: LoadResult,
    lock: threading.Lock,
    flagged_every: int | None,
) -> None:
    room = f"load-{index}"
    users = ("alice", "bob")
    latencies: dict[str, list[float]] = {"message": [], "token": []}
    errors: list[str] = []
    serials: set[str] = set()
    with httpx.Client(timeout=30) as http:
        user = ApiUser(http, info["apiUrl"], info["tokens"][users[index % 2]])
        for n in itertools.count():
            if time.monotonic() >= until:
                break
            started = time.perf_counter()
            try:
                if n % 10 == 9:
                    reply = user.get("/token")
                    kind, expected = "token", 200
                else:
                    flagged = flagged_every is not None and n % flagged_every == flagged_every - 1
                    text = PROFANE if flagged else f"message {n} from client {index}"
                    reply = user.post("/messages", {"room": room, "text": text})
                    kind, expected = "message", 201
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies[kind].append(time.perf_counter() - started)
            if reply.status_code != expected:
                errors.append(f"{kind}: {reply.status_code} {reply.text[:120]}")
            elif kind == "message":
                serials.add(reply.json()["serial"])
    with lock:
        for kind, samples in latencies.items():
            result.latencies.setdefault(kind, []).extend(samples)
        result.errors.extend(errors)
        result.serials[room] = serials


def room_history(http: httpx.Client, info: dict[str, Any], room: str) -> set[str]:
    """Every serial in a room's chat history, following ``Link: rel="next"`` pages."""
    import base64

    auth = base64.b64encode(info["ablyKey"].encode()).decode()
    headers = {"authorization": f"Basic {auth}", "x-ably-version": "4"}
    base = f"{info['ablyUrl']}/chat/v4/rooms/{room}/"
    url: str | None = f"{base}messages?limit=1000"
    found: set[str] = set()
    while url:
        reply = http.get(url, headers=headers)
        reply.raise_for_status()
        body = reply.json()
        for item in body.get("items", body) if isinstance(body, dict) else body:
            found.add(item["serial"])
        match = _NEXT_LINK.search(reply.headers.get("link", ""))
        url = httpx.URL(base).join(match.group(1)).__str__() if match else None
    return found


def run_load(
    info: dict[str, Any], *, clients: int, duration_s: float, flagged_every: int | None = 10
) -> LoadResult:
    """Drive the system in ``info`` (its ``/_local`` document) and account for every message.

    ``flagged_every``: one message in that many is profane (masked by the dev
    policy); None sends clean messages only (for a policy that rejects).
    """
    result = LoadResult(duration_s=duration_s)
    lock = threading.Lock()
    until = time.monotonic() + duration_s
    threads = [
        threading.Thread(
            target=_client, args=(i, info, until, result, lock, flagged_every), daemon=True
        )
        for i in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.duration_s = time.monotonic() - started
    with httpx.Client(timeout=30) as http:
        for room, serials in result.serials.items():
            missing = sorted(serials - room_history(http, info, room))
            result.lost += len(missing)
            result.missing += [f"{room}/{serial}" for serial in missing]
    return result


def report(result: LoadResult, clients: int) -> str:
    """The table ``make load`` prints."""
    lines = [
        f"{clients} clients, {result.duration_s:.1f} s, {result.requests} requests: "
        f"{result.requests / result.duration_s:.0f} requests/s",
        f"{'kind':<10}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}",
    ]
    for kind, samples in sorted(result.latencies.items()):
        if samples:
            lines.append(
                f"{kind:<10}{len(samples):>8}{percentile(samples, 0.5) * 1000:>10.1f}"
                f"{percentile(samples, 0.99) * 1000:>10.1f}"
            )
    published = sum(len(s) for s in result.serials.values())
    lines.append(f"errors: {len(result.errors)} (target 0)")
    lines.extend(f"  {error}" for error in result.errors[:10])
    lines.append(f"messages published: {published}, lost: {result.lost} (target 0)")
    lines.extend(f"  not in the room's history: {missing}" for missing in result.missing[:10])
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def local_system(use_running: bool) -> Iterator[dict[str, Any]]:
    """A running system's ``/_local`` document; a child process of our own unless told."""
    if use_running:
        port = os.environ.get("CHATMOD_LOCAL_PORT", "8787")
        info = discover(f"http://127.0.0.1:{port}")
        if info is None:
            raise SystemExit(f"nothing answers on 127.0.0.1:{port}: run `make local` first")
        yield info
        return
    port = _free_port()
    env = {**os.environ, "CHATMOD_LOCAL_PORT": str(port)}
    env.pop("ABLY_API_KEY", None)  # the run counts messages in the emulator
    child = subprocess.Popen(
        [sys.executable, "-m", "chatmod_local"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        info = wait_for(lambda: discover(f"http://127.0.0.1:{port}"), timeout=120, interval=0.2)
        if info is None:
            raise SystemExit("the local system did not start")
        yield info
    finally:
        child.terminate()
        child.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    """Entry point; exits with MISSED_TARGET if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--clients", type=int, default=int(os.environ.get("CLIENTS", scaled(50, 5)))
    )
    parser.add_argument(
        "--duration", type=float, default=float(os.environ.get("DURATION", scaled(30, 3)))
    )
    parser.add_argument("--use-running", action="store_true", help="use `make local`'s system")
    args = parser.parse_args(argv)
    with local_system(args.use_running) as info:
        result = run_load(info, clients=args.clients, duration_s=args.duration)
    print(report(result, args.clients))
    return target_status(not result.errors and not result.lost)


if __name__ == "__main__":
    sys.exit(main())
