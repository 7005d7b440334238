"""Retry-After parsing shared by the Ably gateway and the moderation providers."""

from __future__ import annotations

import httpx
import pytest

from chatmod.core.retry_after import MAX_RETRY_AFTER_S, parse_retry_after, retry_after_seconds

# Wed, 21 Oct 2015 07:28:00 GMT
NOW = 1445412480.0


def fixed_now() -> float:
    return NOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("0.3", 0.3),  # not RFC 9110, but servers send it
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),  # IMF-fixdate
        ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),  # obsolete RFC 850 form
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: now
        ("Wed, 21 Oct 2015 07:28:30 -0000", 30.0),  # naive date: GMT
    ],
)
def test_given_delta_seconds_or_http_date_then_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, now=fixed_now) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "-5", "soon", "nan", "inf", "1e999", "-inf"])
def test_given_absent_negative_or_unreadable_then_none(value: str | None) -> None:
    assert parse_retry_after(value, now=fixed_now) is None


def test_given_a_huge_wait_then_bounded() -> None:
    assert parse_retry_after("999999999", now=fixed_now) == MAX_RETRY_AFTER_S
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=fixed_now) == MAX_RETRY_AFTER_S
    assert parse_retry_after("90", now=fixed_now, limit=30) == 30


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
        ({"Retry-After-Ms": "oops", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "-1", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": str(10**12)}, MAX_RETRY_AFTER_S),
        ({}, None),
    ],
)
def test_headers_prefer_milliseconds_and_ignore_case(
    headers: dict[str, str], expected: float | None
) -> None:
    assert retry_after_seconds(headers, now=fixed_now) == expected
    assert retry_after_seconds(httpx.Headers(headers), now=fixed_now) == expected
