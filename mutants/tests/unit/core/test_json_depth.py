"""JSON from outside is refused past a fixed depth, never with a RecursionError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatmod.core.json_depth import JsonTooDeepError, check_depth, loads


def nest(depth: int, *, kind: str = "list") -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


def depth_of(value: Any) -> int:
    """The expectation, computed another way (recursively) than the code (a stack)."""
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize(("depth", "refused"), [(31, False), (32, False), (33, True)])
def test_the_limit_is_32_levels_of_objects_or_arrays(kind, depth, refused):
    text = json.dumps(nest(depth, kind=kind))

    if refused:
        with pytest.raises(JsonTooDeepError, match="deeper than 32 levels"):
            loads(text)
    else:
        assert loads(text) == nest(depth, kind=kind)


@pytest.mark.parametrize("depth", [1_000, 10_000, 200_000])
def test_past_what_the_decoder_can_parse_is_the_same_clear_refusal(depth):
    with pytest.raises(JsonTooDeepError):
        loads("[" * depth + "]" * depth)


def test_an_already_decoded_value_is_checked_without_recursion():
    with pytest.raises(JsonTooDeepError):
        check_depth(nest(50_000, kind="dict"))


def test_not_json_is_still_a_decode_error():
    with pytest.raises(json.JSONDecodeError):
        loads("{oops")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=60,
)


@st.composite
def deeply_wrapped(draw: st.DrawFn) -> Any:
    """A JSON value wrapped in 0 to 80 more arrays/objects: often over the limit."""
    value = draw(json_values)
    for wrap in draw(st.lists(st.sampled_from(["list", "dict"]), max_size=80)):
        value = [value] if wrap == "list" else {"w": value}
    return value


@given(deeply_wrapped())
def test_any_document_is_accepted_exactly_when_within_the_limit(value):
    text = json.dumps(value)

    if depth_of(value) <= 32:
        assert loads(text) == value
    else:
        with pytest.raises(JsonTooDeepError):
            loads(text)
