"""The examples run against local mode, as a newcomer runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_python_chat_client_against_a_configured_api_and_token(system: LocalSystem) -> None:
    # Given the API, the user's JWT and Ably's endpoint by configuration (a deployed stage's
    # way), and nothing on CHATMOD_LOCAL_PORT (so /_local cannot be used)
    info = system.info()
    env = {
        **os.environ,
        "CHATMOD_API_URL": info["apiUrl"],
        "CHATMOD_BEARER_TOKEN": system.token_for("example-frank"),
        "ABLY_ENDPOINT": info["ablyUrl"],
        "CHATMOD_LOCAL_PORT": "9",
    }
    # When the example sends one message as that user
    run = subprocess.run(  # noqa: S603 - our own interpreter and example
        [
            sys.executable,
            str(ROOT / "examples" / "python_chat_client.py"),
            "--room",
            "py-cfg",
            "hi",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then it is sent as the token's user and read back
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith("sent     'hi': serial ")
    assert "  example-frank: 'hi'" in run.stdout.splitlines()


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Node example needs it (make install)")
    for package in ("ably", "@ably/chat"):
        if not (ROOT / "node_modules" / package / "package.json").is_file():
            pytest.skip(f"node_modules/{package} is missing: run `npm ci` (make install)")
    return node


def _run_node_example(system: LocalSystem, *args: str, **env: str) -> list[str]:
    port = system.info()["apiUrl"].rsplit(":", 1)[1]
    run = subprocess.run(  # noqa: S603 - node and our own example
        [_node(), str(ROOT / "examples" / "node_chat_client.mjs"), *args],
        env={**os.environ, "CHATMOD_LOCAL_PORT": port, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout.splitlines()


def test_node_chat_client_sends_shows_the_42213_detail_and_reads_the_room(
    system: LocalSystem,
) -> None:
    # Given the local system (its before-publish rule covers bp-* rooms, and rejects)
    # When the Node example signs dana in and sends a clean and a profane message
    lines = _run_node_example(
        system, "--user", "example-dana", "--room", "bp-node", "hello from ably-js", "you bastard"
    )
    # Then the clean one is sent, the profane one rejected with the rule's detail
    assert lines[0].startswith('sent      "hello from ably-js": serial ')
    assert lines[1] == (
        'rejected  "you bastard": Ably error 42213 (422), detail '
        '{"reason":"flagged by blocklist","category":"profanity","provider":"blocklist"}'
    )
    # And the room's history (Chat REST) holds the sent one only
    assert lines[2] == 'latest in "bp-node":'
    assert '  example-dana: "hello from ably-js"' in lines[3:]
    assert not any("bastard" in line for line in lines[3:])


def test_node_chat_client_via_post_messages_against_a_configured_api(
    system: LocalSystem,
) -> None:
    # Given the API named by CHATMOD_API_URL and a bearer token by CHATMOD_BEARER_TOKEN
    # (as against a deployed stage), Ably's endpoint by ABLY_ENDPOINT
    info = system.info()
    env = {
        "CHATMOD_API_URL": info["apiUrl"],
        "CHATMOD_BEARER_TOKEN": system.token_for("example-erin"),
        "ABLY_ENDPOINT": info["ablyUrl"],
        "CHATMOD_LOCAL_PORT": "9",  # nothing there: the example must not need /_local
    }
    # When it sends through POST /messages (no before-publish rule on this room)
    lines = _run_node_example(
        system, "--via-api", "--room", "node-api", "hi through chatmod", "you bastard", **env
    )
    # Then chatmod published the clean one as erin and answered the profane one 422
    assert lines[0].startswith('sent      "hi through chatmod": serial ')
    assert lines[1] == 'rejected  "you bastard": HTTP 422, reason flagged by blocklist, code 42213'
    assert '  example-erin: "hi through chatmod"' in lines[3:]


def test_node_chat_client_tells_a_held_message_from_a_rejected_one() -> None:
    # Given the example's refusal handling, fed the ErrorInfo ably-js raises for a rule's
    # reject (code 42213, rejectionDetail as `detail`): a hold for review and a rejection
    script = (
        "import * as Ably from 'ably';"
        "const { describeRefusal } = await import(process.argv[1]);"
        "const held = new Ably.ErrorInfo('held', 42213, 422);"
        "held.detail = { reason: 'held_for_review', reviewId: 'r-1' };"
        "const failed = new Ably.ErrorInfo('failed', 42211, 422);"
        "let other = null; try { describeRefusal(new Ably.ErrorInfo('x', 40160, 401)); }"
        " catch (e) { other = e.code; }"
        "console.log(JSON.stringify([describeRefusal(held), describeRefusal(failed), other]));"
    )
    example = (ROOT / "examples" / "node_chat_client.mjs").as_uri()
    run = subprocess.run(  # noqa: S603 - node and our own example
        [_node(), "--input-type=module", "-e", script, example],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    # Then a hold names its review, 42211 says moderation failed, anything else is raised
    held, failed, other = json.loads(run.stdout)
    assert held == ["held", "waiting for a moderator (review r-1)"]
    assert failed == ["rejected", "Ably error 42211 (422): moderation failed, the rule rejects"]
    assert other == 40160
