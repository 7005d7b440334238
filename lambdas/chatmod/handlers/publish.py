"""``POST /messages``: moderate first, then publish to Ably as the user."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.errors import NotImplementedYetError
from chatmod.http import make_resolver
from chatmod.observability import logger, metrics, tracer

app = make_resolver()


@app.post("/messages")
def publish_message() -> Response[str]:
    """Not built yet: the synchronous publish path lands with its own issue."""
    raise NotImplementedYetError("the publish endpoint is not implemented yet")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
