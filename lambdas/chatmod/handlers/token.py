"""``GET``/``POST /token``: an Ably TokenRequest for a signed-in user who is not banned."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.errors import NotImplementedYetError
from chatmod.http import make_resolver
from chatmod.observability import logger, metrics, tracer

app = make_resolver()


@app.get("/token")
@app.post("/token")
def issue_token() -> Response[str]:
    """Not built yet: the token endpoint lands with its own issue (bans, tokens, gateway)."""
    raise NotImplementedYetError("the token endpoint is not implemented yet")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
