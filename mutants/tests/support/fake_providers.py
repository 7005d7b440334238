"""Loopback fake servers for the network moderation providers, and pytest fixtures for them.

Each fake is a real HTTP server on 127.0.0.1 (ephemeral port, one thread per
connection) so the providers' real ``httpx``/botocore code runs. A test programs a
server with:

- a *responder* — ``RecordedRequest -> Reply`` — that answers like the provider
  (``hive_responder``, ``openai_responder``, ``azure_responder``,
  ``model_responder``, ``comprehend_responder``), scoring by keywords;
- ``server.delay`` — a fixed delay before every answer;
- ``server.script(Reply(429, ...), Reply(503), ...)`` — answers used first, in
  order, before the responder (status sequences, malformed bodies);

and reads ``server.requests`` (method, path, query, headers, body) and
``server.max_in_flight`` (to prove concurrency) afterwards.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from chatmod.moderation.providers import _http

# ---------------------------------------------------------------------------
# The server


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The body decoded as ``application/x-www-form-urlencoded``."""
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    """One answer: a status, a JSON document or raw bytes, headers, an extra delay."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"

    def payload(self) -> bytes:
        """The bytes to send."""
        if self.body is not None:
            return self.body
        return json.dumps(self.json if self.json is not None else {}).encode()


Responder = Callable[[RecordedRequest], Reply]


class FakeServer:
    """A programmable loopback HTTP server (see the module docstring)."""

    def __init__(self, responder: Responder, *, delay: float = 0.0) -> None:
        self.responder = responder
        self.delay = delay
        self.max_in_flight = 0
        self._in_flight = 0
        self._requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def script(self, *replies: Reply) -> None:
        """Queue answers to send, in order, before falling back to the responder."""
        with self._lock:
            self._script.extend(replies)

    def start(self) -> FakeServer:
        """Start serving in a background thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests still sleeping are woken and dropped."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            scripted = self._script.popleft() if self._script else None
        try:
            reply = scripted or self.responder(request)
            # Event.wait, not sleep, so stop() does not wait for slow answers.
            self._stopping.wait(self.delay + reply.delay)
            return reply
        finally:
            with self._lock:
                self._in_flight -= 1


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that gave up (timeouts) reset connections; that is expected here.
        pass


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real providers do
    # Headers and body go out in two writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms) and every answer looks slow.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = self.fake._answer(request)
        if self.fake._stopping.is_set():
            self.close_connection = True
            return
        payload = reply.payload()
        try:
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


# ---------------------------------------------------------------------------
# Scoring by keywords, shared by the responders

Scores = Mapping[str, float]


def keyword_scores(text: str, keywords: Mapping[str, Scores]) -> dict[str, float]:
    """``{category: max score}`` over the keywords that appear in ``text`` as whole words."""
    words = set(re.findall(r"\S+", text.lower()))
    scores: dict[str, float] = {}
    for keyword, keyword_scores_ in keywords.items():
        if keyword.lower() in words:
            for category, score in keyword_scores_.items():
                scores[category] = max(score, scores.get(category, score))
    return scores


HIVE_CLASSES = ("sexual", "hate", "violence", "bullying", "spam", "promotions", "drugs")


def hive_text(request: RecordedRequest) -> str:
    """The ``text_data`` of a Hive request, sent as JSON or as a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return str(request.json()["text_data"])
    return request.form()["text_data"]


def hive_body(text: str, scores: Mapping[str, float]) -> dict[str, Any]:
    """A Hive v2 sync answer scoring ``text`` (classes not in ``scores`` get 0)."""
    classes = [{"class": name, "score": scores.get(name, 0)} for name in HIVE_CLASSES]
    classes += [{"class": n, "score": s} for n, s in scores.items() if n not in HIVE_CLASSES]
    return {
        "id": str(uuid.uuid4()),
        "code": 200,
        "status": [
            {
                "status": {"code": "0", "message": "SUCCESS"},
                "response": {
                    "input": {"text": text},
                    "language": "EN",
                    "output": [
                        {
                            "time": 0,
                            "start_char_index": 0,
                            "end_char_index": len(text),
                            "classes": classes,
                        }
                    ],
                    "text_filters": [],
                    "pii_entities": [],
                },
            }
        ],
    }


def hive_responder(keywords: Mapping[str, Scores] | None = None) -> Responder:
    """Answers Hive's sync API, scoring keywords found in ``text_data``."""

    def respond(request: RecordedRequest) -> Reply:
        text = hive_text(request)
        return Reply(json=hive_body(text, keyword_scores(text, keywords or {})))

    return respond


OPENAI_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


def openai_responder(keywords: Mapping[str, Scores] | None = None) -> Responder:
    """Answers ``/v1/moderations``, scoring keywords found in ``input``."""

    def respond(request: RecordedRequest) -> Reply:
        data = request.json()
        found = keyword_scores(str(data["input"]), keywords or {})
        scores = {c: found.get(c, 0.0001) for c in OPENAI_CATEGORIES}
        result = {
            "flagged": any(s >= 0.5 for s in scores.values()),
            "categories": {c: s >= 0.5 for c, s in scores.items()},
            "category_scores": scores,
            "category_applied_input_types": {c: ["text"] for c in scores},
        }
        return Reply(json={"id": "modr-123", "model": data["model"], "results": [result]})

    return respond


AZURE_CATEGORIES = ("Hate", "SelfHarm", "Sexual", "Violence")


def azure_responder(keywords: Mapping[str, Scores] | None = None) -> Responder:
    """Answers ``text:analyze``, scoring keywords found in ``text``."""

    def respond(request: RecordedRequest) -> Reply:
        data = request.json()
        found = keyword_scores(str(data["text"]), keywords or {})
        categories = data.get("categories") or AZURE_CATEGORIES
        analysis = [{"category": c, "severity": int(found.get(c, 0))} for c in categories]
        return Reply(json={"blocklistsMatch": [], "categoriesAnalysis": analysis})

    return respond


def model_responder(decide: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Responder:
    """Answers Ably's before-publish contract with ``decide(request)`` (default: accept)."""

    def respond(request: RecordedRequest) -> Reply:
        answer = decide(request.json()) if decide else {"action": "accept"}
        return Reply(json=answer)

    return respond


COMPREHEND_TARGET = "Comprehend_20171127.DetectToxicContent"


def comprehend_responder(keywords: Mapping[str, Scores] | None = None) -> Responder:
    """Answers DetectToxicContent (AWS JSON 1.1), one result per segment."""

    def respond(request: RecordedRequest) -> Reply:
        if request.headers.get("x-amz-target") != COMPREHEND_TARGET:
            return aws_error(400, "UnknownOperationException")
        results = []
        for segment in request.json()["TextSegments"]:
            found = keyword_scores(segment["Text"], keywords or {})
            toxicity = found.pop("TOXICITY", max(found.values(), default=0.01))
            labels = [{"Name": n, "Score": s} for n, s in found.items()]
            results.append({"Labels": labels, "Toxicity": toxicity})
        return Reply(json={"ResultList": results}, content_type="application/x-amz-json-1.1")

    return respond


def aws_error(status: int, code: str, message: str = "error") -> Reply:
    """An AWS JSON-protocol error answer."""
    return Reply(
        status=status,
        json={"__type": code, "message": message},
        content_type="application/x-amz-json-1.1",
    )


def segment_texts(requests: Sequence[RecordedRequest]) -> list[list[str]]:
    """The ``TextSegments`` texts of each recorded DetectToxicContent call."""
    return [[s["Text"] for s in r.json()["TextSegments"]] for r in requests]


def error_text(exc: BaseException) -> str:
    """Everything a log line could show of ``exc``: message, repr and traceback with causes."""
    return f"{exc}\n{exc!r}\n" + "".join(traceback.format_exception(exc))


# ---------------------------------------------------------------------------
# pytest fixtures. A test module imports the ``*_fixture`` functions it uses; each
# registers under the name without ``_fixture`` (``hive_server``, ...), so the
# import does not clash with the test's parameter.


def _serve(responder: Responder) -> Iterator[FakeServer]:
    with FakeServer(responder) as server:
        yield server


@pytest.fixture(name="hive_server")
def hive_server_fixture() -> Iterator[FakeServer]:
    """A fake Hive that scores ``{"badword": sexual 3, "meanword": bullying 2}``."""
    yield from _serve(hive_responder({"badword": {"sexual": 3}, "meanword": {"bullying": 2}}))


@pytest.fixture(name="openai_server")
def openai_server_fixture() -> Iterator[FakeServer]:
    """A fake OpenAI that scores ``{"badword": sexual 0.97, harassment 0.4}``."""
    yield from _serve(openai_responder({"badword": {"sexual": 0.97, "harassment": 0.4}}))


@pytest.fixture(name="azure_server")
def azure_server_fixture() -> Iterator[FakeServer]:
    """A fake Azure that scores ``{"badword": Sexual 6, "meanword": Hate 2}``."""
    yield from _serve(azure_responder({"badword": {"Sexual": 6}, "meanword": {"Hate": 2}}))


@pytest.fixture(name="model_server")
def model_server_fixture() -> Iterator[FakeServer]:
    """A fake user model: rejects text containing ``badword`` with a reason and category."""

    def decide(request: dict[str, Any]) -> dict[str, Any]:
        if "badword" in request["message"]["text"]:
            return {
                "action": "reject",
                "rejectionDetail": {"reason": "no bad words", "category": "profanity"},
            }
        return {"action": "accept"}

    yield from _serve(model_responder(decide))


@pytest.fixture(name="comprehend_server")
def comprehend_server_fixture() -> Iterator[FakeServer]:
    """A fake Comprehend that scores ``{"badword": PROFANITY 0.9, INSULT 0.3}``."""
    yield from _serve(comprehend_responder({"badword": {"PROFANITY": 0.9, "INSULT": 0.3}}))


@pytest.fixture(name="http_client")
def http_client_fixture() -> Iterator[httpx.Client]:
    """A fresh ``httpx.Client``, closed after the test."""
    with httpx.Client() as client:
        yield client


@pytest.fixture(name="shared_http_client")
def shared_http_client_fixture() -> Iterator[None]:
    """Lets a test use the providers' shared pooled client, and closes it afterwards."""
    yield
    with _http._lock:
        client, _http._client = _http._client, None
    if client is not None:
        client.close()


@pytest.fixture(name="refused_url")
def refused_url_fixture() -> Iterator[str]:
    """A loopback URL whose port is bound but not listening: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
