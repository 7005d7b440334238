"""How Ably's before-publish request reaches the function: Lambda transport or HTTP API v2.

The Lambda transport invokes the function directly (the event is Ably's request,
or ``{"body": "<json>"}``); only Ably's invoke role may call it, so it carries no
secret. The HTTP transport arrives through API Gateway (payload v2) at
``POST /before-publish``, unsigned: Ably sends the static header configured on
the rule, so the shared secret is checked here, before anything else is read.
Any other HTTP-looking event is refused (fail closed).
"""

from __future__ import annotations

import base64
import hmac
from typing import Any, Final

from chatmod.adapters.parameters import get_secret
from chatmod.core.deadline import Deadline
from chatmod.core.errors import BadRequestError, UnauthorizedError
from chatmod.core.settings import get_settings

_HTTP_KEYS: Final = frozenset({"requestContext", "headers", "rawPath", "routeKey", "httpMethod"})


def request_body(event: Any, deadline: Deadline) -> object:
    """The request body of ``event``, after the HTTP transport's secret check.

    Raises:
        UnauthorizedError: an HTTP event without the right secret, or any
            HTTP-looking event that is not API Gateway's payload v2.
        BadRequestError: a base64 body that does not decode.
    """
    if not isinstance(event, dict) or not _HTTP_KEYS & event.keys():
        # Lambda transport: Ably's request itself, or wrapped as {"body": "<json>"}.
        wrapped = isinstance(event, dict) and isinstance(event.get("body"), str)
        return event["body"] if wrapped and "message" not in event else event
    context = event.get("requestContext")
    if event.get("version") != "2.0" or not isinstance(context, dict) or "http" not in context:
        raise UnauthorizedError("unrecognised event: only Ably's request or HTTP API v2 is served")
    check_secret(event.get("headers") or {}, deadline)
    body = event.get("body") or ""
    if event.get("isBase64Encoded") and isinstance(body, str):
        try:
            return base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:
            raise BadRequestError("the body is not valid base64-encoded UTF-8") from None
    return body


def check_secret(headers: dict[str, Any], deadline: Deadline) -> None:
    """The configured header must carry the before-publish secret (``Bearer`` for authorization).

    Raises:
        UnauthorizedError: missing or wrong.
        ServiceUnavailableError: the secret cannot be read (and never was).
    """
    settings = get_settings()
    header = settings.before_publish_secret_header
    presented = next((str(v) for k, v in headers.items() if str(k).lower() == header), "")
    if header == "authorization":
        scheme, _, presented = presented.partition(" ")
        if scheme.lower() != "bearer":
            presented = ""
    if not presented:
        raise UnauthorizedError(f"missing before-publish secret in the '{header}' header")
    expected = get_secret(settings.before_publish_secret_parameter, settings, deadline=deadline)
    # Constant time, over bytes; surrogates escaped so no input can raise.
    if not hmac.compare_digest(
        presented.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    ):
        raise UnauthorizedError(f"wrong before-publish secret in the '{header}' header")
