"""make secrets: SecureStrings from the stage config, values never printed, no silent overwrite."""

from __future__ import annotations

import pytest

from tests.tools.conftest import STAGE, stage_config
from tools.ssm_secrets import SecretsError, put_secrets

ABLY_KEY = "app456.keyId1:SuperSecretKeyValue"
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def put(aws, config=None, *, environ=None, answers=(), overwrite=False, lines=None):
    prompts = iter(answers)
    asked: list[str] = []

    def prompt(label: str) -> str:
        asked.append(label)
        return next(prompts)

    out = lines if lines is not None else []
    result = put_secrets(
        config or stage_config(),
        STAGE,
        aws.client("ssm"),
        environ=environ or {},
        prompt=prompt,
        overwrite=overwrite,
        out=out.append,
    )
    return result, asked


def value(aws, name):
    return aws.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]


def test_prompts_for_each_parameter_generates_the_secret_and_prints_no_value(aws):
    # Given an empty account; When the operator types the Ably key and leaves the secret empty
    lines: list[str] = []
    result, asked = put(aws, answers=[ABLY_KEY, ""], lines=lines)

    # Then the SecureStrings exist, the secret and the judged key (never asked for) were
    # generated apart, and no value was printed
    assert result == {
        "/chatmod/dev/ably-api-key": "created",
        "/chatmod/dev/before-publish-secret": "created",
        "/chatmod/dev/judged-key": "created",
    }
    assert len(asked) == 2
    key = value(aws, "/chatmod/dev/ably-api-key")
    assert (key["Type"], key["Value"]) == ("SecureString", ABLY_KEY)
    secret = value(aws, "/chatmod/dev/before-publish-secret")["Value"]
    judged_key = value(aws, "/chatmod/dev/judged-key")
    assert len(secret) >= 40
    assert judged_key["Type"] == "SecureString"
    assert len(judged_key["Value"]) >= 40
    assert judged_key["Value"] != secret
    printed = "\n".join(lines)
    assert ABLY_KEY not in printed
    assert secret not in printed
    assert judged_key["Value"] not in printed
    tags = aws.client("ssm").list_tags_for_resource(
        ResourceType="Parameter", ResourceId="/chatmod/dev/ably-api-key"
    )["TagList"]
    assert {"Key": "chatmod:stage", "Value": "dev"} in tags


def test_values_from_the_environment_are_not_prompted_for(aws):
    config = stage_config(
        {
            "secrets": {"providerKeys": {"hive": "/chatmod/dev/hive-key"}},
            "moderation": {"providers": [{"name": "hive", "thresholds": {"hate": 2}}]},
        }
    )
    environ = {
        "CHATMOD_ABLY_API_KEY": ABLY_KEY,
        "CHATMOD_BEFORE_PUBLISH_SECRET": "x" * 32,
        "CHATMOD_HIVE_API_KEY": "hive-key-value",
    }

    result, asked = put(aws, config, environ=environ)

    assert asked == []
    assert result["/chatmod/dev/hive-key"] == "created"
    assert value(aws, "/chatmod/dev/hive-key")["Value"] == "hive-key-value"


def test_existing_parameters_are_kept_without_overwrite(aws):
    # Given the parameters exist
    put(aws, answers=[ABLY_KEY, ""])
    before = value(aws, "/chatmod/dev/ably-api-key")["Version"]

    # When make secrets runs again without --overwrite
    result, asked = put(aws, environ={"CHATMOD_ABLY_API_KEY": "app456.other:key"})

    # Then nothing is asked or written
    assert set(result.values()) == {"kept"}
    assert asked == []
    assert value(aws, "/chatmod/dev/ably-api-key")["Version"] == before


def test_overwrite_replaces_and_reminds_to_update_the_rules(aws):
    put(aws, answers=[ABLY_KEY, ""])
    lines: list[str] = []

    result, _ = put(aws, answers=["app456.newKey:NewSecret", ""], overwrite=True, lines=lines)

    assert set(result.values()) == {"overwritten"}
    assert value(aws, "/chatmod/dev/ably-api-key")["Value"] == "app456.newKey:NewSecret"
    assert any("make ably-rules" in line for line in lines)


@pytest.mark.parametrize(
    "key",
    ["not-a-key", "app456.keyId", "app456:secret", "app456.key id:secret"],
)
def test_a_malformed_ably_key_is_refused_without_echoing_it(aws, key):
    with pytest.raises(SecretsError, match=r"appId\.keyId:secret") as raised:
        put(aws, answers=[key, ""])

    assert key not in str(raised.value)
    with pytest.raises(aws.client("ssm").exceptions.ParameterNotFound):
        aws.client("ssm").get_parameter(Name="/chatmod/dev/ably-api-key")


def test_a_key_of_another_app_is_refused(aws):
    with pytest.raises(SecretsError, match=r"ably\.appId"):
        put(aws, answers=["otherapp.keyId:secret", ""])


def test_a_short_before_publish_secret_is_refused_and_nothing_is_written(aws):
    with pytest.raises(SecretsError, match="at least 16"):
        put(aws, answers=[ABLY_KEY, "short"])

    # the valid Ably key typed before it was not written either
    with pytest.raises(aws.client("ssm").exceptions.ParameterNotFound):
        aws.client("ssm").get_parameter(Name="/chatmod/dev/ably-api-key")


def test_the_stage_kms_key_encrypts_the_parameters(aws):
    config = stage_config({"secrets": {"kmsKeyArn": KMS_KEY}})
    ssm = aws.client("ssm")
    calls = []
    original = ssm.put_parameter

    def spy(**request):
        calls.append(request)
        return original(**{k: v for k, v in request.items() if k != "KeyId"})

    ssm.put_parameter = spy
    answers = iter([ABLY_KEY, ""])
    put_secrets(config, STAGE, ssm, environ={}, prompt=lambda _: next(answers), out=lambda _: None)

    assert {call["KeyId"] for call in calls} == {KMS_KEY}


def test_make_secrets_reads_the_environment_and_prints_no_value(aws, capsys, monkeypatch):
    from tools.ssm_secrets import main

    # cdk.json's dev appId is still REPLACE_ME: any app's key is accepted
    monkeypatch.setenv("CHATMOD_ABLY_API_KEY", ABLY_KEY)
    monkeypatch.setenv("CHATMOD_BEFORE_PUBLISH_SECRET", "y" * 40)

    assert main(["--stage", "dev"]) == 0

    out = capsys.readouterr().out
    assert "created  /chatmod/dev/ably-api-key" in out
    assert ABLY_KEY not in out
    assert "y" * 40 not in out
