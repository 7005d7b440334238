"""make token and make policy against the local system, and what /_local tells the AWS CLI."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import boto3
import httpx
import pytest

from chatmod_local.client import ApiUser, wait_for
from chatmod_local.system import LocalSystem
from tools import bearer_token
from tools import policy as policy_tool


def port_of(system: LocalSystem) -> int:
    return int(system.info()["apiUrl"].rsplit(":", 1)[1])


def test_discovery_names_the_region_the_parameters_and_an_aws_cli_line_that_works(
    system: LocalSystem, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = http.get(f"{system.info()['apiUrl']}/_local").json()
    assert info["region"] == "eu-west-1"
    assert info["parameters"]["policy"].endswith("/policy")
    assert {"ablyKey", "beforePublishSecret"} <= set(info["parameters"])
    # When the `export AWS_...` line is pasted into a shell, the AWS SDKs reach moto
    assert info["awsCli"].startswith("export ")
    for assignment in shlex.split(info["awsCli"])[1:]:
        name, _, value = assignment.partition("=")
        monkeypatch.setenv(name, value)
    ssm = boto3.client("ssm")
    value = ssm.get_parameter(Name=info["parameters"]["policy"])["Parameter"]["Value"]
    assert "moderation" in json.loads(value)


def test_make_token_mints_a_token_that_works_on_the_protected_routes(
    system: LocalSystem, http: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    api, port = system.info()["apiUrl"], port_of(system)
    # make token USER=carol: only the token on stdout
    assert bearer_token.main(["--user", "carol", "--port", str(port)]) == 0
    token = capsys.readouterr().out.strip()
    carol = ApiUser(http, api, token)
    assert carol.get("/token").json()["clientId"] == "carol"
    assert carol.post("/messages", {"room": "tools", "text": "hi"}).status_code == 201
    assert carol.get("/moderation/bans").status_code == 403
    # MODERATOR=1
    mod = ApiUser(http, api, bearer_token.local_token("dora", moderator=True, port=port))
    assert mod.get("/moderation/bans").status_code == 200
    # nothing running there: a message saying what to do, exit 1
    assert bearer_token.main(["--user", "carol", "--port", "9"]) == 1
    assert "make local" in capsys.readouterr().err


def test_make_policy_shows_refuses_writes_and_the_functions_follow(
    system: LocalSystem, http: httpx.Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(port_of(system))
    # make policy: the live policy (this module's system rejects)
    assert policy_tool.main(["--port", port]) == 0
    live = json.loads(capsys.readouterr().out)
    assert live["moderation"]["onMatch"] == "reject"
    # make policy FILE=bad.json: refused, naming the field; nothing written
    bad = dict(live, moderation={**live["moderation"], "onMatch": "nuke"})
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(bad))
    assert policy_tool.main(["--port", port, "--file", str(path)]) == 1
    assert "moderation.onMatch" in capsys.readouterr().err
    # make policy FILE=good.json: written, and the functions mask within their cache age
    good = dict(live, moderation={**live["moderation"], "onMatch": "mask"})
    path.write_text(json.dumps(good))
    try:
        assert policy_tool.main(["--port", port, "--file", str(path)]) == 0
        users = (f"policy-user-{n}" for n in range(1000))  # fresh: rejections are strikes

        def masked() -> bool:
            user = ApiUser(http, system.info()["apiUrl"], system.token_for(next(users)))
            return user.post("/messages", {"room": "tools", "text": "shit"}).status_code == 201

        assert wait_for(masked, timeout=10, interval=0.5)
    finally:
        path.write_text(json.dumps(live))
        assert policy_tool.main(["--port", port, "--file", str(path)]) == 0

    # The system is shared by every e2e test: the functions reject again before the next one.
    def rejected() -> bool:
        user = ApiUser(http, system.info()["apiUrl"], system.token_for(next(users)))
        return user.post("/messages", {"room": "tools", "text": "shit"}).status_code == 422

    assert wait_for(rejected, timeout=10, interval=0.5)
