"""Benchmark the emulator's realtime delivery on loopback: ``python -m bench.realtime_bench``.

Publish → delivery latency to a subscribed WebSocket connection, one message at a
time (latency, not throughput), for a publish made over REST and one made over
realtime (a MESSAGE on another connection, through the same REST path); and, when
node and the pinned npm clients are installed, the same two with ably-js as both
subscriber and publisher. The baseline, measured in the same run on the same
emulator, is a REST publish's own round trip (POST → 201): the ratios say what the
WebSocket hop adds to a call the clients make anyway. Target (issue 16 §6, the
console's live view): delivery p95 ≤ 300 ms. Bounded: ~200 messages per path.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench._measure import percentile, scaled, target_status

MESSAGES = scaled(200, 20)
TARGET_P95_MS = 300.0
KEY_NAME, KEY_SECRET = "bench.key", "bench-secret-bench-secret"
ROOT = Path(__file__).resolve().parents[1]
NODE_SCRIPT = Path(__file__).resolve().parent / "realtime_latency.mjs"


class _Subscriber:
    """A raw JSON realtime connection attached to ``channel``, timing each message's arrival."""

    def __init__(self, port: int, channel: str, client_id: str) -> None:
        from websockets.sync.client import connect

        params = urlencode({"key": f"{KEY_NAME}:{KEY_SECRET}", "clientId": client_id, "v": "6"})
        self.ws = connect(f"ws://127.0.0.1:{port}/?{params}")
        assert json.loads(self.ws.recv(timeout=5))["action"] == 4  # CONNECTED
        self.ws.send(json.dumps({"action": 10, "channel": channel}))
        assert json.loads(self.ws.recv(timeout=5))["action"] == 11  # ATTACHED
        self.arrived: dict[str, float] = {}
        self.acks: dict[int, float] = {}
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for frame in self.ws:
                message = json.loads(frame)
                now = time.perf_counter()
                with self._changed:
                    if message["action"] == 15:  # MESSAGE
                        for item in message["messages"]:
                            self.arrived[item["name"]] = now
                    elif message["action"] == 1:  # ACK
                        self.acks[message["msgSerial"]] = now
                    self._changed.notify_all()
        except ConnectionClosed:
            return

    def wait_for(self, name: str) -> float:
        with self._changed:
            if not self._changed.wait_for(lambda: name in self.arrived, timeout=10):
                raise TimeoutError(f"{name} never arrived")
            return self.arrived[name]

    def close(self) -> None:
        self.ws.close()


def _python_paths(port: int, count: int) -> dict[str, list[float]]:
    import httpx

    url = f"http://127.0.0.1:{port}/channels/bench/messages"
    subscriber = _Subscriber(port, "bench", "sub")
    publisher = _Subscriber(port, "other", "pub")  # its own channel: it only publishes
    rest_round_trip, rest_delivery, realtime_delivery = [], [], []
    with httpx.Client(auth=(KEY_NAME, KEY_SECRET)) as http:
        http.post(url, json={"name": "warm", "data": "x"}).raise_for_status()
        subscriber.wait_for("warm")
        for index in range(count):
            name = f"rest-{index}"
            started = time.perf_counter()
            answer = http.post(url, json={"name": name, "data": "hello"})
            answered = time.perf_counter()
            answer.raise_for_status()
            rest_round_trip.append(answered - started)
            rest_delivery.append(subscriber.wait_for(name) - started)
        for index in range(count):
            name = f"rt-{index}"
            started = time.perf_counter()
            publisher.ws.send(
                json.dumps(
                    {
                        "action": 15,
                        "channel": "bench",
                        "msgSerial": index,
                        "messages": [{"name": name, "data": "hello"}],
                    }
                )
            )
            realtime_delivery.append(subscriber.wait_for(name) - started)
    subscriber.close()
    publisher.close()
    return {
        "REST publish round trip (baseline)": rest_round_trip,
        "REST publish -> realtime delivery": rest_delivery,
        "realtime publish -> realtime delivery": realtime_delivery,
    }


def _ably_js_paths(port: int, count: int) -> dict[str, list[float]] | str:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ably" / "package.json").is_file():
        return "skipped: node or node_modules/ably missing (make install)"
    argument = json.dumps({"port": port, "key": f"{KEY_NAME}:{KEY_SECRET}", "count": count})
    result = subprocess.run(  # noqa: S603 - a fixed node binary and our own script
        [node, str(NODE_SCRIPT), argument],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"realtime_latency.mjs failed:\n{result.stdout}\n{result.stderr}")
    samples: dict[str, list[float]] = json.loads(result.stdout)
    return {name: [ms / 1000 for ms in values] for name, values in samples.items()}


def _row(name: str, samples: list[float], baseline_p50: float) -> str:
    p50, p95 = percentile(samples, 0.50), percentile(samples, 0.95)
    return (
        f"{name:<48} {len(samples):>5} {p50 * 1000:>8.2f} {p95 * 1000:>8.2f} "
        f"{p50 / baseline_p50:>8.2f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=MESSAGES, help="messages per path")
    args = parser.parse_args(argv)

    from chatmod_local.ably_emulator import AblyEmulator

    with AblyEmulator(keys={KEY_NAME: KEY_SECRET}) as emulator:
        paths: dict[str, Any] = _python_paths(emulator.port, args.messages)
        ably_js = _ably_js_paths(emulator.port, args.messages)

    baseline_p50 = percentile(paths["REST publish round trip (baseline)"], 0.50)
    print(
        f"{'realtime delivery on loopback':<48} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'p50/base':>9}"
    )
    for name, samples in paths.items():
        print(_row(name, samples, baseline_p50))
    if isinstance(ably_js, str):
        print(f"ably-js: {ably_js}")
    else:
        for name, samples in ably_js.items():
            print(_row(f"ably-js: {name}", samples, baseline_p50))
        paths.update({f"ably-js: {name}": samples for name, samples in ably_js.items()})
    deliveries = {name: s for name, s in paths.items() if "delivery" in name}
    worst = max(percentile(samples, 0.95) for samples in deliveries.values()) * 1000
    ok = worst <= TARGET_P95_MS
    print(f"worst delivery p95 {worst:.1f} ms (target <= {TARGET_P95_MS:.0f} ms)")
    print("targets:", "met" if ok else "MISSED")
    return target_status(ok)


if __name__ == "__main__":
    sys.exit(main())
