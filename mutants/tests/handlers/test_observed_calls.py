"""The committed record of each handler's AWS calls is what the handlers do today."""

from __future__ import annotations

import json

from tests.support.iam_scenarios import FIXTURE, SCENARIOS, observe, render


def test_the_observed_calls_fixture_is_current():
    # tests/infra/test_iam.py compares this file with the IAM policies both ways:
    # a handler that starts (or stops) calling something must update it.
    observed = render(observe())

    assert set(json.loads(observed)) == set(SCENARIOS)
    assert FIXTURE.read_text(encoding="utf-8") == observed, (
        f"{FIXTURE.name} is stale: run `make iam-calls` and review the diff"
    )
