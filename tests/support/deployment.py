"""A chatmod deployment inside moto: the tables, parameters and environment the stack creates.

Creating the tables through boto3 costs ~0.4-1 s (botocore loads the DynamoDB
model again for every fresh ``mock_aws``), which handler tests paid once each. Inside
``shared_moto()`` (a module-scoped fixture in ``tests/handlers/conftest.py``) one
``mock_aws`` stays on and the tables are created once; each ``moto_deployment`` then
resets every moto backend, exactly as a new ``mock_aws`` would, and puts back empty
copies of the tables as created: every test still starts from a fresh account.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.dynamodb.models import dynamodb_backends

from chatmod.adapters import aws
from chatmod.adapters.ably.client import reset_gateway
from chatmod.adapters.custom_terms import reset_custom_terms_cache
from chatmod.adapters.parameters import reset_parameter_cache
from chatmod.core import constants
from chatmod.core.policy import RuntimePolicy
from chatmod.core.runtime import reset_runtime
from chatmod.core.settings import get_settings
from tests.support.ably_stub import FAKE_API_KEY
from tests.support.dynamodb import (
    AUDIT_TABLE,
    BANS_TABLE,
    COUNTS_TABLE,
    IDEMPOTENCY_TABLE,
    REVIEWS_TABLE,
    STRIKES_TABLE,
    ChatmodTables,
    create_tables,
)

POLICY_PARAMETER = "/chatmod/test/policy"
ABLY_KEY_PARAMETER = "/chatmod/test/ably-key"
BEFORE_PUBLISH_SECRET_PARAMETER = "/chatmod/test/before-publish-secret"
BEFORE_PUBLISH_SECRET = "test-before-publish-secret-0123456789"
JUDGED_KEY_PARAMETER = "/chatmod/test/judged-key"
JUDGED_KEY = "test-judged-key-9876543210-abcdefghij"


def environment(**overrides: str) -> dict[str, str]:
    """The environment variables the stack sets on every function."""
    return {
        constants.ENV_STAGE: "test",
        constants.ENV_BANS_TABLE: BANS_TABLE,
        constants.ENV_STRIKES_TABLE: STRIKES_TABLE,
        constants.ENV_AUDIT_TABLE: AUDIT_TABLE,
        constants.ENV_IDEMPOTENCY_TABLE: IDEMPOTENCY_TABLE,
        constants.ENV_REVIEWS_TABLE: REVIEWS_TABLE,
        constants.ENV_COUNTS_TABLE: COUNTS_TABLE,
        constants.ENV_POLICY_PARAMETER: POLICY_PARAMETER,
        constants.ENV_ABLY_KEY_PARAMETER: ABLY_KEY_PARAMETER,
        constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER: BEFORE_PUBLISH_SECRET_PARAMETER,
        constants.ENV_JUDGED_KEY_PARAMETER: JUDGED_KEY_PARAMETER,
        **overrides,
    }


def reset_process_state() -> None:
    """Forget everything a warm container caches: settings, parameters, clients, runtime."""
    get_settings.cache_clear()
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()
    reset_parameter_cache()
    reset_custom_terms_cache()
    reset_gateway()
    aws.forget_clients()
    reset_runtime()


def put_parameters(
    *,
    policy: RuntimePolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    endpoint_url: str | None = None,
) -> None:
    """The policy String and the SecureStrings an operator creates before deploying."""
    ssm = boto3.client("ssm", endpoint_url=endpoint_url)
    ssm.put_parameter(
        Name=POLICY_PARAMETER,
        Value=(policy or RuntimePolicy()).to_json(),
        Type="String",
        Overwrite=True,
    )
    values = {
        ABLY_KEY_PARAMETER: FAKE_API_KEY,
        BEFORE_PUBLISH_SECRET_PARAMETER: BEFORE_PUBLISH_SECRET,
        JUDGED_KEY_PARAMETER: JUDGED_KEY,
        **(secrets or {}),
    }
    for name, value in values.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


class SharedMoto:
    """One ``mock_aws`` kept on for many tests, with the tables created once.

    ``fresh()`` gives a test the account a new ``mock_aws`` plus ``create_tables()``
    would: every backend reset (moto's own reset), then the tables put back as
    empty deep copies of the ones created at the start (keys, index, TTL).
    Moto's internals used here (``BackendDict.reset``, the backend's ``tables``)
    are those its own ``mock_aws`` start and DynamoDB backups use; moto is pinned.
    """

    def __init__(self) -> None:
        self._mock = mock_aws()
        self._pristine: dict[str, Any] = {}
        self._tables: ChatmodTables | None = None

    def start(self) -> None:
        """Start the mock and create the tables (once)."""
        self._mock.start()
        tables = create_tables()
        # Every table create_tables() made: a table added there is reset here too.
        for field in dataclasses.fields(tables):
            table = getattr(tables, field.name)
            model = _table_model(table.name)
            self._pristine[table.name] = copy.deepcopy(model)
        self._tables = tables

    def stop(self) -> None:
        """Stop the mock (its data goes with it)."""
        self._mock.stop()

    def fresh(self) -> ChatmodTables:
        """A fresh account holding only the empty tables."""
        assert self._tables is not None, "SharedMoto.start() first"
        BackendDict.reset()
        for name, model in self._pristine.items():
            backend = dynamodb_backends[model.account_id][model.region_name]
            backend.tables[name] = copy.deepcopy(model)
        return self._tables


def _table_model(name: str) -> Any:
    for per_account in dynamodb_backends.values():
        for backend in per_account.values():
            if name in backend.tables:
                return backend.tables[name]
    raise LookupError(f"moto holds no table {name}")


_shared: SharedMoto | None = None


@contextmanager
def shared_moto() -> Iterator[SharedMoto]:
    """Inside this block, ``moto_deployment`` reuses one mock and its tables (see above)."""
    global _shared
    if _shared is not None:
        raise RuntimeError("shared_moto() is already active")
    shared = SharedMoto()
    shared.start()
    _shared = shared
    try:
        yield shared
    finally:
        _shared = None
        shared.stop()


@contextmanager
def moto_deployment(
    monkeypatch: pytest.MonkeyPatch,
    *,
    policy: RuntimePolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    parameters: bool = True,
) -> Iterator[ChatmodTables]:
    """Tables, parameters and environment in ``mock_aws``, with process caches reset around it.

    Inside ``shared_moto()``, the shared mock's fresh account (no table created again).
    ``parameters=False`` leaves SSM empty (the test puts what it needs).
    """
    for name, value in environment(**dict(env or {})).items():
        monkeypatch.setenv(name, value)
    reset_process_state()
    if _shared is not None:
        tables = _shared.fresh()
        if parameters:
            put_parameters(policy=policy, secrets=secrets)
        try:
            yield tables
        finally:
            reset_process_state()
        return
    with mock_aws():
        tables = create_tables()
        if parameters:
            put_parameters(policy=policy, secrets=secrets)
        yield tables
    reset_process_state()
