"""The policy's vocabulary and rules of validity, without a validation library.

Two models read the policy: ``chatmod.core.policy`` (pydantic: synth, the tools, the
configuration reference) and ``chatmod.core.policy_runtime`` (msgspec: what the
functions parse at run time, so that the latency paths' cold start does not pay for
pydantic). Both take their constants from here and call these checks, so a policy is
valid for one exactly when it is valid for the other
(``tests/unit/core/test_policy_runtime.py`` holds them to it).

Every check raises ``ValueError`` with a message that names the field as written in
``cdk.json`` and the policy parameter.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import urlsplit

# Ably capability operations a role may be granted (Ably's capability docs).
ABLY_OPERATIONS: Final = frozenset(
    {
        "*",
        "publish",
        "subscribe",
        "presence",
        "history",
        "stats",
        "channel-metadata",
        "push-subscribe",
        "push-admin",
        "privileged-headers",
        "object-subscribe",
        "object-publish",
        "annotation-subscribe",
        "annotation-publish",
        "message-update-own",
        "message-update-any",
        "message-delete-own",
        "message-delete-any",
    }
)

#: What Ably Chat's docs list for a participant using every feature (chat/setup).
CHAT_PARTICIPANT: Final[tuple[str, ...]] = (
    "publish",
    "subscribe",
    "presence",
    "history",
    "message-update-own",
    "message-delete-own",
    "annotation-publish",
    "annotation-subscribe",
    "channel-metadata",
)
#: A participant who may also edit or delete anyone's message.
CHAT_MODERATOR: Final[tuple[str, ...]] = (
    *CHAT_PARTICIPANT,
    "message-delete-any",
    "message-update-any",
)

#: The built-in blocklist's categories.
BLOCKLIST_CATEGORIES: Final[tuple[str, ...]] = (
    "profanity",
    "sexual",
    "hate",
    "harassment",
    "violence",
    "self_harm",
)
#: Languages of the bundled lists (``chatmod.moderation.blocklist.LANGUAGES``).
ALL_BLOCKLIST_LANGUAGES: Final[tuple[str, ...]] = ("en", "es", "fr", "de", "pt", "it")
#: Providers that need an API key in an SSM SecureString parameter.
PROVIDERS_WITH_KEYS: Final = frozenset({"hive", "openai", "azure"})

#: What a rule does with a message it matches, weakest first: when several categories
#: of one message match rules with different actions, the strongest action wins.
RULE_ACTIONS: Final[tuple[str, ...]] = (
    "accept",
    "mask",
    "hold",
    "warn",
    "reject",
    "timeout",
    "ban",
)
#: The categories each provider can report (``None``: any name the service returns).
KNOWN_CATEGORIES: Final[dict[str, frozenset[str] | None]] = {
    "blocklist": frozenset(BLOCKLIST_CATEGORIES),
    "hive": None,
    "openai": None,
    "comprehend": None,
    "azure": None,
    "http": frozenset({"rejected"}),
    "links": frozenset({"link", "new_sender_link", "blocked_domain"}),
}
DEFAULT_RULE: Final = "default"
REVIEW_BAND_RULE: Final = "review-band"
RULE_NAME: Final = r"^[\w.:-]+$"

_DURATION = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>[smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TEXT_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


# --- provider URLs ----------------------------------------------------------------


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_provider_url(value: str, field: str) -> str:
    """``value`` if it is an https URL (or http to a loopback host, for local stubs).

    A provider URL carries the provider's API key or the message text, so plain
    HTTP is refused except to this machine.

    Raises:
        ValueError: the URL is empty, not http(s), has no host, or is plain http
            to another machine; the message names ``field``.
    """
    parts = urlsplit(value.strip())
    try:
        parts.port  # noqa: B018 (parsing the port is the check)
    except ValueError:
        raise ValueError(f"{field} has an invalid port") from None
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and host and is_loopback_host(host):
        return value
    raise ValueError(
        f"{field} must be an https:// URL with a host (http:// only to localhost, "
        "127.0.0.0/8 or ::1)"
    )


def check_regex(value: str) -> str:
    """``value`` if it compiles as a Python regex."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regex {value!r}: {exc}") from exc
    return value


def check_review_band(
    thresholds: Mapping[str, float] | Mapping[str, int],
    review: Mapping[str, float] | Mapping[str, int],
) -> None:
    """A review threshold must sit below the category's reject threshold (the band between).

    Raises:
        ValueError: naming the category whose review threshold is not below its reject one.
    """
    for category, score in review.items():
        reject = thresholds.get(category)
        if reject is not None and score >= reject:
            raise ValueError(
                f"reviewThresholds.{category} ({score}) must be below thresholds.{category} "
                f"({reject}): scores from the review threshold up to the reject threshold "
                "are held for review"
            )


def check_term(term: str | None, regex: str | None) -> None:
    """A blocklist entry is a ``term`` or a ``regex``, and a regex compiles."""
    if (term is None) == (regex is None):
        raise ValueError("give exactly one of 'term' or 'regex'")
    if regex is not None:
        check_regex(regex)


_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def check_domains(domains: Iterable[str], field: str) -> None:
    """Domain names as a list of the links provider holds them: ``example.com``, lower case."""
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise ValueError(
                f"{field}: {domain!r} is not a domain name in lower case (e.g. 'example.com')"
            )


def check_link_lists(
    allow: Iterable[str],
    block: Iterable[str],
    room_allow: Mapping[str, Iterable[str]],
    room_block: Mapping[str, Iterable[str]],
) -> None:
    """The links provider's lists, global and per room glob, hold domain names only."""
    check_domains(allow, "allow")
    check_domains(block, "block")
    for glob, domains in room_allow.items():
        check_domains(domains, f"roomAllow.{glob}")
    for glob, domains in room_block.items():
        check_domains(domains, f"roomBlock.{glob}")


# --- bans, tokens, async ----------------------------------------------------------


def parse_ladder_step(step: str) -> int | None:
    """Seconds of ban for a ladder step: ``0`` for ``warn``, ``None`` for ``permanent``.

    Raises:
        ValueError: the step is not ``warn``, ``permanent`` or a duration like ``120s``/``1h``.
    """
    if step == "warn":
        return 0
    if step == "permanent":
        return None
    match = _DURATION.match(step)
    if match is None:
        raise ValueError(
            f"ladder step {step!r} must be 'warn', 'permanent' or a duration like '120s', "
            "'10m', '1h', '7d'"
        )
    return int(match["n"]) * _UNIT_SECONDS[match["unit"]]


def check_ladder(ladder: Sequence[str]) -> None:
    """At least one step, each valid."""
    if not ladder:
        raise ValueError("the ladder needs at least one step")
    for step in ladder:
        parse_ladder_step(step)


def check_operations(operations: Iterable[str]) -> None:
    """Only Ably capability operations."""
    unknown = sorted(set(operations) - ABLY_OPERATIONS)
    if unknown:
        raise ValueError(f"unknown Ably capability operation(s): {', '.join(unknown)}")


def check_text_path(value: str) -> None:
    """Dot-separated keys without spaces."""
    if not _TEXT_PATH.match(value):
        raise ValueError(
            f"textPath {value!r} must be dot-separated keys without spaces, e.g. 'text' "
            "or 'payload.body'"
        )


# --- rules ------------------------------------------------------------------------


def check_rule(action: str, duration_seconds: int | None, strike: bool | None) -> None:
    """One rule on its own: a timeout's duration, and strikes where they mean something."""
    if action == "timeout" and duration_seconds is None:
        raise ValueError("a timeout needs durationSeconds")
    if duration_seconds is not None and action not in ("timeout", "ban"):
        raise ValueError(f"durationSeconds applies to timeout and ban, not {action}")
    if strike is False and action in ("timeout", "ban", "warn"):
        raise ValueError(
            f"a {action} is always a strike (the ladder counts it, and a redelivered "
            "message is recognised by it): leave out strike"
        )
    if strike and action == "accept":
        raise ValueError("an accept cannot strike: use mask, hold or reject")


def match_covers(mine: Any, other: Any) -> bool:
    """Whether rule match ``mine`` certainly matches everything ``other`` matches."""
    if mine.provider is not None and mine.provider != other.provider:
        return False
    if mine.categories and (
        not other.categories or not set(other.categories) <= set(mine.categories)
    ):
        return False
    if not _score_covers(mine.min_score, other.min_score):
        return False
    if (
        mine.rooms
        and "*" not in mine.rooms
        and (not other.rooms or not set(other.rooms) <= set(mine.rooms))
    ):
        return False
    return not mine.roles or (bool(other.roles) and set(other.roles) <= set(mine.roles))


def _score_covers(mine: float | str, other: float | str) -> bool:
    if mine == other:
        return True
    if isinstance(mine, str) or isinstance(other, str):
        # "threshold" vs a number (or the review band) depends on each provider's
        # configuration: not certain, so not reported as a shadow.
        return mine == "reviewThreshold" and other == "threshold"
    return mine <= other


def check_rules(
    configured: Sequence[str], rules: Sequence[Any], observe_providers: Sequence[str]
) -> None:
    """Rules that can be satisfied by the configured providers, none shadowed entirely.

    ``rules`` are rule objects of either model (``name``, ``match``, ``observe``).
    """
    for name in observe_providers:
        if name not in configured:
            raise ValueError(
                f"observeProviders names {name!r}, which is not in providers "
                f"({', '.join(configured)})"
            )
    names: set[str] = set()
    for index, rule in enumerate(rules):
        label = f"rules[{index}]" + (f" ({rule.name})" if rule.name else "")
        if rule.name is not None:
            if rule.name in names or rule.name in (DEFAULT_RULE, REVIEW_BAND_RULE):
                raise ValueError(f"{label}: the name {rule.name!r} is already taken")
            names.add(rule.name)
        match = rule.match
        provider = match.provider
        if provider is not None and provider not in configured:
            raise ValueError(
                f"{label}: provider {provider!r} is not in providers ({', '.join(configured)})"
            )
        known = KNOWN_CATEGORIES.get(provider) if provider is not None else None
        unknown = sorted(set(match.categories) - known) if known is not None else []
        if unknown:
            raise ValueError(
                f"{label}: {provider} has no category {', '.join(map(repr, unknown))} "
                f"(it has {', '.join(sorted(known or ()))})"
            )
        if provider is None and match.categories:
            possible = _possible_categories(configured)
            if possible is not None and not set(match.categories) & possible:
                raise ValueError(
                    f"{label}: no configured provider reports "
                    f"{', '.join(map(repr, match.categories))}"
                )
        if not isinstance(match.min_score, str) and provider is None:
            raise ValueError(
                f"{label}: a numeric minScore needs a provider (each has its own scale)"
            )
        for earlier_index, earlier in enumerate(rules[:index]):
            if not earlier.observe and match_covers(earlier.match, match):
                raise ValueError(
                    f"{label} can never apply: rules[{earlier_index}]"
                    + (f" ({earlier.name})" if earlier.name else "")
                    + " matches everything it matches, and the first rule that "
                    "matches wins"
                )


def _possible_categories(providers: Sequence[str]) -> frozenset[str] | None:
    """Every category the configured providers can report (``None``: open-ended)."""
    possible: set[str] = set()
    for name in providers:
        known = KNOWN_CATEGORIES.get(name)
        if known is None:
            return None
        possible |= known
    return frozenset(possible)


# --- across messages --------------------------------------------------------------


def check_limit_action(action: str, duration_seconds: int | None) -> None:
    """A repeat or flood limit's action: a timeout needs its duration, nothing else takes one."""
    if action == "timeout" and duration_seconds is None:
        raise ValueError("a timeout needs durationSeconds")
    if action != "timeout" and duration_seconds is not None:
        raise ValueError(f"durationSeconds applies to a timeout, not {action}")


def check_cross_message(configured: Sequence[str], entries: Sequence[Any]) -> None:
    """Split words need the blocklist (it finds the word across the messages)."""
    for index, entry in enumerate(entries):
        if entry.split_words is not None and "blocklist" not in configured:
            raise ValueError(
                f"crossMessage[{index}].splitWords needs the blocklist in providers "
                "(it finds the word spelled across messages)"
            )
