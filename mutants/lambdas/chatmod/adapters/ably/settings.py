"""How chatmod reaches Ably: endpoint, key, timeouts and retry policy, validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chatmod.core.constants import ENV_ABLY_REST_HOST, ENV_ABLY_TLS, MAX_TOKEN_TTL_MS

__all__ = ["AblySettings"]


@dataclass(frozen=True)
class AblySettings:
    """How to reach Ably. The key is excluded from ``repr`` so it cannot end up in logs.

    Attributes:
        api_key: ``<appId>.<keyId>:<secret>``.
        rest_host: a custom REST host (local emulator, stub), ``host`` or
            ``host:port``; None for Ably's default endpoint. A custom host gets
            no fallback hosts.
        port: the port for ``rest_host``; None for 443/80.
        tls: HTTPS when True. Over plain HTTP ably-python refuses Basic auth, so
            token auth is used there.
        timeout_s: the most one attempt may take (connect plus answer).
        connect_timeout_s: the most connecting may take, within ``timeout_s``.
        max_retries: retries after the first attempt (so attempts = 1 + this).
        budget_s: the deadline of a call whose caller gives none.
        backoff_base_s: first retry delay; doubles per retry, with jitter.
        backoff_max_s: the cap on one retry delay.
        client_id: the identity chatmod itself acts as (moderation events,
            deletes), or None to act as the key.
        use_token_auth: None = token auth exactly when ``tls`` is False.
        keepalive_s: how long an idle connection is kept for reuse.
        server_token_ttl_ms: the lifetime of chatmod's own token under token
            auth (at most ``MAX_TOKEN_TTL_MS``, as Ably's revocable tokens).
    """

    api_key: str = field(repr=False)
    rest_host: str | None = None
    port: int | None = None
    tls: bool = True
    timeout_s: float = 5.0
    connect_timeout_s: float = 2.0
    max_retries: int = 2
    budget_s: float = 10.0
    backoff_base_s: float = 0.1
    backoff_max_s: float = 2.0
    client_id: str | None = None
    use_token_auth: bool | None = None
    keepalive_s: float = 55.0
    server_token_ttl_ms: int = MAX_TOKEN_TTL_MS

    def __post_init__(self) -> None:
        key_name, sep, secret = self.api_key.partition(":")
        if not sep or not secret or ":" in secret or "." not in key_name:
            # Never echo the value: it is a secret.
            raise ValueError("api_key must look like '<appId>.<keyId>:<secret>'")
        host, sep, port = (self.rest_host or "").rpartition(":")
        if sep and host and ":" not in host and port.isdigit():
            # Accept "host:port" too (the form CHATMOD_ABLY_REST_HOST may take).
            if self.port is not None and self.port != int(port):
                raise ValueError("rest_host names a port that differs from port")
            object.__setattr__(self, "rest_host", host)
            object.__setattr__(self, "port", int(port))
        if self.rest_host is not None and not _is_literal_host(self.rest_host):
            # ably-python turns a dotless name into '<name>.realtime.ably.net'.
            raise ValueError(
                "rest_host must be a dotted name, 'localhost' or an IP address "
                "(write 'name.' for a dotless host name)"
            )
        if self.timeout_s <= 0 or self.connect_timeout_s <= 0 or self.budget_s <= 0:
            raise ValueError("timeouts and budget must be positive")
        if self.max_retries < 0 or self.backoff_base_s < 0 or self.backoff_max_s < 0:
            raise ValueError("max_retries and backoff must not be negative")
        if not self.tls and self.use_token_auth is False:
            raise ValueError("over plain HTTP Ably clients must use token auth")
        if self.client_id == "*":
            raise ValueError("client_id must not be the wildcard")
        if not 0 < self.server_token_ttl_ms <= MAX_TOKEN_TTL_MS:
            raise ValueError(f"server_token_ttl_ms must be between 1 and {MAX_TOKEN_TTL_MS}")

    @property
    def key_name(self) -> str:
        """The public half of the key (``<appId>.<keyId>``)."""
        return self.api_key.partition(":")[0]

    @property
    def token_auth(self) -> bool:
        """Whether requests carry a token (True) or the key (Basic auth)."""
        return (not self.tls) if self.use_token_auth is None else self.use_token_auth

    @classmethod
    def from_env(
        cls, api_key: str, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> AblySettings:
        """Settings from the stack's environment variables.

        Args:
            api_key: the key, read by the caller from SSM.
            environ: the environment (default ``os.environ``). Reads
                ``CHATMOD_ABLY_REST_HOST`` (``host`` or ``host:port``) and
                ``CHATMOD_ABLY_TLS`` (``true``/``false``, default true).
            overrides: any other field.

        Returns:
            The settings.

        Raises:
            ValueError: a variable or the key is malformed.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        host = (env.get(ENV_ABLY_REST_HOST) or "").strip()
        if host:
            values["rest_host"] = host  # "host" or "host:port"
        tls = (env.get(ENV_ABLY_TLS) or "").strip().lower()
        if tls:
            if tls not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{ENV_ABLY_TLS} must be true or false")
            values["tls"] = tls in ("true", "1", "yes")
        values.update(overrides)
        return cls(api_key=api_key, **values)


def _is_literal_host(host: str) -> bool:
    # The same test as ably-python's and ably-js's (REC1b2): a dot, an IPv6 "::" or localhost.
    return bool(host) and ("." in host or "::" in host or "localhost" in host)
