"""Powertools logger, metrics and tracer, shared by every handler.

Service name and metrics namespace come from ``POWERTOOLS_SERVICE_NAME`` and
``POWERTOOLS_METRICS_NAMESPACE``, which the stack sets per function.

Tracing with the X-Ray SDK is opt-in per stage (``tracing.enabled`` in ``cdk.json``):
the stack sets ``POWERTOOLS_TRACE_DISABLED=true`` when it is off, and then ``tracer``
is a :class:`NoOpTracer` whose decorators return the handler unchanged. Powertools'
own ``Tracer()`` imports ``aws_xray_sdk.core`` in its constructor even when disabled
(about a third of a handler's cold import, and the SDK is only in the tracing layer),
so it is built only when tracing is on.

The logger keeps no per-invocation state on itself: what an invocation appends
(``function_name``, ``function_request_id``, a room, a client id) lives in a context
variable, set in a copy of the caller's context for the duration of the handler, so
two handlers running in one process (local mode, or a test) never tag each other's
lines. Its level is Powertools' own: in Lambda the function's application log level
(advanced logging controls; the stack sets ``INFO``, and an operator can change it
without a deploy), elsewhere ``POWERTOOLS_LOG_LEVEL``; ``POWERTOOLS_LOGGER_SAMPLE_RATE``
logs that fraction of invocations at ``DEBUG`` (accepted decisions included, see
``decision_log``) where Lambda's level does not filter those lines out.

``metrics`` is Powertools' ``Metrics`` made safe to share: one lock for every thread
that counts (the async consumer decides on several), and a blob that is flushed whole
before it fills. Left to itself, Powertools prints the blob at a metric's 100th value
(or the 100th metric) and clears the values but not the metadata, so the next blob
carried the same metadata again — and the rooms' counts travel as metadata.
"""

from __future__ import annotations

import contextvars
import functools
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.constants import MAX_METRICS
from aws_lambda_powertools.shared import constants as powertools_constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

from chatmod.core.constants import METRICS_NAMESPACE

if TYPE_CHECKING:
    from aws_lambda_powertools.tracing import Tracer

F = TypeVar("F", bound=Callable[..., Any])


class NoOpTracer:
    """Stands in for Powertools' ``Tracer`` when tracing is off: same decorators, no work.

    Supports the forms handlers use: ``@tracer.capture_lambda_handler``,
    ``@tracer.capture_lambda_handler(capture_response=False)``, the same for
    ``capture_method``, and ``put_annotation`` / ``put_metadata``.
    """

    disabled = True

    @overload
    def capture_lambda_handler(self, lambda_handler: F, **_: Any) -> F: ...
    @overload
    def capture_lambda_handler(self, lambda_handler: None = None, **_: Any) -> Callable[[F], F]: ...
    def capture_lambda_handler(self, lambda_handler: F | None = None, **_: Any) -> Any:
        """Return the handler unchanged (or a decorator that does, when called with options)."""
        return lambda_handler if lambda_handler is not None else _identity

    @overload
    def capture_method(self, method: F, **_: Any) -> F: ...
    @overload
    def capture_method(self, method: None = None, **_: Any) -> Callable[[F], F]: ...
    def capture_method(self, method: F | None = None, **_: Any) -> Any:
        """Return the method unchanged (or a decorator that does, when called with options)."""
        return method if method is not None else _identity

    def put_annotation(self, key: str, value: Any) -> None:
        """Nothing to annotate: no segment is recorded."""

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        """Nothing to attach: no segment is recorded."""


def _identity(function: F) -> F:
    return function


def tracing_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether Powertools would trace here: in Lambda, unless ``POWERTOOLS_TRACE_DISABLED``.

    The same rule as Powertools' ``Tracer``: off when the variable is truthy, and off
    outside Lambda (no ``LAMBDA_TASK_ROOT``) or under SAM local and Chalice local.
    """
    env = os.environ if environ is None else environ
    disabled = resolve_truthy_env_var_choice(
        env=env.get(powertools_constants.TRACER_DISABLED_ENV, "false")
    )
    in_lambda = bool(env.get(powertools_constants.LAMBDA_TASK_ROOT_ENV))
    emulated = bool(
        env.get(powertools_constants.SAM_LOCAL_ENV)
        or env.get(powertools_constants.CHALICE_LOCAL_ENV)
    )
    return not disabled and in_lambda and not emulated


def build_tracer(environ: Mapping[str, str] | None = None) -> Tracer | NoOpTracer:
    """Powertools' ``Tracer`` when :func:`tracing_enabled`, else a :class:`NoOpTracer`.

    If tracing is on but the X-Ray SDK is not installed (the stage's ``tracing.enabled``
    is off, so its functions have no tracing layer, but someone cleared
    ``POWERTOOLS_TRACE_DISABLED`` by hand), the handler still runs, untraced, and says so.
    """
    if not tracing_enabled(environ):
        return NoOpTracer()
    try:
        from aws_lambda_powertools.tracing import Tracer

        return Tracer()
    except ImportError:
        logger.warning(
            "tracing is on but the X-Ray SDK is not installed: set tracing.enabled for this "
            "stage in cdk.json (it adds the tracing layer); running untraced"
        )
        return NoOpTracer()


class ChatmodLogger(Logger):
    """Powertools' ``Logger`` whose appended keys belong to the invocation, not the process.

    ``append_keys`` is Powertools' ``thread_safe_append_keys`` (a context variable), and
    ``inject_lambda_context`` runs the handler in a copy of the caller's context with
    only the keys that say which invocation wrote a line: ``function_name`` and
    ``function_request_id``. The memory size, ARN and cold-start flag Powertools adds
    by default are the same on every line of a log group, so they are not repeated
    (Lambda's own ``REPORT`` line has them, at the ``DEBUG`` system log level).
    Threads a handler starts inherit the keys only when their work runs in a copy of
    its context (``contextvars.copy_context().run``), as the async consumer's does.
    """

    def append_keys(self, **additional_keys: object) -> None:
        """Add keys to this invocation's lines only (a context variable)."""
        self.thread_safe_append_keys(**additional_keys)

    def inject_lambda_context(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        log_event: bool | None = None,
        correlation_id_path: str | None = None,
        clear_state: bool | None = True,
        flush_buffer_on_uncaught_error: bool = False,
    ) -> Any:
        """Name the invocation on every line it writes; forget the keys when it returns.

        The keys always start empty (``clear_state`` is accepted for Powertools'
        signature, and always true); ``log_event`` and ``correlation_id_path`` are not
        supported: an event can carry message text, which is never logged.
        """
        if lambda_handler is None:
            return functools.partial(self.inject_lambda_context, clear_state=clear_state)
        handler = lambda_handler

        @functools.wraps(handler)
        def decorate(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            def invoke() -> Any:
                self.thread_safe_clear_keys()
                self.thread_safe_append_keys(
                    function_name=getattr(context, "function_name", None),
                    function_request_id=getattr(context, "aws_request_id", None),
                )
                if self.sampling_rate:
                    self.refresh_sample_rate_calculation()
                return handler(event, context, *args, **kwargs)

            return contextvars.copy_context().run(invoke)

        return decorate


class _WholeBlobs(AmazonCloudWatchEMFProvider):
    """Powertools' EMF provider, shared by threads, whose blob never repeats its metadata.

    Every path to the blob goes through here: ``metrics.add_metric`` and the flush that
    ``log_metrics`` makes when a handler returns (the provider's, not ``Metrics``').
    """

    #: Held by every change to the blob; re-entrant, so a caller holding it while it adds
    #: several values and metadata (``decision_log``) keeps them in one blob.
    lock = threading.RLock()

    def add_metric(
        self,
        name: str,
        unit: MetricUnit | str,
        value: float,
        resolution: Any = 60,
    ) -> None:
        with self.lock:
            metric = self.metric_set.get(name)
            names = len(self.metric_set) + (metric is None)
            values = (len(metric["Value"]) if metric else 0) + 1
            if self.metric_set and max(names, values) >= MAX_METRICS:
                self.flush_metrics()  # whole, before Powertools prints it by itself
            super().add_metric(name=name, unit=unit, value=value, resolution=resolution)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        with self.lock:
            if is_metrics_disabled():
                # Disabled (make local without metrics), Powertools neither prints nor
                # clears: the rooms' counts piled up for the life of the process.
                self.clear_metrics()
            else:
                super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)


class ChatmodMetrics(Metrics):
    """Powertools' ``Metrics`` on ``_WholeBlobs``, its own state shared as Powertools shares it."""

    lock = _WholeBlobs.lock

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace=namespace)
        self.provider = _WholeBlobs(
            metric_set=self.metric_set,
            dimension_set=self.dimension_set,
            namespace=namespace,
            metadata_set=self.metadata_set,
            default_dimensions=self.default_dimensions,
        )


logger = ChatmodLogger()
metrics = ChatmodMetrics(namespace=METRICS_NAMESPACE)
tracer = build_tracer()

__all__ = [
    "ChatmodLogger",
    "ChatmodMetrics",
    "NoOpTracer",
    "build_tracer",
    "logger",
    "metrics",
    "tracer",
    "tracing_enabled",
]
