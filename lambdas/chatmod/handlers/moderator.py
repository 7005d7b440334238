"""``/moderation/*``: the moderator tools (ban, unban, list bans, delete a message, audit log)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.errors import NotImplementedYetError
from chatmod.http import make_resolver
from chatmod.observability import logger, metrics, tracer

app = make_resolver()


@app.post("/moderation/bans")
@app.get("/moderation/bans")
@app.delete("/moderation/bans/<clientId>")
@app.post("/moderation/messages/delete")
@app.get("/moderation/audit")
def not_implemented(**_: str) -> Response[str]:
    """Not built yet: the moderator tools land with their own issue."""
    raise NotImplementedYetError("the moderator tools are not implemented yet")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
