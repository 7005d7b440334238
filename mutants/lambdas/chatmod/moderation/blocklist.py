"""The built-in blocklist provider: local, obfuscation-resistant word and phrase matching."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from chatmod.moderation.base import Match, ProviderResult, ProviderTimeoutError
from chatmod.moderation.normalize import (
    LEET,
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
    "BlocklistMatcher",
    "BlocklistProvider",
    "default_matcher",
    "load_default_list",
    "mask",
]

CATEGORIES: frozenset[str] = frozenset(
    {"profanity", "sexual", "hate", "harassment", "violence", "self_harm"}
)
# Endings after which an English plural takes "-es" ("bitches", "asses").
_ES_PLURAL_BASES = ("s", "x", "z", "ch", "sh")
_MAX_FORMS = 16
_MAX_JOIN_WORDS = 12
# How often (in words) a long scan looks at the clock.
_DEADLINE_STRIDE = 128


@dataclass(frozen=True, slots=True)
class _Entry:
    term: str  # as configured, reported in Match.term
    key: str  # folded form, compared with the allowlist
    category: str
    severity: int


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

        Raises:
            ValueError: if an entry is malformed or a regex does not compile.
        """
        self._exact: dict[str, _Entry] = {}
        self._by_key: dict[str, list[tuple[tuple[int, ...], _Entry]]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], _Entry]]] = {}
        self._regexes: list[tuple[re.Pattern[str], _Entry]] = []
        self._allow: set[str] = set()
        self._prefixes4: set[str] = set()  # first four letters of each word term
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
            entry = _Entry(term, "".join(parts), category, severity)
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
            entry, _ = hit(w.forms)
            if entry is not None:
                add(w.start, w.end, entry)
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


def load_default_list() -> tuple[list[dict[str, object]], list[str]]:
    """Read the bundled English list (``moderation/data/blocklist_en.json``).

    Returns:
        ``(entries, allowlist)`` in the config format :class:`BlocklistMatcher` takes.

    Raises:
        OSError: if the data file is missing from the package.
        ValueError: if it is not valid JSON.
    """
    # Imported here: importlib.resources costs ~10 ms to import and only the first
    # build of the default list needs it.
    from importlib import resources

    raw = (
        resources.files("chatmod.moderation")
        .joinpath("data", "blocklist_en.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(raw)
    return list(data["entries"]), list(data.get("allowlist", []))


@cache
def default_matcher() -> BlocklistMatcher:
    """The matcher for the bundled list, compiled on first use and then reused.

    Returns:
        A shared :class:`BlocklistMatcher` (it is immutable after construction).
    """
    entries, allowlist = load_default_list()
    return BlocklistMatcher(entries, allowlist)


class BlocklistProvider:
    """The ``blocklist`` moderation provider: scores are the highest severity per category."""

    name: str = "blocklist"

    def __init__(
        self,
        matcher: BlocklistMatcher | None = None,
        *,
        terms: Iterable[Mapping[str, object]] = (),
        allowlist: Iterable[str | Mapping[str, object]] = (),
        include_default: bool = True,
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

        Raises:
            TypeError: if both ``matcher`` and config are given.
            ValueError: if an entry is malformed.
        """
        if matcher is None:
            matcher = _matcher_for(list(terms), list(allowlist), include_default)
        elif terms or allowlist or not include_default:
            raise TypeError("give either a matcher or terms/allowlist config, not both")
        self.matcher = matcher

    @classmethod
    def default(cls) -> BlocklistProvider:
        """The provider for the bundled English list, shared and built once.

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
    ) -> BlocklistProvider:
        """Build a provider from policy config.

        Args:
            terms: Extra entries, ``{"term"|"regex": str, "category": str,
                "severity": 1..3}``.
            allowlist: Extra words never to flag.
            include_default: Whether to start from the bundled English list (and its
                allowlist).

        Returns:
            The shared default provider when nothing is added to the default list;
            otherwise a provider whose matcher is compiled once per distinct config
            and cached, so calling this per message does not recompile.

        Raises:
            ValueError: if an entry is malformed.
        """
        terms = list(terms)
        allowlist = list(allowlist)
        if include_default and not terms and not allowlist:
            return cls.default()
        return cls(_matcher_for(terms, allowlist, include_default))

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        """Scan ``text`` against the list.

        Args:
            text: The message.
            timeout: Seconds allowed; long input is abandoned once it is spent.

        Returns:
            ``scores`` maps each matched category to its highest severity (1.0..3.0),
            empty when the text is clean; ``matches`` holds the spans.

        Raises:
            ProviderTimeoutError: if the scan could not finish within ``timeout``.
        """
        if timeout <= 0:
            raise ProviderTimeoutError(self.name, "no time left to scan")
        try:
            matches = self.matcher.scan(text, deadline=time.perf_counter() + timeout)
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
) -> BlocklistMatcher:
    entries: list[Mapping[str, object]] = []
    allow: list[str | Mapping[str, object]] = []
    if include_default:
        default_entries, default_allow = load_default_list()
        entries.extend(default_entries)
        allow.extend(default_allow)
    entries.extend(terms)
    allow.extend(allowlist)
    return BlocklistMatcher(entries, allow)


def _matcher_for(
    terms: list[Mapping[str, object]],
    allowlist: list[str | Mapping[str, object]],
    include_default: bool,
) -> BlocklistMatcher:
    """The compiled matcher for a config: shared default, cached by content, or fresh."""
    if include_default and not terms and not allowlist:
        return default_matcher()
    try:
        key = json.dumps([terms, allowlist, include_default], sort_keys=True)
    except (TypeError, ValueError):
        # Not plain JSON data: no cache key; the matcher reports what is wrong.
        return _compile(terms, allowlist, include_default)
    return _matcher_for_key(key)


# A handful of distinct configs at most live in one container (one policy, maybe a
# per-room override); bound the cache so a misuse cannot grow it without limit.
@lru_cache(maxsize=16)
def _matcher_for_key(key: str) -> BlocklistMatcher:
    terms, allowlist, include_default = json.loads(key)
    return _compile(terms, allowlist, include_default)
