"""Every handler test also checks least privilege: each AWS call its handler makes is one the
committed record (``tests/fixtures/iam/observed_calls.json``) holds, and so one that
``tests/infra/test_iam.py`` proves granted.

The record comes from the scenarios in ``tests/support/iam_scenarios.py``; a handler
test reaching a call they do not is a path to add there (then ``make iam-calls``).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from chatmod.core import constants
from tests.support.aws_calls import iam_requests, record_aws_calls
from tests.support.deployment import shared_moto
from tests.support.iam_scenarios import FIXTURE, MODERATING, PROVIDER_KEY, resource_name

#: The function each handler module runs as (``tests/infra/test_stack.py``'s names).
HANDLERS = {
    "token": "token",
    "before_publish": "before-publish",
    "publish": "publish",
    "async_moderation": "async-moderation",
    "moderator": "moderator",
    "ban_stream": "ban-revoker",
}
#: Calls that depend on a stage's providers, which the alternative stage's IAM test covers.
PROVIDER_CALLS = {("ssm:GetParameter", PROVIDER_KEY), ("comprehend:DetectToxicContent", "*")}
#: A test may point a parameter's variable elsewhere: name what it reads by the variable.
PARAMETER_VARIABLES = {
    constants.ENV_POLICY_PARAMETER: "ssm:policy",
    constants.ENV_ABLY_KEY_PARAMETER: "ssm:/chatmod/dev/ably-api-key",
    constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER: "ssm:/chatmod/dev/before-publish-secret",
    constants.ENV_JUDGED_KEY_PARAMETER: "ssm:/chatmod/dev/judged-key",
}


@pytest.fixture(scope="module", autouse=True)
def one_moto_per_module() -> Iterator[None]:
    """One ``mock_aws`` and one set of tables per module; each test still gets a fresh account.

    (``tests.support.deployment.shared_moto``: backends reset, empty tables put back.)
    """
    with shared_moto():
        yield


@pytest.fixture(autouse=True)
def calls_stay_within_the_observed_record(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    observed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    names: dict[str, str] = {}

    def name_of(service: str, physical: str) -> str:
        return names.get(physical) or resource_name(service, physical)

    with record_aws_calls() as recorder:
        for module_name, function in HANDLERS.items():
            module = importlib.import_module(f"chatmod.handlers.{module_name}")
            handler = _recorded(module.lambda_handler, function, recorder, names)
            monkeypatch.setattr(module, "lambda_handler", handler)
        yield
    for function in HANDLERS.values():
        calls = [call for call in recorder.calls if call.function == function]
        allowed = {(a, r) for r, actions in observed[function].items() for a in actions}
        if function in MODERATING:
            allowed |= PROVIDER_CALLS
        unrecorded = iam_requests(calls, name_of) - allowed
        assert not unrecorded, (
            f"{function} called {sorted(unrecorded)}, which {FIXTURE.name} does not hold: "
            "add the path to tests/support/iam_scenarios.py and run `make iam-calls`"
        )


def _recorded(handler: Any, function: str, recorder: Any, names: dict[str, str]) -> Any:
    def lambda_handler(event: Any, context: Any) -> Any:
        for variable, name in PARAMETER_VARIABLES.items():
            if variable in os.environ:
                names[os.environ[variable]] = name
        with recorder.on(function):
            return handler(event, context)

    return lambda_handler
