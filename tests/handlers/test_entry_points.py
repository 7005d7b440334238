"""Every entry point exists, imports, and answers clearly until its behaviour lands.

``/token``, ``/before-publish`` and the async consumer are built: see
``test_token.py``, ``test_before_publish.py`` and ``test_async_moderation.py``.
"""

from __future__ import annotations

import json

import pytest

from chatmod.handlers import moderator, publish, token
from tests.support.events import FakeLambdaContext, http_event

CLAIMS = {"sub": "alice", "cognito:groups": "[moderators]"}


@pytest.mark.parametrize(
    ("module", "method", "path"),
    [
        (publish, "POST", "/messages"),
        (moderator, "GET", "/moderation/bans"),
        (moderator, "POST", "/moderation/bans"),
        (moderator, "DELETE", "/moderation/bans/alice"),
        (moderator, "POST", "/moderation/messages/delete"),
        (moderator, "GET", "/moderation/audit"),
    ],
)
def test_given_an_unbuilt_route_when_called_then_501_json(module, method, path):
    event = http_event(method, path, body={}, claims=CLAIMS)

    response = module.lambda_handler(event, FakeLambdaContext())

    assert response["statusCode"] == 501
    body = json.loads(response["body"])
    assert body["error"] == "not_implemented"
    assert body["message"]
    assert response["headers"]["Content-Type"] == "application/json"


def test_given_an_unknown_route_when_called_then_404_json_naming_it():
    response = token.lambda_handler(http_event("GET", "/nope", claims=CLAIMS), FakeLambdaContext())

    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == {
        "error": "not_found",
        "message": "no such route",
        "route": "GET /nope",
    }
