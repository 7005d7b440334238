"""Switch the shared e2e system's live policy for one module, as an operator would, and back.

``make policy FILE=…`` (``tools.policy``) writes the policy parameter; the functions follow
within their parameter cache (2 s locally), so the switch waits until a probe message is
answered the new way, and the restore until it is answered the old way.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx

from chatmod_local.client import ApiUser, wait_for
from chatmod_local.system import LocalSystem, deep_merge
from tools import policy as policy_tool

_probes = (f"policy-probe-{n}" for n in itertools.count())


def _write(system: LocalSystem, policy: dict[str, Any], tmp: Path) -> None:
    port = system.info()["apiUrl"].rsplit(":", 1)[1]
    path = tmp / "policy.json"
    path.write_text(json.dumps(policy))
    assert policy_tool.main(["--port", port, "--file", str(path)]) == 0


def _probe_status(system: LocalSystem) -> int:
    return _probe(system)[0]


def _probe(system: LocalSystem) -> tuple[int, str]:
    with httpx.Client(timeout=15) as http:
        probe = ApiUser(http, system.info()["apiUrl"], system.token_for(next(_probes)))
        reply = probe.post("/messages", {"room": "probe", "text": "shit"})
        return reply.status_code, reply.text


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
def warning(system: LocalSystem, tmp: Path) -> Iterator[None]:
    """While inside, a flagged message is a warning to acknowledge (a ``warn`` rule)."""
    rules = [{"name": "be-nice", "action": "warn"}]
    with _switched(system, tmp, {"rules": rules}, lambda answer: "warningId" in answer[1]):
        yield


@contextmanager
def changed(
    system: LocalSystem, tmp: Path, changes: dict[str, Any], ready: Callable[[], bool]
) -> Iterator[None]:
    """While inside, the live policy has ``changes`` merged in (objects recursively).

    Entered once ``ready()`` holds (the functions follow within their cache age), left once
    it no longer does after the restore.
    """
    info = system.info()
    ssm = boto3.client("ssm", endpoint_url=info["awsUrl"], region_name=info["region"])
    name = info["parameters"]["policy"]
    live = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    _write(system, deep_merge(live, changes), tmp)
    try:
        assert wait_for(ready, timeout=10, interval=0.5)
        yield
    finally:
        _write(system, live, tmp)
        assert wait_for(lambda: not ready(), timeout=10, interval=0.5)


@contextmanager
def _on_match(
    system: LocalSystem, tmp: Path, on_match: str, *, probe_status: int
) -> Iterator[None]:
    with _switched(system, tmp, {"onMatch": on_match}, lambda answer: answer[0] == probe_status):
        yield


@contextmanager
def _switched(
    system: LocalSystem,
    tmp: Path,
    moderation: dict[str, Any],
    switched: Callable[[tuple[int, str]], bool],
) -> Iterator[None]:
    """The live policy with ``moderation`` changed, until a probe is answered as ``switched``."""
    info = system.info()
    ssm = boto3.client("ssm", endpoint_url=info["awsUrl"], region_name=info["region"])
    name = info["parameters"]["policy"]
    live = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    before = _probe(system)
    _write(system, {**live, "moderation": {**live["moderation"], **moderation}}, tmp)
    try:
        assert wait_for(lambda: switched(_probe(system)), timeout=10, interval=0.5)
        yield
    finally:
        _write(system, live, tmp)
        # Back when a probe is answered as before the switch, and no longer as during it
        # (a warning is a 422 like the rejection it replaces).
        assert wait_for(
            lambda: _restored(_probe(system), before, switched), timeout=10, interval=0.5
        )


def _restored(
    answer: tuple[int, str],
    before: tuple[int, str],
    switched: Callable[[tuple[int, str]], bool],
) -> bool:
    return answer[0] == before[0] and not switched(answer)
