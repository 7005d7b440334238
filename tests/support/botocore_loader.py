"""One botocore data loader for every boto3 session the test process makes.

Each ``mock_aws()`` starts with no default boto3 session (moto patches
``boto3.DEFAULT_SESSION``), and each new session builds a loader of its own, which parses
botocore's JSON models (DynamoDB's, SSM's, the endpoint rules) again: a third of a second
for a test that starts a mock, a fifth of the unit and handler suites in all. Within one
session botocore already hands every client the same parsed models (the loader's
``instance_cache``); sharing the loader extends exactly that across sessions. A Lambda
container has one session, so nothing here changes what the handlers do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session
from botocore.loaders import Loader, create_loader


class _PathsOnce(list[str]):
    """Search paths that take each path once (boto3 appends its own on every session)."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


@contextmanager
def one_loader() -> Iterator[Loader]:
    """Inside this block, every botocore session with the default data path shares a loader."""
    shared = create_loader()
    shared._search_paths = _PathsOnce(shared.search_paths)  # (see _PathsOnce)
    original = botocore.session.Session._register_data_loader

    def register(session: Any) -> None:
        def loader() -> Loader:
            path = session.get_config_variable("data_path")
            return create_loader(path) if path else shared  # (a path of its own: its own)

        session._components.lazy_register_component("data_loader", loader)

    botocore.session.Session._register_data_loader = register  # type: ignore[method-assign]
    try:
        yield shared
    finally:
        botocore.session.Session._register_data_loader = original  # type: ignore[method-assign]
