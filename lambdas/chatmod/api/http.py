"""JSON HTTP responses and the one place where errors become statuses.

Powertools' event handler (about a third of a route handler's cold import) is
imported by :func:`make_resolver` and the response helpers, not by this module:
the route handlers call ``make_resolver()`` at import anyway, and entry points
without routes (before-publish) can import ``validation_error`` from here, or
better from ``chatmod.core.errors``, without paying for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chatmod.core.errors import BadRequestError, ChatmodError, NotFoundError, validation_error
from chatmod.core.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFound

__all__ = [
    "error_response",
    "json_response",
    "make_resolver",
    "request_validation_error",
    "validation_error",
]


def json_response(status: int, body: Any) -> Response[str]:
    """A JSON response with ``status``."""
    from aws_lambda_powertools.event_handler import Response, content_types

    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":")),
    )


def error_response(error: ChatmodError) -> Response[str]:
    """``{"error", "message", ...}`` with the error's status."""
    return json_response(error.status, error.to_body())


def make_resolver(
    *, enable_validation: bool = False, pydantic_models: bool = True
) -> APIGatewayHttpResolver:
    """An HTTP API (payload v2) resolver with chatmod's error mapping registered.

    Args:
        enable_validation: let Powertools validate requests against the routes'
            pydantic annotations (and describe them in its OpenAPI schema). Its
            failures are chatmod's 400, not Powertools' 422.
        pydantic_models: the routes validate with pydantic models, whose errors
            become 400s; ``False`` for a function that has none (``/token``), so
            that its cold start does not import pydantic.

    - ``ChatmodError`` → its status and JSON body (logged once here, as a warning
      for 4xx and an error for 5xx);
    - malformed JSON and pydantic validation errors (raised by a route, or by
      Powertools' request validation) → 400 ``{"error", "message", "problems"}``;
    - unknown routes → 404 JSON;
    - anything else → 500 ``internal_error`` with no stack trace in the body.
    """
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    app = APIGatewayHttpResolver(enable_validation=enable_validation)

    @app.exception_handler(ChatmodError)
    def _chatmod_error(error: ChatmodError) -> Response[str]:
        return _logged_error_response(error)

    @app.exception_handler(json.JSONDecodeError)
    def _bad_json(error: json.JSONDecodeError) -> Response[str]:
        return _logged_error_response(BadRequestError(f"the body is not valid JSON: {error.msg}"))

    if pydantic_models or enable_validation:
        from pydantic import ValidationError

        @app.exception_handler(ValidationError)
        def _invalid(error: ValidationError) -> Response[str]:
            return _logged_error_response(validation_error(error))

    if enable_validation:
        from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

        @app.exception_handler(RequestValidationError)
        def _request_invalid(error: RequestValidationError) -> Response[str]:
            return _logged_error_response(request_validation_error(error.errors()))

    @app.not_found
    def _not_found(_: RouteNotFound) -> Response[str]:
        return error_response(NotFoundError("no such route", details={"route": _route_key(app)}))

    return app


def request_validation_error(errors: Sequence[Mapping[str, Any]]) -> BadRequestError:
    """Powertools' request validation errors as a 400 naming each field (no input echoed).

    A field is named by where it was: ``reason`` (body), ``limit`` (query string),
    ``clientId`` (path); a union body's member model name is left out.
    """
    from chatmod.api.models import NO_ROOM_OR_CHANNEL  # models are for the routes that validate

    problems = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] in _LOCATIONS:
            location = location[1:]
        location = [part for part in location if not part[:1].isupper()]  # union member names
        if item.get("type") == "json_invalid":
            location = []
        if item.get("type") == NO_ROOM_OR_CHANNEL:
            location = ["room|channel"]  # as POST /messages names the choice
        field = ".".join(location) or "(body)"
        problems.append({"field": field, "problem": str(item.get("msg", "invalid"))})
    named = ", ".join(dict.fromkeys(problem["field"] for problem in problems))
    return BadRequestError(f"the request is invalid: {named}", details={"problems": problems})


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def _logged_error_response(error: ChatmodError) -> Response[str]:
    # The one place a request failure is logged: a warning for 4xx, an error for 5xx.
    log = logger.error if error.status >= 500 else logger.warning
    log("request failed", extra={"error": error.code, "status": error.status})
    return error_response(error)


def _route_key(app: APIGatewayHttpResolver) -> str:
    event = app.current_event
    return f"{event.request_context.http.method} {event.raw_path}"
