"""The x-chatmod-judged header: signed over room, sender and text, verified in constant time."""

from __future__ import annotations

import pytest

from chatmod.enforcement.judged import MAX_AGE_S, judged_header, verify_judged_header

SECRET = "before-publish-secret-0123456789"
NOW = 1_795_320_000.0
FIELDS = {"room": "lobby", "client_id": "alice", "text": "hello"}


def sign(**overrides: object) -> str:
    values: dict = {"room": "lobby", "client_id": "alice", "text": "hello", "now": NOW}
    values.update(overrides)
    return judged_header(SECRET, **values)


def test_given_the_header_chatmod_signed_then_it_verifies():
    assert verify_judged_header(sign(), SECRET, **FIELDS, now=NOW + 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("room", "other"), ("client_id", "mallory"), ("text", "hello!"), ("text", "")],
)
def test_given_any_signed_field_changed_then_it_does_not_verify(field, value):
    presented = {**FIELDS, field: value}

    assert not verify_judged_header(sign(), SECRET, **presented, now=NOW)


def test_given_another_secret_then_it_does_not_verify():
    forged = judged_header("another-secret", **FIELDS, now=NOW)

    assert not verify_judged_header(forged, SECRET, **FIELDS, now=NOW)


def test_given_fields_that_shift_a_boundary_then_the_mac_differs():
    # "a" + "b|c" and "a|b" + "c" must not sign alike.
    one = judged_header(SECRET, room="a", client_id="b\x1fc", text="t", now=NOW)
    two = judged_header(SECRET, room="a\x1fb", client_id="c", text="t", now=NOW)

    assert one != two


@pytest.mark.parametrize(
    ("age", "valid"), [(0, True), (MAX_AGE_S, True), (MAX_AGE_S + 1, False), (-60, False)]
)
def test_given_its_age_then_only_a_recent_header_verifies(age, valid):
    assert verify_judged_header(sign(now=NOW - age), SECRET, **FIELDS, now=NOW) is valid


@pytest.mark.parametrize(
    "value", [None, 1, "", "true", "v1", "v1..", "v2.1795320000.x", "v1.1795320000.é", "v1.-1.x"]
)
def test_given_a_malformed_value_then_not_valid_and_no_error(value):
    assert not verify_judged_header(value, SECRET, **FIELDS, now=NOW)


def test_given_a_lone_surrogate_in_the_text_then_signing_and_checking_do_not_raise():
    header = sign(text="x\ud800")

    assert verify_judged_header(header, SECRET, **{**FIELDS, "text": "x\ud800"}, now=NOW)
