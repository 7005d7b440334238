"""A loopback stub of Ably's Control API rules endpoints, held to Ably's OpenAPI document.

Serves ``GET|POST /v1/apps/{appId}/rules`` and ``GET|PATCH|DELETE
/v1/apps/{appId}/rules/{ruleId}`` on 127.0.0.1. Every request body is validated
against the ``rule_post`` / ``rule_patch`` schema of the rule's ``ruleType`` in the
vendored excerpt ``tests/fixtures/ably_control_api/control-v1-rules.yaml`` (ably/docs,
commit cited there); an invalid body gets 400 ``{"message", "code", "statusCode"}``
as the document's ``error`` schema, and is recorded in ``invalid``. Rules it answers
with are built as ``rule_response`` and checked against that schema too.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

SPEC_PATH = (
    Path(__file__).resolve().parents[1] / "fixtures" / "ably_control_api" / "control-v1-rules.yaml"
)
RULES = re.compile(r"^/v1/apps/(?P<app>[^/]+)/rules(?:/(?P<rule>[^/]+))?$")


@cache
def spec() -> dict[str, Any]:
    """The vendored OpenAPI excerpt."""
    return yaml.safe_load(SPEC_PATH.read_text())


def schema_errors(kind: str, body: Any) -> list[str]:
    """Why ``body`` is not a valid ``rule_<kind>`` (post, patch or response); [] when it is.

    The document's oneOf is discriminated by ``ruleType``; the mapping picks the schema.
    """
    schemas = spec()["components"]["schemas"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    mapping = schemas[f"rule_{kind}"]["discriminator"]["mapping"]
    ref = mapping.get(body.get("ruleType"))
    if ref is None:
        return [f"ruleType {body.get('ruleType')!r} is not one of {sorted(mapping)}"]
    document = {"$ref": ref, "components": spec()["components"]}
    validator = OAS30Validator(document)  # OpenAPI 3.0 semantics (nullable, …)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
        for error in validator.iter_errors(body)
    ]


class ControlApiStub:
    """Start with ``with ControlApiStub() as stub:``; ``stub.url`` is the ``/v1`` base URL."""

    def __init__(self, *, token: str = "control-token", app_id: str = "app456") -> None:  # noqa: S107
        self.token = token
        self.app_id = app_id
        self.rules: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.invalid: list[tuple[str, list[str]]] = []
        self._ids = (f"rule{n:03d}" for n in itertools.count(1))
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> ControlApiStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def add_rule(self, body: dict[str, Any], app_id: str | None = None) -> dict[str, Any]:
        """Seed a rule (as if made in the dashboard); returns it as the API lists it."""
        return self._store(app_id or self.app_id, None, body)

    def _store(self, app_id: str, rule_id: str | None, body: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time() * 1000)
        previous = self.rules.get(rule_id or "", {})
        rule = {**copy.deepcopy(previous), **copy.deepcopy(body)}
        rule.update(
            id=rule_id or next(self._ids),
            appId=app_id,
            version="1.2",
            created=previous.get("created", now),
            modified=now,
            _links=None,
        )
        rule.setdefault("status", "enabled")
        if rule["ruleType"] == "aws/sqs":
            rule.setdefault("requestMode", "single")
        errors = schema_errors("response", rule)
        assert not errors, f"the stub built an invalid rule_response: {errors}"
        self.rules[rule["id"]] = rule
        return rule

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with stub._lock:
                    stub.requests.append((method, self.path, body))
                    status, answer = self._route(method, body)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                if data:
                    self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str, body: Any) -> tuple[int, Any]:
                if self.headers.get("authorization") != f"Bearer {stub.token}":
                    return 401, _error(401, 40100, "Access token invalid")
                match = RULES.match(self.path)
                if match is None:
                    return 404, _error(404, 40400, "Not found")
                app_id, rule_id = match["app"], match["rule"]
                if app_id != stub.app_id:
                    return 404, _error(404, 40400, f"app {app_id} not found")
                if rule_id is None:
                    if method == "GET":
                        return 200, [r for r in stub.rules.values() if r["appId"] == app_id]
                    if method == "POST":
                        errors = schema_errors("post", body)
                        if errors:
                            stub.invalid.append((f"POST {self.path}", errors))
                            return 400, _error(400, 40000, "; ".join(errors))
                        return 201, stub._store(app_id, None, body)
                    return 405, _error(405, 40500, "method not allowed")
                if rule_id not in stub.rules:
                    return 404, _error(404, 40400, f"rule {rule_id} not found")
                if method == "GET":
                    return 200, stub.rules[rule_id]
                if method == "PATCH":
                    errors = schema_errors("patch", body)
                    if errors:
                        stub.invalid.append((f"PATCH {self.path}", errors))
                        return 400, _error(400, 40000, "; ".join(errors))
                    return 200, stub._store(app_id, rule_id, body)
                if method == "DELETE":
                    del stub.rules[rule_id]
                    return 204, None
                return 405, _error(405, 40500, "method not allowed")

        return Handler


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    # As Ably answers: code is the Ably error code, statusCode the HTTP status (the
    # document's `error` schema allows both integers; its descriptions swap the two).
    return {"message": message, "code": code, "statusCode": status}
