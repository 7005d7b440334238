"""make bootstrap: the role boundary and the execution policy, created and kept current in IAM (moto)."""

from __future__ import annotations

import json

import pytest

from tools.bootstrap_policies import MAX_VERSIONS, POLICIES, main, upsert_policy

ACCOUNT = "123456789012"  # moto's
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
}


def changed(n: int) -> dict:
    return {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Sid": f"V{n}"}]}


@pytest.fixture
def iam(aws):
    return aws.client("iam")


def default_document(iam, arn):
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def test_a_missing_policy_is_created(iam):
    lines = []

    arn = upsert_policy(iam, ACCOUNT, "chatmod-x", DOCUMENT, lines.append)

    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/chatmod-x"
    assert default_document(iam, arn) == DOCUMENT
    assert lines == [f"created {arn}"]


def test_an_unchanged_policy_gets_no_new_version(iam):
    arn = upsert_policy(iam, ACCOUNT, "chatmod-x", DOCUMENT, print)
    lines = []

    upsert_policy(iam, ACCOUNT, "chatmod-x", json.loads(json.dumps(DOCUMENT)), lines.append)

    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 1
    assert lines == [f"unchanged {arn}"]


def test_a_changed_policy_becomes_the_default_version(iam):
    arn = upsert_policy(iam, ACCOUNT, "chatmod-x", DOCUMENT, print)
    lines = []

    upsert_policy(iam, ACCOUNT, "chatmod-x", changed(1), lines.append)

    assert default_document(iam, arn) == changed(1)
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 2
    assert lines == [f"updated {arn}"]


def test_at_iams_five_versions_the_oldest_non_default_goes(iam):
    arn = upsert_policy(iam, ACCOUNT, "chatmod-x", DOCUMENT, print)
    for n in range(1, MAX_VERSIONS):
        upsert_policy(iam, ACCOUNT, "chatmod-x", changed(n), print)
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == MAX_VERSIONS == 5

    upsert_policy(iam, ACCOUNT, "chatmod-x", changed(99), print)

    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert len(versions) == 5
    assert "v1" not in {v["VersionId"] for v in versions}  # the first, oldest, went
    assert default_document(iam, arn) == changed(99)


def test_main_puts_both_policies_and_prints_the_execution_policys_arn(aws, iam, capsys):
    assert main([], session=aws) == 0

    out = capsys.readouterr()
    assert out.out.strip() == f"arn:aws:iam::{ACCOUNT}:policy/chatmod-cfn-exec"
    for name, path in POLICIES:
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        assert default_document(iam, arn) == json.loads(path.read_text())
        assert f"created {arn}" in out.err
