"""Synthesize the chatmod app for tests, with bundling skipped and config overrides merged in."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from app import build_app

ROOT = Path(__file__).resolve().parents[2]


def cdk_context() -> dict[str, Any]:
    """The context of the repository's cdk.json."""
    return json.loads((ROOT / "cdk.json").read_text())["context"]


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in; ``None`` removes a key."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def app_context(
    stage: str = "dev",
    overrides: dict[str, Any] | None = None,
    *,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The context ``cdk`` would pass for ``stage`` (plus ``overrides``), bundling skipped."""
    context = cdk_context()
    stages = context["chatmod:stages"]
    stages[stage] = deep_merge(stages.get(stage, stages["dev"]), overrides or {})
    context["stage"] = stage
    # No asset bundling in unit tests of the stack: keeps the suite fast and offline.
    context["aws:cdk:bundling-stacks"] = []
    context.update(extra or {})
    return context


def make_app(
    stage: str = "dev",
    overrides: dict[str, Any] | None = None,
    *,
    outdir: str | None = None,
    context: dict[str, Any] | None = None,
) -> cdk.App:
    """The app for ``stage`` (cdk.json settings plus ``overrides``), bundling skipped.

    ``context`` adds other context keys, as ``-c key=value`` would.
    """
    app = cdk.App(context=app_context(stage, overrides, extra=context), outdir=outdir)
    return build_app(app)


def synth_template(stage: str = "dev", overrides: dict[str, Any] | None = None) -> Template:
    """The CloudFormation template of ``chatmod-<stage>``."""
    app = make_app(stage, overrides)
    stack = app.node.find_child(f"chatmod-{stage}")
    return Template.from_stack(stack)  # type: ignore[arg-type]
