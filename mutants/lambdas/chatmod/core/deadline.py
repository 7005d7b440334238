"""One deadline type for every budget: a request's, the engine's, a provider call's.

A ``Deadline`` is an instant on the monotonic clock. Callers derive narrower
deadlines from wider ones (``within``), so no call can outlive the request that
made it, and every remote call sizes its timeout from ``remaining()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

#: Lambda needs a moment after the handler returns to serialise the answer.
LAMBDA_MARGIN_S: Final = 0.25


class Deadline:
    """The monotonic instant by which some work must be over."""

    __slots__ = ("_clock", "at")

    def __init__(self, timeout: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        """A deadline ``timeout`` seconds from now on ``clock`` (monotonic seconds)."""
        self._clock = clock
        self.at = clock() + max(0.0, timeout)

    @classmethod
    def for_lambda(cls, context: object, *, cap: float | None = None) -> Deadline:
        """The time a Lambda invocation has left, less a margin, and at most ``cap`` seconds.

        Args:
            context: the Lambda context; anything without
                ``get_remaining_time_in_millis`` (a local call) counts as unbounded.
            cap: the most this request may take, whatever Lambda allows.
        """
        remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
        budget = float("inf") if remaining_ms is None else remaining_ms() / 1000 - LAMBDA_MARGIN_S
        if cap is not None:
            budget = min(budget, cap)
        return cls(budget if budget != float("inf") else 3600.0)

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - self._clock())

    def expired(self) -> bool:
        """Whether no time is left."""
        return self._clock() >= self.at

    def within(self, seconds: float) -> Deadline:
        """A deadline at most ``seconds`` from now and never later than this one."""
        child = Deadline(seconds, clock=self._clock)
        child.at = min(child.at, self.at)
        return child

    def __repr__(self) -> str:
        return f"Deadline(remaining={self.remaining():.3f}s)"
