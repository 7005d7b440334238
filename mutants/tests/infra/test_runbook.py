"""docs/runbook.md names every alarm the stack creates, and no alarm that no longer exists."""

from __future__ import annotations

import re

import pytest
from aws_cdk import aws_cloudwatch as cloudwatch

from stacks.monitoring import RUNBOOK
from tests.infra.conftest import ALTERNATIVE
from tests.support.cdk_app import ROOT, make_app

TEXT = (ROOT / RUNBOOK).read_text()
ALARMS_SECTION = TEXT.split("## Alarms", 1)[1].split("\n## ", 1)[0]
DOCUMENTED = re.findall(r"^### (\S+)$", ALARMS_SECTION, flags=re.MULTILINE)


def alarm_ids(stage, overrides=None):
    """The construct ids of every CloudWatch alarm in the synthesized stack."""
    stack = make_app(stage, overrides).node.find_child(f"chatmod-{stage}")
    return [c.node.id for c in stack.node.find_all() if isinstance(c, cloudwatch.Alarm)]


@pytest.mark.parametrize(
    ("stage", "overrides"), [("dev", None), ("prod", None), ("alt", ALTERNATIVE)]
)
def test_every_alarm_has_a_runbook_section_and_no_section_is_stale(stage, overrides):
    alarms = alarm_ids(stage, overrides)

    assert sorted(DOCUMENTED) == sorted(alarms)


def test_each_alarm_description_links_its_section(dev_template):
    alarms = dev_template.find_resources("AWS::CloudWatch::Alarm")
    anchors = {name.lower() for name in DOCUMENTED}

    for alarm in alarms.values():
        description = alarm["Properties"]["AlarmDescription"]
        link = re.search(r"Runbook: docs/runbook\.md#(\w+)$", description)
        assert link is not None, description
        assert link[1] in anchors


def test_the_runbook_covers_the_procedures_on_call_needs():
    for heading in (
        "### Drain or redrive the DLQ",
        "### Unban a user",
        "### Rotate the Ably API key without downtime",
        "### The Ably key chatmod needs",
        "## Troubleshooting",
    ):
        assert heading in TEXT
    assert "make redrive STAGE=" in TEXT
    assert "DELETE /moderation/bans/{clientId}" in TEXT
    for code in ("40141", "40163", "42213"):
        assert code in TEXT


def test_internal_links_point_at_existing_headings():
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", TEXT, flags=re.MULTILINE)
    }
    for target in re.findall(r"\]\(#([\w-]+)\)", TEXT):
        assert target in anchors, target
