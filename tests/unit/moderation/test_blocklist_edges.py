"""The blocklist matcher's rules at their edges (issue 18: mutation survivors).

Each test builds its own small list, so the expectation is the term written here,
not something read from the bundled lists.
"""

from __future__ import annotations

import pytest

from chatmod.moderation.base import ProviderTimeoutError
from chatmod.moderation.blocklist import BlocklistMatcher, BlocklistProvider, default_matcher, mask


def entry(term: str, severity: int = 2, **extra: object) -> dict[str, object]:
    return {"term": term, "category": "profanity", "severity": severity, **extra}


def terms(matcher: BlocklistMatcher, text: str) -> list[str]:
    return [m.term for m in matcher.scan(text)]


def test_given_two_terms_a_masked_word_fits_equally_when_scanned_then_the_first_listed():
    matcher = BlocklistMatcher([entry("fuck"), entry("funk")])

    assert terms(matcher, "f**k") == ["fuck"]


def test_given_a_masked_word_fits_a_more_severe_term_when_scanned_then_that_term():
    matcher = BlocklistMatcher([entry("funk", 1), entry("fuck", 3)])

    assert terms(matcher, "f**k") == ["fuck"]


def test_given_the_first_fitting_term_is_allowed_when_masked_then_the_next_one_is_found():
    matcher = BlocklistMatcher([entry("funk"), entry("fuck")], allowlist=["funk"])

    assert terms(matcher, "f**k") == ["fuck"]


def test_given_an_allowlist_entry_as_a_mapping_when_scanned_then_it_shields_like_a_word():
    assert terms(BlocklistMatcher([entry("heck")], allowlist=[{"term": "heck"}]), "heck") == []
    assert terms(BlocklistMatcher([entry("heck")], allowlist=[{"term": "other"}]), "heck") == [
        "heck"
    ]


def test_given_a_term_that_is_also_a_name_when_written_as_a_name_then_left_alone():
    named = BlocklistMatcher([entry("dick", name=True)])
    plain = BlocklistMatcher([entry("dick")])

    assert terms(named, "ask Dick about it") == []
    assert terms(plain, "ask Dick about it") == ["dick"]
    assert terms(named, "what a dick") == ["dick"]


def test_given_a_regex_that_can_match_nothing_when_scanned_then_no_empty_match():
    matcher = BlocklistMatcher([{"regex": "z*", "category": "profanity", "severity": 1}])

    assert matcher.scan("hello") == ()


def test_given_a_plural_in_es_of_a_listed_term_when_scanned_then_the_term():
    matcher = BlocklistMatcher([entry("bitch")])

    assert terms(matcher, "bitches") == ["bitch"]


def test_given_a_spelled_out_word_after_a_one_letter_word_when_scanned_then_found():
    matcher = BlocklistMatcher([entry("fuck")])

    assert terms(matcher, "a f u c k") == ["fuck"]


def test_given_bad_config_when_compiled_then_the_error_says_what_and_where():
    with pytest.raises(ValueError, match=r"^blocklist entry 0: expected a mapping, got list$"):
        BlocklistMatcher([["fuck"]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"^mask char must be a single character$"):
        mask("fuck", [], "**")
    with pytest.raises(
        TypeError, match=r"^give either a matcher or terms/allowlist config, not both$"
    ):
        BlocklistProvider(default_matcher(), terms=[entry("heck")])  # type: ignore[call-arg]


def test_given_no_time_left_when_moderated_then_a_provider_timeout_before_scanning():
    provider = BlocklistProvider(BlocklistMatcher([entry("heck")]))

    with pytest.raises(ProviderTimeoutError):
        provider.moderate("heck", timeout=0)
    assert provider.moderate("heck", timeout=5).scores == {"profanity": 2.0}


def test_given_a_mask_char_when_the_provider_masks_then_that_char():
    provider = BlocklistProvider(BlocklistMatcher([entry("heck")]))
    matches = provider.moderate("oh heck", timeout=5).matches

    assert provider.mask("oh heck", matches, "#") == "oh ####"


def test_given_the_bundled_lists_when_a_hashtag_holds_an_innocent_compound_then_shielded():
    # "cockpit" is in the bundled compound allowlist; without it "#cockpitview" reads "cock".
    assert terms(default_matcher(("en",)), "#cockpitview") == []


def test_given_extra_terms_with_the_bundled_lists_when_compiled_then_their_compounds_kept():
    provider = BlocklistProvider.from_config(terms=[entry("heckin")], languages=["en"])

    assert terms(provider.matcher, "#cockpitview") == []
    assert terms(provider.matcher, "heckin") == ["heckin"]


@pytest.mark.parametrize(
    ("hashtag", "found"),
    [
        ("#analogcock", ["cock"]),  # the innocent word ends where the term starts
        ("#cockpitbigcock", ["cock"]),  # the second "cock" is in no innocent word
        ("#bigcockpitcock", ["cock"]),  # nor here, after an innocent word further in
        ("#cockpitbigcockpit", []),  # each "cock" is inside a "cockpit"
    ],
)
def test_given_an_innocent_compound_in_a_hashtag_when_scanned_then_only_overlaps_shield(
    hashtag: str, found: list[str]
) -> None:
    matcher = BlocklistMatcher(
        [{"term": "cock", "category": "sexual", "severity": 2}],
        compound_allow=["cockpit", "analog"],
    )

    assert terms(matcher, hashtag) == found


def test_given_room_languages_when_a_room_has_its_own_lists_then_the_extra_terms_too():
    provider = BlocklistProvider.from_config(
        terms=[entry("heckin")], languages=["en"], room_languages={"fr-*": ["fr"]}
    )

    assert terms(provider.matcher_for_room("fr-1"), "heckin") == ["heckin"]


@pytest.mark.parametrize(
    ("listed", "text", "found"),
    [
        # Glued by joiners: a fragment of two letters is tried with its neighbour.
        ("fuck", "go.fu.ck", ["fuck"]),
        # Spelled out after an ordinary word, and split at the wider gap.
        ("fuck", "oh f u c k", ["fuck"]),
        ("fuck", "oh f u c k  y o u", ["fuck"]),
        # Three single letters are a spelled-out word; a leading "a" may be a word.
        ("ass", "a s s", ["ass"]),
        ("cum", "a c u m", ["cum"]),
        # A run of 13 letters is searched inside, from every position.
        ("fuck", "x x f u c k x x x x x x x", ["fuck"]),
        ("bitch", "x x b i t c h x x x x x x", ["bitch"]),
        # camelCase: a capital right after the first letter, and words before it.
        ("bitch", "uBitch", ["bitch"]),
        ("bitch", "heyYou bitchPlease", ["bitch"]),
    ],
)
def test_given_a_term_split_or_glued_when_scanned_then_found(
    listed: str, text: str, found: list[str]
) -> None:
    matcher = BlocklistMatcher([entry(listed)])

    assert terms(matcher, text) == found
