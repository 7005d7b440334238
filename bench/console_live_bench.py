"""Benchmark the console's live view: ``python -m bench.console_live_bench``.

Publish → visible: a user sends a chat message through chatmod (``POST /messages``: the
sync moderation, the publish to the Ably emulator, realtime delivery to `@ably/chat` in
Debian's chromium, React's render), and the time until its text is in the live view's DOM
(a MutationObserver notes ``Date.now()``, the same clock as ``time.time()``). One message
at a time (latency, not throughput), against a local system of its own. The baseline,
measured in the same run, is the ``POST /messages`` round trip itself: the ratio says what
delivery and rendering add to the call the sender makes anyway. Target (issue 16 §6):
p95 ≤ 300 ms. Needs ``make console`` and chromium; without them it says so and exits 0.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import httpx

from bench._measure import latency_report, scaled

MESSAGES = scaled(200, 20)
TARGET_P95_MS = 300.0
ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "console" / "dist-local"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]

_OBSERVE = """() => {
  window.__seen = {};
  new MutationObserver(() => {
    for (const node of document.querySelectorAll('.live-text')) {
      const text = node.textContent;
      if (text && !(text in window.__seen)) window.__seen[text] = Date.now();
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


def measure(messages: int) -> tuple[list[float], list[float]]:
    """(publish → visible, POST /messages round trip), in ms, one message at a time."""
    from playwright.sync_api import sync_playwright

    from chatmod_local.system import LocalConfig, LocalSystem

    system = LocalSystem(LocalConfig(api_port=0)).start()
    try:
        info = system.info()
        api, console = info["apiUrl"], info["consoleUrl"]
        session = {"clientId": "moderator", "token": system.token_for("moderator", moderator=True)}
        sender = system.token_for("bench-sender")
        room = f"bench-live-{int(time.time())}"
        with sync_playwright() as playwright, httpx.Client(timeout=15) as http:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(console)
            page.evaluate(
                "s => sessionStorage.setItem('chatmod.console.session', s)", json.dumps(session)
            )
            page.goto(f"{console}#/live/{room}")
            page.reload()
            page.get_by_text(f"Room {room}: attached").wait_for(timeout=15_000)
            page.evaluate(_OBSERVE)
            visible, round_trips = [], []
            for index in range(messages):
                text = f"bench message {index}"
                started = time.time() * 1000
                reply = http.post(
                    f"{api}/messages",
                    headers={"authorization": f"Bearer {sender}"},
                    json={"room": room, "text": text},
                )
                round_trips.append(time.time() * 1000 - started)
                if reply.status_code != 201:
                    raise RuntimeError(f"POST /messages answered {reply.status_code}: {reply.text}")
                page.wait_for_function("t => t in window.__seen", arg=text, timeout=10_000)
                visible.append(page.evaluate("t => window.__seen[t]", text) - started)
            browser.close()
        return visible, round_trips
    finally:
        system.stop()


def main() -> int:
    if not (BUILD / "index.html").is_file() or not Path(CHROMIUM).exists():
        print("skipped: needs `make console` and Debian's chromium")
        print("targets: none measured")
        return 0
    # The functions' metric lines (EMF on stdout, as in Lambda) would bury the table.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        visible, round_trips = measure(MESSAGES)
    return latency_report(
        f"live view, {MESSAGES} messages",
        baseline=("POST /messages round trip", round_trips),
        measured=("publish → visible in the live view", visible),
        target_p95_ms=TARGET_P95_MS,
    )


if __name__ == "__main__":
    sys.exit(main())
