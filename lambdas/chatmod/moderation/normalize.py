"""Text normalisation for the blocklist: undo obfuscation, keep a map back to the original."""

# The homoglyph table below is made of deliberately confusable characters.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple

from chatmod.moderation._confusables import CONFUSABLES

__all__ = [
    "CONFUSABLES",
    "HOMOGLYPHS",
    "LEET",
    "Folded",
    "Word",
    "collapse_repeats",
    "fold",
    "fold_term",
    "has_repeats",
    "run_lengths",
    "words",
]

# Look-alike letters from other scripts, keyed by their *case-folded* form (looked
# up as typed and again after folding).  These are curated and win over the
# generated CONFUSABLES table (Unicode's confusables.txt, keyed by the original
# letter, so capitals keep their own reading: Greek capital ETA is "h", small eta
# "n"), which covers the rest.  NFKD already handles fullwidth, mathematical, circled and
# super/subscript letters; these are the ones it leaves alone because they are
# distinct letters, not compatibility variants.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "б": "b", "в": "b", "г": "r", "е": "e", "ё": "e", "з": "3", "і": "i",
    "ї": "i", "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o",
    "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "ф": "f", "х": "x", "ц": "u",
    "ч": "4", "ш": "w", "щ": "w", "ь": "b", "ъ": "b", "ы": "bl", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ҡ": "k", "ɡ": "g",
    # Greek (σ/ς are not listed here; fold() still reads both as "o" through Unicode's
    # confusables, whose every entry tests/unit/moderation/test_normalize_tables.py pins)
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "ζ": "z", "η": "n", "ι": "i",
    "κ": "k", "μ": "u", "ν": "v", "ο": "o", "π": "n", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Latin small capitals and IPA letters used as "fancy text"
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h",
    "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p",
    "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    "ɑ": "a", "ı": "i", "ȷ": "j", "ɩ": "i", "ʋ": "u", "ɵ": "o", "ø": "o", "đ": "d",
    "ħ": "h", "ł": "l", "ŧ": "t", "ƒ": "f", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th",
    # Greek beta symbol: confusables.txt reads it as "ß"; in chat it is a "b".
    "ϐ": "b",
}  # fmt: skip

# Characters that render as nothing (or as blank space) but are not Unicode format
# characters (category Cf, which are dropped wholesale): fillers used to split words.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f")

# Leetspeak readings, tried only inside a word that also has a letter or symbol (so a
# plain number like "420" stays a number).  Some characters have several readings;
# the matcher tries each combination.  "*" may stand for a masked vowel or nothing.
LEET: dict[str, tuple[str, ...]] = {
    "0": ("o",), "1": ("i", "l"), "3": ("e",), "4": ("a",), "5": ("s",), "6": ("b", "g"),
    "7": ("t",), "8": ("b",), "9": ("g",), "$": ("s",), "@": ("a",), "!": ("i",),
    "|": ("i", "l"), "+": ("t",), "(": ("c",), "€": ("e",), "£": ("l",), "¢": ("c",),
    "¡": ("i",), "*": ("", "u", "i", "a", "o", "e"),
}  # fmt: skip

# A word is a run of letters/digits plus the symbols above that stand in for letters.
_WORD_RE = re.compile(r"(?:[^\W_]|[$@!|+(€£¢¡*])+")
# Symbols that are leet inside a word but ordinary punctuation at its edges
# ("sh!t" vs "shit!", "(damn)" vs "fu(k", "*bold*" vs "f*ck").
_EDGE_PUNCT = "!|(¡*"
# A gap made only of these (no whitespace) glues the two words around it into one:
# "f.u.c.k", "fu-ck", "sh_it".
_JOINERS = frozenset(".-_~`'^·•:/\\=\"#,")
# Non-ASCII symbols that glue like joiners when they sit between letters with no
# space: emoji (So) and modifier symbols (Sk).  An emoji's variation selector and
# zero-width joiners are already gone (folding drops Mn/Cf).
_SYMBOL_CATEGORIES = frozenset({"So", "Sk"})
_SPACE_GAP_MAX = 4
_MAX_FORMS = 16

_DUP_RE = re.compile(r"(.)\1")

# Per-character fold results, filled lazily; bounded so random input can't grow it
# without limit in a long-lived Lambda container.
_CHAR_CACHE: dict[str, str] = {}
_CHAR_CACHE_MAX = 20_000


def _fold_char(ch: str) -> str:
    """Fold one code point: case-fold, compatibility-decompose, drop marks, map look-alikes."""
    if ch in _INVISIBLE:
        return ""
    # Look the letter up as typed first: case folding can itself change it (the lunate
    # sigma "ϲ" folds to "σ", which is no longer a "c").
    latin = HOMOGLYPHS.get(ch)
    if latin is None:
        latin = CONFUSABLES.get(ch)
    if latin is not None:
        return latin
    out: list[str] = []
    # Case-fold first: folding can itself produce combining marks ("İ" -> "i̇").
    for c in unicodedata.normalize("NFKD", ch.casefold()):
        cat = unicodedata.category(c)
        # Mn/Me: accents, variation selectors; Cf: zero-width space/joiners, bidi
        # controls, soft hyphen. All are invisible in the rendered word.
        if cat in ("Mn", "Me", "Cf") or c in _INVISIBLE:
            continue
        c = c.casefold()
        # Also after decomposition: "آ" is alef + madda, and alef is a look-alike.
        out.append(HOMOGLYPHS.get(c) or CONFUSABLES.get(c, c))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus, for each of its characters, the span of the original it came from.

    ``starts``/``ends`` are ``None`` when folding was one-to-one (pure ASCII input),
    meaning folded index ``i`` is original span ``(i, i + 1)``.
    """

    text: str
    original_length: int
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the folded span ``[start, end)`` (non-empty) back to the original text.

        Args:
            start: First folded index, ``0 <= start < end``.
            end: One past the last folded index, ``end <= len(self.text)``.

        Returns:
            ``(orig_start, orig_end)`` covering every original character that produced
            a folded character in the span (plus invisible characters folded into them).

        Raises:
            IndexError: if the span is empty or out of range.
        """
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"bad folded span {start}:{end}")
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def offsets(self) -> list[tuple[int, int]]:
        """Return the original span of every folded character, in order.

        Returns:
            One ``(start, end)`` pair per character of ``self.text``; both coordinates are
            non-decreasing and ``start < end``.
        """
        if self.starts is None or self.ends is None:
            return [(i, i + 1) for i in range(len(self.text))]
        return list(zip(self.starts, self.ends, strict=True))


def fold(text: str) -> Folded:
    """Fold ``text`` for matching: NFKC/NFKD compatibility forms, case, accents, look-alikes.

    Zero-width and other invisible characters are removed (their span is absorbed by
    the preceding folded character so a masked word covers them too).  Leetspeak,
    separators and repeated letters are *not* handled here: they need word context
    (see :func:`words`).

    Args:
        text: Any string.

    Returns:
        The folded text with its offset map back to ``text``.
    """
    if text.isascii():
        # Fast path for the common case: lower() is the case fold for ASCII and maps
        # each character to exactly one character, so offsets are the identity.
        return Folded(text.lower(), len(text))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cache = _CHAR_CACHE
    for i, ch in enumerate(text):
        f = cache.get(ch)
        if f is None:
            f = _fold_char(ch)
            if len(cache) < _CHAR_CACHE_MAX:
                cache[ch] = f
        if len(f) == 1:
            out.append(f)
            starts.append(i)
            ends.append(i + 1)
        elif not f:
            if ends:
                ends[-1] = i + 1
        else:
            # One character that expands ("ß" -> "ss", "ﬁ" -> "fi"): every piece maps
            # to the whole original character.
            for piece in f:
                out.append(piece)
                starts.append(i)
                ends.append(i + 1)
    return Folded("".join(out), len(text), tuple(starts), tuple(ends))


def fold_term(term: str) -> list[str]:
    """Fold a blocklist/allowlist term into its words (letters and digits only).

    Args:
        term: A term as written in a list, e.g. ``"Blow-job"`` or ``"kill yourself"``.

    Returns:
        The folded words, e.g. ``["blow", "job"]``; empty if the term has no letters or
        digits.
    """
    return re.findall(r"[^\W_]+", fold(term).text)


def collapse_repeats(s: str) -> str:
    """Collapse every run of a repeated character to one (``"fuuuck"`` -> ``"fuck"``).

    Args:
        s: Folded word.

    Returns:
        ``s`` with each maximal run of one character replaced by a single character.
    """
    # A plain loop: several times faster than re.sub(r"(.)\1+", ...) on short words.
    out: list[str] = []
    prev = ""
    for ch in s:
        if ch != prev:
            out.append(ch)
            prev = ch
    return "".join(out)


def run_lengths(s: str) -> tuple[int, ...]:
    """Return the lengths of the runs of repeated characters in ``s``.

    Args:
        s: Folded word.

    Returns:
        One length per run, e.g. ``"assss"`` -> ``(1, 4)``.
    """
    return tuple(sum(1 for _ in g) for _, g in groupby(s))


def has_repeats(s: str) -> bool:
    """Return whether ``s`` has two equal adjacent characters.

    Args:
        s: Folded word.

    Returns:
        True if collapsing repeats would change ``s``.
    """
    return _DUP_RE.search(s) is not None


class Word(NamedTuple):
    """A word of the folded text with every spelling it may stand for.

    ``start``/``end`` index the folded text; ``forms`` are the candidate readings
    (the word itself, or its leetspeak readings); ``gap`` is how it is separated from
    the previous word: ``"join"`` (only joiner punctuation, e.g. ``f.u``), ``"space"``
    (whitespace, maybe with joiners), ``"stop"`` (whitespace with a full stop, which
    ends a phrase but not a spelled-out word: ``f . u``) or ``"break"`` (anything
    else, or first word);
    ``gap_width`` is the gap's length in characters (0 for the first word).
    """

    start: int
    end: int
    forms: tuple[str, ...]
    gap: str
    gap_width: int = 0


def _leet_forms(w: str) -> tuple[str, ...]:
    """All readings of a word containing leet characters, at most ``_MAX_FORMS`` of them."""
    forms = [""]
    for ch in w:
        opts = LEET.get(ch)
        if opts is None:
            forms = [f + ch for f in forms]
        elif len(forms) * len(opts) <= _MAX_FORMS:
            forms = [f + o for f in forms for o in opts]
        else:
            # Too many combinations: keep only the most likely reading here.
            forms = [f + opts[0] for f in forms]
    # dict.fromkeys: de-duplicate while keeping the preferred order.
    return tuple(dict.fromkeys(forms))


def _is_symbol(c: str) -> bool:
    """Emoji and other pictographs (So) or modifier symbols (Sk): "f🔥u🔥c🔥k"."""
    return not c.isascii() and unicodedata.category(c) in _SYMBOL_CATEGORIES


def _gap_kind(gap: str) -> str:
    if gap == " ":
        return "space"
    if not gap or len(gap) > _SPACE_GAP_MAX:
        return "break"
    spaced = False
    for c in gap:
        if c.isspace():
            spaced = True
        elif c not in _JOINERS and not _is_symbol(c):
            return "break"
    if not spaced:
        return "join"
    # "zip. Zap" ends a sentence; "f . u . c . k" is still one spelled-out word.
    return "stop" if "." in gap else "space"


def words(folded: str) -> list[Word]:
    """Split folded text into words and read their leetspeak.

    Edge punctuation that doubles as leet (``!``, ``|``, ``*``…) is stripped from the
    ends of a word.  A word that contains leet characters and at least one non-digit
    gets every reading (``"$h1t"`` -> ``("shit", "shlt")``); an all-digit word is a
    number and is left alone.

    Args:
        folded: Output of :func:`fold` (``Folded.text``).

    Returns:
        The words in order, each with its gap to the previous word.
    """
    out: list[Word] = []
    prev_end = -1
    for m in _WORD_RE.finditer(folded):
        start, end = m.span()
        w = m.group()
        if w[0] in _EDGE_PUNCT or w[-1] in _EDGE_PUNCT:
            stripped = w.lstrip(_EDGE_PUNCT)
            start += len(w) - len(stripped)
            w = stripped.rstrip(_EDGE_PUNCT)
            if not w:
                continue
            end = start + len(w)
        if prev_end < 0:
            gap, width = "break", 0
        else:
            gap, width = _gap_kind(folded[prev_end:start]), start - prev_end
        prev_end = end
        if w.isalpha() or w.isdigit():
            # Plain word or plain number: the common case, no leet readings.
            forms: tuple[str, ...] = (w,)
        else:
            forms = _leet_forms(w)
        out.append(Word(start, end, forms, gap, width))
    return out
