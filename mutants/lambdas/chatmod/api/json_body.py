"""A request body as a JSON object, or a 400 saying why it cannot be one (every entry point)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chatmod.core import json_depth
from chatmod.core.errors import BadRequestError


def json_object(body: object) -> Mapping[str, Any]:
    """``body`` (a JSON string, or already decoded) as a JSON object.

    Raises:
        BadRequestError: not JSON, not an object, nested deeper than
            ``json_depth.MAX_JSON_DEPTH`` (``too_deep``), or not encodable as UTF-8 — JSON
            may escape a lone surrogate (``\\ud800``), and nothing downstream could
            store, sign or forward such text, so it is refused here, once
            (``invalid_text``).
    """
    if isinstance(body, str):
        try:
            body = json_depth.loads(body)
        except json.JSONDecodeError as exc:
            raise BadRequestError(f"the body is not valid JSON: {exc.msg}") from None
        except json_depth.JsonTooDeepError as exc:
            raise BadRequestError(f"the body is {exc}", code="too_deep") from None
    elif isinstance(body, Mapping):
        # Already decoded (the Lambda transport's raw event): the same limit applies.
        try:
            json_depth.check_depth(body)
        except json_depth.JsonTooDeepError as exc:
            raise BadRequestError(f"the body is {exc}", code="too_deep") from None
    if not isinstance(body, Mapping):
        raise BadRequestError("the body must be a JSON object")
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequestError(
            "the body contains an unpaired UTF-16 surrogate", code="invalid_text"
        ) from None
    return body
