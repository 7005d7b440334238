"""The stack's functions, run in this process with the template's handler, timeout, memory."""

from __future__ import annotations

import importlib
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatmod_local.aws import ACCOUNT, DEFAULT_REGION
from chatmod_local.template import StackTemplate, short_name

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalLambdaContext:
    """The Lambda context attributes the handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    deadline: float  # time.monotonic() at which the invocation would time out
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        """What is left of the function's timeout, as Lambda reports it."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class LocalFunction:
    """One function of the stack: its handler, imported on first use."""

    logical_id: str
    handler_path: str
    timeout_s: int
    memory_mb: int

    @property
    def name(self) -> str:
        """A readable function name (CDK's hash suffix dropped)."""
        return short_name(self.logical_id)

    def handler(self) -> Handler:
        """The handler callable (``chatmod.handlers.x.lambda_handler``)."""
        module, _, attribute = self.handler_path.rpartition(".")
        handler: Handler = getattr(importlib.import_module(module), attribute)
        return handler

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler as Lambda would, with a fresh context and the function's timeout."""
        # Lambda sets AWS_REGION for the function; local mode sets it for every function.
        region = os.environ.get("AWS_REGION") or DEFAULT_REGION
        context = LocalLambdaContext(
            function_name=self.name,
            memory_limit_in_mb=self.memory_mb,
            invoked_function_arn=f"arn:aws:lambda:{region}:{ACCOUNT}:function:{self.name}",
            aws_request_id=str(uuid.uuid4()),
            deadline=time.monotonic() + self.timeout_s,
        )
        return self.handler()(event, context)


def functions_of(template: StackTemplate) -> dict[str, LocalFunction]:
    """Every ``AWS::Lambda::Function`` of the template, by logical id."""
    return {
        logical_id: LocalFunction(
            logical_id=logical_id,
            handler_path=str(props["Handler"]),
            timeout_s=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
        )
        for logical_id, props in template.of_type("AWS::Lambda::Function")
    }
