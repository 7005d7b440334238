"""The examples run against local mode, as a newcomer runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from chatmod_local.system import LocalSystem

ROOT = Path(__file__).resolve().parents[2]


def test_python_chat_client_sends_is_moderated_and_reads_the_room(system: LocalSystem) -> None:
    # Given the local system (its before-publish rule covers bp-* rooms, and rejects)
    port = system.info()["apiUrl"].rsplit(":", 1)[1]
    # When the example signs carol in and sends a clean and a profane message
    run = subprocess.run(  # noqa: S603 - our own interpreter and example
        [
            sys.executable,
            str(ROOT / "examples" / "python_chat_client.py"),
            "--user",
            "example-carol",
            "--room",
            "bp-example",
            "hello from ably-python",
            "you bastard",
        ],
        env={**os.environ, "CHATMOD_LOCAL_PORT": port},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then the clean one is sent, the profane one rejected by the rule, and the room read back
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("sent     'hello from ably-python': serial ")
    assert lines[1] == "rejected 'you bastard': Ably error 42213 (422)"
    assert "  example-carol: 'hello from ably-python'" in lines
    assert not any("bastard" in line for line in lines[3:])
