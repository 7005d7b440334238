"""Contract-test fixtures: the real npm clients run by node against the loopback stub."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chatmod.adapters.ably import AblyGateway, AblySettings
from tests.support.ably_stub import FAKE_API_KEY, AblyStub

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "js"
NODE_MODULES = ROOT / "node_modules"
NODE_TIMEOUT_S = 60

NodeRunner = Callable[[str, dict[str, Any]], dict[str, Any]]


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ably-js contract tests need it (make install)")
    for package in ("ably", "@ably/chat"):
        if not (NODE_MODULES / package / "package.json").is_file():
            pytest.skip(f"node_modules/{package} is missing: run `npm ci` (make install)")
    return node


@pytest.fixture
def run_node(ably_stub: AblyStub) -> NodeRunner:
    """Run ``tests/contract/js/<script>`` with one JSON input; return its JSON output.

    The input always carries the stub's ``port``. A script that fails prints
    ``{"error": ...}`` and exits non-zero; that fails the test with its stderr.
    """
    node = _node_or_skip()

    def run(script: str, payload: dict[str, Any]) -> dict[str, Any]:
        argument = json.dumps({"port": ably_stub.port, **payload})
        completed = subprocess.run(  # noqa: S603 - a fixed node binary and our own script
            [node, str(SCRIPTS / script), argument],
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT_S,
            cwd=ROOT,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
            check=False,
        )
        if completed.returncode != 0:
            pytest.fail(f"{script} failed:\n{completed.stdout}\n{completed.stderr}")
        result: dict[str, Any] = json.loads(completed.stdout)
        return result

    return run


@pytest.fixture
def gateway(ably_stub: AblyStub) -> Iterator[AblyGateway]:
    """chatmod's gateway against the stub: it signs the TokenRequests clients use."""
    settings = AblySettings(
        api_key=FAKE_API_KEY, rest_host="127.0.0.1", port=ably_stub.port, tls=False
    )
    with AblyGateway(settings) as gateway:
        yield gateway
