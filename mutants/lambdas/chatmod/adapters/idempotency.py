"""Do something at most once per key: Powertools idempotency on the stack's idempotency table.

The async consumer removes a rejected message (an Ably call, then an audit event)
inside ``OnceGuard.run``: a redelivered SQS record finds the key completed and
does neither again. A run that raised leaves no record (Powertools deletes it),
so the redelivery tries again. Powertools is imported on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final

from chatmod.adapters import aws
from chatmod.core.errors import ServiceUnavailableError

#: SQS keeps a message at most 14 days (the DLQ's retention): a redrive from the
#: DLQ inside that time still finds the key.
DEFAULT_EXPIRY_SECONDS: Final = 15 * 86_400


class AlreadyInProgressError(ServiceUnavailableError):
    """Another delivery of the same key is running now; try again later."""

    default_code = "in_progress"


class OnceGuard:
    """Runs an action at most once per key; thread-safe."""

    def __init__(
        self,
        table_name: str,
        *,
        key_prefix: str,
        expires_after_seconds: int = DEFAULT_EXPIRY_SECONDS,
        boto3_client: Any = None,
    ) -> None:
        """Create the guard. No network call happens here.

        Args:
            table_name: the idempotency table (key ``id``, TTL ``expiration``).
            key_prefix: names what is guarded, so keys never depend on the
                function's name (a redeploy under another name still finds them).
            expires_after_seconds: how long a completed key is remembered.
            boto3_client: a DynamoDB client (default: the shared one, short timeouts).
        """
        self._table_name = table_name
        self._key_prefix = key_prefix
        self._expiry = expires_after_seconds
        self._client = boto3_client
        self._lock = threading.Lock()
        self._wrapped: Callable[..., Any] | None = None
        self._config: Any = None

    def register_lambda_context(self, context: Any) -> None:
        """Let an interrupted run's in-progress mark expire with the invocation."""
        self._build()
        self._config.register_lambda_context(context)

    def run(self, key: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``action()`` unless ``key`` completed before; then its stored answer.

        Raises:
            AlreadyInProgressError: another run of ``key`` has not finished.
            ServiceUnavailableError: the idempotency table could not be used.
            Exception: whatever ``action`` raised (nothing is remembered then).
        """
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
        )

        wrapped = self._build()
        try:
            result: dict[str, Any] = wrapped(target={"key": key}, action=action)
        except IdempotencyAlreadyInProgressError as exc:
            raise AlreadyInProgressError(f"{key!r} is being processed by another delivery") from exc
        except IdempotencyPersistenceLayerError as exc:
            raise ServiceUnavailableError(
                "the idempotency table could not be used", code="storage_unavailable"
            ) from exc
        return result

    def _build(self) -> Callable[..., Any]:
        if self._wrapped is not None:
            return self._wrapped
        with self._lock:
            if self._wrapped is None:
                from aws_lambda_powertools.utilities.idempotency import (
                    DynamoDBPersistenceLayer,
                    IdempotencyConfig,
                    idempotent_function,
                )

                self._config = IdempotencyConfig(
                    event_key_jmespath="key",
                    raise_on_no_idempotency_key=True,
                    expires_after_seconds=self._expiry,
                )
                store = DynamoDBPersistenceLayer(
                    table_name=self._table_name,
                    boto3_client=self._client or aws.client("dynamodb"),
                )

                def _run_action(
                    *, target: dict[str, str], action: Callable[[], dict[str, Any]]
                ) -> dict[str, Any]:
                    return action()

                self._wrapped = idempotent_function(
                    _run_action,
                    data_keyword_argument="target",
                    persistence_store=store,
                    config=self._config,
                    key_prefix=self._key_prefix,
                )
        assert self._wrapped is not None
        return self._wrapped
