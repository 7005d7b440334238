"""The runtime policy (msgspec) is the schema (pydantic) field for field, and parses alike.

The functions read the policy parameter with ``chatmod.core.policy_runtime``; synth, the
tools and the configuration reference use ``chatmod.core.policy``. Here:

- every model has the same keys (camelCase), the same defaults and the same nesting;
- the runtime is never the more lenient: a document it accepts, the schema accepts with
  the same values; and a document the schema accepts, written as the schema writes it
  (what synth and ``make policy`` store), parses alike at run time — for the defaults,
  every stage in ``cdk.json``, the README's examples, and Hypothesis' mutations of a
  policy using every part (a value replaced by another of any JSON type, anywhere);
- what the schema refuses the runtime refuses, for the invalid documents of every check.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chatmod.core import policy as schema
from chatmod.core import policy_runtime as runtime

PAIRS = [
    (schema.BlocklistTerm, runtime.BlocklistTerm),
    (schema.BlocklistProviderConfig, runtime.BlocklistProviderConfig),
    (schema.HiveProviderConfig, runtime.HiveProviderConfig),
    (schema.OpenAIProviderConfig, runtime.OpenAIProviderConfig),
    (schema.ComprehendProviderConfig, runtime.ComprehendProviderConfig),
    (schema.AzureProviderConfig, runtime.AzureProviderConfig),
    (schema.HttpModelProviderConfig, runtime.HttpModelProviderConfig),
    (schema.LinksProviderConfig, runtime.LinksProviderConfig),
    (schema.RuleMatch, runtime.RuleMatch),
    (schema.Rule, runtime.Rule),
    (schema.SplitWords, runtime.SplitWords),
    (schema.RepeatLimit, runtime.RepeatLimit),
    (schema.FloodLimit, runtime.FloodLimit),
    (schema.CrossMessagePolicy, runtime.CrossMessagePolicy),
    (schema.ModerationPolicy, runtime.ModerationPolicy),
    (schema.BanPolicy, runtime.BanPolicy),
    (schema.TokenPolicy, runtime.TokenPolicy),
    (schema.IdentityPolicy, runtime.IdentityPolicy),
    (schema.AsyncPolicy, runtime.AsyncPolicy),
    (schema.ReviewPolicy, runtime.ReviewPolicy),
    (schema.RuntimePolicy, runtime.RuntimePolicy),
]


def wire_keys(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def struct_keys(struct: type[msgspec.Struct]) -> set[str]:
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    keys = {f.encode_name for f in info.fields}
    if info.tag_field is not None:
        keys.add(info.tag_field)
    return keys


@pytest.mark.parametrize(("model", "struct"), PAIRS, ids=lambda c: c.__name__)
def test_every_model_has_the_same_keys(model, struct):
    assert struct_keys(struct) == wire_keys(model)


def parse_both(document: Any) -> tuple[Any, Any]:
    """(schema's dump or its error, runtime's dump or its error) for ``document``."""
    text = json.dumps(document)
    try:
        accepted = json.loads(schema.RuntimePolicy.model_validate_json(text).to_json())
    except ValidationError as exc:
        accepted = exc
    try:
        parsed = runtime.to_builtins(runtime.parse_policy(text))
    except runtime.PolicyInvalidError as exc:
        parsed = exc
    return accepted, parsed


def assert_alike(document: Any) -> None:
    """The runtime is never more lenient, and reads whatever the schema writes."""
    accepted, parsed = parse_both(document)
    if not isinstance(parsed, Exception):
        assert not isinstance(accepted, Exception), f"only the schema refused: {accepted}"
        assert parsed == accepted
    if not isinstance(accepted, Exception):
        # What synth and the tools store is the schema's JSON: the runtime reads it alike.
        assert runtime.to_builtins(runtime.parse_policy(json.dumps(accepted))) == accepted


def test_the_defaults_are_the_same():
    assert runtime.to_builtins(runtime.RuntimePolicy()) == json.loads(
        schema.RuntimePolicy().to_json()
    )


# The repository's files (absent where `make mutation` copies the tests alone).
ROOT = Path(__file__).resolve().parents[3]
CDK_JSON = ROOT / "cdk.json"
STAGES = json.loads(CDK_JSON.read_text())["context"]["chatmod:stages"] if CDK_JSON.exists() else {}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_stage_policy_parses_alike(stage):
    config = STAGES[stage]
    document = {k: config[k] for k in ("moderation", "bans", "tokens") if k in config}
    assert_alike(document)


README = (ROOT / "README.md").read_text() if (ROOT / "README.md").exists() else ""
EXAMPLES = [
    json.loads("{" + block + "}")["moderation"]
    for block in re.findall(r"```json\n(.*?)```", README, flags=re.DOTALL)
    if '"moderation"' in block
]


@pytest.mark.parametrize("moderation", EXAMPLES, ids=lambda m: str(len(json.dumps(m))))
def test_every_readme_example_parses_alike(moderation):
    assert_alike({"moderation": moderation})


RICH = {
    "moderation": {
        "providers": [
            {
                "name": "blocklist",
                "terms": [{"term": "frak", "severity": 2}, {"regex": "\\bbuy now\\b"}],
                "allowlist": ["scrap"],
                "thresholds": {"profanity": 2},
                "roomLanguages": {"kids-*": ["en"]},
            },
            {"name": "hive", "thresholds": {"hate": 3}, "reviewThresholds": {"hate": 2}},
            {"name": "openai", "thresholds": {"violence": 0.7}},
            {"name": "azure", "endpoint": "https://x.example.com", "thresholds": {"Hate": 2}},
            {"name": "http", "url": "http://127.0.0.1:9/m"},
            {
                "name": "links",
                "allow": ["ably.com"],
                "block": ["bit.ly"],
                "roomBlock": {"kids-*": ["youtube.com"]},
                "thresholds": {"link": 1},
                "trustAfterMessages": 5,
            },
        ],
        "rules": [
            {
                "name": "t",
                "match": {"provider": "hive", "minScore": 2},
                "action": "timeout",
                "durationSeconds": 60,
            },
            {"match": {"rooms": ["kids-*"], "roles": ["user"]}, "action": "warn"},
            {"match": {"categories": ["profanity"]}, "action": "mask", "observe": True},
        ],
        "observeProviders": ["openai"],
        "crossMessage": [
            {
                "rooms": ["kids-*"],
                "splitWords": {"windowSeconds": 30, "messages": 3},
                "repeats": {"max": 2, "action": "timeout", "durationSeconds": 60},
                "floods": {"max": 5, "windowSeconds": 10},
                "slowModeSeconds": 5,
            },
            {"repeats": {"max": 3, "action": "mask"}},
        ],
        "onMatch": "hold",
        "roomFilter": "^chat-",
    },
    "bans": {"ladder": ["warn", "10m", "permanent"], "windowSeconds": 3600},
    "tokens": {"rooms": ["lobby", "kids-*"], "ttlSeconds": 600},
    "identity": {"moderatorRoomsClaim": "rooms"},
    "async": {"textPath": "payload.body", "maxConcurrency": 4},
    "review": {"pendingSeconds": 600, "strikeOnHold": True},
}


def test_a_policy_using_every_part_parses_alike():
    accepted, parsed = parse_both(RICH)
    assert not isinstance(accepted, Exception), accepted
    assert parsed == accepted


REFUSED = [
    {"moderation": {"providers": []}},
    {"moderation": {"retryTimeoutMs": 5001}},
    {"moderation": {"onMatch": "ban"}},
    {"moderation": {"roomFilter": "("}},
    {"moderation": {"providers": [{"name": "nope"}]}},
    {"moderation": {"providers": [{"thresholds": {}}]}},
    {"moderation": {"providers": [{"name": "hive", "thresholds": {}}]}},
    {"moderation": {"providers": [{"name": "hive", "thresholds": {"a": 4}}]}},
    {
        "moderation": {
            "providers": [{"name": "hive", "thresholds": {"a": 2}, "reviewThresholds": {"a": 2}}]
        }
    },
    {
        "moderation": {
            "providers": [
                {"name": "hive", "thresholds": {"a": 2}, "baseUrl": "http://evil.example.com"}
            ]
        }
    },
    {"moderation": {"providers": [{"name": "openai", "thresholds": {"a": 0}}]}},
    {
        "moderation": {
            "providers": [{"name": "azure", "endpoint": "ftp://x", "thresholds": {"a": 1}}]
        }
    },
    {"moderation": {"providers": [{"name": "blocklist", "terms": [{"term": "a", "regex": "b"}]}]}},
    {"moderation": {"providers": [{"name": "blocklist", "terms": [{"regex": "("}]}]}},
    {"moderation": {"providers": [{"name": "blocklist", "languages": []}]}},
    {"moderation": {"providers": [{"name": "blocklist", "languages": ["xx"]}]}},
    {"moderation": {"rules": [{"action": "timeout"}]}},
    {"moderation": {"rules": [{"action": "ban", "strike": False}]}},
    {"moderation": {"rules": [{"match": {"provider": "hive"}, "action": "reject"}]}},
    {
        "moderation": {
            "rules": [{"action": "reject"}, {"match": {"rooms": ["x"]}, "action": "hold"}]
        }
    },
    {"moderation": {"rules": [{"name": "bad name", "action": "reject"}]}},
    {"moderation": {"observeProviders": ["hive"]}},
    {"moderation": {"providers": [{"name": "links", "block": ["Bit.ly"]}]}},
    {"moderation": {"providers": [{"name": "links", "roomAllow": {"x": ["no spaces.com"]}}]}},
    {"moderation": {"providers": [{"name": "links", "thresholds": {"spam": 1}}]}},
    {"moderation": {"crossMessage": [{"repeats": {"max": 2, "action": "timeout"}}]}},
    {"moderation": {"crossMessage": [{"floods": {"max": 2, "durationSeconds": 5}}]}},
    {"moderation": {"crossMessage": [{"slowModeSeconds": 121}]}},
    {
        "moderation": {
            "providers": [{"name": "http", "url": "https://m.example.com"}],
            "crossMessage": [{"splitWords": {}}],
        }
    },
    {"moderation": {"unknown": 1}},
    {"bans": {"ladder": []}},
    {"bans": {"ladder": ["5 minutes"]}},
    {"tokens": {"user": ["fly"]}},
    {"tokens": {"ttlSeconds": 3601}},
    {"async": {"textPath": "a..b"}},
    {"identity": {"clientIdClaim": ""}},
    {"review": {"retentionDays": 0}},
    [],
    "policy",
]


@pytest.mark.parametrize("document", REFUSED, ids=lambda d: json.dumps(d)[:60])
def test_what_the_schema_refuses_the_runtime_refuses(document):
    accepted, parsed = parse_both(document)

    assert isinstance(accepted, ValidationError)
    assert isinstance(parsed, runtime.PolicyInvalidError)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 70_000)
    | st.floats(-2, 5, allow_nan=False)
    | st.sampled_from(["", "x", "5", "0.5", "true", "reject", "hold", "hive", "*", "1h"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "name"]), inner, max_size=2)
    ),
    max_leaves=4,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


RICH_PATHS = _paths(RICH)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(RICH_PATHS), value=JSON_VALUES)
def test_a_policy_with_any_one_value_replaced_is_accepted_or_refused_by_both(path, value):
    document = copy.deepcopy(RICH)
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value

    assert_alike(document)
