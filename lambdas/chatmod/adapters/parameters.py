"""SSM parameters through Powertools Parameters: cached, bounded in time, and kept when SSM fails.

Every function reads its policy and its secrets (the Ably key, provider keys, the
before-publish secret) here, with one cache: a value is re-read after
``parameter_max_age_seconds``, so a rotated key or a tuned policy reaches warm
containers within that age. When SSM cannot answer in time, the last good value
is served (and a warning logged), so an SSM outage does not stop moderation; a
policy edited into something invalid is logged and the last valid one kept.
Values are decrypted in memory and never logged.

A failed read backs off: until the back-off (1 s, doubling per failure, at most
60 s, with jitter) is over, the parameter is not asked for again — requests get
the last good value, or fail fast when there is none — so a brown-out costs one
bounded wait per parameter per back-off, not one per request, and a throttled
SSM is not hammered by every request of every container.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Final

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from chatmod.adapters import aws
from chatmod.core.deadline import Deadline
from chatmod.core.deployment import Deployment
from chatmod.core.errors import ServiceUnavailableError
from chatmod.core.observability import logger, metrics
from chatmod.core.policy_runtime import PolicyInvalidError, RuntimePolicy, parse_policy
from chatmod.core.settings import Settings

#: The most one parameter read may take when the caller gives no deadline.
READ_BUDGET_S: Final = 1.5
#: After a failed read, the parameter is not read again for this long, doubling per
#: consecutive failure up to BACKOFF_MAX_S (each wait drawn from its upper half).
BACKOFF_MIN_S: Final = 1.0
BACKOFF_MAX_S: Final = 60.0

#: The clock the back-off runs on (monotonic seconds); tests replace it.
clock: Callable[[], float] = time.monotonic

_provider: SSMProvider | None = None
_last_good: dict[str, str] = {}
_last_valid_policy: dict[str, RuntimePolicy] = {}
_parse_policy_cached: dict[str, RuntimePolicy] = {}
_refusals_logged: set[str] = set()
_refusals_cached: dict[str, list[str]] = {}
# Parameter name → (monotonic time before which it is not read, the current back-off).
_backoff: dict[str, tuple[float, float]] = {}
_lock = threading.Lock()


def get_secret(name: str, settings: Settings, *, deadline: Deadline | None = None) -> str:
    """The decrypted value of SecureString ``name``.

    Raises:
        ServiceUnavailableError: SSM could not return it and no earlier value is known.
    """
    return _read(name, settings, decrypt=True, deadline=deadline, what="secret")


def get_policy(settings: Settings, *, deadline: Deadline | None = None) -> RuntimePolicy:
    """The runtime policy from its String parameter.

    A policy the deployment cannot honour (``core.deployment``: the Ably rule's
    settings changed, or a provider this stage has not deployed) is refused: the
    last good one is served instead.

    Raises:
        ServiceUnavailableError: the parameter is unreadable (and was never read),
            or not a valid policy.
    """
    name = settings.policy_parameter
    raw = _read(name, settings, decrypt=False, deadline=deadline, what="policy")
    try:
        policy = _parse_policy(raw, name)
    except ServiceUnavailableError:
        last = _last_valid_policy.get(name)
        if last is None:
            raise
        # An operator's typo must not stop moderation: keep the policy that worked.
        logger.error("policy parameter is invalid: serving the last valid policy")
        return last
    deployment = settings.deployment
    if deployment is not None:
        # Once per distinct value, as parsing: a warm read compares nothing again.
        refusals = _refusals_cached.get(raw)
        if refusals is None:
            if len(_refusals_cached) > 8:
                _refusals_cached.clear()
            refusals = _refusals_cached[raw] = deployment.refusals(policy)
        if refusals:
            return _refused(name, raw, policy, refusals, deployment)
    _last_valid_policy[name] = policy
    return policy


def _refused(
    name: str, raw: str, policy: RuntimePolicy, refusals: list[str], deployment: Deployment
) -> RuntimePolicy:
    """The policy to serve instead of one the deployment cannot honour.

    The last good policy, or — in a container that never read one — ``policy``
    corrected to the deployment (rule settings as deployed, undeployed providers
    left out), so that no message turns into a 503 over an operator's edit.
    Counted on every read (``PolicyRefused``, alarmed); logged once per value.
    """
    metrics.add_metric(name="PolicyRefused", unit=MetricUnit.Count, value=1)
    last = _last_valid_policy.get(name)
    if raw not in _refusals_logged:
        if len(_refusals_logged) > 8:
            _refusals_logged.clear()
        _refusals_logged.add(raw)
        logger.error(
            "policy parameter refused: it disagrees with what this stage deployed",
            extra={
                "parameter": name,
                "problems": refusals,
                "serving": "the last good policy"
                if last
                else "the policy corrected to the deployment",
            },
        )
    return last if last is not None else deployment.corrected(policy)


def reset_parameter_cache() -> None:
    """Forget cached and last good values (tests; local mode after a change)."""
    global _provider
    with _lock:
        _provider = None
        _last_good.clear()
        _last_valid_policy.clear()
        _parse_policy_cached.clear()
        _refusals_logged.clear()
        _refusals_cached.clear()
        _backoff.clear()


def _read(
    name: str, settings: Settings, *, decrypt: bool, deadline: Deadline | None, what: str
) -> str:
    backing_off = _backoff.get(name)
    if backing_off is not None and clock() < backing_off[0]:
        return _last_good_or_fail(name, what, None)
    # The client is built (once per container) before the read's own budget starts.
    provider = _ssm()
    budget = (deadline or Deadline(READ_BUDGET_S)).within(READ_BUDGET_S)
    try:
        value = str(
            aws.call_within(
                budget,
                provider.get,
                name,
                decrypt=decrypt,
                max_age=settings.parameter_max_age_seconds,
            )
        )
    except (GetParameterError, ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
        delay = _back_off(name)
        return _last_good_or_fail(name, what, exc, delay)
    _last_good[name] = value
    _backoff.pop(name, None)
    return value


def _back_off(name: str) -> float:
    """Start or lengthen ``name``'s back-off after a failed read; the wait chosen."""
    previous = _backoff.get(name)
    ceiling = BACKOFF_MIN_S if previous is None else min(previous[1] * 2, BACKOFF_MAX_S)
    wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not a secret)
    _backoff[name] = (clock() + wait, ceiling)
    return wait


def _last_good_or_fail(
    name: str, what: str, error: BaseException | None, backoff_s: float | None = None
) -> str:
    """The last good value of ``name``; without one, a 503 that names only the kind.

    ``error`` is the failure of a read just attempted (logged), or None while a
    back-off holds reads off (nothing logged: one line per failure, not per request).
    """
    last = _last_good.get(name)
    if error is not None:
        details = {"parameter": name, "error": type(error).__name__, "backoffSeconds": backoff_s}
        if last is None:
            logger.error("SSM parameter unreadable", extra=details)
        else:
            logger.warning("SSM unavailable: serving the last good value", extra=details)
    if last is None:
        # The answer says which kind failed; only the log names the parameter.
        raise ServiceUnavailableError(
            f"could not read the {what} parameter", code="configuration_unavailable"
        ) from error
    return last


def _ssm() -> SSMProvider:
    global _provider
    if _provider is None:
        with _lock:
            if _provider is None:
                # The shared client: a provider left to itself builds a boto3 session of its
                # own, loading botocore's endpoint data again (~40 ms more per cold start).
                _provider = SSMProvider(boto3_client=aws.client("ssm"))
    return _provider


def _parse_policy(raw: str, name: str) -> RuntimePolicy:
    # Parsing is the costly part of a warm read: parse each distinct value once.
    policy = _parse_policy_cached.get(raw)
    if policy is not None:
        return policy
    try:
        policy = parse_policy(raw)
    except PolicyInvalidError as exc:
        logger.error("invalid policy parameter", extra={"parameter": name, "error": str(exc)})
        raise ServiceUnavailableError(
            "the policy parameter is not a valid policy", code="configuration_invalid"
        ) from exc
    if len(_parse_policy_cached) > 8:
        _parse_policy_cached.clear()
    _parse_policy_cached[raw] = policy
    return policy
