"""Every HTTP entry point answers an unknown route with a JSON 404 naming it.

Each handler's behaviour has its own tests: ``test_token.py``, ``test_before_publish.py``,
``test_publish.py``, ``test_moderator.py``, ``test_async_moderation.py`` and
``test_ban_stream.py``.
"""

from __future__ import annotations

import json

from chatmod.handlers import token
from tests.support.events import FakeLambdaContext, http_event

CLAIMS = {"sub": "alice", "cognito:groups": "[moderators]"}


def test_given_an_unknown_route_when_called_then_404_json_naming_it():
    response = token.lambda_handler(http_event("GET", "/nope", claims=CLAIMS), FakeLambdaContext())

    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == {
        "error": "not_found",
        "message": "no such route",
        "route": "GET /nope",
    }
