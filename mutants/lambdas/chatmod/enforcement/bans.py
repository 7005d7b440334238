"""Bans and the strike ladder: pure decisions, no I/O (storage lives in ``adapters.ban_store``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from chatmod.core.policy import BanPolicy, parse_ladder_step

#: The ``source`` of a ban the strike ladder applied (any other source is a moderator id).
AUTO_SOURCE: Final = "auto"


from mutmut.mutation.trampoline import wrap_in_trampoline as _mutmut_mutated, MutantDict


class MalformedBanError(ValueError):
    """A bans table item (or its stream image) that is not a ban chatmod can read."""
mutants_x_epoch_seconds__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_epoch_seconds__mutmut)
def epoch_seconds(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_orig(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_1(value: Any, name: str = "XXexpiresAtXX") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_2(value: Any, name: str = "expiresat") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_3(value: Any, name: str = "EXPIRESAT") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_4(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is not None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_5(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) and not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_6(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_7(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(None)
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_8(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(None).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_9(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_10(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(None).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_11(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = None
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_12(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(None)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_13(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(None, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_14(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, None)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_15(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_16(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, )
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_17(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() and number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_18(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_19(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number == number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def x_epoch_seconds__mutmut_20(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(None)
    return int(number)


def x_epoch_seconds__mutmut_21(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(None)

mutants_x_epoch_seconds__mutmut['_mutmut_orig'] = x_epoch_seconds__mutmut_orig # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_1'] = x_epoch_seconds__mutmut_1 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_2'] = x_epoch_seconds__mutmut_2 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_3'] = x_epoch_seconds__mutmut_3 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_4'] = x_epoch_seconds__mutmut_4 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_5'] = x_epoch_seconds__mutmut_5 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_6'] = x_epoch_seconds__mutmut_6 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_7'] = x_epoch_seconds__mutmut_7 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_8'] = x_epoch_seconds__mutmut_8 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_9'] = x_epoch_seconds__mutmut_9 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_10'] = x_epoch_seconds__mutmut_10 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_11'] = x_epoch_seconds__mutmut_11 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_12'] = x_epoch_seconds__mutmut_12 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_13'] = x_epoch_seconds__mutmut_13 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_14'] = x_epoch_seconds__mutmut_14 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_15'] = x_epoch_seconds__mutmut_15 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_16'] = x_epoch_seconds__mutmut_16 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_17'] = x_epoch_seconds__mutmut_17 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_18'] = x_epoch_seconds__mutmut_18 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_19'] = x_epoch_seconds__mutmut_19 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_20'] = x_epoch_seconds__mutmut_20 # type: ignore # mutmut generated
mutants_x_epoch_seconds__mutmut['x_epoch_seconds__mutmut_21'] = x_epoch_seconds__mutmut_21 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x__iso_seconds__mutmut)
def _iso_seconds(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_orig(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_1(text: str, name: str) -> int:
    try:
        moment = None
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_2(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(None)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_3(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            None
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_4(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:41]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_5(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is not None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_6(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(None)
    return int(moment.timestamp())


def x__iso_seconds__mutmut_7(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:41]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


def x__iso_seconds__mutmut_8(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(None)

mutants_x__iso_seconds__mutmut['_mutmut_orig'] = x__iso_seconds__mutmut_orig # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_1'] = x__iso_seconds__mutmut_1 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_2'] = x__iso_seconds__mutmut_2 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_3'] = x__iso_seconds__mutmut_3 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_4'] = x__iso_seconds__mutmut_4 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_5'] = x__iso_seconds__mutmut_5 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_6'] = x__iso_seconds__mutmut_6 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_7'] = x__iso_seconds__mutmut_7 # type: ignore # mutmut generated
mutants_x__iso_seconds__mutmut['x__iso_seconds__mutmut_8'] = x__iso_seconds__mutmut_8 # type: ignore # mutmut generated
mutants_xǁBanǁactive__mutmut: MutantDict = {}  # type: ignore
mutants_xǁBanǁoutlasts__mutmut: MutantDict = {}  # type: ignore
mutants_xǁBanǁto_json__mutmut: MutantDict = {}  # type: ignore


@dataclass(frozen=True, slots=True)
class Ban:
    """A ban on one client id.

    Attributes:
        client_id: the banned user.
        reason: why, in words a moderator (or the user, in the 403) can read.
        source: ``"auto"`` for the strike ladder, otherwise the moderator's client id.
        created_at: when the ban was applied, epoch seconds.
        expires_at: when it ends, epoch seconds; ``None`` for a permanent ban.
    """

    client_id: str
    reason: str
    source: str
    created_at: int
    expires_at: int | None

    @property
    def permanent(self) -> bool:
        """True when the ban never ends."""
        return self.expires_at is None

    @property
    def automatic(self) -> bool:
        """True when the strike ladder applied the ban (not a moderator)."""
        return self.source == AUTO_SOURCE

    @_mutmut_mutated(mutants_xǁBanǁactive__mutmut)
    def active(self, now: float) -> bool:
        """Whether the ban holds at ``now`` (epoch seconds); it ends *at* ``expires_at``."""
        return self.expires_at is None or now < self.expires_at

    def xǁBanǁactive__mutmut_orig(self, now: float) -> bool:
        """Whether the ban holds at ``now`` (epoch seconds); it ends *at* ``expires_at``."""
        return self.expires_at is None or now < self.expires_at

    def xǁBanǁactive__mutmut_1(self, now: float) -> bool:
        """Whether the ban holds at ``now`` (epoch seconds); it ends *at* ``expires_at``."""
        return self.expires_at is None and now < self.expires_at

    def xǁBanǁactive__mutmut_2(self, now: float) -> bool:
        """Whether the ban holds at ``now`` (epoch seconds); it ends *at* ``expires_at``."""
        return self.expires_at is not None or now < self.expires_at

    def xǁBanǁactive__mutmut_3(self, now: float) -> bool:
        """Whether the ban holds at ``now`` (epoch seconds); it ends *at* ``expires_at``."""
        return self.expires_at is None or now <= self.expires_at

    @property
    def banned_until_iso(self) -> str | None:
        """The end as ISO-8601 UTC (``2026-11-22T04:00:00Z``), or ``None`` when permanent."""
        return None if self.expires_at is None else iso_seconds(self.expires_at)

    @_mutmut_mutated(mutants_xǁBanǁoutlasts__mutmut)
    def outlasts(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is not None
        return expires_at is not None and self.expires_at > expires_at

    def xǁBanǁoutlasts__mutmut_orig(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is not None
        return expires_at is not None and self.expires_at > expires_at

    def xǁBanǁoutlasts__mutmut_1(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is not None:
            return expires_at is not None
        return expires_at is not None and self.expires_at > expires_at

    def xǁBanǁoutlasts__mutmut_2(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is None
        return expires_at is not None and self.expires_at > expires_at

    def xǁBanǁoutlasts__mutmut_3(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is not None
        return expires_at is not None or self.expires_at > expires_at

    def xǁBanǁoutlasts__mutmut_4(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is not None
        return expires_at is None and self.expires_at > expires_at

    def xǁBanǁoutlasts__mutmut_5(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is not None
        return expires_at is not None and self.expires_at >= expires_at

    @_mutmut_mutated(mutants_xǁBanǁto_json__mutmut)
    def to_json(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_orig(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_1(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "XXclientIdXX": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_2(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientid": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_3(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "CLIENTID": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_4(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "XXreasonXX": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_5(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "REASON": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_6(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "XXsourceXX": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_7(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "SOURCE": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_8(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "XXcreatedAtXX": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_9(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdat": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_10(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "CREATEDAT": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_11(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(None),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_12(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "XXexpiresAtXX": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_13(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresat": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_14(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "EXPIRESAT": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_15(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "XXbannedUntilXX": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_16(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "banneduntil": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_17(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "BANNEDUNTIL": self.banned_until_iso,
            "permanent": self.permanent,
        }

    def xǁBanǁto_json__mutmut_18(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "XXpermanentXX": self.permanent,
        }

    def xǁBanǁto_json__mutmut_19(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "PERMANENT": self.permanent,
        }

mutants_xǁBanǁactive__mutmut['_mutmut_orig'] = Ban.xǁBanǁactive__mutmut_orig # type: ignore # mutmut generated
mutants_xǁBanǁactive__mutmut['xǁBanǁactive__mutmut_1'] = Ban.xǁBanǁactive__mutmut_1 # type: ignore # mutmut generated
mutants_xǁBanǁactive__mutmut['xǁBanǁactive__mutmut_2'] = Ban.xǁBanǁactive__mutmut_2 # type: ignore # mutmut generated
mutants_xǁBanǁactive__mutmut['xǁBanǁactive__mutmut_3'] = Ban.xǁBanǁactive__mutmut_3 # type: ignore # mutmut generated

mutants_xǁBanǁoutlasts__mutmut['_mutmut_orig'] = Ban.xǁBanǁoutlasts__mutmut_orig # type: ignore # mutmut generated
mutants_xǁBanǁoutlasts__mutmut['xǁBanǁoutlasts__mutmut_1'] = Ban.xǁBanǁoutlasts__mutmut_1 # type: ignore # mutmut generated
mutants_xǁBanǁoutlasts__mutmut['xǁBanǁoutlasts__mutmut_2'] = Ban.xǁBanǁoutlasts__mutmut_2 # type: ignore # mutmut generated
mutants_xǁBanǁoutlasts__mutmut['xǁBanǁoutlasts__mutmut_3'] = Ban.xǁBanǁoutlasts__mutmut_3 # type: ignore # mutmut generated
mutants_xǁBanǁoutlasts__mutmut['xǁBanǁoutlasts__mutmut_4'] = Ban.xǁBanǁoutlasts__mutmut_4 # type: ignore # mutmut generated
mutants_xǁBanǁoutlasts__mutmut['xǁBanǁoutlasts__mutmut_5'] = Ban.xǁBanǁoutlasts__mutmut_5 # type: ignore # mutmut generated

mutants_xǁBanǁto_json__mutmut['_mutmut_orig'] = Ban.xǁBanǁto_json__mutmut_orig # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_1'] = Ban.xǁBanǁto_json__mutmut_1 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_2'] = Ban.xǁBanǁto_json__mutmut_2 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_3'] = Ban.xǁBanǁto_json__mutmut_3 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_4'] = Ban.xǁBanǁto_json__mutmut_4 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_5'] = Ban.xǁBanǁto_json__mutmut_5 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_6'] = Ban.xǁBanǁto_json__mutmut_6 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_7'] = Ban.xǁBanǁto_json__mutmut_7 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_8'] = Ban.xǁBanǁto_json__mutmut_8 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_9'] = Ban.xǁBanǁto_json__mutmut_9 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_10'] = Ban.xǁBanǁto_json__mutmut_10 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_11'] = Ban.xǁBanǁto_json__mutmut_11 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_12'] = Ban.xǁBanǁto_json__mutmut_12 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_13'] = Ban.xǁBanǁto_json__mutmut_13 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_14'] = Ban.xǁBanǁto_json__mutmut_14 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_15'] = Ban.xǁBanǁto_json__mutmut_15 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_16'] = Ban.xǁBanǁto_json__mutmut_16 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_17'] = Ban.xǁBanǁto_json__mutmut_17 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_18'] = Ban.xǁBanǁto_json__mutmut_18 # type: ignore # mutmut generated
mutants_xǁBanǁto_json__mutmut['xǁBanǁto_json__mutmut_19'] = Ban.xǁBanǁto_json__mutmut_19 # type: ignore # mutmut generated


@dataclass(frozen=True, slots=True)
class LadderStep:
    """One rung of the ban ladder.

    Attributes:
        index: the rung's position in the configured ladder (0-based).
        label: the rung as configured: ``"warn"``, ``"120s"``, ``"permanent"``...
        duration_seconds: ``0`` for a warning, ``None`` for a permanent ban,
            otherwise the ban's length.
    """

    index: int
    label: str
    duration_seconds: int | None

    @property
    def is_warning(self) -> bool:
        """True when this rung only warns (no ban)."""
        return self.duration_seconds == 0

    @property
    def bans(self) -> bool:
        """True when this rung bans (for a while or for good)."""
        return not self.is_warning


@dataclass(frozen=True, slots=True)
class StrikeOutcome:
    """What one strike did.

    Attributes:
        client_id: the user struck.
        message_ref: the message the strike is for (one strike per message).
        count: strikes inside the window, this one included.
        step: the ladder rung ``count`` reached.
        ban: the ban in effect after the strike (the one applied, or a longer
            one already in place), or ``None`` when the rung only warns (the
            bans table is not read then, so a moderator's ban is not reported).
        ban_applied: True when this strike wrote a new ban (so tokens should be
            revoked, if the policy says so).
        duplicate: True when the message had already been counted (redelivery):
            the count did not grow.
    """

    client_id: str
    message_ref: str
    count: int
    step: LadderStep
    ban: Ban | None
    ban_applied: bool
    duplicate: bool
mutants_x_ladder_step__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_ladder_step__mutmut)
def ladder_step(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_orig(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_1(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count <= 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_2(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 2:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_3(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError(None)
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_4(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("XXstrike_count must be at least 1XX")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_5(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("STRIKE_COUNT MUST BE AT LEAST 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_6(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = None
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_7(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) + 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_8(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(None, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_9(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, None) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_10(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_11(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, ) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_12(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 2
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_13(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = None
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_14(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=None, label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_15(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=None, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_16(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=None)


def x_ladder_step__mutmut_17(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(label=label, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_18(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, duration_seconds=parse_ladder_step(label))


def x_ladder_step__mutmut_19(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, )


def x_ladder_step__mutmut_20(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(None))

mutants_x_ladder_step__mutmut['_mutmut_orig'] = x_ladder_step__mutmut_orig # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_1'] = x_ladder_step__mutmut_1 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_2'] = x_ladder_step__mutmut_2 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_3'] = x_ladder_step__mutmut_3 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_4'] = x_ladder_step__mutmut_4 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_5'] = x_ladder_step__mutmut_5 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_6'] = x_ladder_step__mutmut_6 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_7'] = x_ladder_step__mutmut_7 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_8'] = x_ladder_step__mutmut_8 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_9'] = x_ladder_step__mutmut_9 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_10'] = x_ladder_step__mutmut_10 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_11'] = x_ladder_step__mutmut_11 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_12'] = x_ladder_step__mutmut_12 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_13'] = x_ladder_step__mutmut_13 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_14'] = x_ladder_step__mutmut_14 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_15'] = x_ladder_step__mutmut_15 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_16'] = x_ladder_step__mutmut_16 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_17'] = x_ladder_step__mutmut_17 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_18'] = x_ladder_step__mutmut_18 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_19'] = x_ladder_step__mutmut_19 # type: ignore # mutmut generated
mutants_x_ladder_step__mutmut['x_ladder_step__mutmut_20'] = x_ladder_step__mutmut_20 # type: ignore # mutmut generated
mutants_x_window_start_ms__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_window_start_ms__mutmut)
def window_start_ms(now_ms: int, window_seconds: int) -> int:
    """The oldest strike time (epoch ms, exclusive) that still counts at ``now_ms``."""
    return now_ms - window_seconds * 1000


def x_window_start_ms__mutmut_orig(now_ms: int, window_seconds: int) -> int:
    """The oldest strike time (epoch ms, exclusive) that still counts at ``now_ms``."""
    return now_ms - window_seconds * 1000


def x_window_start_ms__mutmut_1(now_ms: int, window_seconds: int) -> int:
    """The oldest strike time (epoch ms, exclusive) that still counts at ``now_ms``."""
    return now_ms + window_seconds * 1000


def x_window_start_ms__mutmut_2(now_ms: int, window_seconds: int) -> int:
    """The oldest strike time (epoch ms, exclusive) that still counts at ``now_ms``."""
    return now_ms - window_seconds / 1000


def x_window_start_ms__mutmut_3(now_ms: int, window_seconds: int) -> int:
    """The oldest strike time (epoch ms, exclusive) that still counts at ``now_ms``."""
    return now_ms - window_seconds * 1001

mutants_x_window_start_ms__mutmut['_mutmut_orig'] = x_window_start_ms__mutmut_orig # type: ignore # mutmut generated
mutants_x_window_start_ms__mutmut['x_window_start_ms__mutmut_1'] = x_window_start_ms__mutmut_1 # type: ignore # mutmut generated
mutants_x_window_start_ms__mutmut['x_window_start_ms__mutmut_2'] = x_window_start_ms__mutmut_2 # type: ignore # mutmut generated
mutants_x_window_start_ms__mutmut['x_window_start_ms__mutmut_3'] = x_window_start_ms__mutmut_3 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_strikes_in_window__mutmut)
def strikes_in_window(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, window_seconds)
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_orig(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, window_seconds)
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_1(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = None
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_2(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(None, window_seconds)
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_3(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, None)
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_4(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(window_seconds)
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_5(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, )
    return sum(1 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_6(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, window_seconds)
    return sum(None)


def x_strikes_in_window__mutmut_7(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, window_seconds)
    return sum(2 for at in times_ms if at > start)


def x_strikes_in_window__mutmut_8(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, window_seconds)
    return sum(1 for at in times_ms if at >= start)

mutants_x_strikes_in_window__mutmut['_mutmut_orig'] = x_strikes_in_window__mutmut_orig # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_1'] = x_strikes_in_window__mutmut_1 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_2'] = x_strikes_in_window__mutmut_2 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_3'] = x_strikes_in_window__mutmut_3 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_4'] = x_strikes_in_window__mutmut_4 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_5'] = x_strikes_in_window__mutmut_5 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_6'] = x_strikes_in_window__mutmut_6 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_7'] = x_strikes_in_window__mutmut_7 # type: ignore # mutmut generated
mutants_x_strikes_in_window__mutmut['x_strikes_in_window__mutmut_8'] = x_strikes_in_window__mutmut_8 # type: ignore # mutmut generated


class StaleRecordError(Exception):
    """A sender's strikes or ban changed between the read and the write: plan again."""


@dataclass(frozen=True, slots=True)
class Strike:
    """One remembered strike: which message, and when (epoch ms)."""

    ref: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class StrikeRef:
    """What identifies a rejected message across redeliveries and retries.

    Attributes:
        value: an Ably serial or message id, or a digest for a message Ably has
            not named yet (before-publish).
        dedupe_seconds: how long the same ``value`` counts as the same message.
            ``None`` for real Ably identifiers (the same id is always the same
            message); a short window for digests, because Ably retries one
            message for at most its rule's retry timeout, while a sender who
            repeats the same words later earns another strike.
    """

    value: str
    dedupe_seconds: int | None = None
mutants_xǁSenderRecordǁactive_ban__mutmut: MutantDict = {}  # type: ignore


@dataclass(frozen=True, slots=True)
class SenderRecord:
    """What the stores hold about one sender: their ban and their recent strikes.

    Attributes:
        client_id: the sender.
        ban: the stored ban, active or not (TTL deletes late); see ``active_ban``.
        strikes: remembered strikes, oldest first.
        version: the strikes item's version (0 when there is none); a write
            expects it unchanged, so concurrent strikes cannot lose one.
    """

    client_id: str
    ban: Ban | None = None
    strikes: tuple[Strike, ...] = ()
    version: int = 0

    @_mutmut_mutated(mutants_xǁSenderRecordǁactive_ban__mutmut)
    def active_ban(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if self.ban is not None and self.ban.active(now) else None

    def xǁSenderRecordǁactive_ban__mutmut_orig(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if self.ban is not None and self.ban.active(now) else None

    def xǁSenderRecordǁactive_ban__mutmut_1(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if (self.ban is not None and self.ban.active(now)) and False else None

    def xǁSenderRecordǁactive_ban__mutmut_2(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if (self.ban is not None and self.ban.active(now)) or True else None

    def xǁSenderRecordǁactive_ban__mutmut_3(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if self.ban is not None or self.ban.active(now) else None

    def xǁSenderRecordǁactive_ban__mutmut_4(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if self.ban is None and self.ban.active(now) else None

    def xǁSenderRecordǁactive_ban__mutmut_5(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if self.ban is not None and self.ban.active(None) else None

mutants_xǁSenderRecordǁactive_ban__mutmut['_mutmut_orig'] = SenderRecord.xǁSenderRecordǁactive_ban__mutmut_orig # type: ignore # mutmut generated
mutants_xǁSenderRecordǁactive_ban__mutmut['xǁSenderRecordǁactive_ban__mutmut_1'] = SenderRecord.xǁSenderRecordǁactive_ban__mutmut_1 # type: ignore # mutmut generated
mutants_xǁSenderRecordǁactive_ban__mutmut['xǁSenderRecordǁactive_ban__mutmut_2'] = SenderRecord.xǁSenderRecordǁactive_ban__mutmut_2 # type: ignore # mutmut generated
mutants_xǁSenderRecordǁactive_ban__mutmut['xǁSenderRecordǁactive_ban__mutmut_3'] = SenderRecord.xǁSenderRecordǁactive_ban__mutmut_3 # type: ignore # mutmut generated
mutants_xǁSenderRecordǁactive_ban__mutmut['xǁSenderRecordǁactive_ban__mutmut_4'] = SenderRecord.xǁSenderRecordǁactive_ban__mutmut_4 # type: ignore # mutmut generated
mutants_xǁSenderRecordǁactive_ban__mutmut['xǁSenderRecordǁactive_ban__mutmut_5'] = SenderRecord.xǁSenderRecordǁactive_ban__mutmut_5 # type: ignore # mutmut generated


@dataclass(frozen=True, slots=True)
class StrikePlan:
    """The writes one strike calls for, decided before anything is written.

    Attributes:
        outcome: what the strike does (count, rung, ban, duplicate).
        strikes: the strikes to store: the window's, newest last, at most
            ``MAX_REMEMBERED_STRIKES``.
        expected_version: the strikes item's version the plan was made from.
        strikes_expire_at: the strikes item's TTL (epoch seconds).
        new_ban: the ban to write, or ``None`` (a warning rung, a duplicate, or
            a ban already in place that must not be replaced).
    """

    outcome: StrikeOutcome
    strikes: tuple[Strike, ...]
    expected_version: int
    strikes_expire_at: int
    new_ban: Ban | None


#: Strikes remembered per sender. The ladder needs no more than its length (the
#: last rung repeats) and dedupe only the latest few, so the item stays small
#: (a few KiB) however many strikes a sender collects.
MAX_REMEMBERED_STRIKES: Final = 50
mutants_x_plan_strike__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_plan_strike__mutmut)
def plan_strike(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_orig(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_1(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = None
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_2(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(None, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_3(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, None)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_4(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_5(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, )
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_6(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = None
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_7(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms >= start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_8(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(None):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_9(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value or (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_10(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref != ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_11(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None and now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_12(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is not None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_13(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms + strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_14(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms <= ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_15(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds / 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_16(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1001
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_17(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = None
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_18(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index - 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_19(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 2
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_20(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=None,
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_21(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=None,
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_22(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=None,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_23(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=None,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_24(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_25(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_26(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_27(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_28(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_29(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=None,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_30(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=None,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_31(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=None,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_32(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=None,
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_33(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=None,
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_34(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=None,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_35(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=None,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_36(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_37(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_38(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_39(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_40(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_41(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_42(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_43(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(None, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_44(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, None),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_45(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_46(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, ),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_47(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(None),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_48(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms * 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_49(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1001),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_50(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=True,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_51(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=False,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_52(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(None),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_53(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 - policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_54(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms / 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_55(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1001 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_56(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(None)
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_57(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(None, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_58(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, None))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_59(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_60(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, ))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_61(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = None
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_62(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = None
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_63(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(None, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_64(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, None)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_65(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_66(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, )
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_67(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = None
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_68(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(None)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_69(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms * 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_70(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1001)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_71(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = ""
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_72(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = None
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_73(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms / 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_74(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1001
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_75(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = None
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_76(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=None,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_77(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=None,
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_78(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=None,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_79(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=None,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_80(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_81(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_82(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_83(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_84(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_85(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_86(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(None, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_87(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, None, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_88(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, None),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_89(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_90(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_91(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, ),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_92(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if (step.duration_seconds is None) and False
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_93(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if (step.duration_seconds is None) or True
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_94(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is not None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_95(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at - step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_96(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(None, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_97(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, None):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_98(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_99(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, ):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_100(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = None
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_101(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=None,
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_102(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=None,
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_103(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=None,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_104(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=None,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_105(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=None,
    )


def x_plan_strike__mutmut_106(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_107(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_108(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_109(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_110(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        )


def x_plan_strike__mutmut_111(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=None,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_112(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=None,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_113(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=None,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_114(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=None,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_115(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=None,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_116(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_117(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=None,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_118(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_119(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_120(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_121(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_122(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_123(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_124(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_125(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban and current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_126(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_127(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=True,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_128(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(None),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_129(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[+MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_130(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 - policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_131(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms / 1000 + policy.window_seconds,
        new_ban=new_ban,
    )


def x_plan_strike__mutmut_132(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    if step.bans:
        created_at = now_ms // 1000
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
        if replaces(current, wanted):
            new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1001 + policy.window_seconds,
        new_ban=new_ban,
    )

mutants_x_plan_strike__mutmut['_mutmut_orig'] = x_plan_strike__mutmut_orig # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_1'] = x_plan_strike__mutmut_1 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_2'] = x_plan_strike__mutmut_2 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_3'] = x_plan_strike__mutmut_3 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_4'] = x_plan_strike__mutmut_4 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_5'] = x_plan_strike__mutmut_5 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_6'] = x_plan_strike__mutmut_6 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_7'] = x_plan_strike__mutmut_7 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_8'] = x_plan_strike__mutmut_8 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_9'] = x_plan_strike__mutmut_9 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_10'] = x_plan_strike__mutmut_10 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_11'] = x_plan_strike__mutmut_11 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_12'] = x_plan_strike__mutmut_12 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_13'] = x_plan_strike__mutmut_13 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_14'] = x_plan_strike__mutmut_14 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_15'] = x_plan_strike__mutmut_15 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_16'] = x_plan_strike__mutmut_16 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_17'] = x_plan_strike__mutmut_17 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_18'] = x_plan_strike__mutmut_18 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_19'] = x_plan_strike__mutmut_19 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_20'] = x_plan_strike__mutmut_20 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_21'] = x_plan_strike__mutmut_21 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_22'] = x_plan_strike__mutmut_22 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_23'] = x_plan_strike__mutmut_23 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_24'] = x_plan_strike__mutmut_24 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_25'] = x_plan_strike__mutmut_25 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_26'] = x_plan_strike__mutmut_26 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_27'] = x_plan_strike__mutmut_27 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_28'] = x_plan_strike__mutmut_28 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_29'] = x_plan_strike__mutmut_29 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_30'] = x_plan_strike__mutmut_30 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_31'] = x_plan_strike__mutmut_31 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_32'] = x_plan_strike__mutmut_32 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_33'] = x_plan_strike__mutmut_33 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_34'] = x_plan_strike__mutmut_34 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_35'] = x_plan_strike__mutmut_35 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_36'] = x_plan_strike__mutmut_36 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_37'] = x_plan_strike__mutmut_37 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_38'] = x_plan_strike__mutmut_38 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_39'] = x_plan_strike__mutmut_39 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_40'] = x_plan_strike__mutmut_40 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_41'] = x_plan_strike__mutmut_41 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_42'] = x_plan_strike__mutmut_42 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_43'] = x_plan_strike__mutmut_43 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_44'] = x_plan_strike__mutmut_44 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_45'] = x_plan_strike__mutmut_45 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_46'] = x_plan_strike__mutmut_46 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_47'] = x_plan_strike__mutmut_47 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_48'] = x_plan_strike__mutmut_48 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_49'] = x_plan_strike__mutmut_49 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_50'] = x_plan_strike__mutmut_50 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_51'] = x_plan_strike__mutmut_51 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_52'] = x_plan_strike__mutmut_52 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_53'] = x_plan_strike__mutmut_53 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_54'] = x_plan_strike__mutmut_54 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_55'] = x_plan_strike__mutmut_55 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_56'] = x_plan_strike__mutmut_56 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_57'] = x_plan_strike__mutmut_57 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_58'] = x_plan_strike__mutmut_58 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_59'] = x_plan_strike__mutmut_59 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_60'] = x_plan_strike__mutmut_60 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_61'] = x_plan_strike__mutmut_61 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_62'] = x_plan_strike__mutmut_62 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_63'] = x_plan_strike__mutmut_63 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_64'] = x_plan_strike__mutmut_64 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_65'] = x_plan_strike__mutmut_65 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_66'] = x_plan_strike__mutmut_66 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_67'] = x_plan_strike__mutmut_67 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_68'] = x_plan_strike__mutmut_68 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_69'] = x_plan_strike__mutmut_69 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_70'] = x_plan_strike__mutmut_70 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_71'] = x_plan_strike__mutmut_71 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_72'] = x_plan_strike__mutmut_72 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_73'] = x_plan_strike__mutmut_73 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_74'] = x_plan_strike__mutmut_74 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_75'] = x_plan_strike__mutmut_75 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_76'] = x_plan_strike__mutmut_76 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_77'] = x_plan_strike__mutmut_77 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_78'] = x_plan_strike__mutmut_78 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_79'] = x_plan_strike__mutmut_79 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_80'] = x_plan_strike__mutmut_80 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_81'] = x_plan_strike__mutmut_81 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_82'] = x_plan_strike__mutmut_82 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_83'] = x_plan_strike__mutmut_83 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_84'] = x_plan_strike__mutmut_84 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_85'] = x_plan_strike__mutmut_85 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_86'] = x_plan_strike__mutmut_86 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_87'] = x_plan_strike__mutmut_87 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_88'] = x_plan_strike__mutmut_88 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_89'] = x_plan_strike__mutmut_89 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_90'] = x_plan_strike__mutmut_90 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_91'] = x_plan_strike__mutmut_91 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_92'] = x_plan_strike__mutmut_92 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_93'] = x_plan_strike__mutmut_93 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_94'] = x_plan_strike__mutmut_94 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_95'] = x_plan_strike__mutmut_95 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_96'] = x_plan_strike__mutmut_96 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_97'] = x_plan_strike__mutmut_97 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_98'] = x_plan_strike__mutmut_98 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_99'] = x_plan_strike__mutmut_99 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_100'] = x_plan_strike__mutmut_100 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_101'] = x_plan_strike__mutmut_101 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_102'] = x_plan_strike__mutmut_102 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_103'] = x_plan_strike__mutmut_103 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_104'] = x_plan_strike__mutmut_104 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_105'] = x_plan_strike__mutmut_105 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_106'] = x_plan_strike__mutmut_106 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_107'] = x_plan_strike__mutmut_107 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_108'] = x_plan_strike__mutmut_108 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_109'] = x_plan_strike__mutmut_109 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_110'] = x_plan_strike__mutmut_110 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_111'] = x_plan_strike__mutmut_111 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_112'] = x_plan_strike__mutmut_112 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_113'] = x_plan_strike__mutmut_113 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_114'] = x_plan_strike__mutmut_114 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_115'] = x_plan_strike__mutmut_115 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_116'] = x_plan_strike__mutmut_116 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_117'] = x_plan_strike__mutmut_117 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_118'] = x_plan_strike__mutmut_118 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_119'] = x_plan_strike__mutmut_119 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_120'] = x_plan_strike__mutmut_120 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_121'] = x_plan_strike__mutmut_121 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_122'] = x_plan_strike__mutmut_122 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_123'] = x_plan_strike__mutmut_123 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_124'] = x_plan_strike__mutmut_124 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_125'] = x_plan_strike__mutmut_125 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_126'] = x_plan_strike__mutmut_126 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_127'] = x_plan_strike__mutmut_127 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_128'] = x_plan_strike__mutmut_128 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_129'] = x_plan_strike__mutmut_129 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_130'] = x_plan_strike__mutmut_130 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_131'] = x_plan_strike__mutmut_131 # type: ignore # mutmut generated
mutants_x_plan_strike__mutmut['x_plan_strike__mutmut_132'] = x_plan_strike__mutmut_132 # type: ignore # mutmut generated
mutants_x_replaces__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_replaces__mutmut)
def replaces(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic and not wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_orig(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic and not wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_1(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is not None:
        return True
    if current.automatic and not wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_2(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return False
    if current.automatic and not wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_3(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic or not wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_4(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic and wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_5(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic and not wanted.automatic:
        return False
    return wanted.outlasts(current.expires_at)


def x_replaces__mutmut_6(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic and not wanted.automatic:
        return True
    return wanted.outlasts(None)

mutants_x_replaces__mutmut['_mutmut_orig'] = x_replaces__mutmut_orig # type: ignore # mutmut generated
mutants_x_replaces__mutmut['x_replaces__mutmut_1'] = x_replaces__mutmut_1 # type: ignore # mutmut generated
mutants_x_replaces__mutmut['x_replaces__mutmut_2'] = x_replaces__mutmut_2 # type: ignore # mutmut generated
mutants_x_replaces__mutmut['x_replaces__mutmut_3'] = x_replaces__mutmut_3 # type: ignore # mutmut generated
mutants_x_replaces__mutmut['x_replaces__mutmut_4'] = x_replaces__mutmut_4 # type: ignore # mutmut generated
mutants_x_replaces__mutmut['x_replaces__mutmut_5'] = x_replaces__mutmut_5 # type: ignore # mutmut generated
mutants_x_replaces__mutmut['x_replaces__mutmut_6'] = x_replaces__mutmut_6 # type: ignore # mutmut generated


def auto_ban_reason(step: LadderStep, count: int, reason: str) -> str:
    """The reason recorded on a ban the ladder applies, e.g. ``"strike 3 (1h): spam"``."""
    return f"strike {count} ({step.label}): {reason}"
mutants_x_iso_seconds__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_iso_seconds__mutmut)
def iso_seconds(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_orig(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_1(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_2(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(None, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_3(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_4(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_5(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), )
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_6(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(None), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x_iso_seconds__mutmut_7(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime(None)


def x_iso_seconds__mutmut_8(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("XX%Y-%m-%dT%H:%M:%SZXX")


def x_iso_seconds__mutmut_9(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("%y-%m-%dt%h:%m:%sz")


def x_iso_seconds__mutmut_10(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("%Y-%M-%DT%H:%M:%SZ")

mutants_x_iso_seconds__mutmut['_mutmut_orig'] = x_iso_seconds__mutmut_orig # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_1'] = x_iso_seconds__mutmut_1 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_2'] = x_iso_seconds__mutmut_2 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_3'] = x_iso_seconds__mutmut_3 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_4'] = x_iso_seconds__mutmut_4 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_5'] = x_iso_seconds__mutmut_5 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_6'] = x_iso_seconds__mutmut_6 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_7'] = x_iso_seconds__mutmut_7 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_8'] = x_iso_seconds__mutmut_8 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_9'] = x_iso_seconds__mutmut_9 # type: ignore # mutmut generated
mutants_x_iso_seconds__mutmut['x_iso_seconds__mutmut_10'] = x_iso_seconds__mutmut_10 # type: ignore # mutmut generated
