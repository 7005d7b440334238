"""Generate ``lambdas/chatmod/moderation/_confusables.py`` from Unicode's confusables.txt.

Usage: ``python -m tools.confusables path/to/confusables.txt`` (UTS #39 security data,
``https://www.unicode.org/Public/security/<version>/confusables.txt``).

Kept: every *letter* (general category L*) outside ASCII whose confusable skeleton is
made only of Latin letters a-z (after case folding), one to three of them, and that
the normaliser's own folding (NFKD, case fold, marks dropped) does not already turn
into that same Latin text.  A capital whose skeleton is ``l`` (it looks like
capital I) becomes ``i``: the matcher compares case-folded text.  Symbols, digits
and punctuation are left out on purpose: the matcher reads those as leetspeak
only inside words, where it has context.
The table is keyed by the original code point (before case folding), because the
skeleton depends on case: Greek capital ETA looks like ``H``, small eta like ``n``.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent
    / "lambdas"
    / "chatmod"
    / "moderation"
    / "_confusables.py"
)
_LINE = re.compile(r"^([0-9A-F ]+);\s*([0-9A-F ]+);\s*MA\b")
_LATIN = re.compile(r"[a-z]{1,3}")


def _plain_fold(ch: str) -> str:
    """What the normaliser makes of ``ch`` without any look-alike table."""
    return "".join(
        c
        for c in unicodedata.normalize("NFKD", ch.casefold())
        if unicodedata.category(c) not in ("Mn", "Me", "Cf")
    ).casefold()


def parse(text: str) -> dict[str, str]:
    """Letter → Latin skeleton, as described in the module docstring."""
    table: dict[str, str] = {}
    for line in text.splitlines():
        m = _LINE.match(line.lstrip("\ufeff"))
        if m is None:
            continue
        source = "".join(chr(int(cp, 16)) for cp in m[1].split())
        target = "".join(chr(int(cp, 16)) for cp in m[2].split()).casefold()
        if len(source) != 1 or source.isascii():
            continue
        if not unicodedata.category(source).startswith("L"):
            continue
        if not _LATIN.fullmatch(target):
            continue
        if _plain_fold(source) == target:
            continue  # NFKD already does it
        if target == "l" and source != source.casefold():
            # UTS #39 skeletons write capital I as "l"; the matcher case-folds, so a
            # capital that looks like I stands for "i".
            target = "i"
        table[source] = target
    return table


def render(table: dict[str, str], version: str, digest: str) -> str:
    lines = [
        '"""Look-alike letters → Latin, generated from Unicode confusables.txt: do not edit.',
        "",
        "Regenerate with ``python -m tools.confusables confusables.txt`` (see that module).",
        '"""',
        "",
        "# ruff: noqa: RUF001",
        "",
        f'SOURCE_VERSION = "{version}"',
        f'SOURCE_SHA256 = "{digest}"',
        "",
        "CONFUSABLES: dict[str, str] = {",
    ]
    for ch in sorted(table):
        name = unicodedata.name(ch, f"U+{ord(ch):04X}")
        # Double quotes, as ruff format writes them (the table is checked in formatted).
        lines.append(f'    "{ch}": "{table[ch]}",  # U+{ord(ch):04X} {name}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    raw = Path(argv[0]).read_bytes()
    text = raw.decode("utf-8")
    version = re.search(r"^# Version: (\S+)", text, re.MULTILINE)
    table = parse(text)
    OUT.write_text(
        render(table, version[1] if version else "unknown", hashlib.sha256(raw).hexdigest()),
        encoding="utf-8",
    )
    print(f"{len(table)} letters written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
