"""The custom terms as the functions read them: cached for the parameters' age.

One ``BatchGetItem`` of one item per container per ``parameter_max_age_seconds`` (60 s
deployed, 2 s locally) — not per message. When it cannot be read, the last terms read
are kept (none, in a container that never read them) and the read is tried again after
the same age, so a slow table costs one bounded wait per age, not one per message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final

from chatmod.adapters.ban_store import BanStore
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError
from chatmod.core.observability import logger
from chatmod.core.settings import Settings
from chatmod.enforcement.custom_terms import CustomTerms

#: The most a read may take before the message goes on with the terms it has.
READ_BUDGET_S: Final = 0.5

#: The clock the cache runs on (monotonic seconds); tests replace it.
clock: Callable[[], float] = time.monotonic

_cache: dict[str, tuple[float, CustomTerms]] = {}
_lock = threading.Lock()


def get_custom_terms(
    store: BanStore, settings: Settings, *, deadline: Deadline | None = None
) -> CustomTerms:
    """The current custom terms, read at most once per cache age."""
    key = settings.strikes_table
    now = clock()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < settings.parameter_max_age_seconds:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is not None and now - cached[0] < settings.parameter_max_age_seconds:
            return cached[1]
        budget = (deadline or Deadline(READ_BUDGET_S)).within(READ_BUDGET_S)
        try:
            terms = store.custom_terms(deadline=budget)
        except ChatmodError as error:
            logger.warning(
                "custom terms unreadable: keeping the last read", extra={"error": error.code}
            )
            terms = cached[1] if cached is not None else CustomTerms()
        _cache[key] = (now, terms)
        return terms


def reset_custom_terms_cache() -> None:
    """Forget the cached terms (tests; local mode after a change)."""
    with _lock:
        _cache.clear()
