"""After a SnapStart restore, random draws (ably's token nonces) differ between environments."""

from __future__ import annotations

import random
import sys
import types

from chatmod.core import snapstart


def test_the_restore_hook_is_registered_where_the_runtime_offers_it(monkeypatch):
    registered = []
    hooks = types.ModuleType("snapshot_restore_py")
    hooks.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)

    assert snapstart.register_restore_hooks() is True
    assert registered == [snapstart.reseed_random]


def test_without_the_runtime_library_nothing_is_registered(monkeypatch):
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)

    assert snapstart.register_restore_hooks() is False


def test_two_environments_restored_from_one_state_draw_differently_after_the_hook():
    snapshot = random.getstate()
    random.setstate(snapshot)
    snapstart.reseed_random()
    first = [random.random() for _ in range(4)]
    random.setstate(snapshot)
    snapstart.reseed_random()
    second = [random.random() for _ in range(4)]

    assert first != second
