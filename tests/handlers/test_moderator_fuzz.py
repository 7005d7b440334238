"""Fuzzing the moderator routes from the OpenAPI document: no input makes them fail with a 5xx.

Hypothesis draws requests from each operation's parameters and request body as
the committed document describes them (valid-looking values), mixed with
malformed ones (wrong types, junk JSON, lone surrogates, bad cursors, other
callers), and sends them through the real handler against moto and the Ably stub.
The only 5xx the contract allows are 502 (Ably failed) and 503 (unavailable).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.policy import CrossMessagePolicy, ModerationPolicy, RuntimePolicy
from chatmod.handlers import moderator
from tests.support.ably_stub import AblyStub
from tests.support.deployment import moto_deployment
from tests.support.events import FakeLambdaContext, http_event

DOCUMENT = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8")
)
SCHEMAS = DOCUMENT["components"]["schemas"]
OPERATIONS = [
    (method, path)
    for path, item in DOCUMENT["paths"].items()
    if path.startswith("/moderation/")
    for method in item
]
# About 2,500 requests in all, spread over however many operations the document has
# (420 each when it had six; the review routes doubled them).
EXAMPLES_PER_ROUTE = max(150, 2_520 // len(OPERATIONS))
ALLOWED_5XX = {502, 503}
# Every room is covered by a crossMessage entry, so the rooms routes get past their
# 409 (room_not_covered) to the store.
FUZZ_POLICY = RuntimePolicy(
    moderation=ModerationPolicy(cross_message=(CrossMessagePolicy(slow_mode_seconds=5),))
)

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
CALLERS = st.sampled_from(
    [MODERATOR] * 8 + [{"sub": "alice", "cognito:groups": "players"}, None, {"sub": "*"}]
)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
SURROGATE = st.just("\ud800x")


def strategy_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for a JSON schema (the subset Powertools and pydantic emit), plus some junk."""
    if "$ref" in schema:
        return strategy_for(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([strategy_for(option) for option in schema[key]])
    kind = schema.get("type")
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 40)
        sized = st.text(min_size=low, max_size=min(high, 40))
        edges = st.sampled_from(["", " ", "*", "x" * high, "x" * (high + 1)])
        return st.one_of(sized, sized, edges, SURROGATE)
    if kind == "integer":
        low, high = int(schema.get("minimum", -(2**40))), int(schema.get("maximum", 2**40))
        return st.one_of(st.integers(low, high), st.integers(low - 3, high + 3), st.integers())
    if kind == "null":
        return st.none()
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))

        @st.composite
        def objects(draw: st.DrawFn) -> dict[str, Any]:
            value: dict[str, Any] = {}
            for name, sub in properties.items():
                if name in required or draw(st.booleans()):
                    value[name] = draw(st.one_of(strategy_for(sub), strategy_for(sub), JUNK))
            if draw(st.integers(0, 9)) == 0:
                value[draw(st.text(min_size=1, max_size=5))] = draw(JUNK)
            return value

        return objects()
    return JUNK


def as_query_value(value: Any) -> str:
    # API Gateway decodes the URL as UTF-8: a lone surrogate cannot reach a handler there.
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@st.composite
def requests(draw: st.DrawFn, method: str, path: str) -> dict[str, Any]:
    operation = DOCUMENT["paths"][path][method]
    query: dict[str, str] = {}
    concrete = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = as_query_value(draw(strategy_for(parameter["schema"])))
            concrete = concrete.replace("{" + parameter["name"] + "}", quote(value, safe="") or "x")
        elif parameter.get("required") or draw(st.booleans()):
            value = draw(st.one_of(strategy_for(parameter["schema"]), JUNK))
            query[parameter["name"]] = as_query_value(value)
    if draw(st.integers(0, 9)) == 0:
        query["cursor"] = draw(st.text(max_size=30) | st.just("eyJ2IjoxLCJrIjoiYmFucyJ9"))
    raw_body: str | None = None
    if "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        body = draw(st.one_of(strategy_for(schema), strategy_for(schema), JUNK))
        raw_body = draw(st.sampled_from([json.dumps(body), json.dumps(body)[:-1], "", "{"]))
    event = http_event(
        method.upper(),
        concrete,
        raw_body=raw_body,
        claims=draw(CALLERS),
        query={k: quote(v, safe="") for k, v in query.items()} if query else None,
    )
    if query:
        event["queryStringParameters"] = query
    return event


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_given_any_request_when_a_moderator_route_answers_then_never_an_unexpected_5xx(
    monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub, method: str, path: str
):
    env = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    documented = {int(status) for status in DOCUMENT["paths"][path][method]["responses"]}
    seen: list[int] = []
    reset_gateway()
    with moto_deployment(monkeypatch, env=env, policy=FUZZ_POLICY):

        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(event=requests(method, path))
        def check(event: dict[str, Any]) -> None:
            response = moderator.lambda_handler(event, FakeLambdaContext())
            status = response["statusCode"]
            seen.append(status)
            assert status < 500 or status in ALLOWED_5XX, response
            assert status in documented, (status, response)
            if response.get("body"):
                assert isinstance(json.loads(response["body"]), dict)

        check()
    reset_gateway()

    assert len(seen) >= EXAMPLES_PER_ROUTE
    # Past validation and the moderator check (a random unban finds no ban: 404).
    assert {200, 201, 204, 404} & set(seen), "no request got through: the strategies are off"
