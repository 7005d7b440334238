"""Placeholders in cdk.json: synth warns, ``make deploy`` refuses (``-c chatmod:deploy=true``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from aws_cdk.assertions import Annotations, Match

from stacks.config import ConfigError, load_stage_config
from tests.support.cdk_app import ROOT, app_context, cdk_context, make_app

FILLED = {
    "ably": {"accountId": "acct123", "appId": "app456"},
    "auth": {
        "callbackUrls": ["https://chat.example.org/auth/callback"],
        "logoutUrls": ["https://chat.example.org/"],
    },
    # prod (removalPolicy retain) needs an alarm subscriber too (test_alarms.py)
    "alarms": {"email": "oncall@example.org"},
}
DEPLOY = {"chatmod:deploy": "true"}


@pytest.mark.parametrize(
    ("stage", "placeholders"),
    [
        ("dev", ("ably.accountId", "ably.appId")),
        ("prod", ("ably.accountId", "ably.appId", "auth.callbackUrls", "auth.logoutUrls")),
    ],
)
def test_shipped_stages_name_their_placeholders(stage, placeholders):
    _, config = load_stage_config(cdk_context(), stage)

    assert config.placeholders == placeholders


def test_given_placeholders_when_synthesizing_then_a_warning_names_them():
    app = make_app("dev")

    Annotations.from_stack(app.node.find_child("chatmod-dev")).has_warning(
        "*", Match.string_like_regexp("ably.accountId, ably.appId of stage 'dev' are placeholders")
    )


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_placeholders_when_deploying_then_synth_stops_naming_them(stage):
    with pytest.raises(ConfigError, match=rf"stage '{stage}' cannot be deployed: ably\.accountId"):
        make_app(stage, context=DEPLOY)


def test_given_a_prod_callback_placeholder_when_deploying_then_it_is_named():
    with pytest.raises(ConfigError, match=r"cannot be deployed: auth\.callbackUrls is still"):
        make_app("prod", {"ably": FILLED["ably"], "auth": {"logoutUrls": []}}, context=DEPLOY)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_given_every_setting_filled_in_when_deploying_then_the_stack_is_built(stage):
    app = make_app(stage, FILLED, context=DEPLOY)

    assert app.node.try_find_child(f"chatmod-{stage}") is not None


def test_the_cdk_app_exits_with_the_reason_when_a_deploy_meets_placeholders(tmp_path):
    # What `cdk deploy -c chatmod:deploy=true` runs: the CLI passes context in CDK_CONTEXT_JSON.
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps(app_context("dev", extra=DEPLOY)),
        "CDK_OUTDIR": str(tmp_path),
    }

    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 1
    assert "stage 'dev' cannot be deployed: ably.accountId, ably.appId are still" in result.stderr


def recipe(target: str) -> str:
    """The commands ``make -n <target>`` would run (``-n``: printed, not run)."""
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        ["make", "-n", target, "STAGE=prod"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_make_deploy_asks_for_the_placeholder_check_and_make_diff_does_not():
    deploy = [line for line in recipe("deploy").splitlines() if "cdk deploy" in line]
    diff = [line for line in recipe("diff").splitlines() if "cdk diff" in line]

    assert len(deploy) == 1
    assert "-c stage=prod" in deploy[0]
    assert "-c chatmod:deploy=true" in deploy[0]
    assert len(diff) == 1
    assert "chatmod:deploy" not in diff[0]
