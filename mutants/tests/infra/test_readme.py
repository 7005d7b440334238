"""The README's configuration examples are valid stage settings (the README stays true)."""

from __future__ import annotations

import json
import re

import pytest

from stacks.config import load_stage_config
from tests.support.cdk_app import ROOT, cdk_context, deep_merge

README = (ROOT / "README.md").read_text()
SECTION = README.split("## Moderation providers", 1)[1].split("\n## ", 1)[0]
EXAMPLES = re.findall(r"```json\n(.*?)```", SECTION, flags=re.DOTALL)


def test_every_provider_has_a_worked_example():
    names = {m for block in EXAMPLES for m in re.findall(r'"name": "(\w+)"', block)}

    assert names == {"blocklist", "hive", "openai", "comprehend", "azure", "http"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: re.findall(r'"name": "(\w+)"', e)[-1])
def test_each_example_is_a_valid_stage_setting(example):
    overrides = json.loads("{" + example + "}")
    context = cdk_context()
    context["chatmod:stages"]["dev"] = deep_merge(context["chatmod:stages"]["dev"], overrides)

    _, config = load_stage_config(context, "dev")

    assert [p.name for p in config.moderation.providers] == re.findall(r'"name": "(\w+)"', example)
