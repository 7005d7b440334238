"""Runtime settings, read once from the environment the stack (or local mode) sets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from chatmod.core import constants
from chatmod.core.deployment import Deployment
from chatmod.core.errors import ServiceUnavailableError


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the function's resources are; names only, never secret values.

    Attributes:
        provider_key_parameters: provider name → SSM SecureString name of its API key.
        aws_endpoint_url: set in local mode (moto server); ``None`` on AWS.
        ably_rest_host / ably_tls: the Ably emulator in local mode; Ably's defaults otherwise.
        deployment: the Ably rule's settings and the providers the stage deployed, which
            the policy parameter must agree with; ``None`` where nothing was deployed
            (unit tests), so nothing is checked.
    """

    stage: str
    bans_table: str
    strikes_table: str
    audit_table: str
    idempotency_table: str
    policy_parameter: str
    ably_key_parameter: str
    before_publish_secret_parameter: str
    before_publish_secret_header: str = "authorization"  # noqa: S105 (a header name)
    judged_key_parameter: str = ""
    # The review queue's table; empty where none is deployed (a hold is then a reject).
    reviews_table: str = ""
    # The decision counts' table (the overview); empty where none is deployed.
    counts_table: str = ""
    provider_key_parameters: Mapping[str, str] = field(default_factory=dict)
    ably_rest_host: str | None = None
    ably_tls: bool = True
    aws_endpoint_url: str | None = None
    parameter_max_age_seconds: int = 60
    deployment: Deployment | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``).

        Raises:
            KeyError: a variable the stack always sets is missing (a deployment bug).
        """
        env = os.environ if environ is None else environ
        return cls(
            stage=env.get(constants.ENV_STAGE, "local"),
            bans_table=env[constants.ENV_BANS_TABLE],
            strikes_table=env[constants.ENV_STRIKES_TABLE],
            audit_table=env[constants.ENV_AUDIT_TABLE],
            idempotency_table=env[constants.ENV_IDEMPOTENCY_TABLE],
            policy_parameter=env[constants.ENV_POLICY_PARAMETER],
            ably_key_parameter=env[constants.ENV_ABLY_KEY_PARAMETER],
            before_publish_secret_parameter=env[constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER],
            before_publish_secret_header=env.get(
                constants.ENV_BEFORE_PUBLISH_SECRET_HEADER, "authorization"
            ).lower(),
            judged_key_parameter=env.get(constants.ENV_JUDGED_KEY_PARAMETER, ""),
            reviews_table=env.get(constants.ENV_REVIEWS_TABLE, ""),
            counts_table=env.get(constants.ENV_COUNTS_TABLE, ""),
            provider_key_parameters=_parse_pairs(
                env.get(constants.ENV_PROVIDER_KEY_PARAMETERS, "")
            ),
            ably_rest_host=env.get(constants.ENV_ABLY_REST_HOST) or None,
            ably_tls=env.get(constants.ENV_ABLY_TLS, "true").lower() != "false",
            aws_endpoint_url=env.get(constants.ENV_AWS_ENDPOINT_URL) or None,
            parameter_max_age_seconds=int(env.get(constants.ENV_PARAMETER_MAX_AGE, "60")),
            deployment=(
                Deployment.parse(
                    env[constants.ENV_ABLY_RULE], env.get(constants.ENV_DEPLOYED_PROVIDERS, "")
                )
                if env.get(constants.ENV_ABLY_RULE)
                else None
            ),
        )


def _parse_pairs(value: str) -> dict[str, str]:
    """``"hive=/a,openai=/b"`` → ``{"hive": "/a", "openai": "/b"}``."""
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {name.strip(): param.strip() for name, param in pairs}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read on first use (not at import time).

    Raises:
        ServiceUnavailableError: a variable the stack sets is missing or malformed
            (answered as 503).
    """
    try:
        return Settings.from_env()
    except KeyError as exc:
        raise ServiceUnavailableError(
            f"the function is missing environment variable {exc.args[0]}",
            code="configuration_unavailable",
        ) from exc
    except ValueError as exc:
        raise ServiceUnavailableError(
            f"the function's environment is malformed: {exc}", code="configuration_invalid"
        ) from exc
