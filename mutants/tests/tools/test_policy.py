"""make policy: the live policy shown, edited or replaced, validated as the functions validate it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatmod.core.policy import RuntimePolicy
from tools import policy as tool
from tools.policy import InvalidPolicyError, Target, edit, stage_target, validate, write_policy
from tools.stage import load_config

NAME = "/chatmod/dev/policy"
# What dev deploys: the functions refuse a policy that changes the Ably rule's settings.
GOOD = load_config("dev").runtime_policy.to_json()


def bad_policy() -> str:
    document = json.loads(GOOD)
    document["moderation"]["onMatch"] = "nuke"
    document["bans"]["ladder"] = ["warn", "2x"]
    document["surprise"] = 1
    return json.dumps(document)


@pytest.fixture
def deployed(aws, monkeypatch):
    """chatmod-dev in moto, with its policy parameter holding the default policy."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    ssm = aws.client("ssm")
    ssm.put_parameter(Name=NAME, Value=GOOD, Type="String")
    return ssm


def stored(ssm) -> dict:
    return json.loads(ssm.get_parameter(Name=NAME)["Parameter"]["Value"])


def test_given_a_bad_policy_when_validating_then_each_problem_names_its_field():
    with pytest.raises(InvalidPolicyError) as error:
        validate(bad_policy())

    fields = [field for field, _ in error.value.problems]
    assert fields == ["moderation.onMatch", "bans.ladder", "surprise"]
    assert "'2x'" in dict(error.value.problems)["bans.ladder"]


def test_given_what_the_functions_accept_when_validating_then_it_is_the_same_model():
    assert validate(GOOD) == RuntimePolicy.model_validate_json(GOOD)
    with pytest.raises(InvalidPolicyError) as error:
        validate("{not json")
    assert error.value.problems[0][0] == "(policy)"


def test_given_a_deployed_stage_when_writing_a_valid_policy_then_the_parameter_holds_it(
    deployed, aws
):
    target = stage_target(
        "dev", ssm=deployed, cloudformation=aws.client("cloudformation")
    )  # the stack has no PolicyParameterName output: the default name
    assert target.name == NAME
    document = json.loads(GOOD)
    document["moderation"]["onMatch"] = "mask"

    write_policy(target, json.dumps(document, indent=2))

    assert stored(deployed)["moderation"]["onMatch"] == "mask"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("maxRetries", 3),
        ("retryTimeoutMs", 4000),
        ("providers", [{"name": "hive", "thresholds": {"violence": 2}}]),
    ],
)
def test_given_a_change_the_functions_would_refuse_when_writing_then_refused_nothing_written(
    deployed, aws, field, value
):
    # The Ably rule holds its own copy of the rule's settings; dev deploys no openai key.
    target = stage_target("dev", ssm=deployed, cloudformation=aws.client("cloudformation"))
    document = json.loads(GOOD)
    document["moderation"][field] = value

    with pytest.raises(InvalidPolicyError) as error:
        write_policy(target, json.dumps(document))

    ((where, problem),) = error.value.problems
    assert where == "moderation"
    assert "make deploy" in problem
    assert stored(deployed) == json.loads(GOOD)


def test_given_stage_and_a_bad_file_when_running_make_policy_then_refused_and_nothing_written(
    deployed, tmp_path: Path, capsys
):
    path = tmp_path / "policy.json"
    path.write_text(bad_policy())

    code = tool.main(["--stage", "dev", "--file", str(path)])

    assert code == 1
    err = capsys.readouterr().err
    assert "moderation.onMatch: Input should be 'reject' or 'mask'" in err
    assert "bans.ladder" in err
    assert "nothing written" in err
    assert stored(deployed) == json.loads(GOOD)


def test_given_stage_and_a_good_file_when_running_make_policy_then_written_and_shown(
    deployed, tmp_path: Path, capsys
):
    document = json.loads(GOOD)
    document["bans"]["ladder"] = ["warn", "10m", "permanent"]
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document))

    assert tool.main(["--stage", "dev", "--file", str(path)]) == 0
    assert stored(deployed)["bans"]["ladder"] == ["warn", "10m", "permanent"]
    assert "cdk.json" in capsys.readouterr().err  # a deploy may write the old one back

    assert tool.main(["--stage", "dev"]) == 0
    assert json.loads(capsys.readouterr().out)["bans"]["ladder"] == ["warn", "10m", "permanent"]


def test_given_an_edit_when_invalid_then_refused_and_when_valid_then_written(deployed):
    target = Target(ssm=deployed, name=NAME, where="test")
    wanted = "mask" if json.loads(GOOD)["moderation"]["onMatch"] == "reject" else "reject"
    edits = iter(["nuke", wanted])

    def editor(argv: list[str]) -> int:
        path = Path(argv[-1])
        assert path.stat().st_mode & 0o077 == 0  # readable by the user only
        document = json.loads(path.read_text())
        document["moderation"]["onMatch"] = next(edits)
        path.write_text(json.dumps(document))
        return 0

    # an invalid edit the user gives up on: nothing written
    with pytest.raises(InvalidPolicyError):
        edit(target, editor="fake", run=editor, ask_again=lambda: False)
    assert stored(deployed) == json.loads(GOOD)
    # an invalid edit, then a valid one: written
    edits = iter(["nuke", wanted])
    assert edit(target, editor="fake", run=editor, ask_again=lambda: True) is not None
    assert stored(deployed)["moderation"]["onMatch"] == wanted
    # no change: nothing written
    assert edit(target, editor="fake", run=lambda argv: 0) is None


def test_given_no_region_for_a_stage_then_a_message_not_a_traceback(monkeypatch, capsys):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    assert tool.main(["--stage", "dev"]) == 1
    assert "region" in capsys.readouterr().err


def test_given_the_stack_names_its_policy_parameter_then_that_one_is_used(deployed):
    class Outputs:
        def describe_stacks(self, StackName: str) -> dict:
            assert StackName == "chatmod-dev"
            output = {"OutputKey": "PolicyParameterName", "OutputValue": "/custom/policy"}
            return {"Stacks": [{"Outputs": [output]}]}

    assert stage_target("dev", ssm=deployed, cloudformation=Outputs()).name == "/custom/policy"


def test_given_an_invalid_edit_when_running_make_policy_then_problems_shown_once(
    deployed, monkeypatch, capsys
):
    def editor(argv: list[str]) -> int:
        path = Path(argv[-1])
        path.write_text(path.read_text().replace('"maxRetries": 1', '"maxRetries": -5'))
        return 0

    real_edit = tool.edit
    monkeypatch.setattr(
        tool, "edit", lambda target: real_edit(target, run=editor, ask_again=lambda: False)
    )

    assert tool.main(["--stage", "dev", "--edit"]) == 1
    assert capsys.readouterr().err.count("moderation.maxRetries") == 1
    assert stored(deployed) == json.loads(GOOD)
