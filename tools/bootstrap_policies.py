"""``make bootstrap``: the managed policies that keep CloudFormation and the stack's roles small.

- ``chatmod-role-boundary`` (``stacks/bootstrap/role-boundary.json``): the permissions
  boundary of every role the stack creates: the most any chatmod function, or Ably's
  roles, may ever do.
- ``chatmod-cfn-exec`` (``stacks/bootstrap/execution-policy.json``): what CloudFormation
  may do when it deploys the stack, given to ``cdk bootstrap`` instead of
  AdministratorAccess. It lets CloudFormation create or change a ``chatmod-*`` role only
  with the boundary above, so a template cannot mint a more powerful role.

Each policy is created, or updated to a new default version when its document changed
(an unchanged document adds no version). IAM keeps at most five versions: the oldest
non-default one is deleted first. Prints the execution policy's ARN last, for
``cdk bootstrap --cloudformation-execution-policies``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

import boto3

ROOT = Path(__file__).resolve().parent.parent
#: (name, document); the boundary first: the execution policy refers to it.
POLICIES: Final = (
    ("chatmod-role-boundary", ROOT / "stacks" / "bootstrap" / "role-boundary.json"),
    ("chatmod-cfn-exec", ROOT / "stacks" / "bootstrap" / "execution-policy.json"),
)
MAX_VERSIONS: Final = 5  # IAM's limit per managed policy


def upsert_policy(
    iam: Any, account: str, name: str, document: dict[str, Any], out: Callable[[str], None]
) -> str:
    """Create ``name`` with ``document``, or make ``document`` its default version. Its ARN."""
    arn = f"arn:aws:iam::{account}:policy/{name}"
    text = json.dumps(document, separators=(",", ":"))
    try:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
    except iam.exceptions.NoSuchEntityException:
        iam.create_policy(PolicyName=name, PolicyDocument=text)
        out(f"created {arn}")
        return arn
    current = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    if _document(current["PolicyVersion"]["Document"]) == document:
        out(f"unchanged {arn}")
        return arn
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    if len(versions) >= MAX_VERSIONS:
        oldest = min(
            (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
        )
        iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=text, SetAsDefault=True)
    out(f"updated {arn}")
    return arn


def _document(value: Any) -> Any:
    # The IAM API returns the document URL-encoded; boto3 usually decodes it already.
    return json.loads(unquote(value)) if isinstance(value, str) else value


def main(argv: Sequence[str] | None = None, *, session: boto3.Session | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    session = session or boto3.Session()
    account = session.client("sts").get_caller_identity()["Account"]
    iam = session.client("iam")
    arn = ""
    for name, path in POLICIES:
        arn = upsert_policy(
            iam,
            account,
            name,
            json.loads(path.read_text()),
            lambda line: print(line, file=sys.stderr),
        )
    print(arn)  # the execution policy's, for cdk bootstrap
    return 0


if __name__ == "__main__":
    sys.exit(main())
