"""``make policy [EDIT=1 | FILE=policy.json] [STAGE=prod]``: show, edit or replace the live policy.

The policy is the JSON String parameter the functions read (and re-read within
``CHATMOD_PARAMETER_MAX_AGE_SECONDS``). Without ``--stage`` it is the running local
system's (found through ``GET /_local``: its moto server, region and parameter
name); with ``--stage`` the deployed stage's (boto3, the stage's region, the
stack's ``PolicyParameterName`` output). A new policy is validated with the policy's
schema (``chatmod.core.policy.RuntimePolicy``, each problem naming its field) and with
the parser the functions read it with (``chatmod.core.policy_runtime``) before it is
written: an invalid one is refused and nothing is written; so is one the functions
would refuse when they read it (a change to the Ably rule's settings, or a provider
the stage has not deployed: ``core.deployment``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError
from pydantic import ValidationError

from chatmod.core.deployment import Deployment
from chatmod.core.policy import RuntimePolicy
from chatmod.core.policy_runtime import PolicyInvalidError, parse_policy
from stacks.config import ConfigError

DEFAULT_PORT = 8787
ENV_PORT = "CHATMOD_LOCAL_PORT"


class PolicyError(RuntimeError):
    """The policy could not be read or written: the message says why."""


class InvalidPolicyError(ValueError):
    """A policy the functions would refuse; ``problems`` are ``(field, problem)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        self.reported = False  # already shown to the user (by the edit loop)
        super().__init__(
            "invalid policy: " + "; ".join(f"{field}: {problem}" for field, problem in problems)
        )


@dataclass(frozen=True)
class Target:
    """Where the policy lives: an SSM client, the parameter's name, and words for humans."""

    ssm: Any
    name: str
    where: str
    # What the stage deployed (the Ably rule's settings, the providers): a policy that
    # disagrees would be refused by the functions when read, so it is refused here.
    deployment: Deployment | None = None


def validate(text: str) -> RuntimePolicy:
    """``text`` parsed as the functions parse the policy parameter.

    Raises:
        InvalidPolicyError: naming each invalid field (dotted camelCase path).
    """
    try:
        return RuntimePolicy.model_validate_json(text)
    except ValidationError as exc:
        problems = [
            (".".join(str(part) for part in item["loc"]) or "(policy)", item["msg"])
            for item in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidPolicyError(problems) from None


def read_policy(target: Target) -> str:
    """The parameter's current value (the JSON text as stored).

    Raises:
        PolicyError: the parameter cannot be read.
    """
    try:
        value: str = target.ssm.get_parameter(Name=target.name)["Parameter"]["Value"]
    except Exception as exc:
        raise PolicyError(f"cannot read {target.name} ({target.where}): {exc}") from exc
    return value


def write_policy(target: Target, text: str) -> RuntimePolicy:
    """Validate ``text``, then store it (compact JSON) in the parameter; returns the policy.

    Raises:
        InvalidPolicyError: nothing was written.
        PolicyError: the parameter cannot be written.
    """
    policy = validate(text)
    try:
        # What the functions will parse: camelCase keys only (the schema also takes
        # Python's snake_case names).
        runtime = parse_policy(text)
    except PolicyInvalidError as exc:
        raise InvalidPolicyError([("(policy)", f"{exc} (write keys in camelCase)")]) from None
    if target.deployment is not None:
        refusals = target.deployment.refusals(runtime)
        if refusals:
            raise InvalidPolicyError([("moderation", problem) for problem in refusals])
    compact = json.dumps(json.loads(text), separators=(",", ":"))
    try:
        target.ssm.put_parameter(Name=target.name, Value=compact, Type="String", Overwrite=True)
    except Exception as exc:
        raise PolicyError(f"cannot write {target.name} ({target.where}): {exc}") from exc
    return policy


def pretty(text: str) -> str:
    """The stored JSON, indented for reading and editing."""
    try:
        return json.dumps(json.loads(text), indent=2) + "\n"
    except ValueError:
        return text


def local_target(port: int) -> Target:
    """The policy parameter of the local system on ``127.0.0.1:port``.

    Raises:
        PolicyError: nothing answers there.
    """
    from chatmod_local.aws import client
    from chatmod_local.client import discover

    info = discover(f"http://127.0.0.1:{port}")
    if info is None:
        raise PolicyError(
            f"nothing answers on 127.0.0.1:{port}: start `make local` first "
            f"(or set {ENV_PORT} to its port), or pass STAGE= for a deployed stage"
        )
    name = (info.get("parameters") or {}).get("policy")
    if not name:
        raise PolicyError("this local system does not name its policy parameter: restart it")
    from tools.stage import load_config

    return Target(
        ssm=client("ssm", info["awsUrl"], info["region"]),
        name=name,
        where=f"local system at {info['apiUrl']}, moto {info['awsUrl']}, {info.get('region')}",
        deployment=load_config(str(info.get("stage") or "dev")).deployment,
    )


def stage_target(stage: str, *, ssm: Any = None, cloudformation: Any = None) -> Target:
    """The deployed stage's policy parameter (``PolicyParameterName`` output, else the default).

    Raises:
        stacks.config.ConfigError: unknown stage in cdk.json.
    """
    from tools.stage import StackNotDeployedError, load_config, session, stack_outputs

    config = load_config(stage)
    aws = session(config)
    ssm = ssm or aws.client("ssm")
    cloudformation = cloudformation or aws.client("cloudformation")
    try:
        name = stack_outputs(stage, cloudformation).get("PolicyParameterName")
    except StackNotDeployedError:
        name = None
    name = name or f"/chatmod/{stage}/policy"
    region = getattr(getattr(ssm, "meta", None), "region_name", None) or "default region"
    return Target(
        ssm=ssm, name=name, where=f"stage {stage}, {region}", deployment=config.deployment
    )


def edit(
    target: Target,
    *,
    editor: str | None = None,
    run: Callable[[list[str]], int] | None = None,
    ask_again: Callable[[], bool] | None = None,
) -> RuntimePolicy | None:
    """Open the policy in ``$EDITOR``; write it when valid and changed, else say why not.

    Returns the policy written, or None when nothing changed.

    Raises:
        InvalidPolicyError: the edit is invalid and the user gave up (nothing written).
    """
    editor = editor or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    run = run or (lambda argv: subprocess.call(argv))  # noqa: S603 - the user's own editor
    ask_again = ask_again or _ask_again
    original = pretty(read_policy(target))
    with tempfile.TemporaryDirectory(prefix="chatmod-policy-") as folder:
        path = Path(folder) / "policy.json"
        path.write_text(original)
        path.chmod(0o600)
        while True:
            if run([*shlex.split(editor), str(path)]) != 0:
                raise PolicyError(f"{editor} failed: nothing written")
            text = path.read_text()
            if json.dumps(_loads(text)) == json.dumps(_loads(original)):
                return None
            try:
                return write_policy(target, text)
            except InvalidPolicyError as exc:
                _print_problems(exc)
                exc.reported = True
                if not ask_again():
                    raise


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _ask_again() -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input("edit again? [Y/n] ").strip().lower()
    return answer in ("", "y", "yes")


def _print_problems(exc: InvalidPolicyError) -> None:
    print("invalid policy (nothing written):", file=sys.stderr)
    for field, problem in exc.problems:
        print(f"  {field}: {problem}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tools.policy``."""
    parser = argparse.ArgumentParser(prog="make policy", description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--edit", action="store_true", help="open it in $EDITOR, then write it")
    action.add_argument("--file", type=Path, help="validate this JSON file, then write it")
    parser.add_argument("--stage", help="a deployed stage (default: the running local system)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get(ENV_PORT) or DEFAULT_PORT),
        help=f"the local API's port (default: ${ENV_PORT} or {DEFAULT_PORT})",
    )
    args = parser.parse_args(argv)
    try:
        target = stage_target(args.stage) if args.stage else local_target(args.port)
        if args.file is not None:
            write_policy(target, args.file.read_text())
            print(f"wrote {args.file} to {target.name} ({target.where})", file=sys.stderr)
        elif args.edit:
            if edit(target) is None:
                print(f"no change: {target.name} ({target.where})", file=sys.stderr)
                return 0
            print(f"written: {target.name} ({target.where})", file=sys.stderr)
        else:
            print(f"# {target.name} ({target.where})", file=sys.stderr)
            print(pretty(read_policy(target)), end="")
            return 0
    except InvalidPolicyError as exc:
        if not exc.reported:
            _print_problems(exc)
        return 1
    except (PolicyError, ConfigError, OSError) as exc:
        print(f"make policy: {exc}", file=sys.stderr)
        return 1
    except BotoCoreError as exc:  # no region or no credentials for the stage
        print(
            f"make policy: {exc} (the stage's account: AWS_PROFILE or AWS_ACCESS_KEY_ID…; "
            "its region: cdk.json's region or AWS_REGION)",
            file=sys.stderr,
        )
        return 1
    if args.stage:
        print(
            "note: cdk.json still holds the deployed policy, and a deploy that changes it "
            "there overwrites this: copy the change into cdk.json to keep it",
            file=sys.stderr,
        )
    print("the functions pick it up within their parameter cache age", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
