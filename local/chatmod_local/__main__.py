"""``make local`` (``python -m chatmod_local``): start chatmod on loopback until Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from dataclasses import replace
from typing import Any

from chatmod_local.logs import configure_console
from chatmod_local.metrics import (
    EmfTap,
    MetricsReporter,
    MetricsSettings,
    MetricsSink,
    MetricsSummary,
    final_report,
)
from chatmod_local.system import LocalConfig, LocalSystem


def banner(info: dict[str, Any], started_s: float, metrics: MetricsSettings | None = None) -> str:
    """What a newcomer needs: where things are, and tokens to call the API with."""
    api = info["apiUrl"]
    lines = [
        f"chatmod is running locally (stage {info['stage']}, up in {started_s:.1f} s)",
        "",
        f"  HTTP API      {api}   (discovery: GET {api}/_local)",
        f"  Console       {info['consoleUrl']}   (sign in as moderator)",
        f"  Ably          {info['ablyUrl'] or 'real Ably (ABLY_API_KEY)'}",
    ]
    if info["ablyKey"]:
        lines.append(f"  Ably key      {info['ablyKey']}")
    lines += [
        f"  AWS (moto)    {info['awsUrl']}   (region {info['region']}, "
        f"policy parameter {info['parameters']['policy']})",
        f"  AWS CLI       {info['awsCli']}",
        f"  before-publish secret  {info['beforePublishSecret']}",
    ]
    if metrics is not None:
        every = f"every {metrics.every_s:g} s and on exit" if metrics.every_s else "on exit"
        where = f"; every EMF line in {metrics.path}" if metrics.path is not None else ""
        lines.append(f"  metrics       summarised here {every}{where}")
    lines += [
        "",
        "  bearer tokens (12 h):",
    ]
    for name, token in info["tokens"].items():
        lines.append(f"    {name:<10} {token}")
    alice = info["tokens"]["alice"]
    lines += [
        "",
        "  try:",
        f"    ALICE={alice}",
        f'    curl -s {api}/token -H "authorization: Bearer $ALICE"',
        f'    curl -s {api}/messages -H "authorization: Bearer $ALICE" \\',
        '         -H \'content-type: application/json\' -d \'{"room": "lobby", "text": "hi"}\'',
        "    make demo      (in another terminal: a scripted conversation against this system)",
        "    make token USER=carol [MODERATOR=1]   (a bearer token for any user)",
        "    make policy    (the live policy; EDIT=1 to edit it, FILE=policy.json to replace it)",
        "",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Start, print the banner, serve until SIGINT/SIGTERM, stop cleanly."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = replace(LocalConfig.from_env(), metrics=True)
        metrics = MetricsSettings.from_env()
        configure_console()  # one readable line per decision (CHATMOD_LOCAL_LOG=json: JSON)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    # The functions print EMF metric lines to stdout, as in Lambda: summarise them instead.
    summary = MetricsSummary()
    sink = MetricsSink(summary, metrics.path)
    console = sys.stdout
    sys.stdout = EmfTap(console, sink)
    reporter = MetricsReporter(summary, lambda line: print(line, flush=True), metrics.every_s)
    try:
        return _serve(config, metrics, reporter)
    finally:
        reporter.stop()
        sys.stdout.flush()
        sys.stdout = console
        for line in final_report(summary, metrics.path):
            print(line)
        sink.close()


def wait_until_set(stopping: threading.Event, poll_s: float = 0.25) -> None:
    """Wait for ``stopping`` in short slices, so that a signal handler gets to run.

    The kernel may deliver SIGINT to any of the system's threads (servers, pollers).
    CPython then only flags it for the main thread, which stays asleep in an untimed
    ``Event.wait()`` (it is woken only when the signal lands on it) and Ctrl-C hangs.
    A timed wait returns to the interpreter at least every ``poll_s``, and the handler
    runs there.
    """
    while not stopping.wait(poll_s):
        pass


def _serve(config: LocalConfig, metrics: MetricsSettings, reporter: MetricsReporter) -> int:
    stopping = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        system = LocalSystem(config).start()
    except OSError as exc:
        print(
            f"could not start: {exc} (is another `make local` running? "
            f"set CHATMOD_LOCAL_PORT to use another port)",
            file=sys.stderr,
        )
        return 1
    try:
        print(banner(system.info(), time.monotonic() - started, metrics), flush=True)
        reporter.start()
        wait_until_set(stopping)
        print("\nstopping…", flush=True)
    finally:
        system.stop()
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
