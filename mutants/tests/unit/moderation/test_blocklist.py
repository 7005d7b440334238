"""Tests for chatmod.moderation.blocklist: matching, allowlists, config, masking, provider."""

# Obfuscated test strings are deliberately made of confusable characters.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatmod.moderation.base import Match, Provider, ProviderResult, ProviderTimeoutError
from chatmod.moderation.blocklist import (
    CATEGORIES,
    BlocklistMatcher,
    BlocklistProvider,
    default_matcher,
    load_default_list,
    mask,
)

_TIMEOUT = 1.0


def _scan(text: str) -> tuple[Match, ...]:
    return default_matcher().scan(text)


def _typed(text: str) -> list[str]:
    return [text[m.start : m.end] for m in _scan(text)]


class TestObfuscation:
    @pytest.mark.parametrize(
        ("text", "typed", "term"),
        [
            # plain
            ("what the fuck", "fuck", "fuck"),
            ("WHAT THE FUCK", "FUCK", "fuck"),
            # leetspeak
            ("$h1t happens", "$h1t", "shit"),
            ("you a$$", "a$$", "ass"),
            ("kiss my @ss", "@ss", "ass"),
            ("b1tch please", "b1tch", "bitch"),
            ("5h17 game", "5h17", "shit"),
            ("sh!t!", "sh!t", "shit"),
            ("he11 no", "he11", "hell"),
            ("c0ck", "c0ck", "cock"),
            ("ur a b|tch", "b|tch", "bitch"),
            ("you c*nt", "c*nt", "cunt"),
            # separators inside words
            ("f.u.c.k you", "f.u.c.k", "fuck"),
            ("f u c k off", "f u c k", "fuck"),
            ("f-u-c-k", "f-u-c-k", "fuck"),
            ("f_u_c_k", "f_u_c_k", "fuck"),
            ("go fu.ck yourself", "fu.ck", "fuck"),
            ("s . h . i . t", "s . h . i . t", "shit"),
            ("u f u c k", "f u c k", "fuck"),
            # zero-width and invisible characters
            ("f\u200bu\u200bck", "f\u200bu\u200bck", "fuck"),
            ("sh\u2060it", "sh\u2060it", "shit"),
            ("fu\u3164ck", "fu\u3164ck", "fuck"),
            # repeated letters
            ("fuuuuuck", "fuuuuuck", "fuck"),
            ("shiiiiit", "shiiiiit", "shit"),
            ("FUUUUCCCKKK", "FUUUUCCCKKK", "fuck"),
            ("biiiiitch", "biiiiitch", "bitch"),
            # accents and diacritics
            ("fück", "fück", "fuck"),
            ("fu\u0308ck", "fu\u0308ck", "fuck"),
            ("shît", "shît", "shit"),
            ("bítch", "bítch", "bitch"),
            # homoglyphs and compatibility forms
            ("ѕhіt", "ѕhіt", "shit"),
            ("ｆｕｃｋ", "ｆｕｃｋ", "fuck"),
            ("𝐟𝐮𝐜𝐤", "𝐟𝐮𝐜𝐤", "fuck"),
            ("ꜰᴜᴄᴋ", "ꜰᴜᴄᴋ", "fuck"),
            ("ⓕⓤⓒⓚ", "ⓕⓤⓒⓚ", "fuck"),
            ("ѕнιт", "ѕнιт", "shit"),
            # combined
            ("$ h 1 t", "$ h 1 t", "shit"),
            ("n1gg3r", "n1gg3r", "nigger"),
            # inflections
            ("fucks sake", "fucks", "fucks"),
            ("bitches", "bitches", "bitches"),
            ("dicks", "dicks", "dick"),
        ],
    )
    def test_given_obfuscated_term_when_scanned_then_reported_at_typed_span(
        self, text: str, typed: str, term: str
    ) -> None:
        matches = _scan(text)

        assert any(text[m.start : m.end] == typed and m.term == term for m in matches), matches

    def test_given_offsets_after_expanding_characters_when_scanned_then_point_at_word(
        self,
    ) -> None:
        # "ß" folds to two characters and "é" may be decomposed: offsets must still be
        # those of the original string.
        text = "Straße café, ｆｕｃｋ this"

        (match,) = _scan(text)

        assert text[match.start : match.end] == "ｆｕｃｋ"


class TestInnocentText:
    @pytest.mark.parametrize(
        "text",
        [
            "Scunthorpe",
            "classic",
            "assassin",
            "cockpit",
            "therapist",
            "Sussex",
            "shiitake",
            "grape",
            "analysis",
            "Essex",
            "Dickens",
            "cocktail",
            "scrapbook",
            "passage",
            "bass",
            "grass",
            "Matsushita",
            "hello",
            "as soon as",
            "I will pass it",
            "a s s i s t",
            "assess the passes",
            "spices",
            "the annals of history",
            "Shiite",
            "looser pants",
            "magna cum laude",
            "spick and span",
            "I got 3 kills",
            "see you at 5pm",
            "@channel hello",
            "well-known sub-par co-op",
            "Hancock and Cockburn",
            "I a m here",
            "the U.S.A. and U.K.",
        ],
    )
    def test_given_innocent_text_when_scanned_then_nothing_matched(self, text: str) -> None:
        assert _scan(text) == ()

    def test_given_sentence_of_innocent_words_when_scanned_then_clean(self) -> None:
        text = (
            "We met the therapist from Scunthorpe in Essex, had cocktails and shiitake, "
            "then analysed a classic passage by Dickens in the cockpit."
        )

        assert _scan(text) == ()


class TestPhrasesAndRegexes:
    def test_given_phrase_when_scanned_then_whole_phrase_span_reported(self) -> None:
        text = "just go kill yourself ok"

        typed = _typed(text)

        assert "kill yourself" in typed

    @pytest.mark.parametrize("text", ["zip zap", "ZIP  zaaaap", "zipzap", "zip.zap", "z1p-z@p"])
    def test_given_phrase_spelled_in_any_way_when_scanned_then_whole_span_matched(
        self, text: str
    ) -> None:
        matcher = BlocklistMatcher([{"term": "zip zap", "category": "hate", "severity": 2}])

        (match,) = matcher.scan(f"oh {text}!")

        assert (match.start, match.end, match.term) == (3, 3 + len(text), "zip zap")

    @pytest.mark.parametrize("text", ["zip. Zap", "zip the zap", "zap zip", "zipzapper"])
    def test_given_phrase_words_apart_when_scanned_then_not_matched(self, text: str) -> None:
        matcher = BlocklistMatcher([{"term": "zip zap", "category": "hate", "severity": 2}])

        assert matcher.scan(text) == ()

    def test_given_default_regex_when_scanned_then_matched_with_category(self) -> None:
        text = "I'll murder you tomorrow"

        matches = _scan(text)

        assert any(m.category == "violence" and m.severity == 3 for m in matches)
        assert all(0 <= m.start < m.end <= len(text) for m in matches)


class TestConfig:
    def test_given_user_term_when_scanned_then_reported_with_its_category_and_severity(
        self,
    ) -> None:
        provider = BlocklistProvider.from_config(
            terms=[{"term": "frobnicate", "category": "harassment", "severity": 3}]
        )

        result = provider.moderate("stop it, you fr0bn1cate", timeout=_TIMEOUT)

        (match,) = result.matches
        assert (match.term, match.category, match.severity) == ("frobnicate", "harassment", 3)
        assert result.scores == {"harassment": 3.0}

    def test_given_user_regex_when_scanned_then_original_offsets_reported(self) -> None:
        provider = BlocklistProvider.from_config(
            terms=[{"regex": r"\b\d{3}-\d{4}\b", "category": "harassment", "severity": 2}],
            include_default=False,
        )
        text = "Ça va? call 555-1234"

        (match,) = provider.moderate(text, timeout=_TIMEOUT).matches

        assert text[match.start : match.end] == "555-1234"

    def test_given_same_config_twice_when_built_then_compiled_once(self) -> None:
        terms = [{"term": "zorp", "category": "profanity", "severity": 1}]

        first = BlocklistProvider.from_config(terms=terms, allowlist=["zorpy"])
        second = BlocklistProvider.from_config(terms=list(terms), allowlist=["zorpy"])

        assert first.matcher is second.matcher
        assert first.matcher is not BlocklistProvider.from_config(terms=terms).matcher

    def test_given_keyword_config_when_constructed_then_same_as_from_config(self) -> None:
        terms = [{"term": "zorp", "category": "profanity", "severity": 1}]

        provider = BlocklistProvider(terms=terms)

        assert provider.matcher is BlocklistProvider.from_config(terms=terms).matcher
        assert BlocklistProvider().matcher is default_matcher()
        with pytest.raises(TypeError):
            BlocklistProvider(default_matcher(), terms=terms)

    def test_given_non_json_config_when_built_then_value_error(self) -> None:
        with pytest.raises(ValueError, match="severity"):
            BlocklistProvider.from_config(
                terms=[{"term": "zorp", "category": "hate", "severity": object()}]
            )

    def test_given_include_default_false_when_scanned_then_default_terms_ignored(self) -> None:
        provider = BlocklistProvider.from_config(
            terms=[{"term": "zorp", "category": "profanity", "severity": 1}],
            include_default=False,
        )

        assert provider.moderate("fuck zorp", timeout=_TIMEOUT).scores == {"profanity": 1.0}
        assert [m.term for m in provider.moderate("fuck", timeout=_TIMEOUT).matches] == []

    def test_given_user_allowlist_when_scanned_then_word_and_its_spellings_allowed(
        self,
    ) -> None:
        assert _scan("nice cock")  # flagged by default
        provider = BlocklistProvider.from_config(allowlist=["cock"])

        assert provider.moderate("nice cock, nice c0ck", timeout=_TIMEOUT).matches == ()
        assert provider.moderate("fuck", timeout=_TIMEOUT).matches != ()

    def test_given_allowlisted_phrase_when_scanned_then_only_matches_inside_it_dropped(
        self,
    ) -> None:
        matcher = BlocklistMatcher(
            [{"term": "cum", "category": "sexual", "severity": 2}], ["magna cum laude"]
        )

        assert matcher.scan("graduated magna cum laude") == ()
        assert len(matcher.scan("magna cum laude, cum")) == 1

    def test_given_duplicate_term_when_compiled_then_highest_severity_kept(self) -> None:
        matcher = BlocklistMatcher(
            [
                {"term": "zorp", "category": "profanity", "severity": 1},
                {"term": "ZORP", "category": "hate", "severity": 3},
            ]
        )

        (match,) = matcher.scan("zorp")

        assert (match.category, match.severity) == ("hate", 3)

    @pytest.mark.parametrize(
        "entry",
        [
            {"term": "x1", "category": "nope", "severity": 1},
            {"term": "zz", "category": "hate", "severity": 0},
            {"term": "zz", "category": "hate", "severity": 4},
            {"term": "zz", "category": "hate", "severity": True},
            {"term": "zz", "category": "hate", "severity": "2"},
            {"term": "zz", "regex": "zz", "category": "hate", "severity": 2},
            {"category": "hate", "severity": 2},
            {"regex": "(", "category": "hate", "severity": 2},
            {"term": "   ", "category": "hate", "severity": 2},
            {"term": "!!!", "category": "hate", "severity": 2},
        ],
    )
    def test_given_malformed_entry_when_compiled_then_value_error(
        self, entry: dict[str, object]
    ) -> None:
        with pytest.raises(ValueError, match="blocklist entry 0"):
            BlocklistMatcher([entry])

    def test_given_empty_allowlist_word_when_compiled_then_value_error(self) -> None:
        with pytest.raises(ValueError, match="allowlist entry 0"):
            BlocklistMatcher([], [" "])


class TestDefaultList:
    def test_given_bundled_list_when_loaded_then_entries_are_well_formed(self) -> None:
        entries, allowlist = load_default_list()

        assert len(entries) >= 300
        assert {e["category"] for e in entries} == CATEGORIES
        assert {e["severity"] for e in entries} == {1, 2, 3}
        assert all(isinstance(a, str) for a in allowlist)

    def test_given_every_default_term_when_scanned_then_it_matches_itself(self) -> None:
        entries, _ = load_default_list()
        misses = [e["term"] for e in entries if "term" in e and not _scan(str(e["term"]))]

        assert misses == []

    @pytest.mark.parametrize(
        ("text", "category", "severity"),
        [
            ("damn it", "profanity", 1),
            ("you nigger", "hate", 3),
            ("send nudes", "sexual", 2),
            ("kys", "harassment", 2),
            ("i want to kill myself", "self_harm", 3),
            ("i will kill you", "violence", 3),
        ],
    )
    def test_given_message_when_moderated_then_category_scored_with_max_severity(
        self, text: str, category: str, severity: int
    ) -> None:
        result = BlocklistProvider.default().moderate(text, timeout=_TIMEOUT)

        assert result.scores[category] == severity
        assert all(v == max(m.severity for m in result.matches if m.category == k)
                   for k, v in result.scores.items())  # fmt: skip

    def test_given_module_when_imported_then_list_not_built_yet(self) -> None:
        code = (
            "import chatmod.moderation.blocklist as b\n"
            "print(b.default_matcher.cache_info().currsize)\n"
        )
        out = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert out.stdout.strip() == "0"


class TestMask:
    def test_given_matches_when_masked_then_spans_replaced_keeping_length(self) -> None:
        text = "what the fuck, $h1t!"

        masked = mask(text, _scan(text))

        assert masked == "what the ****, ****!"

    def test_given_custom_char_when_masked_then_used(self) -> None:
        text = "f.u.c.k off"

        assert mask(text, _scan(text), "#") == "####### off"

    def test_given_overlapping_spans_when_masked_then_merged(self) -> None:
        spans = [Match(0, 4, "a", "hate", 1), Match(2, 6, "b", "hate", 1)]

        assert mask("abcdefgh", spans) == "******gh"

    def test_given_no_matches_when_masked_then_text_unchanged(self) -> None:
        assert mask("hello", []) == "hello"

    @pytest.mark.parametrize("char", ["", "**"])
    def test_given_bad_mask_char_when_masked_then_value_error(self, char: str) -> None:
        with pytest.raises(ValueError, match="single character"):
            mask("abc", [], char)

    def test_given_span_outside_text_when_masked_then_value_error(self) -> None:
        with pytest.raises(ValueError, match="outside"):
            mask("abc", [Match(1, 9, "x", "hate", 1)])

    @given(
        st.text(max_size=40),
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6),
    )
    @settings(max_examples=300, deadline=None)
    def test_given_any_spans_when_masked_then_outside_unchanged_inside_masked(
        self, text: str, raw_spans: list[tuple[int, int]]
    ) -> None:
        spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in raw_spans]
        matches = [Match(s, e, "t", "hate", 1) for s, e in spans]

        masked = mask(text, matches)

        assert len(masked) == len(text)
        for i, ch in enumerate(text):
            inside = any(s <= i < e for s, e in spans)
            assert masked[i] == ("*" if inside else ch)


_OBFUSCATED_PIECES = st.sampled_from(
    ["fuck", "f.u.c.k", "$h1t", "ѕhіt", "fück", "a s s", "f\u200buck", "ß", "\u0308", " ", "!"]
)
_MESSAGES = st.one_of(
    st.text(),
    st.lists(st.one_of(_OBFUSCATED_PIECES, st.text(max_size=4)), max_size=12).map("".join),
)


class TestRobustness:
    @given(_MESSAGES)
    @settings(max_examples=400, deadline=None)
    def test_given_any_text_when_scanned_then_no_crash_and_spans_sorted_in_bounds(
        self, text: str
    ) -> None:
        matches = _scan(text)

        assert list(matches) == sorted(matches, key=lambda m: (m.start, m.end, m.term))
        for m in matches:
            assert 0 <= m.start < m.end <= len(text)
            assert m.category in CATEGORIES
            assert 1 <= m.severity <= 3

    @given(_MESSAGES)
    @settings(max_examples=200, deadline=None)
    def test_given_any_text_when_scanned_and_masked_then_only_matched_spans_change(
        self, text: str
    ) -> None:
        matches = _scan(text)

        masked = mask(text, matches)

        assert len(masked) == len(text)
        for i, ch in enumerate(text):
            if not any(m.start <= i < m.end for m in matches):
                assert masked[i] == ch
            else:
                assert masked[i] == "*"

    @pytest.mark.parametrize(
        "text",
        [
            "",
            " ",
            "\x00\x01\x1b[31m\x7f",
            "\u202e\u200f\ufeff",
            "a" * 10_000,
            "f u c k " * 1_250,
            "$@!|*" * 2_000,
            "🙂" * 5_000,
        ],
    )
    def test_given_edge_input_when_moderated_then_result_returned(self, text: str) -> None:
        result = BlocklistProvider.default().moderate(text, timeout=5.0)

        assert isinstance(result, ProviderResult)
        assert all(0 <= m.start < m.end <= len(text) for m in result.matches)

    def test_given_long_spelled_out_spam_when_scanned_then_each_word_found(self) -> None:
        text = "f u c k " * 1_250

        assert len(_scan(text)) == 1_250


class TestProvider:
    def test_given_default_provider_when_checked_then_implements_protocol(self) -> None:
        provider = BlocklistProvider.default()

        assert isinstance(provider, Provider)
        assert provider.name == "blocklist"

    def test_given_repeated_calls_when_getting_default_then_same_instance(self) -> None:
        assert BlocklistProvider.default() is BlocklistProvider.default()
        assert BlocklistProvider.from_config() is BlocklistProvider.default()

    def test_given_clean_text_when_moderated_then_empty_scores(self) -> None:
        result = BlocklistProvider.default().moderate("see you at the match", timeout=_TIMEOUT)

        assert result == ProviderResult(provider="blocklist", scores={}, matches=())

    def test_given_several_categories_when_moderated_then_max_severity_each(self) -> None:
        result = BlocklistProvider.default().moderate(
            "damn, fucking cunt, nice tits", timeout=_TIMEOUT
        )

        assert result.scores == {"profanity": 3.0, "sexual": 2.0}

    def test_given_no_time_left_when_moderated_then_timeout_error(self) -> None:
        with pytest.raises(ProviderTimeoutError):
            BlocklistProvider.default().moderate("hello", timeout=0)

    def test_given_deadline_passed_when_scanning_long_text_then_timeout(self) -> None:
        with pytest.raises(TimeoutError):
            default_matcher().scan("word " * 1_000, deadline=time.perf_counter() - 1)

    def test_given_provider_when_masking_then_delegates_to_mask(self) -> None:
        provider = BlocklistProvider.default()
        text = "oh shit"

        result = provider.moderate(text, timeout=_TIMEOUT)

        assert provider.mask(text, result.matches) == "oh ****"


def test_given_default_list_file_when_parsed_then_valid_json_with_licence() -> None:
    from importlib import resources

    raw = resources.files("chatmod.moderation").joinpath("data", "blocklist_en.json")
    data = json.loads(raw.read_text(encoding="utf-8"))

    assert data["license"] == "Apache-2.0"
