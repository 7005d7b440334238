"""The process-wide Ably gateway, built from the key in SSM and rebuilt when the key rotates."""

from __future__ import annotations

import hashlib
import threading

from chatmod.adapters.ably import AblyGateway, AblySettings
from chatmod.adapters.parameters import get_secret
from chatmod.core.constants import CHATMOD_CLIENT_ID
from chatmod.core.errors import ServiceUnavailableError
from chatmod.core.settings import Settings

_lock = threading.Lock()
_gateway: tuple[str, AblyGateway] | None = None  # (sha256 of the key, gateway)


def gateway_for(settings: Settings) -> AblyGateway:
    """The gateway for the Ably key named in ``settings`` (read through the SSM cache).

    Kept for the life of the process (warm invocations reuse its connections) and
    rebuilt when the key in SSM changes.

    Raises:
        ServiceUnavailableError: the key parameter is unreadable or not an Ably key.
    """
    global _gateway
    api_key = get_secret(settings.ably_key_parameter, settings)
    # Compare digests, so the cache holds no second copy of the key.
    fingerprint = hashlib.sha256(api_key.encode()).hexdigest()
    cached = _gateway
    if cached is None or cached[0] != fingerprint:
        with _lock:
            cached = _gateway
            if cached is None or cached[0] != fingerprint:
                try:
                    # Deletes and updates of chat messages carry chatmod's reserved id too.
                    ably_settings = AblySettings.from_env(api_key, client_id=CHATMOD_CLIENT_ID)
                except ValueError as exc:
                    # The message never includes the value: it is the secret.
                    raise ServiceUnavailableError(
                        f"secret parameter {settings.ably_key_parameter} is not a valid Ably key",
                        code="configuration_invalid",
                    ) from exc
                # The old gateway is dropped, not closed: another thread may hold it.
                cached = (fingerprint, AblyGateway(ably_settings))
                _gateway = cached
    return cached[1]


def reset_gateway() -> None:
    """Close and forget the cached gateway (tests, and local mode after a config change)."""
    global _gateway
    with _lock:
        if _gateway is not None:
            _gateway[1].close()
        _gateway = None
