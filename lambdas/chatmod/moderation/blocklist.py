"""The built-in blocklist provider: local, obfuscation-resistant word and phrase matching."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache, lru_cache

from chatmod.moderation.base import Match, MessageContext, ProviderResult, ProviderTimeoutError
from chatmod.moderation.normalize import (
    LEET,
    Folded,
    Word,
    collapse_repeats,
    fold,
    fold_term,
    has_repeats,
    run_lengths,
    words,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_LANGUAGES",
    "LANGUAGES",
    "BlocklistMatcher",
    "BlocklistProvider",
    "default_matcher",
    "load_default_list",
    "mask",
]

CATEGORIES: frozenset[str] = frozenset(
    {"profanity", "sexual", "hate", "harassment", "violence", "self_harm"}
)
#: The bundled lists, by language code (``moderation/data/blocklist_<code>.json``).
LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it")
#: The languages a policy gets when it names none (see docs/blocklist.md for why all).
DEFAULT_LANGUAGES: tuple[str, ...] = LANGUAGES
# Endings after which an English plural takes "-es" ("bitches", "asses").
_ES_PLURAL_BASES = ("s", "x", "z", "ch", "sh")
_MAX_FORMS = 16
_MAX_JOIN_WORDS = 12
# How often (in words) a long scan looks at the clock.
_DEADLINE_STRIDE = 128


# A word split out of a hashtag or camelCase run must be at least this long
# ("#fuckthis", "#bitchPlease"), and at least moderate: mild words ("hell") and short
# ones are too often the start of an innocent word ("#hellokitty", "#cumbersome").
_COMPOUND_MIN_LEN = 4
_COMPOUND_MIN_SEVERITY = 2
# A masked word ("b**ch", "f**k") needs at least this many visible letters, and no
# more masks than visible letters.
_MASK_MIN_VISIBLE = 2


@dataclass(frozen=True, slots=True)
class _Entry:
    term: str  # as configured, reported in Match.term
    key: str  # folded form, compared with the allowlist
    category: str
    severity: int
    # Also a given name ("Dick"): left alone when written as a name (see _named).
    name: bool = False


# The callback scan() hands its helpers to record a match (folded span, entry).
_Add = Callable[[int, int, _Entry], None]


def _validate(raw: Mapping[str, object], index: int) -> tuple[str | None, str | None, str, int]:
    """Check one config entry; return (term, regex, category, severity)."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"blocklist entry {index}: expected a mapping, got {type(raw).__name__}")
    term, regex = raw.get("term"), raw.get("regex")
    if (term is None) == (regex is None):
        raise ValueError(f"blocklist entry {index}: give exactly one of 'term' or 'regex'")
    text = term if term is not None else regex
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"blocklist entry {index}: term/regex must be a non-empty string")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise ValueError(
            f"blocklist entry {index}: category {category!r} is not one of {sorted(CATEGORIES)}"
        )
    severity = raw.get("severity")
    # bool is an int subclass; True is not a severity.
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 3:
        raise ValueError(f"blocklist entry {index}: severity must be an integer 1..3")
    assert isinstance(category, str)
    if term is not None:
        return text, None, category, severity
    return None, text, category, severity


def _run_ok(typed: int, listed: int) -> bool:
    """Whether a run of ``typed`` copies of a letter may stand for ``listed`` copies.

    Elongation ("fuuuuck") is accepted from three copies up.  A doubled letter is
    not: doubling is ordinary spelling ("annals" is not "anals", "Shiite" is not
    "shite", "looser" is not "loser").
    """
    return typed == listed or (typed > listed and typed >= 3)


class BlocklistMatcher:
    """A compiled blocklist: terms, phrases and regexes, plus an allowlist.

    Matching is whole-word on folded text (see :mod:`chatmod.moderation.normalize`):
    a word matches a term when one of its leetspeak readings equals the term, possibly
    with letters elongated or a plural ``-s``/``-es``; words split by joiner
    punctuation (``f.u.c.k``, ``fu-ck``) or spelled out in single letters
    (``f u c k``) are also tried joined.  Regexes run on the folded text.
    """

    def __init__(
        self,
        entries: Iterable[Mapping[str, object]],
        allowlist: Iterable[str | Mapping[str, object]] = (),
        compound_allow: Iterable[str] = (),
    ) -> None:
        """Compile ``entries`` and ``allowlist``.

        Args:
            entries: ``{"term": str, "category": str, "severity": int}`` or
                ``{"regex": str, ...}``; category one of :data:`CATEGORIES`, severity
                1 (mild) .. 3 (severe).  A term of several words is a phrase; it also
                matches written as one word.
            allowlist: Words never to flag (``str`` or ``{"term": str}``); a match is
                dropped when the word as read, or the term it matched, is listed.  An
                entry of several words ("cum laude") shields only matches inside it.
            compound_allow: Innocent words that start or end with a listed term
                ("cockpit", "peacock", "analysis"): a term found inside a hashtag or
                camelCase run is dropped where one of these overlaps it.

        Raises:
            ValueError: if an entry is malformed or a regex does not compile.
        """
        self._exact: dict[str, _Entry] = {}
        self._by_key: dict[str, list[tuple[tuple[int, ...], _Entry]]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], _Entry]]] = {}
        self._regexes: list[tuple[re.Pattern[str], _Entry]] = []
        self._allow: set[str] = set()
        self._prefixes4: set[str] = set()  # first four letters of each word term
        self._compound_allow: tuple[str, ...] = tuple(
            "".join(fold_term(w)) for w in compound_allow if fold_term(w)
        )
        # (length, first letter) → word keys, for masked words ("b**ch").
        self._by_shape: dict[tuple[int, str], list[str]] = {}
        self._longest_key = 0
        for index, raw in enumerate(entries):
            term, regex, category, severity = _validate(raw, index)
            if regex is not None:
                try:
                    pattern = re.compile(regex)
                except re.error as exc:
                    raise ValueError(f"blocklist entry {index}: bad regex: {exc}") from exc
                self._regexes.append((pattern, _Entry(regex, regex, category, severity)))
                continue
            assert term is not None
            parts = fold_term(term)
            if not parts:
                raise ValueError(f"blocklist entry {index}: term {term!r} has no letters")
            entry = _Entry(term, "".join(parts), category, severity, raw.get("name") is True)
            if len(parts) > 1:
                collapsed = tuple(collapse_repeats(p) for p in parts)
                self._phrases.setdefault(collapsed[0], []).append((collapsed, entry))
            # A phrase also matches written as one word ("blowjob", "kill.yourself").
            self._add_word(entry.key, entry)
        allow_phrases: list[str] = []
        for index, item in enumerate(allowlist):
            word = item.get("term") if isinstance(item, Mapping) else item
            if not isinstance(word, str) or not fold_term(word):
                raise ValueError(f"allowlist entry {index}: expected a word or phrase")
            parts = fold_term(word)
            if len(parts) == 1:
                self._allow.add(parts[0])
            else:
                # "cum laude": the words are innocent only together, so the phrase
                # shields matches inside it rather than allowing "cum" everywhere.
                allow_phrases.append(r"[\W_]+".join(re.escape(p) for p in parts))
        self._allow_phrase_re: re.Pattern[str] | None = (
            re.compile(r"(?<![^\W_])(?:" + "|".join(allow_phrases) + r")(?![^\W_])")
            if allow_phrases
            else None
        )

    def _add_word(self, key: str, entry: _Entry) -> None:
        old = self._exact.get(key)
        if old is not None and old.severity >= entry.severity:
            return
        if old is None:
            self._by_shape.setdefault((len(key), key[0]), []).append(key)
            self._longest_key = max(self._longest_key, len(key))
        self._exact[key] = entry
        if len(key) >= 4:
            self._prefixes4.add(key[:4])
        bucket = self._by_key.setdefault(collapse_repeats(key), [])
        bucket[:] = [(lens, e) for lens, e in bucket if e.key != key]
        bucket.append((run_lengths(key), entry))

    @property
    def size(self) -> int:
        """Number of distinct words, phrases and regexes compiled (for logs and tests)."""
        phrases = sum(len(v) for v in self._phrases.values())
        return len(self._exact) + phrases + len(self._regexes)

    # -- lookup -----------------------------------------------------------------

    def _lookup_exact_or_runs(self, s: str) -> _Entry | None:
        entry = self._exact.get(s)
        if entry is not None or not has_repeats(s):
            return entry
        candidates = self._by_key.get(collapse_repeats(s))
        if not candidates:
            return None
        typed = run_lengths(s)
        for listed, entry in candidates:
            if all(_run_ok(t, n) for t, n in zip(typed, listed, strict=True)):
                return entry
        return None

    def _lookup(self, s: str) -> _Entry | None:
        """The entry the single word ``s`` (already folded and de-leeted) stands for."""
        entry = self._lookup_exact_or_runs(s)
        if entry is not None or len(s) < 4 or s[-1] != "s":
            return entry
        # Plurals.  A final double "ss" is part of the word ("assess", "bass"), not a
        # plural; three or more is elongation ("fuckssss").
        tail = len(s) - len(s.rstrip("s"))
        if tail == 2:
            return None
        base = s[:-tail]
        if len(base) >= 3:
            entry = self._lookup_exact_or_runs(base)
            if entry is not None:
                return entry
        if tail == 1 and base.endswith("e"):
            stem = base[:-1]
            if len(stem) >= 3 and stem.endswith(_ES_PLURAL_BASES):
                return self._lookup_exact_or_runs(stem)
        return None

    def _hit(self, forms: Iterable[str]) -> tuple[_Entry | None, bool]:
        """First entry any of ``forms`` matches; second item: a form was allowlisted."""
        allow = self._allow
        for form in forms:
            if len(form) < 2:
                continue
            if form in allow:
                return None, True
            entry = self._lookup(form)
            if entry is not None:
                if entry.key in allow:
                    return None, True
                return entry, False
        return None, False

    # -- scanning ---------------------------------------------------------------

    def scan(self, text: str, *, deadline: float | None = None) -> tuple[Match, ...]:
        """Find every blocklisted word, phrase or pattern in ``text``.

        Args:
            text: The message as the sender wrote it.
            deadline: Optional ``time.perf_counter()`` value; checked every few hundred
                words on long input.

        Returns:
            Matches with offsets into ``text`` (``text[m.start:m.end]`` is what was
            typed), sorted by ``(start, end)``, without duplicates.

        Raises:
            TimeoutError: if ``deadline`` passed before the scan finished.
        """
        if not text:
            return ()
        folded = fold(text)
        ws = words(folded.text)
        spans: dict[tuple[int, int, str], _Entry] = {}

        def add(start: int, end: int, entry: _Entry) -> None:
            spans[(start, end, entry.term)] = entry

        hit = self._hit
        for i, w in enumerate(ws):
            if deadline is not None and i % _DEADLINE_STRIDE == 0 and i:
                _check(deadline)
            entry, allowed = hit(w.forms)
            if entry is not None:
                if not (entry.name and _named(text, folded, ws, i)):
                    add(w.start, w.end, entry)
            elif not allowed:
                self._scan_evasions(text, folded, w, add)
        if len(ws) > 1:
            if deadline is not None:
                _check(deadline)
            self._scan_joined(ws, add)
            if self._phrases:
                if deadline is not None:
                    _check(deadline)
                self._scan_phrases(ws, add)
        if self._regexes:
            if deadline is not None:
                _check(deadline)
            ft = folded.text
            for pattern, entry in self._regexes:
                for m in pattern.finditer(ft):
                    if m.end() > m.start() and "".join(fold_term(m.group())) not in self._allow:
                        add(m.start(), m.end(), entry)
        if not spans:
            return ()
        if self._allow_phrase_re is not None:
            shields = [m.span() for m in self._allow_phrase_re.finditer(folded.text)]
            spans = {
                k: e
                for k, e in spans.items()
                if not any(a <= k[0] and k[1] <= b for a, b in shields)
            }
            if not spans:
                return ()
        out = []
        for (start, end, _), entry in spans.items():
            o_start, o_end = folded.span(start, end)
            out.append(Match(o_start, o_end, entry.term, entry.category, entry.severity))
        # Folded spans can map onto the same original span (e.g. "ß" -> "ss").
        return tuple(sorted(set(out), key=lambda m: (m.start, m.end, m.term)))

    # -- evasions inside one word ----------------------------------------------

    def _scan_evasions(self, text: str, folded: Folded, w: Word, add: _Add) -> None:
        """Readings of a word that matched nothing as written: masks, ``v`` for ``u``,
        hashtags and camelCase runs."""
        form = w.forms[0]
        # A "*" always gives a word several readings, so one-reading words skip the slice.
        if len(w.forms) > 1 and "*" in (raw := folded.text[w.start : w.end]):
            entry = self._masked(raw)
            if entry is not None:
                add(w.start, w.end, entry)
                return
        if "v" in form:
            # "fvck", "cvnt": a v written for a u (all of them; mixed use is rare).
            entry, _ = self._hit(f.replace("v", "u") for f in w.forms)
            if entry is not None:
                add(w.start, w.end, entry)
                return
        if len(form) <= _COMPOUND_MIN_LEN or not form.isalpha():
            return
        if self._scan_camel(text, folded, w, add):
            return
        if w.start and folded.text[w.start - 1] == "#":
            self._scan_hashtag(form, w.start, add)

    def _masked(self, raw: str) -> _Entry | None:
        """The most severe term a masked word (``b**ch``, ``sh*t``) can stand for.

        Each ``*`` stands for exactly one letter; other leet characters take their
        first reading.  The word must start with a letter and show at least as many
        letters as it masks (so ``f***`` or ``****`` match nothing).
        """
        masks = raw.count("*")
        visible = len(raw) - masks
        if raw[0] == "*" or visible < _MASK_MIN_VISIBLE or masks > visible:
            return None
        pattern = "".join(c if c == "*" else LEET.get(c, (c,))[0] for c in raw)
        best: _Entry | None = None
        for key in self._by_shape.get((len(pattern), pattern[0]), ()):
            if key in self._allow:
                continue
            if all(p in ("*", k) for p, k in zip(pattern, key, strict=True)):
                entry = self._exact[key]
                if best is None or entry.severity > best.severity:
                    best = entry
        return best

    def _compound_hit(self, piece: str) -> _Entry | None:
        if len(piece) < _COMPOUND_MIN_LEN:
            return None
        entry = self._lookup(piece)
        if entry is None or entry.severity < _COMPOUND_MIN_SEVERITY or entry.key in self._allow:
            return None
        return entry

    def _shielded(self, word: str, start: int, end: int) -> bool:
        """Whether an innocent compound ("cockpit") overlaps ``word[start:end]``."""
        for innocent in self._compound_allow:
            at = word.find(innocent)
            while at >= 0:
                if at < end and at + len(innocent) > start:
                    return True
                at = word.find(innocent, at + 1)
        return False

    def _scan_camel(self, text: str, folded: Folded, w: Word, add: _Add) -> bool:
        """Check each part of a camelCase run ("bitchPlease"); True if it had parts."""
        o_start, o_end = folded.span(w.start, w.end)
        original = text[o_start:o_end]
        tail = original[1:]
        if tail == tail.lower():
            return False
        # Folded index of each boundary: an upper-case letter after a lower-case one.
        cuts = [w.start]
        prev_lower = False
        for k in range(w.start, w.end):
            ch = text[folded.span(k, k + 1)[0]]
            if ch.isupper() and prev_lower:
                cuts.append(k)
            prev_lower = ch.islower()
        if len(cuts) == 1:
            return False
        cuts.append(w.end)
        word = folded.text[w.start : w.end]
        for a, b in itertools.pairwise(cuts):
            entry = self._compound_hit(folded.text[a:b])
            if entry is not None and not self._shielded(word, a - w.start, b - w.start):
                add(a, b, entry)
        return True

    def _scan_hashtag(self, word: str, start: int, add: _Add) -> None:
        """Terms at the start or end of a hashtag written in one case (``#bitchplease``)."""
        n = len(word)
        # No term is longer than the longest key (elongated ones aside), so a long
        # hashtag costs O(longest key) lookups, not O(its length).
        longest = min(n - 2, self._longest_key)
        for length in range(longest, _COMPOUND_MIN_LEN - 1, -1):
            entry = self._compound_hit(word[:length])
            if entry is not None and not self._shielded(word, 0, length):
                add(start, start + length, entry)
                break
        for length in range(longest, _COMPOUND_MIN_LEN - 1, -1):
            entry = self._compound_hit(word[n - length :])
            if entry is not None and not self._shielded(word, n - length, n):
                add(start + n - length, start + n, entry)
                break

    def _try_joined(self, ws: list[Word], i: int, j: int, add: _Add) -> None:
        """Try words ``ws[i..j]`` (inclusive) written together as one word."""
        options = [_join_options(w) for w in ws[i : j + 1]]
        forms: list[str] = [""]
        for opts in options:
            if len(forms) * len(opts) <= _MAX_FORMS:
                forms = [f + o for f in forms for o in opts]
            else:
                forms = [f + opts[0] for f in forms]
        entry, _ = self._hit(forms)
        if entry is not None:
            add(ws[i].start, ws[j].end, entry)

    def _scan_joined(self, ws: list[Word], add: _Add) -> None:
        n = len(ws)
        # 1. Runs glued by joiner punctuation with no space: "f.u.c.k", "fu-ck", "sh_it".
        i = 0
        while i < n:
            j = i
            while j + 1 < n and ws[j + 1].gap == "join":
                j += 1
            if j > i:
                if j - i < _MAX_JOIN_WORDS:
                    self._try_joined(ws, i, j, add)
                # Neighbours where one side is a fragment of at most two letters
                # ("go.fu.ck" -> "fuck"); two real words ("well-known") are left alone.
                if j - i > 1:
                    for k in range(i, j):
                        if min(len(ws[k].forms[0]), len(ws[k + 1].forms[0])) <= 2:
                            self._try_joined(ws, k, k + 1, add)
            i = j + 1
        # 2. Words spelled in single characters: "f u c k", "f . u . c . k", "$ h i t".
        # Runs of three or more only, so "a s s i s t" is read as "assist", and normal
        # text ("I a m") rarely forms one.
        i = 0
        while i < n:
            if len(ws[i].forms[0]) != 1:
                i += 1
                continue
            j = i
            while j + 1 < n and len(ws[j + 1].forms[0]) == 1 and ws[j + 1].gap != "break":
                j += 1
            if j - i >= 2:
                self._scan_spelled(ws, i, j, add)
            i = j + 1

    def _scan_spelled(self, ws: list[Word], i: int, j: int, add: _Add) -> None:
        """Try the run of one-character words ``ws[i..j]`` as spelled-out words."""
        if j - i < _MAX_JOIN_WORDS:
            self._try_spelled(ws, i, j, add)
        else:
            # Too long to be one word: look for terms inside it instead.
            self._scan_windows(ws, i, j, add)
        # Wider gaps separate spelled words: "f u c k  y o u" is "fuck" + "you".
        widths = [ws[k].gap_width for k in range(i + 1, j + 1)]
        narrow = min(widths)
        if max(widths) == narrow:
            return
        start = i
        for k in range(i + 1, j + 2):
            if k == j + 1 or ws[k].gap_width > narrow:
                end = k - 1
                if 2 <= end - start < _MAX_JOIN_WORDS and (start, end) != (i, j):
                    self._try_spelled(ws, start, end, add)
                start = k

    def _try_spelled(self, ws: list[Word], i: int, j: int, add: _Add) -> None:
        self._try_joined(ws, i, j, add)
        # A real one-letter word may lead the run: "u f u c k".
        if j - i >= 3 and ws[i].forms[0] in ("a", "i", "u"):
            self._try_joined(ws, i + 1, j, add)

    def _scan_windows(self, ws: list[Word], i: int, j: int, add: _Add) -> None:
        """Find terms of four or more letters inside a long spelled-out run."""
        letters = "".join(_join_options(w)[0] for w in ws[i : j + 1])
        if len(letters) != j - i + 1:
            return
        exact, allow, prefixes = self._exact, self._allow, self._prefixes4
        k, total = 0, len(letters)
        while k < total:
            if letters[k : k + 4] not in prefixes:
                k += 1
                continue
            # Longest first, exact spellings only: this path exists for pathological
            # input, so it trades elongation/plural handling for a bounded cost.
            for length in range(min(_MAX_JOIN_WORDS, total - k), 3, -1):
                piece = letters[k : k + length]
                entry = exact.get(piece)
                if entry is not None and piece not in allow and entry.key not in allow:
                    add(ws[i + k].start, ws[i + k + length - 1].end, entry)
                    k += length
                    break
            else:
                k += 1

    def _scan_phrases(self, ws: list[Word], add: _Add) -> None:
        phrases = self._phrases
        n = len(ws)
        for i, w in enumerate(ws):
            for form in w.forms:
                candidates = phrases.get(collapse_repeats(form) if has_repeats(form) else form)
                if not candidates:
                    continue
                for parts, entry in candidates:
                    j = i + len(parts) - 1
                    if j >= n or entry.key in self._allow:
                        continue
                    if all(
                        ws[i + k].gap in ("space", "join")
                        and any(collapse_repeats(f) == parts[k] for f in ws[i + k].forms)
                        for k in range(1, len(parts))
                    ):
                        add(w.start, ws[j].end, entry)
                break


_SENTENCE_END = frozenset(".!?\n")


def _named(text: str, folded: Folded, ws: list[Word], i: int) -> bool:
    """Whether word ``i`` (a term that is also a given name) is written as a name.

    A name is Capitalised (not ALL CAPS) and either stands mid-sentence or is followed
    by another capitalised word, a surname: "Dick Van Dyke", "ask Dick about it".
    """
    w = ws[i]
    o_start, o_end = folded.span(w.start, w.end)
    original = text[o_start:o_end]
    if len(original) < 2 or not original[0].isupper() or not original[1:].islower():
        return False
    if i + 1 < len(ws) and ws[i + 1].gap == "space":
        n_start, _ = folded.span(ws[i + 1].start, ws[i + 1].end)
        if text[n_start].isupper():
            return True
    if i == 0:
        return False
    gap = folded.text[ws[i - 1].end : w.start]
    return not any(c in _SENTENCE_END for c in gap)


def _join_options(w: Word) -> tuple[str, ...]:
    # A lone digit is a number on its own but a letter inside a spelled-out word.
    f = w.forms[0]
    if len(f) == 1 and f.isdigit():
        return LEET.get(f, (f,))
    return w.forms


def _check(deadline: float) -> None:
    if time.perf_counter() > deadline:
        raise TimeoutError("blocklist scan exceeded its deadline")


def mask(text: str, matches: Iterable[Match], char: str = "*") -> str:
    """Mask the matched spans of ``text``.

    Every character inside a matched span is replaced by ``char`` (the whole word,
    first letter included, so nothing of a slur survives), so each span keeps its
    length and the result is as long as ``text``.  Characters outside every span are
    unchanged; overlapping spans are merged.

    Args:
        text: The original text the matches refer to.
        matches: Spans from :meth:`BlocklistMatcher.scan` on ``text``.
        char: A single replacement character.

    Returns:
        The masked text.

    Raises:
        ValueError: if ``char`` is not one character or a span is outside ``text``.
    """
    if len(char) != 1:
        raise ValueError("mask char must be a single character")
    spans = sorted((m.start, m.end) for m in matches)
    if not spans:
        return text
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"match span {start}:{end} is outside the text")
        start = max(start, pos)
        if end <= start:
            continue
        pieces.append(text[pos:start])
        pieces.append(char * (end - start))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def load_default_list(
    languages: Iterable[str] = DEFAULT_LANGUAGES,
) -> tuple[list[dict[str, object]], list[str], list[str]]:
    """Read the bundled lists (``moderation/data/blocklist_<language>.json``).

    Args:
        languages: Codes from :data:`LANGUAGES`; their lists are merged (a term listed
            in two languages keeps its higher severity).

    Returns:
        ``(entries, allowlist, compound_allow)`` in the form :class:`BlocklistMatcher`
        takes.

    Raises:
        ValueError: if a language is not bundled, or a file is not valid JSON.
        OSError: if a data file is missing from the package.
    """
    # Imported here: importlib.resources costs ~10 ms to import and only the first
    # build of a default list needs it.
    from importlib import resources

    entries: list[dict[str, object]] = []
    allow: list[str] = []
    compound: list[str] = []
    for language in dict.fromkeys(languages):
        if language not in LANGUAGES:
            raise ValueError(f"no bundled blocklist for language {language!r}; have {LANGUAGES}")
        raw = (
            resources.files("chatmod.moderation")
            .joinpath("data", f"blocklist_{language}.json")
            .read_text(encoding="utf-8")
        )
        data = json.loads(raw)
        entries.extend(data["entries"])
        allow.extend(data.get("allowlist", []))
        compound.extend(data.get("compoundAllowlist", []))
    return entries, allow, compound


def default_matcher(languages: Iterable[str] = DEFAULT_LANGUAGES) -> BlocklistMatcher:
    """The matcher for the bundled lists of ``languages``, compiled on first use, reused.

    Args:
        languages: Codes from :data:`LANGUAGES`, in any order.

    Returns:
        A shared :class:`BlocklistMatcher` (it is immutable after construction), one
        per distinct set of languages.

    Raises:
        ValueError: if a language is not bundled.
    """
    return _default_matcher(_languages_key(languages))


@cache
def _default_matcher(languages: tuple[str, ...]) -> BlocklistMatcher:
    entries, allowlist, compound = load_default_list(languages)
    return BlocklistMatcher(entries, allowlist, compound)


def _languages_key(languages: Iterable[str]) -> tuple[str, ...]:
    """``languages`` de-duplicated, in :data:`LANGUAGES` order (one cache entry per set)."""
    chosen = set(languages)
    unknown = chosen - set(LANGUAGES)
    if unknown:
        raise ValueError(f"no bundled blocklist for {sorted(unknown)}; have {list(LANGUAGES)}")
    return tuple(code for code in LANGUAGES if code in chosen)


class BlocklistProvider:
    """The ``blocklist`` moderation provider: scores are the highest severity per category.

    With ``room_languages`` the provider wants the message context: the first glob
    that matches the room picks the bundled languages for it; other rooms use
    ``languages``.
    """

    name: str = "blocklist"

    def __init__(
        self,
        matcher: BlocklistMatcher | None = None,
        *,
        terms: Iterable[Mapping[str, object]] = (),
        allowlist: Iterable[str | Mapping[str, object]] = (),
        include_default: bool = True,
        languages: Iterable[str] = DEFAULT_LANGUAGES,
        room_languages: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """Wrap a compiled matcher, or compile (and cache) one from config.

        The keyword form is what the provider registry calls:
        ``BlocklistProvider(terms=[...], allowlist=[...])``.

        Args:
            matcher: A compiled list; when given, the other arguments must be left at
                their defaults.
            terms: See :meth:`from_config`.
            allowlist: See :meth:`from_config`.
            include_default: See :meth:`from_config`.
            languages: See :meth:`from_config`.
            room_languages: See :meth:`from_config`.

        Raises:
            TypeError: if both ``matcher`` and config are given.
            ValueError: if an entry is malformed or a language is not bundled.
        """
        terms = list(terms)
        allowlist = list(allowlist)
        langs = _languages_key(languages)
        rooms = {glob: _languages_key(codes) for glob, codes in (room_languages or {}).items()}
        if matcher is None:
            matcher = _matcher_for(terms, allowlist, include_default, langs)
        elif terms or allowlist or not include_default or rooms or langs != DEFAULT_LANGUAGES:
            raise TypeError("give either a matcher or terms/allowlist config, not both")
        self.matcher = matcher
        self._rooms: tuple[tuple[str, BlocklistMatcher], ...] = tuple(
            (glob, _matcher_for(terms, allowlist, include_default, codes))
            for glob, codes in rooms.items()
        )

    @property
    def wants_context(self) -> bool:
        """Whether the room decides the languages (the engine then passes the context)."""
        return bool(self._rooms)

    @classmethod
    def default(cls) -> BlocklistProvider:
        """The provider for the bundled lists of :data:`DEFAULT_LANGUAGES`, built once.

        Returns:
            A cached :class:`BlocklistProvider`.
        """
        return _default_provider()

    @classmethod
    def from_config(
        cls,
        *,
        terms: Iterable[Mapping[str, object]] = (),
        allowlist: Iterable[str | Mapping[str, object]] = (),
        include_default: bool = True,
        languages: Iterable[str] = DEFAULT_LANGUAGES,
        room_languages: Mapping[str, Iterable[str]] | None = None,
    ) -> BlocklistProvider:
        """Build a provider from policy config.

        Args:
            terms: Extra entries, ``{"term"|"regex": str, "category": str,
                "severity": 1..3}``.
            allowlist: Extra words never to flag.
            include_default: Whether to start from the bundled lists (and their
                allowlists).
            languages: Which bundled lists (:data:`LANGUAGES` codes).
            room_languages: Room glob → languages, first match wins; rooms no glob
                matches use ``languages``.

        Returns:
            The shared default provider when nothing differs from the defaults;
            otherwise a provider whose matchers are compiled once per distinct config
            and cached, so calling this per message does not recompile.

        Raises:
            ValueError: if an entry is malformed or a language is not bundled.
        """
        terms = list(terms)
        allowlist = list(allowlist)
        langs = _languages_key(languages)
        if (
            include_default
            and not terms
            and not allowlist
            and not room_languages
            and langs == DEFAULT_LANGUAGES
        ):
            return cls.default()
        return cls(
            terms=terms,
            allowlist=allowlist,
            include_default=include_default,
            languages=langs,
            room_languages=room_languages,
        )

    def matcher_for_room(self, room: str) -> BlocklistMatcher:
        """The matcher for ``room``: the first ``room_languages`` glob that matches it.

        Args:
            room: The chat room name.

        Returns:
            That glob's matcher, or the provider's own when none matches.
        """
        for glob, matcher in self._rooms:
            if fnmatchcase(room, glob):
                return matcher
        return self.matcher

    def moderate(
        self, text: str, *, timeout: float, context: MessageContext | None = None
    ) -> ProviderResult:
        """Scan ``text`` against the list.

        Args:
            text: The message.
            timeout: Seconds allowed; long input is abandoned once it is spent.
            context: Where the message was sent; picks the languages when the
                provider has ``room_languages``.

        Returns:
            ``scores`` maps each matched category to its highest severity (1.0..3.0),
            empty when the text is clean; ``matches`` holds the spans.

        Raises:
            ProviderTimeoutError: if the scan could not finish within ``timeout``.
        """
        if timeout <= 0:
            raise ProviderTimeoutError(self.name, "no time left to scan")
        matcher = self.matcher if context is None else self.matcher_for_room(context.room)
        try:
            matches = matcher.scan(text, deadline=time.perf_counter() + timeout)
        except TimeoutError as exc:
            raise ProviderTimeoutError(self.name, str(exc)) from exc
        scores: dict[str, float] = {}
        for m in matches:
            if m.severity > scores.get(m.category, 0):
                scores[m.category] = float(m.severity)
        return ProviderResult(provider=self.name, scores=scores, matches=matches)

    def mask(self, text: str, matches: Iterable[Match], char: str = "*") -> str:
        """Mask ``matches`` in ``text``; see :func:`mask`."""
        return mask(text, matches, char)


@cache
def _default_provider() -> BlocklistProvider:
    return BlocklistProvider(default_matcher())


def _compile(
    terms: Iterable[Mapping[str, object]],
    allowlist: Iterable[str | Mapping[str, object]],
    include_default: bool,
    languages: tuple[str, ...],
) -> BlocklistMatcher:
    entries: list[Mapping[str, object]] = []
    allow: list[str | Mapping[str, object]] = []
    compound: list[str] = []
    if include_default:
        default_entries, default_allow, compound = load_default_list(languages)
        entries.extend(default_entries)
        allow.extend(default_allow)
    entries.extend(terms)
    allow.extend(allowlist)
    return BlocklistMatcher(entries, allow, compound)


def _matcher_for(
    terms: list[Mapping[str, object]],
    allowlist: list[str | Mapping[str, object]],
    include_default: bool,
    languages: tuple[str, ...],
) -> BlocklistMatcher:
    """The compiled matcher for a config: shared default, cached by content, or fresh."""
    if include_default and not terms and not allowlist:
        return default_matcher(languages)
    try:
        key = json.dumps([terms, allowlist, include_default, languages], sort_keys=True)
    except (TypeError, ValueError):
        # Not plain JSON data: no cache key; the matcher reports what is wrong.
        return _compile(terms, allowlist, include_default, languages)
    return _matcher_for_key(key)


# A handful of distinct configs at most live in one container (one policy, maybe a
# per-room override); bound the cache so a misuse cannot grow it without limit.
@lru_cache(maxsize=16)
def _matcher_for_key(key: str) -> BlocklistMatcher:
    terms, allowlist, include_default, languages = json.loads(key)
    return _compile(terms, allowlist, include_default, tuple(languages))
