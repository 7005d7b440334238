"""Builds the moderation engine from the policy: providers, their keys and their thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

import msgspec

from chatmod.core.policy_checks import PROVIDERS_WITH_KEYS
from chatmod.core.policy_runtime import (
    AzureProviderConfig,
    BlocklistProviderConfig,
    BlocklistTerm,
    ComprehendProviderConfig,
    HiveProviderConfig,
    HttpModelProviderConfig,
    LinksProviderConfig,
    ModerationPolicy,
    OpenAIProviderConfig,
    ProviderConfig,
    to_builtins,
)
from chatmod.enforcement.custom_terms import CustomTerms, ScopeTerms
from chatmod.moderation.base import Provider
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine
from chatmod.moderation.providers import build_provider
from chatmod.moderation.scoped import RoomScopedProvider

if TYPE_CHECKING:
    from chatmod.moderation.links import LinksProvider

NO_CUSTOM_TERMS = CustomTerms()


class ProviderKeyMissingError(LookupError):
    """A provider needs an API key but no SSM parameter is configured for it."""


def key_parameters_for(
    policy: ModerationPolicy, key_parameters: Mapping[str, str]
) -> dict[str, str]:
    """Provider name → SSM parameter of its key, for the providers ``policy`` uses.

    Raises:
        ProviderKeyMissingError: a provider that needs a key has no parameter.
    """
    needed: dict[str, str] = {}
    for config in policy.providers:
        parameter = key_parameters.get(config.name)
        if parameter is not None:
            needed[config.name] = parameter
        elif config.name in PROVIDERS_WITH_KEYS:
            raise ProviderKeyMissingError(
                f"provider {config.name} needs secrets.providerKeys.{config.name}"
            )
    return needed


def build_engine(
    policy: ModerationPolicy,
    *,
    keys: Mapping[str, str],
    custom: CustomTerms = NO_CUSTOM_TERMS,
) -> ModerationEngine:
    """The engine for ``policy`` with the providers' current ``keys``.

    The caller rebuilds it when the policy or a key changes (a rotated key takes
    effect within the parameter cache's age); the blocklist is compiled once per
    configuration, so a rebuild for a key rotation costs no recompilation.

    Args:
        policy: the moderation policy.
        keys: provider name → API key (from ``key_parameters_for`` and SSM).
        custom: terms moderators blocked or allowed at run time, added to the blocklist.

    Returns:
        An engine whose chain follows ``policy.providers``.

    Raises:
        ProviderKeyMissingError: a keyed provider has no key.
    """
    return ModerationEngine(
        policy, [_configure(config, keys, custom) for config in policy.providers]
    )


@lru_cache(maxsize=32)
def _blocklist(config_json: bytes) -> BlocklistProvider:
    config = msgspec.json.decode(config_json, type=BlocklistProviderConfig)
    return BlocklistProvider.from_config(
        terms=[
            {k: v for k, v in to_builtins(term).items() if v is not None} for term in config.terms
        ],
        allowlist=config.allowlist,
        include_default=config.include_default,
        languages=config.languages,
        room_languages=config.room_languages,
    )


def _with_terms(config: BlocklistProviderConfig, terms: ScopeTerms) -> BlocklistProviderConfig:
    """``config`` with a scope's custom terms added (blocked terms, allowed terms)."""
    if terms.empty:
        return config
    blocked = tuple(
        BlocklistTerm(term=b.term, category=b.category, severity=b.severity)  # type: ignore[arg-type]
        for b in terms.block
    )
    return msgspec.structs.replace(
        config, terms=(*config.terms, *blocked), allowlist=(*config.allowlist, *terms.allow)
    )


def _scoped_blocklist(config: BlocklistProviderConfig, custom: CustomTerms) -> Provider:
    """The blocklist with the stage's custom terms; per room scope, its own on top."""
    stage = _with_terms(config, custom.stage)
    provider = _blocklist(msgspec.json.encode(stage))
    if not custom.rooms:
        return provider
    rooms = [
        (glob, _blocklist(msgspec.json.encode(_with_terms(stage, terms))))
        for glob, terms in custom.rooms
    ]
    return RoomScopedProvider(provider, rooms)


def _configure(
    config: ProviderConfig, keys: Mapping[str, str], custom: CustomTerms
) -> ConfiguredProvider:
    def key() -> str:
        value = keys.get(config.name)
        if not value:
            raise ProviderKeyMissingError(
                f"provider {config.name} needs secrets.providerKeys.{config.name}"
            )
        return value

    if isinstance(config, BlocklistProviderConfig):
        # Any listed word flags unless a category asks for a higher severity.
        blocklist = _scoped_blocklist(config, custom)
        return ConfiguredProvider(
            blocklist,
            {str(k): float(v) for k, v in config.thresholds.items()},
            default_threshold=1,
            local=True,
            # Only when rooms have their own languages or terms: the room picks the list.
            wants_context=bool(getattr(blocklist, "wants_context", False)),
        )
    if isinstance(config, HiveProviderConfig):
        hive = build_provider("hive", api_key=key(), base_url=config.base_url)
        return ConfiguredProvider(
            hive, config.thresholds, review_thresholds=config.review_thresholds
        )
    if isinstance(config, OpenAIProviderConfig):
        openai = build_provider(
            "openai", api_key=key(), base_url=config.base_url, model=config.model
        )
        return ConfiguredProvider(
            openai, config.thresholds, review_thresholds=config.review_thresholds
        )
    if isinstance(config, ComprehendProviderConfig):
        comprehend = build_provider("comprehend", language_code=config.language_code)
        return ConfiguredProvider(
            comprehend, config.thresholds, review_thresholds=config.review_thresholds
        )
    if isinstance(config, AzureProviderConfig):
        azure = build_provider("azure", api_key=key(), endpoint=config.endpoint)
        return ConfiguredProvider(
            azure, config.thresholds, review_thresholds=config.review_thresholds
        )
    if isinstance(config, HttpModelProviderConfig):
        model = build_provider("http", url=config.url, token=keys.get("http"))
        # The model decides: any rejection counts, whatever its category.
        return ConfiguredProvider(model, {"rejected": 1}, wants_context=True)
    if isinstance(config, LinksProviderConfig):
        links = _links(msgspec.json.encode(config))
        # Any link flags unless a category asks for a higher score (blocked domains are 3).
        return ConfiguredProvider(
            links,
            {str(k): float(v) for k, v in config.thresholds.items()},
            default_threshold=1,
            local=True,
            wants_context=links.wants_context,
        )
    raise TypeError(f"unknown provider config {type(config).__name__}")


@lru_cache(maxsize=4)
def _links(config_json: bytes) -> LinksProvider:
    # Imported when a policy names the provider: a cold start without it does not pay.
    from chatmod.moderation.links import LinksProvider

    config = msgspec.json.decode(config_json, type=LinksProviderConfig)
    rooms = {
        glob: (config.room_allow.get(glob, ()), config.room_block.get(glob, ()))
        for glob in (*config.room_allow, *config.room_block)
    }
    return LinksProvider.from_config(
        allow=config.allow,
        block=config.block,
        rooms=rooms,
        trust_after=config.trust_after_messages,
    )
