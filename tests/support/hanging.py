"""A call that hangs like an unresponsive endpoint, released when its test ends.

A fake that sleeps outlives its test on the shared pool's threads (``adapters.aws``)
and in the next tests' timings; this one blocks until the test is over, then returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

#: The longest a hung call can block if its test never ends normally.
CAP_S = 30.0


@pytest.fixture
def hang() -> Iterator[Callable[..., Any]]:
    """``hang(*args, **kwargs)`` blocks until the test ends (then returns ``None``)."""
    released = threading.Event()

    def block(*_: Any, **__: Any) -> Any:
        released.wait(CAP_S)

    yield block
    released.set()
