"""The exceptions chatmod raises, each carrying the HTTP status it maps to.

Entry points map them to responses in one place (``chatmod.api.http``); adapters wrap
SDK errors into them at the boundary.

    ChatmodError
    ├── BadRequestError            400  malformed input
    ├── UnauthorizedError          401  no identity, or a wrong shared secret
    ├── ForbiddenError             403  identity known, action not allowed
    │   └── BannedError            403  the caller is banned
    ├── NotFoundError              404
    ├── ConflictError              409  the state changed first (a review decided by another)
    ├── MessageRejectedError       422  moderation rejected the message (Ably code 42213)
    ├── NotImplementedYetError     501  entry point not built yet
    ├── UpstreamError              502  Ably or a provider answered with an error
    └── ServiceUnavailableError    503  no decision could be reached in time
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pydantic import ValidationError


class ChatmodError(Exception):
    """Base class: a machine ``code``, a human ``message`` and extra JSON fields."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details: dict[str, Any] = dict(details or {})

    def to_body(self) -> dict[str, Any]:
        """The JSON error body: ``{"error", "message", **details}``."""
        return {"error": self.code, "message": self.message, **self.details}


class BadRequestError(ChatmodError):
    status = 400
    default_code = "bad_request"


class UnauthorizedError(ChatmodError):
    status = 401
    default_code = "unauthorized"


class ForbiddenError(ChatmodError):
    status = 403
    default_code = "forbidden"


class BannedError(ForbiddenError):
    default_code = "banned"


class NotFoundError(ChatmodError):
    status = 404
    default_code = "not_found"


class ConflictError(ChatmodError):
    status = 409
    default_code = "conflict"


class MessageRejectedError(ChatmodError):
    status = 422
    default_code = "rejected"


class NotImplementedYetError(ChatmodError):
    status = 501
    default_code = "not_implemented"


class UpstreamError(ChatmodError):
    status = 502
    default_code = "upstream_error"


class ServiceUnavailableError(ChatmodError):
    status = 503
    default_code = "unavailable"


def struct_error(error: Exception) -> BadRequestError:
    """A msgspec validation error as a 400 naming the field and the problem (no input echoed).

    msgspec reports the first problem it meets, as ``"<problem> - at `$.a.b[0]`"``; a
    missing field names the object it is missing from, so it is added to the path.
    """
    problem, _, where = str(error).partition(" - at `")
    path = where.rstrip("`").removeprefix("$").removeprefix(".")
    path = re.sub(r"\[(\d+)\]", r".\1", path)
    missing = _MISSING.match(problem)
    if missing is not None:
        path = f"{path}.{missing[1]}" if path else missing[1]
    problems = [{"field": path or "(body)", "problem": problem}]
    return BadRequestError("the request body is invalid", details={"problems": problems})


_MISSING = re.compile(r"Object missing required field `([^`]+)`")


def validation_error(error: ValidationError) -> BadRequestError:
    """A pydantic error as a 400 that names each field and problem (no input echoed).

    Here rather than in ``chatmod.api.http`` so that entry points without an HTTP resolver
    (before-publish) need not import one for it.
    """
    problems = [
        {"field": ".".join(str(p) for p in item["loc"]) or "(body)", "problem": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]
    return BadRequestError("the request body is invalid", details={"problems": problems})
