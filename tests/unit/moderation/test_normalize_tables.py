"""Every table entry the normaliser relies on, pinned from outside the table (issue 18).

Expectations come from Unicode's own data (the confusables.txt lines in
``tests/fixtures/unicode/``, character names via ``unicodedata.lookup``) or from
strings written here by hand, never from the tables under test, so changing one entry
of a table fails one of these tests.
"""

# Test strings are deliberately made of confusable characters.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from chatmod.moderation._confusables import CONFUSABLES
from chatmod.moderation.blocklist import default_matcher
from chatmod.moderation.normalize import HOMOGLYPHS, LEET, fold, words
from tools.confusables import parse

FIXTURE = Path(__file__).parents[2] / "fixtures" / "unicode" / "confusables_latin.txt"
_LINE = re.compile(r"^([0-9A-F]+) ;\t([0-9A-F ]+) ;\tMA\t")

# Where chatmod reads a letter differently from Unicode's skeleton, on purpose.
_OVERRIDES = {
    "GREEK SMALL LETTER BETA": "b",  # confusables.txt: "ß"
    "GREEK BETA SYMBOL": "b",  # confusables.txt: "ß"
    "CYRILLIC SMALL LETTER PALOCHKA": "l",  # confusables.txt: "i"
}


def _unicode_pairs() -> list[tuple[str, str]]:
    pairs = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if m:
            source = chr(int(m[1], 16))
            target = "".join(chr(int(cp, 16)) for cp in m[2].split()).casefold()
            # Documented rule: a capital whose skeleton is "l" looks like capital I.
            if target == "l" and source != source.casefold():
                target = "i"
            pairs.append((source, _OVERRIDES.get(unicodedata.name(source), target)))
    return pairs


_PAIRS = _unicode_pairs()


class TestConfusables:
    def test_given_fixture_when_parsed_then_it_covers_every_table_entry(self) -> None:
        assert len(_PAIRS) == len(CONFUSABLES) >= 500
        assert {source for source, _ in _PAIRS} == set(CONFUSABLES)

    def test_given_unicode_source_when_generated_then_table_is_what_is_committed(self) -> None:
        assert parse(FIXTURE.read_text(encoding="utf-8")) == CONFUSABLES

    @pytest.mark.parametrize(
        ("source", "latin"), _PAIRS, ids=[f"U+{ord(s):04X}" for s, _ in _PAIRS]
    )
    def test_given_confusable_letter_when_folded_then_unicode_skeleton(
        self, source: str, latin: str
    ) -> None:
        assert fold(source).text == latin

    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("ϲunt", "cunt"),  # GREEK LUNATE SIGMA SYMBOL
            ("ΗELL", "hell"),  # GREEK CAPITAL LETTER ETA
            ("ηo", "no"),  # GREEK SMALL LETTER ETA
            ("Ιdiot", "idiot"),  # GREEK CAPITAL LETTER IOTA
            ("ꮪhit", "shit"),  # CHEROKEE SMALL LETTER DU
            ("ɑss", "ass"),  # LATIN SMALL LETTER ALPHA
        ],
    )
    def test_given_word_with_look_alikes_when_folded_then_latin(
        self, text: str, folded: str
    ) -> None:
        assert fold(text).text == folded


# (character name, Latin reading): written by hand.
_HOMOGLYPH_CASES: list[tuple[str, str]] = [
    ("CYRILLIC SMALL LETTER A", "a"),
    ("CYRILLIC SMALL LETTER BE", "b"),
    ("CYRILLIC SMALL LETTER VE", "b"),
    ("CYRILLIC SMALL LETTER GHE", "r"),
    ("CYRILLIC SMALL LETTER IE", "e"),
    ("CYRILLIC SMALL LETTER IO", "e"),
    ("CYRILLIC SMALL LETTER ZE", "3"),
    ("CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", "i"),
    ("CYRILLIC SMALL LETTER YI", "i"),
    ("CYRILLIC SMALL LETTER JE", "j"),
    ("CYRILLIC SMALL LETTER KA", "k"),
    ("CYRILLIC SMALL LETTER EM", "m"),
    ("CYRILLIC SMALL LETTER EN", "h"),
    ("CYRILLIC SMALL LETTER O", "o"),
    ("CYRILLIC SMALL LETTER PE", "n"),
    ("CYRILLIC SMALL LETTER ER", "p"),
    ("CYRILLIC SMALL LETTER ES", "c"),
    ("CYRILLIC SMALL LETTER TE", "t"),
    ("CYRILLIC SMALL LETTER U", "y"),
    ("CYRILLIC SMALL LETTER EF", "f"),
    ("CYRILLIC SMALL LETTER HA", "x"),
    ("CYRILLIC SMALL LETTER TSE", "u"),
    ("CYRILLIC SMALL LETTER CHE", "4"),
    ("CYRILLIC SMALL LETTER SHA", "w"),
    ("CYRILLIC SMALL LETTER SHCHA", "w"),
    ("CYRILLIC SMALL LETTER SOFT SIGN", "b"),
    ("CYRILLIC SMALL LETTER HARD SIGN", "b"),
    ("CYRILLIC SMALL LETTER YERU", "bl"),
    ("CYRILLIC SMALL LETTER DZE", "s"),
    ("CYRILLIC SMALL LETTER KOMI DE", "d"),
    ("CYRILLIC SMALL LETTER QA", "q"),
    ("CYRILLIC SMALL LETTER WE", "w"),
    ("CYRILLIC SMALL LETTER SHHA", "h"),
    ("CYRILLIC SMALL LETTER PALOCHKA", "l"),
    ("CYRILLIC SMALL LETTER STRAIGHT U", "y"),
    ("CYRILLIC SMALL LETTER BASHKIR KA", "k"),
    ("LATIN SMALL LETTER SCRIPT G", "g"),
    ("GREEK SMALL LETTER ALPHA", "a"),
    ("GREEK SMALL LETTER BETA", "b"),
    ("GREEK SMALL LETTER GAMMA", "y"),
    ("GREEK SMALL LETTER DELTA", "d"),
    ("GREEK SMALL LETTER EPSILON", "e"),
    ("GREEK SMALL LETTER ZETA", "z"),
    ("GREEK SMALL LETTER ETA", "n"),
    ("GREEK SMALL LETTER IOTA", "i"),
    ("GREEK SMALL LETTER KAPPA", "k"),
    ("GREEK SMALL LETTER MU", "u"),
    ("GREEK SMALL LETTER NU", "v"),
    ("GREEK SMALL LETTER OMICRON", "o"),
    ("GREEK SMALL LETTER PI", "n"),
    ("GREEK SMALL LETTER RHO", "p"),
    ("GREEK SMALL LETTER TAU", "t"),
    ("GREEK SMALL LETTER UPSILON", "u"),
    ("GREEK SMALL LETTER CHI", "x"),
    ("GREEK SMALL LETTER OMEGA", "w"),
    ("GREEK LUNATE SIGMA SYMBOL", "c"),
    ("GREEK LETTER YOT", "j"),
    ("LATIN LETTER SMALL CAPITAL A", "a"),
    ("LATIN LETTER SMALL CAPITAL B", "b"),
    ("LATIN LETTER SMALL CAPITAL C", "c"),
    ("LATIN LETTER SMALL CAPITAL D", "d"),
    ("LATIN LETTER SMALL CAPITAL E", "e"),
    ("LATIN LETTER SMALL CAPITAL F", "f"),
    ("LATIN LETTER SMALL CAPITAL G", "g"),
    ("LATIN LETTER SMALL CAPITAL H", "h"),
    ("LATIN LETTER SMALL CAPITAL I", "i"),
    ("LATIN LETTER SMALL CAPITAL J", "j"),
    ("LATIN LETTER SMALL CAPITAL K", "k"),
    ("LATIN LETTER SMALL CAPITAL L", "l"),
    ("LATIN LETTER SMALL CAPITAL M", "m"),
    ("LATIN LETTER SMALL CAPITAL N", "n"),
    ("LATIN LETTER SMALL CAPITAL O", "o"),
    ("LATIN LETTER SMALL CAPITAL P", "p"),
    ("LATIN LETTER SMALL CAPITAL R", "r"),
    ("LATIN LETTER SMALL CAPITAL S", "s"),
    ("LATIN LETTER SMALL CAPITAL T", "t"),
    ("LATIN LETTER SMALL CAPITAL U", "u"),
    ("LATIN LETTER SMALL CAPITAL V", "v"),
    ("LATIN LETTER SMALL CAPITAL W", "w"),
    ("LATIN LETTER SMALL CAPITAL Y", "y"),
    ("LATIN LETTER SMALL CAPITAL Z", "z"),
    ("LATIN SMALL LETTER ALPHA", "a"),
    ("LATIN SMALL LETTER DOTLESS I", "i"),
    ("LATIN SMALL LETTER DOTLESS J", "j"),
    ("LATIN SMALL LETTER IOTA", "i"),
    ("LATIN SMALL LETTER V WITH HOOK", "u"),
    ("LATIN SMALL LETTER BARRED O", "o"),
    ("LATIN SMALL LETTER O WITH STROKE", "o"),
    ("LATIN SMALL LETTER D WITH STROKE", "d"),
    ("LATIN SMALL LETTER H WITH STROKE", "h"),
    ("LATIN SMALL LETTER L WITH STROKE", "l"),
    ("LATIN SMALL LETTER T WITH STROKE", "t"),
    ("LATIN SMALL LETTER F WITH HOOK", "f"),
    ("LATIN SMALL LETTER SHARP S", "ss"),
    ("LATIN SMALL LETTER AE", "ae"),
    ("LATIN SMALL LIGATURE OE", "oe"),
    ("LATIN SMALL LETTER THORN", "th"),
    ("GREEK BETA SYMBOL", "b"),
]


class TestHomoglyphs:
    def test_given_cases_when_listed_then_every_table_entry_is_pinned(self) -> None:
        assert {unicodedata.lookup(name) for name, _ in _HOMOGLYPH_CASES} == set(HOMOGLYPHS)

    @pytest.mark.parametrize(
        ("name", "latin"), _HOMOGLYPH_CASES, ids=[n for n, _ in _HOMOGLYPH_CASES]
    )
    def test_given_look_alike_when_folded_then_latin_reading(self, name: str, latin: str) -> None:
        assert fold(unicodedata.lookup(name)).text == latin


# (character, readings the matcher tries, most likely first): written by hand.
_LEET_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("0", ("o",)),
    ("1", ("i", "l")),
    ("3", ("e",)),
    ("4", ("a",)),
    ("5", ("s",)),
    ("6", ("b", "g")),
    ("7", ("t",)),
    ("8", ("b",)),
    ("9", ("g",)),
    ("$", ("s",)),
    ("@", ("a",)),
    ("!", ("i",)),
    ("|", ("i", "l")),
    ("+", ("t",)),
    ("(", ("c",)),
    ("€", ("e",)),
    ("£", ("l",)),
    ("¢", ("c",)),
    ("¡", ("i",)),
    ("*", ("", "u", "i", "a", "o", "e")),
]


class TestLeet:
    def test_given_cases_when_listed_then_every_table_entry_is_pinned(self) -> None:
        assert {c for c, _ in _LEET_CASES} == set(LEET)

    @pytest.mark.parametrize(("char", "readings"), _LEET_CASES, ids=[c for c, _ in _LEET_CASES])
    def test_given_leet_inside_word_when_split_then_each_reading_offered(
        self, char: str, readings: tuple[str, ...]
    ) -> None:
        (word,) = words(f"x{char}y")

        assert word.forms == tuple(f"x{r}y" for r in readings)


class TestSeparators:
    @pytest.mark.parametrize(
        "name",
        [
            "COMBINING GRAPHEME JOINER",
            "HANGUL CHOSEONG FILLER",
            "HANGUL JUNGSEONG FILLER",
            "MONGOLIAN VOWEL SEPARATOR",
            "BRAILLE PATTERN BLANK",
            "HANGUL FILLER",
            "HALFWIDTH HANGUL FILLER",
            "ZERO WIDTH SPACE",
            "SOFT HYPHEN",
            "VARIATION SELECTOR-16",
        ],
    )
    def test_given_invisible_filler_inside_word_when_folded_then_gone(self, name: str) -> None:
        assert fold(f"sh{unicodedata.lookup(name)}it").text == "shit"

    @pytest.mark.parametrize("joiner", list("\"#',-./:=\\^_`~·•"))
    def test_given_joiner_between_letters_when_scanned_then_word_read_whole(
        self, joiner: str
    ) -> None:
        text = joiner.join("fuck")

        assert [m.term for m in default_matcher().scan(text)] == ["fuck"]

    @pytest.mark.parametrize("symbol", ["🔥", "💀", "★", "♥", "✨", "˜", "¨"])
    def test_given_symbol_between_letters_when_scanned_then_word_read_whole(
        self, symbol: str
    ) -> None:
        assert unicodedata.category(symbol) in ("So", "Sk")
        text = symbol.join("fuck")

        assert [m.term for m in default_matcher().scan(text)] == ["fuck"]

    @pytest.mark.parametrize("mark", ["!", "|", "(", "¡", "*"])
    def test_given_leet_symbol_at_word_edge_when_split_then_punctuation(self, mark: str) -> None:
        (word,) = words(f"{mark}damn{mark}")

        assert word.forms == ("damn",)
