"""Builds the moderation engine from the policy: providers, their keys and their thresholds."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine
from chatmod.moderation.providers import build_provider
from chatmod.policy import (
    AzureProviderConfig,
    BlocklistProviderConfig,
    ComprehendProviderConfig,
    HiveProviderConfig,
    HttpModelProviderConfig,
    ModerationPolicy,
    OpenAIProviderConfig,
    ProviderConfig,
)

SecretReader = Callable[[str], str]


class ProviderKeyMissingError(LookupError):
    """A provider needs an API key but no SSM parameter is configured for it."""


def build_engine(
    policy: ModerationPolicy,
    *,
    key_parameters: Mapping[str, str],
    read_secret: SecretReader,
) -> ModerationEngine:
    """The engine for ``policy``.

    Args:
        policy: the moderation policy.
        key_parameters: provider name → SSM SecureString name of its key.
        read_secret: reads (and caches) a SecureString by name.

    Returns:
        An engine whose chain follows ``policy.providers``.

    Raises:
        ProviderKeyMissingError: a keyed provider has no parameter configured.
    """
    chain = [_configure(config, key_parameters, read_secret) for config in policy.providers]
    return ModerationEngine(policy, chain)


def _configure(
    config: ProviderConfig, key_parameters: Mapping[str, str], read_secret: SecretReader
) -> ConfiguredProvider:
    def key() -> str:
        parameter = key_parameters.get(config.name)
        if parameter is None:
            raise ProviderKeyMissingError(
                f"provider {config.name} needs secrets.providerKeys.{config.name}"
            )
        return read_secret(parameter)

    if isinstance(config, BlocklistProviderConfig):
        provider = BlocklistProvider.from_config(
            terms=[term.model_dump(exclude_none=True) for term in config.terms],
            allowlist=config.allowlist,
            include_default=config.include_default,
        )
        # Any listed word flags unless a category asks for a higher severity.
        return ConfiguredProvider(
            provider,
            {str(k): float(v) for k, v in config.thresholds.items()},
            default_threshold=1,
            local=True,
        )
    if isinstance(config, HiveProviderConfig):
        hive = build_provider("hive", api_key=key(), base_url=config.base_url)
        return ConfiguredProvider(hive, config.thresholds)
    if isinstance(config, OpenAIProviderConfig):
        openai = build_provider(
            "openai", api_key=key(), base_url=config.base_url, model=config.model
        )
        return ConfiguredProvider(openai, config.thresholds)
    if isinstance(config, ComprehendProviderConfig):
        comprehend = build_provider("comprehend", language_code=config.language_code)
        return ConfiguredProvider(comprehend, config.thresholds)
    if isinstance(config, AzureProviderConfig):
        azure = build_provider("azure", api_key=key(), endpoint=config.endpoint)
        return ConfiguredProvider(azure, config.thresholds)
    if isinstance(config, HttpModelProviderConfig):
        token = read_secret(key_parameters["http"]) if "http" in key_parameters else None
        model = build_provider("http", url=config.url, token=token)
        # The model decides: any rejection counts, whatever its category.
        return ConfiguredProvider(model, {"rejected": 1}, wants_context=True)
    raise TypeError(f"unknown provider config {type(config).__name__}")
