"""How deeply nested a JSON document from outside may be, checked where it comes in.

Python's JSON decoder, pydantic, the audit's serialiser and DynamoDB's all recurse:
a document nested a few thousand levels (about 10 KB of ``[[[[``) raises
``RecursionError``, which is no ``ValueError`` and escapes every handler's
bad-input path. Chat messages and their metadata are shallow, so anything nested
deeper than :data:`MAX_JSON_DEPTH` is refused where it enters (a 400 over HTTP, a
poison message on the async path) instead of failing somewhere deeper, or a batch.
"""

from __future__ import annotations

import json
from typing import Any, Final

#: Objects and arrays inside each other, counted from the outermost (``{}`` is 1).
#: 32 leaves room for any chat metadata we have seen (a handful of levels) and keeps
#: every later walk (validation, ``json.dumps``, the DynamoDB serialiser) far from
#: Python's recursion limit of 1,000, whatever frames are already on the stack.
MAX_JSON_DEPTH: Final = 32


class JsonTooDeepError(ValueError):
    """A JSON document nests objects and arrays deeper than allowed."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"JSON nested deeper than {max_depth} levels")
        self.max_depth = max_depth


def loads(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads(text)``, refusing documents nested deeper than ``max_depth``.

    Raises:
        JsonTooDeepError: nested too deeply (including deeper than the decoder can go).
        json.JSONDecodeError: not JSON.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeepError(max_depth) from None
    check_depth(value, max_depth=max_depth)
    return value


def check_depth(value: object, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse ``value`` (decoded JSON) when its objects and arrays nest deeper than ``max_depth``.

    Iterative, so it cannot itself run out of stack.

    Raises:
        JsonTooDeepError: nested too deeply.
    """
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth > max_depth:
            raise JsonTooDeepError(max_depth)
        stack.extend((child, depth + 1) for child in children)
