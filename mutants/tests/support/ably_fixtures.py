"""Pytest fixtures that start and stop the loopback Ably stub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.ably_stub import AblyStub


@pytest.fixture
def ably_stub() -> Iterator[AblyStub]:
    """A started ``AblyStub`` on 127.0.0.1 and an ephemeral port, stopped afterwards."""
    with AblyStub() as stub:
        yield stub
