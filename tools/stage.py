"""A stage as operations tooling sees it: its validated settings and its stack's outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from stacks.config import StageConfig, load_stage_config

ROOT = Path(__file__).resolve().parents[1]
CDK_JSON = ROOT / "cdk.json"


class StackNotDeployedError(RuntimeError):
    """The stage's stack is missing, or lacks an output the tool needs."""


def stack_name(stage: str) -> str:
    """``chatmod-<stage>``, as app.py names the stack."""
    return f"chatmod-{stage}"


def load_config(stage: str, cdk_json: Path = CDK_JSON) -> StageConfig:
    """The validated settings of ``stage`` from ``cdk.json``.

    Raises:
        stacks.config.ConfigError: unknown stage or invalid settings.
    """
    context = json.loads(cdk_json.read_text())["context"]
    return load_stage_config(context, stage)[1]


def session(config: StageConfig) -> boto3.Session:
    """A boto3 session in the stage's region when cdk.json sets one, else the default's."""
    return boto3.Session(region_name=config.region) if config.region else boto3.Session()


def stack_outputs(stage: str, cloudformation: Any) -> dict[str, str]:
    """The outputs of ``chatmod-<stage>`` (``OutputKey`` → ``OutputValue``).

    Raises:
        StackNotDeployedError: the stack does not exist in this account and region.
    """
    name = stack_name(stage)
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError as exc:
        raise StackNotDeployedError(
            f"stack {name} not found ({exc.response['Error'].get('Message', exc)}): "
            f"run `make deploy STAGE={stage}` first, in this account and region"
        ) from exc
    outputs = stacks[0].get("Outputs", [])
    return {item["OutputKey"]: item["OutputValue"] for item in outputs}


def require(outputs: dict[str, str], *keys: str, stage: str) -> list[str]:
    """The values of ``keys`` in ``outputs``, in order.

    Raises:
        StackNotDeployedError: naming the missing outputs (the stack predates them).
    """
    missing = [key for key in keys if not outputs.get(key)]
    if missing:
        raise StackNotDeployedError(
            f"stack {stack_name(stage)} has no output {', '.join(missing)}: "
            f"redeploy it with this checkout (`make deploy STAGE={stage}`)"
        )
    return [outputs[key] for key in keys]
