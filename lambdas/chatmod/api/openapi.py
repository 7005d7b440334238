"""The OpenAPI document of the whole HTTP API, generated from the code (``make openapi``).

Each route handler's Powertools resolver describes its own routes
(``get_openapi_schema()``: paths, parameters, pydantic request models, the
responses its decorators declare); the documents are merged, and the routes
whose code declares no models yet are completed from the contract models in
``chatmod.api.models`` (ARCHITECTURE.md §3): ``/before-publish``, which is not a
resolver route, and any route whose handler validates its own body.

Powertools documents request validation failures as 422; chatmod answers them as
400 (``chatmod.api.http``), so the 422s are replaced. Run::

    python -m chatmod.api.openapi --output docs/openapi.json   # write
    python -m chatmod.api.openapi --check docs/openapi.json    # exit 1 when stale
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chatmod.api import models

TITLE: Final = "chatmod"
VERSION: Final = "1"
DESCRIPTION: Final = (
    "Chat moderation for Ably apps: tokens, moderated publish, Ably Chat's before-publish "
    "rule, and moderator tools. Callers authenticate with 'Authorization: Bearer <JWT>' "
    "(API Gateway's JWT authorizer); /before-publish carries the rule's shared secret instead."
)
_REF: Final = "#/components/schemas/{model}"
_JSON: Final = "application/json"


def _body(model: type[BaseModel] | str, description: str) -> dict[str, Any]:
    name = model if isinstance(model, str) else model.__name__
    return {
        "description": description,
        "content": {_JSON: {"schema": {"$ref": _REF.format(model=name)}}},
    }


def _error(description: str, model: type[BaseModel] = models.ErrorBody) -> dict[str, Any]:
    return _body(model, description)


_USER_ERRORS: Final = {
    "400": _error("Invalid input.", models.BadRequestBody),
    "401": _error("No verified identity."),
}

#: What the code does not declare (yet), from the contract: (method, path) → operation.
CONTRACT: Final[dict[tuple[str, str], dict[str, Any]]] = {
    ("get", "/token"): {
        "summary": "An Ably TokenRequest for the caller (ably-js authUrl)",
        "responses": {
            "200": _body(models.TokenRequestOut, "A signed TokenRequest."),
            "401": _error("No verified identity."),
            "403": _error("The caller is banned.", models.BannedBody),
            "503": _error("Configuration or the ban store is unavailable."),
        },
    },
    ("post", "/messages"): {
        "summary": "Moderate a message, then publish it to Ably as the caller",
        "requestBody": {
            "required": True,
            "content": {
                _JSON: {
                    "schema": {
                        "oneOf": [
                            {"$ref": _REF.format(model="ChatPublish")},
                            {"$ref": _REF.format(model="ChannelPublish")},
                        ]
                    }
                }
            },
        },
        "responses": {
            "201": _body(models.Published, "Published: the chat serial or the message id."),
            "202": _body(
                models.Held,
                "Held for review (policy `hold`): not published until a moderator approves.",
            ),
            **_USER_ERRORS,
            "403": _error(
                "The caller is banned (`banned`, BannedBody), or has a warning to acknowledge "
                "first (`warning_unacknowledged`, WarningPendingBody).",
                models.BannedBody,
            ),
            "422": _error("Moderation rejected the message.", models.RejectedBody),
            "502": _error("Ably failed."),
            "503": _error("Moderation unavailable and the policy says reject."),
        },
    },
    ("post", "/before-publish"): {
        "summary": "Ably Chat before-publish rule (HTTP transport)",
        "description": "Called by Ably with the rule's static secret header. 200 whenever a "
        "decision was made; 503 when none could be (Ably retries, then applies the rule's "
        "failed action). Deployed only where `ably.rules.beforePublish` is `http`.",
        "security": [{"beforePublishSecret": []}],
        "requestBody": {
            "required": True,
            "content": {_JSON: {"schema": {"$ref": _REF.format(model="BeforePublishRequest")}}},
        },
        "responses": {
            "200": _body(models.BeforePublishAnswer, "The decision."),
            "400": _error("Malformed request (Ably applies its failed action)."),
            "401": _error("Wrong or missing secret."),
            "503": _error("No decision could be reached."),
        },
    },
}
CONTRACT[("get", "/warnings")] = {
    "summary": "The caller's warning waiting to be acknowledged (a `warn` rule), or null",
    "responses": {
        "200": _body(models.PendingWarningOut, "The pending warning, or null."),
        "401": _error("No verified identity."),
        "503": _error("The store could not be read."),
    },
}
CONTRACT[("post", "/warnings/{warningId}/ack")] = {
    "summary": "Acknowledge the caller's warning: their next message is judged again",
    "responses": {
        "200": _body(models.WarningAcknowledged, "Acknowledged (audited)."),
        **_USER_ERRORS,
        "404": _error("The caller has no such pending warning."),
        "503": _error("The store could not be written."),
    },
}
CONTRACT[("post", "/token")] = {
    **CONTRACT[("get", "/token")],
    "operationId": "issue_token_token_post",
}
CONTRACT[("get", "/token")]["operationId"] = "issue_token_token_get"

_SECURITY_SCHEMES: Final = {
    "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "beforePublishSecret": {
        "type": "apiKey",
        "in": "header",
        "name": "authorization",
        "description": "The before-publish secret (header name configurable per stage).",
    },
}


def _contract_models() -> list[type[BaseModel]]:
    return [
        models.TokenRequestOut,
        models.BannedBody,
        models.ChatPublish,
        models.ChannelPublish,
        models.Published,
        models.Held,
        models.RejectedBody,
        models.PendingWarningOut,
        models.WarningAcknowledged,
        models.WarningPendingBody,
        models.BeforePublishAnswer,
        models.ErrorBody,
        models.BadRequestBody,
        models.BeforePublishRequest,
    ]


def build_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every HTTP route, as a JSON-ready dict."""
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    from chatmod.handlers import moderator, publish

    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security=[{"jwt": []}],
        on_conflict="error",
    )
    for app in (publish.app, moderator.app):  # /token has no router: CONTRACT
        merge.add_schema(
            app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json")
        )
    document = copy.deepcopy(merge.get_openapi_schema())
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(model, "serialization") for model in _contract_models()], ref_template=_REF
    )
    for name, schema in definitions.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    components["securitySchemes"] = _SECURITY_SCHEMES
    paths = document.setdefault("paths", {})
    for (method, path), operation in CONTRACT.items():
        _complete(paths.setdefault(path, {}), method, copy.deepcopy(operation))
    for path_item in paths.values():
        for operation in path_item.values():
            _chatmod_statuses(operation)
    # Powertools' 422 shapes are never answered: chatmod's 400 replaces them.
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    return document


def _complete(path_item: dict[str, Any], method: str, documented: dict[str, Any]) -> None:
    """Fill in what the route's code leaves out; what it declares wins."""
    operation = path_item.get(method)
    if operation is None:
        path_item[method] = documented
        return
    for key in ("summary", "description", "security", "requestBody"):
        if key in documented and key not in operation:
            operation[key] = documented[key]
    responses = operation.setdefault("responses", {})
    if set(responses) <= {"200", "422"} and _generic(responses.get("200")):
        # Only Powertools' defaults: the contract's responses describe the route.
        responses.clear()
    for status, response in documented.get("responses", {}).items():
        responses.setdefault(status, response)


def _generic(response: dict[str, Any] | None) -> bool:
    return response is None or response.get("description") == "Successful Response"


def _chatmod_statuses(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    if _is_powertools_422(responses.get("422")):
        del responses["422"]
    if "204" in responses:
        responses["204"].pop("content", None)  # no body
    if "400" not in responses and ("requestBody" in operation or operation.get("parameters")):
        responses["400"] = _error("Invalid input.", models.BadRequestBody)
    operation["responses"] = dict(sorted(responses.items()))


def _is_powertools_422(response: dict[str, Any] | None) -> bool:
    return response is not None and response.get("description") == "Validation Error"


def render(document: dict[str, Any]) -> str:
    """The committed text: sorted keys, two-space indent, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the document, or check that a file holds the current one."""
    parser = argparse.ArgumentParser(prog="python -m chatmod.api.openapi", description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--output", type=Path, help="write the document here")
    group.add_argument("--check", type=Path, help="exit 1 when this file is not the document")
    arguments = parser.parse_args(argv)
    text = render(build_document())
    if arguments.output is not None:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(text, encoding="utf-8")
        return 0
    current = arguments.check.read_text(encoding="utf-8") if arguments.check.exists() else ""
    if current != text:
        print(f"{arguments.check} is stale: run `make openapi`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
