"""SnapStart: what must differ between execution environments resumed from one snapshot.

With SnapStart (the stage's ``snapStart``), Lambda initializes a function version once,
snapshots it, and resumes every new execution environment from that snapshot. Anything
drawn from a generator seeded during init would then repeat across environments: the
``random`` module seeds itself when first imported, and ably-python draws the nonce of
every TokenRequest from it. So after each restore ``random`` is reseeded from the OS.
(``secrets``, ``uuid4`` and ``os.urandom`` read the OS at each call; nothing else in
chatmod holds entropy, connections or credentials from init: clients are made lazily.)
"""

from __future__ import annotations


def reseed_random() -> None:
    """Reseed the ``random`` module from the operating system's entropy."""
    # Imported here: only a restore needs it, and not every handler imports it (2-3 ms).
    import random

    random.seed()


def register_restore_hooks() -> bool:
    """Register :func:`reseed_random` to run after every SnapStart restore.

    The hook library (``snapshot_restore_py``) ships with Lambda's Python runtimes;
    elsewhere nothing is registered.

    Returns:
        Whether the hook was registered.
    """
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return False
    register_after_restore(reseed_random)
    return True
