"""The deployed console's sign-in (authorization code + PKCE) in a real browser.

The deployed build (``console/dist``, no local sign-in) is served by a loopback server
that also plays Cognito's hosted UI: ``/oauth2/authorize`` redirects back with a code,
``/oauth2/token`` checks the PKCE S256 challenge against the verifier and answers with a
token the e2e package's local API accepts, ``/logout`` redirects to ``logout_uri``. The
API is reached through the same server (``/api/*`` forwarded to the local system), as
the console reaches API Gateway; the page carries the stack's CSP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from chatmod_local.system import LocalSystem
from stacks.console import (
    ABLY_CONNECT_SOURCES,
    BUILD,
    content_security_policy,
    with_connect_policy,
)
from tests.support.console import axe_violations, needs_console, shoot

pytestmark = needs_console

CLIENT_ID = "console-client"


@dataclass
class FakeIssuer:
    """What the fake hosted UI was asked, and what it will answer."""

    system: LocalSystem
    base: str = ""
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Lifetime of the ID tokens it issues (seconds).
    ttl_s: int = 3600

    @property
    def console_url(self) -> str:
        return f"{self.base}/console/"

    def config(self) -> dict[str, Any]:
        return {
            "apiUrl": f"{self.base}/api",
            "stage": "e2e",
            "signIn": "cognito",
            "oauth": {
                "authorizeUrl": f"{self.base}/oauth2/authorize",
                "tokenUrl": f"{self.base}/oauth2/token",
                "logoutUrl": f"{self.base}/logout?"
                + urlencode({"client_id": CLIENT_ID, "logout_uri": self.console_url}),
                "clientId": CLIENT_ID,
                "scopes": ["openid", "email", "profile"],
            },
        }

    def id_token(self) -> str:
        assert self.system.issuer is not None
        return self.system.issuer.issue("moderator", ["moderators"], ttl_s=self.ttl_s)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_handler(issuer: FakeIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: object) -> None:
            self._send(status, json.dumps(value).encode(), {"content-type": "application/json"})

        def _redirect(self, location: str) -> None:
            self._send(302, b"", {"location": location})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/oauth2/authorize":
                issuer.authorize_requests.append(query)
                code = secrets.token_urlsafe(16)
                issuer.codes[code] = query
                back = urlencode({"code": code, "state": query.get("state", "")})
                self._redirect(f"{query['redirect_uri']}?{back}")
            elif url.path == "/logout":
                issuer.logouts.append(query)
                self._redirect(query["logout_uri"])
            elif url.path.startswith("/api/"):
                self._forward()
            elif url.path.startswith("/console/"):
                self._console(url.path.removeprefix("/console/") or "index.html")
            else:
                self._send(404, b"", {})

        def do_POST(self) -> None:
            if self.path.startswith("/api/"):
                self._forward()
            elif self.path == "/oauth2/token":
                self._token()
            else:
                self._send(404, b"", {})

        def do_DELETE(self) -> None:
            self._forward()

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("content-length") or 0))

        def _token(self) -> None:
            form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
            issuer.token_requests.append(form)
            if form.get("client_id") != CLIENT_ID:
                return self._json(400, {"error": "invalid_client"})
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") != "refresh-1":
                    return self._json(400, {"error": "invalid_grant"})
                return self._json(200, {"id_token": issuer.id_token(), "expires_in": 3600})
            asked = issuer.codes.pop(form.get("code", ""), None)  # single use
            if (
                asked is None
                or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != asked["redirect_uri"]
                or asked.get("code_challenge_method") != "S256"
                or s256(form.get("code_verifier", "")) != asked.get("code_challenge")
            ):
                return self._json(400, {"error": "invalid_grant"})
            token = issuer.id_token()
            self._json(
                200,
                {
                    "id_token": token,
                    "access_token": token,
                    "refresh_token": "refresh-1",
                    "expires_in": issuer.ttl_s,
                    "token_type": "Bearer",
                },
            )

        def _console(self, relative: str) -> None:
            if relative == "config.json":
                return self._json(200, issuer.config())
            target = (BUILD / relative).resolve()
            if not target.is_relative_to(BUILD) or not target.is_file():
                target = BUILD / "index.html"  # the SPA fallback, as CloudFront's
            kind = {".js": "text/javascript", ".css": "text/css"}.get(target.suffix, "text/html")
            # The page as the stack deploys it: header CSP, and index.html's <meta> policy.
            csp = content_security_policy(ABLY_CONNECT_SOURCES)
            body = target.read_bytes()
            if target.name == "index.html":
                body = with_connect_policy(body.decode(), ABLY_CONNECT_SOURCES).encode()
            self._send(200, body, {"content-type": kind, "content-security-policy": csp})

        def _forward(self) -> None:
            api = str(issuer.system.info()["apiUrl"])
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() in ("authorization", "content-type")
            }
            answer = httpx.request(
                self.command,
                api + self.path.removeprefix("/api"),
                headers=headers,
                content=self._body() if self.command != "GET" else None,
            )
            kind = answer.headers.get("content-type", "application/json")
            self._send(answer.status_code, answer.content, {"content-type": kind})

    return Handler


@pytest.fixture
def issuer(system: LocalSystem) -> Iterator[FakeIssuer]:
    fake = FakeIssuer(system)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def test_a_moderator_signs_in_with_code_and_pkce_and_sees_moderation_data(issuer, page: Page):
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(issuer.console_url)
    expect(page.get_by_role("heading", name="Sign in to moderate")).to_be_visible()
    expect(page.get_by_text("local")).to_have_count(0)  # no local sign-in in this build
    shoot(page, "sign-in-cognito")

    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Signed in as moderator")).to_be_visible()
    # The Bans view loaded through the API with the ID token (no refusal).
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Loading")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    (asked,) = issuer.authorize_requests
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == issuer.console_url
    assert asked["code_challenge_method"] == "S256"
    assert asked["scope"] == "openid email profile"
    assert len(asked["state"]) >= 16
    (exchange,) = issuer.token_requests
    assert exchange["grant_type"] == "authorization_code"
    assert 43 <= len(exchange["code_verifier"]) <= 128
    assert s256(exchange["code_verifier"]) == asked["code_challenge"]
    # The single-use code is gone from the address bar.
    assert "code=" not in page.url
    # Nothing the page does is refused by the stack's CSP (header and meta).
    assert not [m for m in messages if "Content Security Policy" in m], messages
    shoot(page, "signed-in-cognito")


def test_an_answer_for_another_request_is_refused(issuer, page: Page):
    page.goto(f"{issuer.console_url}?code=stolen&state=not-ours")

    expect(page.get_by_role("alert")).to_contain_text("does not match")
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert issuer.token_requests == []


def test_a_refused_sign_in_is_said_plainly(issuer, page: Page):
    page.goto(f"{issuer.console_url}?error=access_denied&error_description=User+is+disabled")

    expect(page.get_by_role("alert")).to_contain_text("User is disabled")


def test_the_token_is_refreshed_before_it_expires(issuer, page: Page):
    issuer.ttl_s = 62  # refreshed a minute before expiry: about 2 s after sign-in
    page.goto(issuer.console_url)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as moderator")).to_be_visible()

    # Nothing on the page changes: wait (at most 10 s) for the issuer to be asked.
    for _ in range(100):
        if len(issuer.token_requests) >= 2:
            break
        page.wait_for_timeout(100)
    grants = [r["grant_type"] for r in issuer.token_requests]
    assert grants[:2] == ["authorization_code", "refresh_token"]
    assert issuer.token_requests[1]["refresh_token"] == "refresh-1"
    expect(page.get_by_text("Signed in as moderator")).to_be_visible()


def test_sign_out_goes_through_the_issuers_logout_and_back(issuer, page: Page):
    page.goto(issuer.console_url)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as moderator")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in to moderate")).to_be_visible()
    (logout,) = issuer.logouts
    assert logout == {"client_id": CLIENT_ID, "logout_uri": issuer.console_url}
    storage = page.evaluate("() => JSON.stringify(sessionStorage)")
    assert "refresh-1" not in storage
    assert "chatmod.console.session" not in storage


def test_the_deployed_bundle_holds_the_pkce_sign_in():
    texts = " ".join(p.read_text() for p in (BUILD / "assets").glob("index-*.js"))

    assert "code_challenge_method" in texts
    assert "S256" in texts
    assert not Path(BUILD / "assets").joinpath("LocalSignIn.js").exists()


@pytest.mark.axe
def test_the_sign_in_page_has_no_serious_accessibility_violations(issuer, page: Page):
    page.goto(issuer.console_url)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    violations = axe_violations(page)

    assert not violations, json.dumps([{"id": v["id"], "help": v["help"]} for v in violations])
