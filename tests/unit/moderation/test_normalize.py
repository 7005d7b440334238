"""Tests for chatmod.moderation.normalize: folding, offset maps, words and leetspeak."""

# Obfuscated test strings are deliberately made of confusable characters.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatmod.moderation import normalize
from chatmod.moderation.normalize import (
    collapse_repeats,
    fold,
    fold_term,
    has_repeats,
    run_lengths,
    words,
)

# Pieces that exercise every folding path: expansions, marks, invisible characters,
# look-alikes, compatibility forms.
_TRICKY = st.sampled_from(
    [
        "ß",
        "ﬁ",
        "\u200b",
        "\u200d",
        "\u00ad",
        "\u0308",
        "\u3164",
        "ѕ",
        "і",
        "ｆ",
        "𝐟",
        "ⓚ",
        "İ",
        "é",
        " ",
        ".",
        "$",
        "1",
        "fuck",
    ]
)
_TEXT = st.one_of(st.text(), st.lists(st.one_of(_TRICKY, st.text(max_size=3))).map("".join))


class TestFold:
    def test_given_ascii_when_folded_then_lowercased_with_identity_offsets(self) -> None:
        folded = fold("Hello WORLD")

        assert folded.text == "hello world"
        assert folded.offsets() == [(i, i + 1) for i in range(11)]

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("ｆｕｃｋ", "fuck"),  # fullwidth (NFKC)
            ("𝐟𝐮𝐜𝐤", "fuck"),  # mathematical bold
            ("ⓕⓤⓒⓚ", "fuck"),  # circled letters
            ("ᶠᵘᶜᵏ", "fuck"),  # modifier letters
            ("fück", "fuck"),  # precomposed accent
            ("fu\u0308ck", "fuck"),  # combining accent
            ("FÜCK", "fuck"),  # accent + upper case
            ("ѕһіt", "shit"),  # Cyrillic look-alikes
            ("ѕнιт", "shit"),  # Cyrillic + Greek look-alikes after case folding
            ("ꜰᴜᴄᴋ", "fuck"),  # small capitals
            ("f\u200bu\u200cc\u200dk", "fuck"),  # zero-width characters
            ("f\u00adu\u2060ck", "fuck"),  # soft hyphen, word joiner
            ("fu\u3164ck", "fuck"),  # Hangul filler (renders blank)
        ],
    )
    def test_given_obfuscated_letters_when_folded_then_plain_latin(
        self, typed: str, expected: str
    ) -> None:
        assert fold(typed).text == expected

    def test_given_expanding_character_when_folded_then_each_piece_maps_to_it(self) -> None:
        folded = fold("aßb")

        assert folded.text == "assb"
        assert folded.offsets() == [(0, 1), (1, 2), (1, 2), (2, 3)]

    def test_given_zero_width_inside_word_when_folded_then_absorbed_by_previous_letter(
        self,
    ) -> None:
        text = "f\u200buck"
        folded = fold(text)

        assert folded.text == "fuck"
        assert folded.span(0, 4) == (0, 5)
        assert folded.span(0, 1) == (0, 2)

    def test_given_leading_invisible_character_when_folded_then_not_part_of_any_span(
        self,
    ) -> None:
        folded = fold("\u200bok")

        assert folded.text == "ok"
        assert folded.span(0, 2) == (1, 3)

    def test_given_empty_span_when_mapped_then_index_error(self) -> None:
        with pytest.raises(IndexError):
            fold("abc").span(1, 1)
        with pytest.raises(IndexError):
            fold("äbc").span(0, 9)

    @given(_TEXT)
    @settings(max_examples=300, deadline=None)
    def test_given_any_text_when_folded_then_offset_map_is_monotonic_and_in_bounds(
        self, text: str
    ) -> None:
        folded = fold(text)
        offsets = folded.offsets()

        assert len(offsets) == len(folded.text)
        previous = (0, 0)
        for start, end in offsets:
            assert 0 <= start < end <= len(text)
            assert start >= previous[0]
            assert end >= previous[1]
            previous = (start, end)

    @given(_TEXT)
    @settings(max_examples=200, deadline=None)
    def test_given_any_text_when_folded_twice_then_stable(self, text: str) -> None:
        once = fold(text).text

        assert fold(once).text == once


class TestFoldTerm:
    def test_given_phrase_with_punctuation_when_folded_then_split_into_words(self) -> None:
        assert fold_term("Blow-Job") == ["blow", "job"]
        assert fold_term("  kill   yourself ") == ["kill", "yourself"]
        assert fold_term("...") == []


class TestRepeats:
    @pytest.mark.parametrize(
        ("word", "collapsed", "runs"),
        [
            ("fuuuuck", "fuck", (1, 4, 1, 1)),
            ("ass", "as", (1, 2)),
            ("shiiiit", "shit", (1, 1, 4, 1)),
            ("", "", ()),
        ],
    )
    def test_given_word_when_collapsed_then_runs_reduced_and_counted(
        self, word: str, collapsed: str, runs: tuple[int, ...]
    ) -> None:
        assert collapse_repeats(word) == collapsed
        assert run_lengths(word) == runs
        assert has_repeats(word) is (collapsed != word)


class TestWords:
    @pytest.mark.parametrize(
        ("typed", "reading"),
        [
            ("$h1t", "shit"),
            ("a$$", "ass"),
            ("@ss", "ass"),
            ("b1tch", "bitch"),
            ("he11", "hell"),
            ("sh!t", "shit"),
            ("c0ck", "cock"),
            ("5h17", "shit"),
            ("fu(k", "fuck"),
            ("n1gg3r", "nigger"),
            ("f*ck", "fuck"),
            ("b|tch", "bitch"),
            ("shi+head", "shithead"),
            ("a55", "ass"),
        ],
    )
    def test_given_leetspeak_when_split_then_plain_reading_among_forms(
        self, typed: str, reading: str
    ) -> None:
        (word,) = words(fold(typed).text)

        assert reading in word.forms
        assert (word.start, word.end) == (0, len(typed))

    def test_given_plain_number_when_split_then_left_as_number(self) -> None:
        (word,) = words("420")

        assert word.forms == ("420",)

    def test_given_edge_punctuation_when_split_then_stripped_from_span(self) -> None:
        (word,) = words("shit!!")

        assert word.forms == ("shit",)
        assert (word.start, word.end) == (0, 4)

    def test_given_lone_punctuation_when_split_then_no_word(self) -> None:
        assert words("!!! *** ((") == []

    @pytest.mark.parametrize(
        ("text", "gaps"),
        [
            ("f.u-c_k", ["break", "join", "join", "join"]),
            ("f u  c", ["break", "space", "space"]),
            ("f . u", ["break", "stop"]),
            ("f , u", ["break", "space"]),
            ("hi? there", ["break", "break"]),
            ("a          b", ["break", "break"]),
        ],
    )
    def test_given_separators_when_split_then_gap_kinds_reported(
        self, text: str, gaps: list[str]
    ) -> None:
        assert [w.gap for w in words(text)] == gaps

    @given(_TEXT)
    @settings(max_examples=300, deadline=None)
    def test_given_any_text_when_split_then_words_are_ordered_and_in_bounds(
        self, text: str
    ) -> None:
        folded = fold(text).text
        previous_end = 0
        for word in words(folded):
            assert previous_end <= word.start < word.end <= len(folded)
            assert word.forms
            previous_end = word.end


class TestEdges:
    """Each rule of the normaliser at its edge (issue 18); expectations written out here."""

    def test_given_text_when_folded_then_the_original_length_is_kept(self) -> None:
        assert fold("Abc").original_length == 3
        assert fold("ﬁ é").original_length == 3  # "fi e": four folded, three original

    def test_given_a_bad_span_when_mapped_then_the_error_names_it(self) -> None:
        with pytest.raises(IndexError, match=r"^bad folded span 2:2$"):
            fold("abc").span(2, 2)

    def test_given_an_enclosing_mark_inside_a_word_when_folded_then_gone(self) -> None:
        # U+20DD COMBINING ENCLOSING CIRCLE and U+20E3 COMBINING ENCLOSING KEYCAP (Me).
        assert fold("sh\u20ddit\u20e3").text == "shit"

    def test_given_a_mark_inside_a_decomposition_when_folded_then_the_rest_is_kept(self) -> None:
        # SQUARE APAATO decomposes to KATAKANA A, HA + SEMI-VOICED MARK, PROLONGED SOUND
        # MARK, TO: the mark goes, the letters after it stay.
        assert fold("\u3300").text == "\u30a2\u30cf\u30fc\u30c8"

    @pytest.mark.parametrize(
        ("text", "latin"),
        [
            ("\u0622", "l"),  # ARABIC LETTER ALEF WITH MADDA ABOVE: alef is "l" in confusables.txt
            ("\u0194", "y"),  # LATIN CAPITAL LETTER GAMMA folds to small gamma, "y"
            ("\u0531", "w"),  # ARMENIAN CAPITAL LETTER AYB folds to ayb, "w"
        ],
    )
    def test_given_a_letter_that_decomposes_or_folds_to_a_look_alike_when_folded_then_latin(
        self, text: str, latin: str
    ) -> None:
        assert fold(text).text == latin

    @pytest.mark.parametrize(
        ("gap", "kind"),
        [
            ("---", "join"),
            ("----", "join"),  # four: still a spelled-out word
            ("-----", "break"),  # five: too wide to glue
            (" - .", "stop"),
            ("  - ", "space"),
            ("   - ", "break"),
        ],
    )
    def test_given_a_gap_of_four_or_five_when_split_then_only_four_glue(
        self, gap: str, kind: str
    ) -> None:
        assert [w.gap for w in words(f"f{gap}u")] == ["break", kind]
        assert words(f"f{gap}u")[1].gap_width == len(gap)

    @pytest.mark.parametrize("mark", ["«", "¿", "\u3002"])  # Pi, Po, Po: not So/Sk
    def test_given_non_ascii_punctuation_between_letters_when_split_then_a_break(
        self, mark: str
    ) -> None:
        assert [w.gap for w in words(f"f{mark}u")] == ["break", "break"]

    def test_given_many_distinct_characters_when_folded_then_the_cache_stops_at_20000(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        cache: dict[str, str] = {}
        monkeypatch.setattr(normalize, "_CHAR_CACHE", cache)
        ideographs = "".join(chr(0x4E00 + n) for n in range(20_005))

        folded = fold(ideographs)

        assert folded.text == ideographs
        assert len(cache) == 20_000

    def test_given_a_character_folded_before_when_folded_again_then_served_from_the_cache(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(normalize, "_CHAR_CACHE", {})
        assert fold("é").text == "e"

        def refuse(ch: str) -> str:
            raise AssertionError(f"{ch!r} folded again")

        monkeypatch.setattr(normalize, "_fold_char", refuse)

        assert fold("éé").text == "ee"
        with pytest.raises(AssertionError):
            fold("ü")

    def test_given_a_word_with_many_leet_readings_when_split_then_at_most_16_forms(self) -> None:
        # "1" and "|" each read "i" or "l": four of them make 2**4 = 16 readings.
        (four,) = words("1|1|x")
        (five,) = words("1|1|1x")

        assert len(four.forms) == 16
        assert len(five.forms) == 16  # a fifth would make 32: it keeps its likeliest, "i"
        assert all(form.endswith("ix") for form in five.forms)
        assert four.forms[0] == "iiiix"
