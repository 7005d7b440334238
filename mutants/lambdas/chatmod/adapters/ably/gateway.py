"""``AblyGateway``: every Ably operation chatmod performs, behind one object."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from ably.sync import AblyRestSync

from chatmod.adapters.ably.chat import ChatOperations
from chatmod.adapters.ably.connection import AblyConnection
from chatmod.adapters.ably.pubsub import PubSubOperations
from chatmod.adapters.ably.settings import AblySettings
from chatmod.adapters.ably.tokens import TokenOperations

__all__ = ["AblyGateway"]


class AblyGateway(ChatOperations, PubSubOperations, TokenOperations):
    """Chat, pub/sub and token operations with deadlines, retries and typed errors.

    Synchronous and safe to keep at module level across Lambda invocations; async
    code calls it through ``asyncio.to_thread``. Thread-safe and lock-free: calls
    from several threads run concurrently (see ``AblyConnection``).
    """

    def __init__(
        self,
        settings: AblySettings,
        *,
        client: AblyRestSync | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """Create the gateway. No network call happens here.

        Args:
            settings: endpoint, auth, timeouts and retry policy.
            client: an ably-python sync client to use instead of building one.
            sleep: waits between retries (injectable for tests).
            clock: monotonic seconds; deadlines are on this clock.
            jitter: returns a float in [0, 1) to spread retry delays.
        """
        super().__init__(
            AblyConnection(settings, client=client, sleep=sleep, clock=clock, jitter=jitter)
        )

    @property
    def sdk_client(self) -> AblyRestSync:
        """The underlying ably-python client (for inspection; calls go through the gateway)."""
        return self._connection.sdk_client

    def close(self) -> None:
        """Close pooled connections."""
        self._connection.close()

    def __enter__(self) -> AblyGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
