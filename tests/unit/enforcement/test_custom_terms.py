"""The custom terms' changes: normalised, replaced not duplicated, bounded, removable."""

from __future__ import annotations

import pytest

from chatmod.enforcement.custom_terms import (
    MAX_SCOPES,
    MAX_TERMS,
    STAGE,
    BlockedTerm,
    CustomTerms,
    TermsError,
)


def test_a_term_is_held_trimmed_and_case_folded_and_replaced_not_duplicated():
    terms = CustomTerms().adding(STAGE, "block", BlockedTerm("  Frak  Off ", "hate", 3))
    terms = terms.adding(STAGE, "block", BlockedTerm("frak off", "profanity", 1))

    assert terms.stage.block == (BlockedTerm("frak off", "profanity", 1),)


def test_allowed_terms_and_room_scopes_are_kept_apart():
    terms = (
        CustomTerms()
        .adding(STAGE, "allow", BlockedTerm("Scunthorpe"))
        .adding("kids-*", "block", BlockedTerm("noob"))
    )

    assert terms.stage.allow == ("scunthorpe",)
    assert terms.for_room("kids-1") == terms.scope("kids-*")
    assert terms.for_room("lobby") is None
    assert terms.for_room(None) is None


def test_removing_the_last_term_drops_the_scope_and_a_missing_one_is_an_error():
    terms = CustomTerms().adding("kids-*", "block", BlockedTerm("noob"))

    emptied = terms.removing("kids-*", "block", "NOOB")

    assert emptied.scopes == ()
    with pytest.raises(TermsError, match="is not blocked"):
        emptied.removing("kids-*", "block", "noob")
    with pytest.raises(TermsError, match="is not allowed"):
        terms.removing("kids-*", "allow", "noob")


def test_the_limits_hold_at_their_numbers():
    terms = CustomTerms()
    for n in range(MAX_TERMS):
        terms = terms.adding(STAGE, "block", BlockedTerm(f"t{n}"))
    with pytest.raises(TermsError, match=f"at most {MAX_TERMS}"):
        terms.adding(STAGE, "block", BlockedTerm("one more"))
    assert len(terms.adding(STAGE, "block", BlockedTerm("t0")).stage.block) == MAX_TERMS

    scoped = CustomTerms()
    for n in range(MAX_SCOPES):
        scoped = scoped.adding(f"room-{n}", "block", BlockedTerm("x"))
    with pytest.raises(TermsError, match=f"at most {MAX_SCOPES} scopes"):
        scoped.adding("room-new", "block", BlockedTerm("x"))


def test_the_stored_form_reads_back_the_same_and_unreadable_entries_are_left_out():
    terms = (
        CustomTerms(version=3)
        .adding(STAGE, "block", BlockedTerm("frak", "hate", 3))
        .adding("kids-*", "allow", BlockedTerm("ok"))
    )

    assert CustomTerms.from_json(terms.to_json(), 3) == terms
    odd = {"*": {"block": [{"term": ""}, "x", {"term": "a"}], "allow": [None, "b"]}, "x": 1}
    assert CustomTerms.from_json(odd, 1).stage.block == (BlockedTerm("a"),)
