"""Lambda entry points: one thin module per function.

Importing any of them registers the SnapStart restore hooks first (``chatmod.core.snapstart``).
"""

from chatmod.core.snapstart import register_restore_hooks

register_restore_hooks()
