"""``make secrets STAGE=dev``: put the SecureString parameters a stage needs, values never shown.

The names come from the stage's ``secrets`` settings in cdk.json. Each value is
read from the environment or, when absent, prompted for without echo; the
before-publish secret is generated when left empty, and the judged key (which
signs ``x-chatmod-judged``; Ably never sees it) is always generated unless given.
A parameter that already exists is kept unless ``--overwrite`` is given.

Environment variables: ``CHATMOD_ABLY_API_KEY``, ``CHATMOD_BEFORE_PUBLISH_SECRET``,
``CHATMOD_JUDGED_KEY`` and ``CHATMOD_<PROVIDER>_API_KEY`` (e.g. ``CHATMOD_HIVE_API_KEY``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import secrets
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stacks.config import PLACEHOLDER, ConfigError, StageConfig
from tools.stage import load_config, session

# appId.keyId:secret — what the Ably dashboard shows as the "API key".
ABLY_KEY_SHAPE = re.compile(r"^(?P<app>[A-Za-z0-9_-]+)\.(?P<key>[A-Za-z0-9_-]+):(?P<secret>\S+)$")
#: Bytes of randomness in a generated before-publish secret (43 URL-safe characters).
GENERATED_SECRET_BYTES = 32
MIN_SECRET_LENGTH = 16


class SecretsError(ValueError):
    """A value has the wrong shape; the message names the parameter, never the value."""


@dataclass(frozen=True)
class Secret:
    """One SecureString parameter the stage reads."""

    parameter: str
    label: str
    env: str
    generate: bool = False
    #: False: never asked for; generated unless its environment variable gives it.
    ask: bool = True


def required_secrets(config: StageConfig) -> list[Secret]:
    """Every SecureString the stage's functions read, in the order they are asked for."""
    names = config.secrets
    wanted = [
        Secret(names.ably_api_key, "Ably API key (appId.keyId:secret)", "CHATMOD_ABLY_API_KEY"),
        Secret(
            names.before_publish_secret,
            "before-publish secret (empty: generate one)",
            "CHATMOD_BEFORE_PUBLISH_SECRET",
            generate=True,
        ),
        Secret(
            names.judged_key_parameter,
            "judged key (signs x-chatmod-judged)",
            "CHATMOD_JUDGED_KEY",
            generate=True,
            ask=False,
        ),
    ]
    for provider, parameter in sorted(names.provider_keys.items()):
        env = f"CHATMOD_{re.sub(r'[^A-Z0-9]', '_', provider.upper())}_API_KEY"
        wanted.append(Secret(parameter, f"{provider} API key", env))
    return wanted


def check_value(secret: Secret, value: str, config: StageConfig) -> None:
    """Refuse values that cannot work, before anything is written.

    Raises:
        SecretsError: an Ably key not shaped ``appId.keyId:secret`` or of another app,
            or a before-publish secret too short to resist guessing.
    """
    if secret.parameter == config.secrets.ably_api_key:
        match = ABLY_KEY_SHAPE.match(value)
        if match is None:
            raise SecretsError(
                f"{secret.parameter}: an Ably API key looks like appId.keyId:secret "
                "(copy it from the app's API Keys tab)"
            )
        app_id = config.ably.app_id
        if PLACEHOLDER not in app_id and match["app"] != app_id:
            raise SecretsError(
                f"{secret.parameter}: the key belongs to app {match['app']!r}, but cdk.json's "
                f"ably.appId is {app_id!r}"
            )
    elif secret.generate and len(value) < MIN_SECRET_LENGTH:
        raise SecretsError(
            f"{secret.parameter}: use at least {MIN_SECRET_LENGTH} characters (or leave it "
            "empty to generate one)"
        )
    elif not value:
        raise SecretsError(f"{secret.parameter}: a value is required")


def put_secrets(
    config: StageConfig,
    stage: str,
    ssm: Any,
    *,
    environ: Mapping[str, str],
    prompt: Callable[[str], str],
    overwrite: bool = False,
    out: Callable[[str], None] = print,
) -> dict[str, str]:
    """Put each missing (or, with ``overwrite``, every) parameter; report what happened.

    Returns:
        parameter name → ``created``, ``overwritten`` or ``kept``.

    Raises:
        SecretsError: a value has the wrong shape (nothing after it is written).
    """
    results: dict[str, str] = {}
    # Every value is read and checked before the first write: a typo writes nothing.
    pending: list[tuple[Secret, str, bool]] = []
    for secret in required_secrets(config):
        exists = _exists(ssm, secret.parameter)
        if exists and not overwrite:
            results[secret.parameter] = "kept"
            out(f"kept     {secret.parameter} (exists; --overwrite replaces it)")
            continue
        value = environ.get(secret.env) or (
            prompt(f"{secret.label} for {secret.parameter}: ") if secret.ask else ""
        )
        value = value.strip()
        if not value and secret.generate:
            value = secrets.token_urlsafe(GENERATED_SECRET_BYTES)
            out(f"generated a {secret.label.split(' (')[0]} for {secret.parameter}")
        check_value(secret, value, config)
        pending.append((secret, value, exists))
    for secret, value, exists in pending:
        request: dict[str, Any] = {
            "Name": secret.parameter,
            "Value": value,
            "Type": "SecureString",
            "Overwrite": exists,
            "Description": f"chatmod {stage}: {secret.label.split(' (')[0]}",
        }
        if config.secrets.kms_key_arn:
            request["KeyId"] = config.secrets.kms_key_arn
        if not exists:  # SSM refuses tags together with Overwrite.
            request["Tags"] = [{"Key": "chatmod:stage", "Value": stage}]
        version = ssm.put_parameter(**request)["Version"]
        results[secret.parameter] = "overwritten" if exists else "created"
        out(f"{results[secret.parameter]:<8} {secret.parameter} (SecureString, version {version})")
    if results.get(config.secrets.before_publish_secret) == "overwritten":
        out(
            "the before-publish secret changed: run `make ably-rules` so an HTTP rule sends "
            "the new one"
        )
    return results


def _exists(ssm: Any, name: str) -> bool:
    try:
        ssm.get_parameter(Name=name)  # no decryption: only whether it exists
    except ssm.exceptions.ParameterNotFound:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make secrets", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--overwrite", action="store_true", help="replace existing parameters")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.stage)
        ssm = session(config).client("ssm")
        put_secrets(
            config,
            args.stage,
            ssm,
            environ=os.environ,
            prompt=getpass.getpass,
            overwrite=args.overwrite,
        )
    except (ConfigError, SecretsError) as exc:
        print(f"chatmod secrets: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
