"""The HTTP API on loopback: each request becomes an API Gateway HTTP API (v2) event.

Routes come from the template (``AWS::ApiGatewayV2::Route``); a route with a JWT
authorizer requires a bearer token from :class:`~chatmod_local.jwt.LocalJwtIssuer`
and passes its claims as ``requestContext.authorizer.jwt.claims``, as API Gateway
does. ``GET /_local`` (local mode only) answers the discovery document, and
``GET /_local/token?clientId=carol[&moderator=1]`` a bearer token for any user, to
loopback callers only (the signing secret is per run and never leaves the process).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from chatmod.enforcement.client_ids import client_id_problem
from chatmod_local.aws import ACCOUNT
from chatmod_local.console import ConsoleFiles
from chatmod_local.functions import LocalFunction
from chatmod_local.jwt import InvalidTokenError, LocalJwtIssuer, authorizer_claims
from chatmod_local.template import Route

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/_local"
TOKEN_PATH = "/_local/token"  # noqa: S105 - a route, not a secret
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


def http_api_event(
    route: Route,
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    path_parameters: Mapping[str, str],
    claims: Mapping[str, str] | None,
    source_ip: str,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway would send for this request."""
    content_type = headers.get("content-type", "")
    text_body = not body or any(content_type.startswith(kind) for kind in _TEXT_TYPES)
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = time.time()
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": "local",
        "domainName": headers.get("host", "127.0.0.1"),
        "domainPrefix": "local",
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route.key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {name: value for name, value in headers.items() if name != "cookie"},
        "requestContext": request_context,
        "isBase64Encoded": not text_body,
    }
    if "cookie" in headers:
        event["cookies"] = [c.strip() for c in headers["cookie"].split(";") if c.strip()]
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if body:
        event["body"] = body.decode() if text_body else base64.b64encode(body).decode()
    return event


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 resets connections under 50 clients


class LocalHttpApi:
    """A ``ThreadingHTTPServer`` serving the stack's routes on loopback."""

    def __init__(
        self,
        *,
        routes: Sequence[Route],
        functions: Mapping[str, LocalFunction],
        issuer: LocalJwtIssuer,
        discovery: Callable[[], Mapping[str, Any]],
        token_for: Callable[[str, bool], str] | None = None,
        console: ConsoleFiles | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.routes = list(routes)
        self.functions = functions
        self.issuer = issuer
        self.discovery = discovery
        self.token_for = token_for
        self.console = console
        self._server = _Server((host, port), _handler_class(self))
        self._thread: threading.Thread | None = None

    def start(self) -> LocalHttpApi:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="chatmod-local-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host = self._server.server_address[0]
        return f"http://{host!s}:{self._server.server_port}"

    def dispatch(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: ``(status, headers, body)``."""
        parts = urlsplit(target)
        raw_path = unquote(parts.path) or "/"
        if method == "GET" and raw_path == DISCOVERY_PATH:
            return _json(200, self.discovery())
        if method == "GET" and raw_path == TOKEN_PATH and self.token_for is not None:
            return self._local_token(parts.query, headers, source_ip)
        if method == "GET" and self.console is not None:
            answer = self.console.answer(raw_path)
            if answer is not None:
                return answer
        for route in self.routes:
            params = route.match(method, parts.path)
            if params is None:
                continue
            claims = None
            if route.jwt:
                claims = self._authorize(headers.get("authorization", ""))
                if claims is None:
                    return _json(401, {"message": "Unauthorized"})
            event = http_api_event(
                route,
                method=method,
                raw_path=raw_path,
                raw_query=parts.query,
                headers=headers,
                body=body,
                path_parameters={name: unquote(value) for name, value in params.items()},
                claims=claims,
                source_ip=source_ip,
            )
            try:
                result = self.functions[route.function].invoke(event)
            except Exception:  # a function error: API Gateway answers 500
                log.exception("%s failed", route.key)
                return _json(500, {"message": "Internal Server Error"})
            return _lambda_response(result)
        return _json(404, {"message": "Not Found"})

    def _local_token(
        self, query: str, headers: Mapping[str, str], source_ip: str
    ) -> tuple[int, dict[str, str], bytes]:
        """``GET /_local/token?clientId=<id>[&moderator=1]``: a bearer token, for loopback only.

        Refused to other hosts and to browsers: a web page the developer visits must
        not mint tokens from their local system, whether cross-origin (an ``Origin``
        header) or through DNS rebinding (a ``Host`` that is not a loopback name).
        """
        assert self.token_for is not None
        host = urlsplit(f"//{headers.get('host', '')}").hostname or ""
        loopback_host = host == "localhost" or _is_loopback(host)
        if not _is_loopback(source_ip) or not loopback_host or "origin" in headers:
            return _json(
                403,
                {"error": "forbidden", "message": "local tokens are for loopback tools only"},
            )
        params = parse_qs(query, keep_blank_values=True)
        client_id = (params.get("clientId") or [""])[0]
        problem = client_id_problem(client_id)
        if problem is not None:
            return _json(
                400,
                {
                    "error": "bad_request",
                    "message": f"the request is invalid: clientId {problem}",
                    "problems": [{"field": "clientId", "problem": problem}],
                },
            )
        moderator = (params.get("moderator") or ["0"])[0].lower() in ("1", "true", "yes")
        token = self.token_for(client_id, moderator)
        return _json(200, {"clientId": client_id, "moderator": moderator, "token": token})

    def _authorize(self, header: str) -> dict[str, str] | None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            return authorizer_claims(self.issuer.verify(token.strip()))
        except InvalidTokenError:
            return None


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def _lambda_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """Payload format 2.0: a response object, or anything else as a 200 JSON body."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        return _json(200, result)
    headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    for cookie in result.get("cookies") or []:
        headers.setdefault("set-cookie", cookie)
    return int(result["statusCode"]), headers, raw


def _handler_class(api: LocalHttpApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "chatmod-local"
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK add ~40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                status, headers, body = _json(413, {"message": "Request Entity Too Large"})
                self.close_connection = True
            else:
                payload = self.rfile.read(length) if length else b""
                status, headers, body = api.dispatch(
                    self.command, self.path, _lower(self.headers), payload, self.client_address[0]
                )
            self.send_response(status)
            for name, value in headers.items():
                if name not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    return Handler


def _lower(headers: Message) -> dict[str, str]:
    """Header names lowercased, repeated headers joined with commas (as API Gateway v2)."""
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged
