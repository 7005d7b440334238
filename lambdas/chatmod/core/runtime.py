"""What a warm Lambda container keeps between invocations: policy, pipeline and stores.

Built on first use, never at import time. Every invocation re-reads the policy,
the providers' keys and the custom terms moderators set (``adapters.custom_terms``)
through caches of the same age (``adapters.parameters``:
one cache, one maximum age, for every function and every secret), and the
engine is rebuilt only when one of them changed — so a tuned policy or a
rotated provider key takes effect within the cache's age, and a warm
invocation otherwise does no setup work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from chatmod.adapters import aws
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.custom_terms import get_custom_terms
from chatmod.adapters.parameters import get_policy, get_secret
from chatmod.adapters.review_store import ReviewStore
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ServiceUnavailableError
from chatmod.core.policy_runtime import RuntimePolicy
from chatmod.core.settings import Settings, get_settings
from chatmod.moderation import decision_log
from chatmod.moderation.factory import ProviderKeyMissingError, build_engine, key_parameters_for
from chatmod.moderation.pipeline import ModerationPipeline


@dataclass(frozen=True, slots=True)
class Runtime:
    """The per-container state handlers share."""

    settings: Settings
    policy: RuntimePolicy
    pipeline: ModerationPipeline
    bans: BanStore
    audit: AuditLog
    reviews: ReviewStore | None = None


_lock = threading.Lock()
_current: tuple[tuple[object, ...], Runtime] | None = None


def get_runtime(deadline: Deadline | None = None) -> Runtime:
    """The runtime for the current policy and provider keys.

    Raises:
        ServiceUnavailableError: the policy or a provider key cannot be read (and
            no earlier value is known), or a provider has no key configured.
    """
    global _current
    settings = get_settings()
    policy = get_policy(settings, deadline=deadline)
    try:
        parameters = key_parameters_for(policy.moderation, settings.provider_key_parameters)
    except ProviderKeyMissingError as exc:
        raise ServiceUnavailableError(str(exc), code="configuration_invalid") from exc
    keys = {
        name: get_secret(parameter, settings, deadline=deadline)
        for name, parameter in parameters.items()
    }
    current = _current
    store = current[1].bans if current is not None else _ban_store(settings)
    custom = get_custom_terms(store, settings, deadline=deadline)
    fingerprint = (settings, policy, tuple(sorted(keys.items())), custom)
    if current is not None and current[0] == fingerprint:
        return current[1]
    with _lock:
        audit = AuditLog(aws.table(settings.audit_table))
        bans = _ban_store(settings, audit)
        reviews = (
            ReviewStore(aws.table(settings.reviews_table), audit=audit)
            if settings.reviews_table
            else None
        )
        pipeline = ModerationPipeline(
            policy,
            build_engine(policy.moderation, keys=keys, custom=custom),
            bans,
            observe=decision_log.record,
            on_store_error=decision_log.store_error,
            reviews=reviews,
        )
        runtime = Runtime(settings, policy, pipeline, bans, audit, reviews)
        _current = (fingerprint, runtime)
        return runtime


def _ban_store(settings: Settings, audit: AuditLog | None = None) -> BanStore:
    return BanStore(aws.table(settings.bans_table), aws.table(settings.strikes_table), audit=audit)


def reset_runtime() -> None:
    """Forget the cached runtime (tests, and local mode after a config change)."""
    global _current
    with _lock:
        _current = None
