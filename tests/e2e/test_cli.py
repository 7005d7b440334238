"""``make local`` then ``make demo``, as a newcomer runs them: real processes, Ctrl-C at the end."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlsplit

from chatmod_local.client import discover, wait_for
from tests.support.processes import interrupt


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _read_banner(local: subprocess.Popen[str]) -> str:
    """The banner ``make local`` prints, up to its last line (or all output if it exits)."""
    assert local.stdout is not None
    lines = []
    for line in local.stdout:
        lines.append(line)
        if line.startswith("Ctrl-C stops everything"):
            break
    return "".join(lines)


def _banner_commands(banner: str) -> str:
    """The shell lines under the banner's ``try:``, curl made to fail on a 4xx/5xx."""
    block = banner.split("  try:\n", 1)[1].split("    make demo", 1)[0]
    return block.replace("curl -s ", "curl -sS --fail-with-body ")


def test_make_local_serves_the_demo_and_stops_cleanly_on_ctrl_c() -> None:
    # Given `python -m chatmod_local` (make local) on a free port
    port = _free_port()
    env = {**os.environ, "CHATMOD_LOCAL_PORT": str(port)}
    env.pop("ABLY_API_KEY", None)
    env.pop("AWS_ENDPOINT_URL", None)
    local = subprocess.Popen(
        [sys.executable, "-m", "chatmod_local"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = _read_banner(local)
        info = wait_for(lambda: discover(f"http://127.0.0.1:{port}"), timeout=90, interval=0.2)
        assert info is not None
        # Then /_local is on loopback only and names every part
        assert urlsplit(info["apiUrl"]).hostname == "127.0.0.1"
        assert urlsplit(info["ablyUrl"]).hostname == "127.0.0.1"
        # When `python -m chatmod_local.demo` (make demo) plays its story against it
        demo = subprocess.run(
            [sys.executable, "-m", "chatmod_local.demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        # Then every step went as expected
        assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-2000:]
        assert "using the local system" in demo.stdout
        for step in (
            "masked",
            "rejected",
            "banned",
            "token refused",
            "revoked",
            "42213",
            "retracted",
            "unbanned",
            "welcome back",
        ):
            assert step in demo.stdout, step
        # And afterwards every command the banner suggests still works (2xx): the demo
        # played users of its own and restored the policy
        commands = _banner_commands(banner)
        assert commands.count("curl -sS --fail-with-body") == 2, commands
        tried = subprocess.run(  # noqa: S603 - the banner our own child printed
            [shutil.which("bash") or "/bin/bash", "-euo", "pipefail", "-c", commands],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert tried.returncode == 0, tried.stdout + tried.stderr
        assert '"clientId": "alice"' in tried.stdout or '"clientId":"alice"' in tried.stdout
    finally:
        # And Ctrl-C stops everything with exit code 0
        output = interrupt(local)
    assert local.returncode == 0, output[-3000:]
    assert "stopped." in output
    assert discover(f"http://127.0.0.1:{port}", timeout=0.5) is None
