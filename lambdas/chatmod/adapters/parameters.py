"""SSM parameters through Powertools Parameters: secrets decrypted and cached, never logged."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from chatmod.errors import ServiceUnavailableError
from chatmod.policy import RuntimePolicy
from chatmod.settings import Settings


def get_secret(name: str, settings: Settings) -> str:
    """The decrypted value of SecureString ``name``, cached for ``parameter_max_age_seconds``.

    Raises:
        ServiceUnavailableError: SSM could not return it (missing, denied, unreachable).
    """
    try:
        value = parameters.get_parameter(
            name, decrypt=True, max_age=settings.parameter_max_age_seconds
        )
    except GetParameterError as exc:
        # The message names the parameter, never its value.
        raise ServiceUnavailableError(
            f"could not read secret parameter {name}", code="configuration_unavailable"
        ) from exc
    return str(value)


def get_policy(settings: Settings) -> RuntimePolicy:
    """The runtime policy from its String parameter (cached like secrets).

    Raises:
        ServiceUnavailableError: the parameter is unreadable or not a valid policy.
    """
    try:
        raw = parameters.get_parameter(
            settings.policy_parameter, max_age=settings.parameter_max_age_seconds
        )
        return RuntimePolicy.model_validate_json(str(raw))
    except GetParameterError as exc:
        raise ServiceUnavailableError(
            f"could not read policy parameter {settings.policy_parameter}",
            code="configuration_unavailable",
        ) from exc
    except ValueError as exc:
        raise ServiceUnavailableError(
            f"policy parameter {settings.policy_parameter} is not a valid policy: {exc}",
            code="configuration_invalid",
        ) from exc
