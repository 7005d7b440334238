"""What a warm Lambda container keeps between invocations: policy, engine and stores.

Built on first use, never at import time. The policy parameter is re-read through
Powertools' cache (``parameter_max_age_seconds``); the engine is rebuilt only when
the policy actually changed, so a warm invocation does no setup work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from chatmod.adapters import aws
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.parameters import get_policy, get_secret
from chatmod.errors import ServiceUnavailableError
from chatmod.moderation.engine import ModerationEngine
from chatmod.moderation.factory import ProviderKeyMissingError, build_engine
from chatmod.policy import RuntimePolicy
from chatmod.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class Runtime:
    """The per-container state handlers share."""

    settings: Settings
    policy: RuntimePolicy
    engine: ModerationEngine
    bans: BanStore
    audit: AuditLog

    def before_publish_secret(self) -> str:
        """The before-publish shared secret (SSM SecureString, cached)."""
        return get_secret(self.settings.before_publish_secret_parameter, self.settings)


_lock = threading.Lock()
_current: Runtime | None = None


def get_runtime() -> Runtime:
    """The runtime for the current policy.

    Raises:
        ServiceUnavailableError: the policy or a provider key cannot be read.
    """
    global _current
    settings = get_settings()
    policy = get_policy(settings)
    current = _current
    if current is not None and current.policy == policy and current.settings == settings:
        return current
    with _lock:
        try:
            engine = build_engine(
                policy.moderation,
                key_parameters=settings.provider_key_parameters,
                read_secret=lambda name: get_secret(name, settings),
            )
        except ProviderKeyMissingError as exc:
            raise ServiceUnavailableError(str(exc), code="configuration_invalid") from exc
        audit = AuditLog(aws.table(settings.audit_table))
        bans = BanStore(
            aws.table(settings.bans_table), aws.table(settings.strikes_table), audit=audit
        )
        _current = Runtime(settings, policy, engine, bans, audit)
        return _current


def reset_runtime() -> None:
    """Forget the cached runtime (tests, and local mode after a config change)."""
    global _current
    with _lock:
        _current = None
