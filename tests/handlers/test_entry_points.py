"""Every entry point exists, imports, and answers clearly until its behaviour lands.

``/token``, ``/before-publish`` and ``/messages`` are built: see ``test_token.py``,
``test_before_publish.py`` and ``test_publish.py``.
"""

from __future__ import annotations

import json

from chatmod.handlers import async_moderation, token
from tests.support.events import (
    FakeLambdaContext,
    ably_envelope,
    http_event,
    sqs_event,
)

CLAIMS = {"sub": "alice", "cognito:groups": "[moderators]"}


def test_given_an_unknown_route_when_called_then_404_json_naming_it():
    response = token.lambda_handler(http_event("GET", "/nope", claims=CLAIMS), FakeLambdaContext())

    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == {
        "error": "not_found",
        "message": "no such route",
        "route": "GET /nope",
    }


def test_given_async_unbuilt_when_batch_arrives_then_every_record_is_kept_for_redelivery():
    body = ably_envelope("lobby::$chat", {"id": "m1", "clientId": "alice", "data": "hi"})
    event = sqs_event(body, body)

    response = async_moderation.lambda_handler(event, FakeLambdaContext())

    assert response == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]
    }
