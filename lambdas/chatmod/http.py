"""JSON HTTP responses and the one place where errors become statuses."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFound
from pydantic import ValidationError

from chatmod.errors import BadRequestError, ChatmodError, NotFoundError
from chatmod.observability import logger


def json_response(status: int, body: Any) -> Response[str]:
    """A JSON response with ``status``."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, separators=(",", ":")),
    )


def error_response(error: ChatmodError) -> Response[str]:
    """``{"error", "message", ...}`` with the error's status."""
    return json_response(error.status, error.to_body())


def validation_error(error: ValidationError) -> BadRequestError:
    """A pydantic error as a 400 that names each field and problem (no input echoed)."""
    problems = [
        {"field": ".".join(str(p) for p in item["loc"]) or "(body)", "problem": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]
    return BadRequestError("the request body is invalid", details={"problems": problems})


def make_resolver() -> APIGatewayHttpResolver:
    """An HTTP API (payload v2) resolver with chatmod's error mapping registered.

    - ``ChatmodError`` → its status and JSON body (logged once here, as a warning
      for 4xx and an error for 5xx);
    - malformed JSON and pydantic validation errors → 400;
    - unknown routes → 404 JSON;
    - anything else → 500 ``internal_error`` with no stack trace in the body.
    """
    app = APIGatewayHttpResolver()

    @app.exception_handler(ChatmodError)
    def _chatmod_error(error: ChatmodError) -> Response[str]:
        return _logged_error_response(error)

    @app.exception_handler(json.JSONDecodeError)
    def _bad_json(error: json.JSONDecodeError) -> Response[str]:
        return _logged_error_response(BadRequestError(f"the body is not valid JSON: {error.msg}"))

    @app.exception_handler(ValidationError)
    def _invalid(error: ValidationError) -> Response[str]:
        return _logged_error_response(validation_error(error))

    @app.not_found
    def _not_found(_: RouteNotFound) -> Response[str]:
        return error_response(NotFoundError("no such route", details={"route": _route_key(app)}))

    return app


def _logged_error_response(error: ChatmodError) -> Response[str]:
    # The one place a request failure is logged: a warning for 4xx, an error for 5xx.
    log = logger.error if error.status >= 500 else logger.warning
    log("request failed", extra={"error": error.code, "status": error.status})
    return error_response(error)


def _route_key(app: APIGatewayHttpResolver) -> str:
    event = app.current_event
    return f"{event.request_context.http.method} {event.raw_path}"
