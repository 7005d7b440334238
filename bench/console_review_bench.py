"""Benchmark the review queue's approve: ``python -m bench.console_review_bench``.

Approve → visible: a moderator approves a held message (``POST
/moderation/reviews/{id}/approve``: the review's conditional write, chatmod publishing it as
its sender over Chat REST, the emulator's before-publish rule accepting the judged message,
realtime delivery), and the time until a client subscribed to the room (ably-python
``AblyRealtime`` on the emulator, authorized through chatmod's ``/token``) receives it. The
messages are held first (``onMatch: hold``, as the e2e review tests switch it), then
approved one at a time (latency, not throughput), against a local system of its own. The
baseline, measured in the same run, is the approve request's own round trip: the ratio says
what delivery adds to the call the moderator makes anyway. Target (issue 16 §6): p95 ≤
500 ms. Bounded: 100 messages (10 in a quick run) and 60 s of approving, whichever ends
first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from typing import Any

import httpx

from bench._measure import latency_report, scaled

MESSAGES = scaled(100, 10)
TARGET_P95_MS = 500.0
#: The most time spent approving; a slower run reports what it measured by then.
APPROVING_BUDGET_S = 60.0
#: Senders the held messages are spread over (holding strikes nobody, but a real queue has many).
SENDERS = 10


def _hold(system: Any, http: httpx.Client, room: str, count: int) -> list[tuple[str, str]]:
    """``count`` messages the policy holds: (review id, text), oldest first."""
    api = system.info()["apiUrl"]
    tokens = [system.token_for(f"bench-sender-{n}") for n in range(SENDERS)]
    held = []
    for index in range(count):
        text = f"what the fuck {index}"
        reply = http.post(
            f"{api}/messages",
            headers={"authorization": f"Bearer {tokens[index % SENDERS]}"},
            json={"room": room, "text": text},
        )
        if reply.status_code != 202:
            raise RuntimeError(f"POST /messages did not hold: {reply.status_code} {reply.text}")
        held.append((reply.json()["reviewId"], text))
    return held


async def _approve_all(
    system: Any, ably_token: str, room: str, held: list[tuple[str, str]]
) -> tuple[list[float], list[float]]:
    """(approve → received, approve round trip) in ms per message, the first one a warm-up."""
    from ably import AblyRealtime

    arrived: dict[str, float] = {}
    waiting: dict[str, asyncio.Event] = {}

    def on_message(message: Any) -> None:
        data = message.data if isinstance(message.data, dict) else {}
        text = data.get("text")
        if message.name == "chat.message" and isinstance(text, str) and text not in arrived:
            arrived[text] = time.perf_counter()
            if text in waiting:
                waiting[text].set()

    realtime = AblyRealtime(
        token=ably_token,
        endpoint=f"{system.emulator.host}:{system.emulator.port}",
        tls=False,
        fallback_hosts=[],
        use_binary_protocol=False,
    )
    api = system.info()["apiUrl"]
    moderator = {"authorization": f"Bearer {system.token_for('moderator', moderator=True)}"}
    visible, round_trips = [], []
    try:
        await realtime.channels.get(f"{room}::$chat").subscribe(on_message)
        async with httpx.AsyncClient(timeout=15) as http:
            stop_at = time.perf_counter() + APPROVING_BUDGET_S
            for index, (review_id, text) in enumerate(held):
                if time.perf_counter() > stop_at:
                    break
                waiting[text] = asyncio.Event()
                started = time.perf_counter()
                reply = await http.post(
                    f"{api}/moderation/reviews/{review_id}/approve", headers=moderator
                )
                answered = time.perf_counter()
                if reply.status_code != 200:
                    raise RuntimeError(f"approve answered {reply.status_code}: {reply.text}")
                await asyncio.wait_for(waiting[text].wait(), timeout=10)
                if index == 0:
                    continue  # the warm-up: first connections, first publish as a sender
                visible.append((arrived[text] - started) * 1000)
                round_trips.append((answered - started) * 1000)
    finally:
        await realtime.close()
    return visible, round_trips


def measure(messages: int) -> tuple[list[float], list[float]]:
    """(approve → visible to a subscriber, approve round trip), in ms, over ``messages``."""
    from chatmod_local.client import AblyUser, ApiUser
    from chatmod_local.system import LocalConfig, LocalSystem

    system = LocalSystem(
        LocalConfig(api_port=0, policy_overrides={"moderation": {"onMatch": "hold"}})
    ).start()
    try:
        info = system.info()
        room = f"bench-review-{int(time.time())}"
        with httpx.Client(timeout=15) as http:
            held = _hold(system, http, room, messages + 1)
            watcher = ApiUser(http, info["apiUrl"], system.token_for("bench-watcher"))
            subscriber = AblyUser(http, info["ablyUrl"], watcher)
            if subscriber.authorize().status_code != 200:
                raise RuntimeError("/token refused the subscriber")
            return asyncio.run(_approve_all(system, subscriber.token, room, held))
    finally:
        system.stop()


def main() -> int:
    # The functions' metric lines (EMF on stdout, as in Lambda) would bury the table.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        visible, round_trips = measure(MESSAGES)
    return latency_report(
        f"approve, {len(visible)} held messages",
        baseline=("approve request round trip", round_trips),
        measured=("approve → received by a subscribed client", visible),
        target_p95_ms=TARGET_P95_MS,
    )


if __name__ == "__main__":
    sys.exit(main())
