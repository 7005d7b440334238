"""Templates synthesized once per session: each synth costs seconds."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from tests.support.cdk_app import synth_template

# A stage exercising the non-default paths: an external JWT issuer, keyed and
# AWS-native providers, a customer KMS key for secrets, alarm email, and X-Ray SDK tracing.
ALTERNATIVE = {
    # The HTTP transport: the only kind of stage with a POST /before-publish route.
    "ably": {"accountId": "acct123", "appId": "app456", "rules": {"beforePublish": "http"}},
    "secrets": {
        "providerKeys": {"hive": "/chatmod/alt/hive-key"},
        "kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    "auth": {
        "mode": "jwt",
        "issuer": "https://issuer.example.com/",
        "audience": ["chat-app"],
        "clientIdClaim": "uid",
        "moderatorClaim": "roles",
        "moderatorValue": "mod",
        # dev's Cognito sign-in redirects do not apply to an external issuer.
        "callbackUrls": None,
        "logoutUrls": None,
    },
    # The console signs in with the external issuer's OAuth endpoints.
    "console": {
        "oauth": {
            "authorizeUrl": "https://issuer.example.com/oauth2/authorize",
            "tokenUrl": "https://issuer.example.com/oauth2/token",
            "logoutUrl": "https://issuer.example.com/logout",
            "clientId": "chatmod-console",
        }
    },
    "moderation": {
        "providers": [
            {"name": "blocklist"},
            {"name": "hive", "thresholds": {"sexual": 2, "hate": 2}},
            {"name": "comprehend", "thresholds": {"TOXICITY": 0.8}},
        ]
    },
    "alarms": {"email": "oncall@example.com", "failedDecisionRatePercent": 12.5},
    "tracing": {"enabled": True},
}


@pytest.fixture(scope="session")
def dev_template() -> Template:
    return synth_template("dev")


@pytest.fixture(scope="session")
def prod_template() -> Template:
    return synth_template("prod")


@pytest.fixture(scope="session")
def alt_template() -> Template:
    return synth_template("alt", ALTERNATIVE)
