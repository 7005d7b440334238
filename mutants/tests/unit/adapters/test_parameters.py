"""SSM reads: the last good value is served through a brown-out, and failed reads back off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from chatmod.adapters import parameters
from chatmod.core.errors import ServiceUnavailableError
from chatmod.core.settings import Settings

NAME = "/chatmod/test/ably-key"
SETTINGS = Settings(
    stage="test",
    bans_table="bans",
    strikes_table="strikes",
    audit_table="audit",
    idempotency_table="idempotency",
    policy_parameter="/chatmod/test/policy",
    ably_key_parameter=NAME,
    before_publish_secret_parameter="/chatmod/test/before-publish-secret",
)


class FakeSSM:
    """Powertools' SSMProvider as the reader uses it: answers, or fails, and counts."""

    def __init__(self) -> None:
        self.value = "good"
        self.failing = False
        self.calls = 0

    def get(self, name: str, **_: Any) -> str:
        self.calls += 1
        if self.failing:
            raise GetParameterError("ThrottlingException: Rate exceeded")
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSSM]:
    parameters.reset_parameter_cache()
    fake = FakeSSM()
    monkeypatch.setattr(parameters, "_provider", fake)
    yield fake
    parameters.reset_parameter_cache()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(parameters, "clock", fake)
    # The upper end of each back-off window, so the boundaries below are exact.
    monkeypatch.setattr(parameters.random, "uniform", lambda low, high: high)
    return fake


def read() -> str:
    return parameters.get_secret(NAME, SETTINGS)


def test_given_ssm_fails_after_a_good_read_then_one_attempt_per_back_off_not_per_request(
    ssm: FakeSSM, clock: Clock
) -> None:
    assert read() == "good"
    ssm.failing = True

    answers = [read() for _ in range(50)]

    # Defect: every request retried SSM (1.5 s each in a brown-out) and fed the throttling.
    assert answers == ["good"] * 50
    assert ssm.calls == 2  # the good read, then one failed attempt


def test_given_the_back_off_ends_then_ssm_is_tried_again_and_the_wait_doubles(
    ssm: FakeSSM, clock: Clock
) -> None:
    read()
    ssm.failing = True
    read()  # fails: back off 1 s
    clock.now += parameters.BACKOFF_MIN_S - 0.001
    read()
    assert ssm.calls == 2
    clock.now += 0.001
    read()  # tried again, fails again: back off 2 s
    assert ssm.calls == 3
    clock.now += 2 * parameters.BACKOFF_MIN_S - 0.001
    read()
    assert ssm.calls == 3
    clock.now += 0.001
    read()
    assert ssm.calls == 4


def test_given_ssm_recovers_then_the_new_value_is_read_and_the_back_off_resets(
    ssm: FakeSSM, clock: Clock
) -> None:
    read()
    ssm.failing = True
    for _ in range(4):  # back-offs of 1, 2, 4, 8 s
        read()
        clock.now += 60
    ssm.failing, ssm.value = False, "rotated"

    assert read() == "rotated"
    ssm.failing = True
    read()
    clock.now += parameters.BACKOFF_MIN_S  # the first back-off again, not the 16 s one
    read()
    assert ssm.calls == 8


def test_given_the_back_off_never_exceeds_its_cap(ssm: FakeSSM, clock: Clock) -> None:
    read()
    ssm.failing = True
    for _ in range(20):
        read()
        clock.now += parameters.BACKOFF_MAX_S
    calls = ssm.calls

    clock.now += parameters.BACKOFF_MAX_S
    read()

    assert ssm.calls == calls + 1


def test_given_nothing_was_ever_read_then_503_and_later_requests_fail_fast_without_ssm(
    ssm: FakeSSM, clock: Clock
) -> None:
    ssm.failing = True
    with pytest.raises(ServiceUnavailableError) as first:
        read()
    with pytest.raises(ServiceUnavailableError) as second:
        read()

    assert first.value.code == second.value.code == "configuration_unavailable"
    assert NAME not in first.value.message
    assert ssm.calls == 1


def test_given_a_failed_read_then_one_warning_per_attempt_naming_the_back_off(
    ssm: FakeSSM, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    read()
    ssm.failing = True
    caplog.clear()

    for _ in range(10):
        read()

    (warning,) = [r for r in caplog.records if "SSM unavailable" in r.getMessage()]
    assert warning.backoffSeconds == parameters.BACKOFF_MIN_S  # type: ignore[attr-defined]
