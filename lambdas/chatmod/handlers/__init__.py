"""Lambda entry points: one thin module per function.

Importing any of them registers the SnapStart restore hooks first (``chatmod.snapstart``).
"""

from chatmod.snapstart import register_restore_hooks

register_restore_hooks()
