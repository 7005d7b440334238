"""Moderation providers by name: ``build_provider("hive", api_key=...)``.

Each provider lives in its own module and is imported only when built, so using
one provider does not import another's SDK (``comprehend`` pulls in boto3).

===========  ==================================  =====================================
name         class                               scores (provider's own scale)
===========  ==================================  =====================================
hive         hive.HiveProvider                   ``{class: severity 0..3}``
openai       openai.OpenAIProvider               ``{category: 0..1}``
comprehend   comprehend.ComprehendProvider       ``{label: 0..1, "TOXICITY": 0..1}``
azure        azure.AzureContentSafetyProvider    ``{category: severity 0..7}``
http         http_model.HttpModelProvider        ``{"rejected": 0|1, <category>: 1}``
===========  ==================================  =====================================

Every network provider raises the ``chatmod.moderation.base.ProviderError`` tree;
rate limiting is raised as ``RateLimitedError`` (a ``ProviderRateLimitedError``
carrying ``retry_after`` seconds when the server sent ``Retry-After``).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from chatmod.moderation.base import Provider

# name -> (module, class); the module is imported on first build.
PROVIDERS: dict[str, tuple[str, str]] = {
    "hive": ("chatmod.moderation.providers.hive", "HiveProvider"),
    "openai": ("chatmod.moderation.providers.openai", "OpenAIProvider"),
    "comprehend": ("chatmod.moderation.providers.comprehend", "ComprehendProvider"),
    "azure": ("chatmod.moderation.providers.azure", "AzureContentSafetyProvider"),
    "http": ("chatmod.moderation.providers.http_model", "HttpModelProvider"),
}


def provider_class(name: str) -> type[Any]:
    """The provider class registered under ``name``, imported on demand.

    Args:
        name: A key of ``PROVIDERS``.

    Returns:
        The class.

    Raises:
        ValueError: ``name`` is not a known provider.
    """
    try:
        module_name, class_name = PROVIDERS[name]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ValueError(f"unknown moderation provider {name!r} (known: {known})") from None
    cls: type[Any] = getattr(import_module(module_name), class_name)
    return cls


def build_provider(name: str, **options: Any) -> Provider:
    """Build the provider registered under ``name`` with keyword ``options``.

    The options are the class's constructor arguments, e.g.
    ``build_provider("hive", api_key=key, base_url=url)``,
    ``build_provider("azure", api_key=key, endpoint=url)``,
    ``build_provider("http", url=url, token=token)``,
    ``build_provider("comprehend", region_name="us-east-1")``.

    Args:
        name: ``hive``, ``openai``, ``comprehend``, ``azure`` or ``http``.
        **options: Constructor arguments.

    Returns:
        The provider.

    Raises:
        ValueError: Unknown name, or invalid option values.
        TypeError: An option the provider does not take.
    """
    provider: Provider = provider_class(name)(**options)
    return provider


__all__ = ["PROVIDERS", "build_provider", "provider_class"]
