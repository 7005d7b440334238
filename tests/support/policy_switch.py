"""Switch the shared e2e system's live policy for one module, as an operator would, and back.

``make policy FILE=…`` (``tools.policy``) writes the policy parameter; the functions follow
within their parameter cache (2 s locally), so the switch waits until a probe message is
answered the new way, and the restore until it is answered the old way.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx

from chatmod_local.client import ApiUser, wait_for
from chatmod_local.system import LocalSystem
from tools import policy as policy_tool

_probes = (f"policy-probe-{n}" for n in itertools.count())


def _write(system: LocalSystem, policy: dict[str, Any], tmp: Path) -> None:
    port = system.info()["apiUrl"].rsplit(":", 1)[1]
    path = tmp / "policy.json"
    path.write_text(json.dumps(policy))
    assert policy_tool.main(["--port", port, "--file", str(path)]) == 0


def _probe_status(system: LocalSystem) -> int:
    with httpx.Client(timeout=15) as http:
        probe = ApiUser(http, system.info()["apiUrl"], system.token_for(next(_probes)))
        return probe.post("/messages", {"room": "probe", "text": "shit"}).status_code


@contextmanager
def holding(system: LocalSystem, tmp: Path) -> Iterator[None]:
    """While inside, flagged messages are held for review (``onMatch: hold``), not rejected."""
    with _on_match(system, tmp, "hold", probe_status=202):
        yield


@contextmanager
def masking(system: LocalSystem, tmp: Path) -> Iterator[None]:
    """While inside, flagged messages are masked (``onMatch: mask``) and published."""
    with _on_match(system, tmp, "mask", probe_status=201):
        yield


@contextmanager
def _on_match(
    system: LocalSystem, tmp: Path, on_match: str, *, probe_status: int
) -> Iterator[None]:
    info = system.info()
    ssm = boto3.client("ssm", endpoint_url=info["awsUrl"], region_name=info["region"])
    name = info["parameters"]["policy"]
    live = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    before = _probe_status(system)
    _write(system, {**live, "moderation": {**live["moderation"], "onMatch": on_match}}, tmp)
    try:
        assert wait_for(lambda: _probe_status(system) == probe_status, timeout=10, interval=0.5)
        yield
    finally:
        _write(system, live, tmp)
        assert wait_for(lambda: _probe_status(system) == before, timeout=10, interval=0.5)
