"""Stage configuration is validated before any construct is built, with messages that say where."""

from __future__ import annotations

import pytest

from chatmod.core.policy import RuntimePolicy, parse_ladder_step
from stacks.config import ConfigError, load_stage_config
from tests.support.cdk_app import cdk_context, deep_merge, make_app


def load(overrides: dict, stage: str = "dev"):
    context = cdk_context()
    context["chatmod:stages"][stage] = deep_merge(context["chatmod:stages"]["dev"], overrides)
    return load_stage_config(context, stage)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_shipped_stages_are_valid(stage):
    name, config = load_stage_config(cdk_context(), stage)

    assert name == stage
    assert config.secrets.ably_api_key == f"/chatmod/{stage}/ably-api-key"


def test_default_stage_is_dev():
    context = cdk_context()
    context.pop("stage")

    assert load_stage_config(context)[0] == "dev"


def test_unknown_stage_names_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown stage 'qa': cdk.json defines dev, prod"):
        load_stage_config(cdk_context(), "qa")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"moderation": {"retryTimeoutMs": 9000}},
            r"moderation\.retryTimeoutMs: .*less than or equal to 5000.*9000",
        ),
        ({"moderation": {"retryTimeoutMS": 100}}, r"moderation\.retryTimeoutMS: unknown key"),
        ({"colour": "blue"}, r"colour: unknown key"),
        (
            {"moderation": {"failedAction": "explode"}},
            r"moderation\.failedAction: .*'reject', 'publish' or 'defer'",
        ),
        ({"moderation": {"roomFilter": "(unclosed"}}, r"moderation\.roomFilter: .*invalid regex"),
        (
            {"moderation": {"providers": [{"name": "hive", "thresholds": {"hate": 2}}]}},
            r"secrets\.providerKeys needs a parameter name for provider\(s\) hive",
        ),
        (
            {"moderation": {"providers": [{"name": "hive", "thresholds": {"hate": 4}}]}},
            r"moderation\.providers\.0\.hive\.thresholds\.hate",
        ),
        (
            {"moderation": {"providers": [{"name": "sightengine"}]}},
            r"moderation\.providers\.0: .*tag 'sightengine'",
        ),
        (
            {"bans": {"ladder": ["warn", "2 minutes"]}},
            r"bans\.ladder: .*'2 minutes' must be 'warn', 'permanent' or a duration",
        ),
        ({"tokens": {"ttlSeconds": 7200}}, r"tokens\.ttlSeconds: .*less than or equal to 3600"),
        (
            {"tokens": {"user": ["publish", "delete-everything"]}},
            r"tokens\.user: .*unknown Ably capability operation\(s\): delete-everything",
        ),
        ({"auth": {"mode": "jwt"}}, r"auth: .*mode 'jwt' needs 'issuer'"),
        (
            {"auth": {"callbackUrls": []}},
            r"auth\.callbackUrls: mode 'cognito' needs at least one entry",
        ),
        ({"auth": None}, r"auth\.callbackUrls: mode 'cognito' needs at least one entry"),
        (
            {"auth": {"callbackUrls": ["http://chat.example.com/cb"]}},
            r"auth\.callbackUrls\.0: .*https:// URL, or http://localhost",
        ),
        (
            {"auth": {"logoutUrls": ["javascript:alert(1)"]}},
            r"auth\.logoutUrls\.0: .*https:// URL, or http://localhost",
        ),
        (
            {"auth": {"callbackUrls": ["https://chat.example.com/#cb"]}},
            r"auth\.callbackUrls\.0: .*fragment",
        ),
        (
            {
                "auth": {
                    "mode": "jwt",
                    "issuer": "https://issuer.example.com/",
                    "audience": ["chat"],
                }
            },
            r"auth: .*'callbackUrls' and 'logoutUrls' apply only to mode 'cognito'",
        ),
        (
            {"ingest": {"batchSize": 50, "batchingWindowSeconds": 0}},
            r"ingest: .*batchSize over 10 needs batchingWindowSeconds",
        ),
        (
            {"ingest": {"maxConcurrency": 1}},
            r"ingest\.maxConcurrency: .*greater than or equal to 2",
        ),
        (
            {"api": {"beforePublishThrottleRateLimit": 0}},
            r"api\.beforePublishThrottleRateLimit: .*greater than 0",
        ),
        (
            {"api": {"beforePublishThrottleBurstLimit": 9000}},
            r"api\.beforePublishThrottleBurstLimit: .*less than or equal to 5000",
        ),
        ({"logRetentionDays": 13}, r"logRetentionDays must be one of 1, 3, 5"),
        ({"removalPolicy": "snapshot"}, r"removalPolicy: .*'retain' or 'destroy'"),
        ({"secrets": {"ablyApiKey": "ably-key"}}, r"secrets\.ablyApiKey: .*pattern"),
        (
            {"secrets": {"judgedKey": "/chatmod/dev/before-publish-secret"}},
            r"secrets: .*judged key must be one Ably never sees",
        ),
        ({"ably": {"appId": None}}, r"ably\.appId: Field required"),
        ({"account": "12345"}, r"account: .*pattern"),
        ({"alarms": {"email": "not-an-email"}}, r"alarms\.email: .*pattern"),
        (
            {"alarms": {"failedDecisionRatePercent": 0}},
            r"alarms\.failedDecisionRatePercent: .*greater than 0",
        ),
        (
            {"alarms": {"failedDecisionRatePercent": 150}},
            r"alarms\.failedDecisionRatePercent: .*less than or equal to 100",
        ),
        (
            {"moderation": {"providers": [{"name": "http", "url": "ftp://models.example.com"}]}},
            r"moderation\.providers\.0\.http\.url: .*url must be an https:// URL",
        ),
        (
            {"moderation": {"providers": [{"name": "http", "url": "http://models.example.com"}]}},
            r"moderation\.providers\.0\.http\.url: .*http:// only to localhost",
        ),
        ({"async": {"textPath": "a..b"}}, r"async\.textPath: .*dot-separated keys"),
        ({"async": {"maxConcurrency": 0}}, r"async\.maxConcurrency: "),
    ],
)
def test_invalid_settings_stop_with_the_key_and_the_problem(overrides, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load(overrides)

    assert "invalid configuration for stage 'dev'" in str(caught.value)


def test_a_policy_too_big_for_its_parameter_stops_synth():
    terms = [{"term": f"badword{i:05d}", "category": "profanity"} for i in range(400)]

    with pytest.raises(
        ConfigError, match=r"bytes as JSON; the policy parameter holds at most 8192"
    ):
        load({"moderation": {"providers": [{"name": "blocklist", "terms": terms}]}})


def test_invalid_settings_stop_synth_before_any_construct_is_built():
    with pytest.raises(ConfigError, match=r"moderation\.maxRetries"):
        make_app("dev", {"moderation": {"maxRetries": -1}})


def test_missing_stages_context_is_explained():
    with pytest.raises(ConfigError, match="no 'chatmod:stages' context"):
        load_stage_config({"stage": "dev"})


def test_runtime_policy_round_trips_through_its_parameter_json():
    _, config = load_stage_config(cdk_context(), "prod")

    policy = RuntimePolicy.model_validate_json(config.runtime_policy.to_json())

    assert policy == config.runtime_policy
    assert policy.moderation.providers[0].name == "blocklist"


def test_the_stage_async_settings_reach_the_runtime_policy():
    _, config = load({"async": {"textPath": "payload.body", "maxConcurrency": 4}})

    policy = config.runtime_policy

    assert policy.async_moderation.text_keys == ("payload", "body")
    assert policy.async_moderation.max_concurrency == 4


@pytest.mark.parametrize(
    ("step", "seconds"),
    [("warn", 0), ("120s", 120), ("10m", 600), ("1h", 3600), ("7d", 604800), ("permanent", None)],
)
def test_ladder_steps_parse_to_seconds(step, seconds):
    assert parse_ladder_step(step) == seconds


def test_the_judged_key_defaults_to_a_parameter_beside_the_before_publish_secret():
    _, config = load({"secrets": {"judgedKey": None}})

    assert config.secrets.judged_key_parameter == "/chatmod/dev/judged-key"
