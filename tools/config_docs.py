"""``make docs``: write docs/configuration.md, the stage settings reference, from the config model.

Types, defaults, allowed values and ranges come from the pydantic models
(``stacks.config.StageConfig`` and the policy models it embeds), section text
from their docstrings; the one-line meaning of each key lives in :data:`MEANINGS`
below, and tests/infra/test_config_docs.py fails when a key has none, when a
meaning names a key that no longer exists, or when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stacks.config import StageConfig

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"

#: What each key means, by its path under a stage (provider keys: see the README's
#: "Moderation providers" section and the provider sections below).
MEANINGS: dict[str, str] = {
    "account": (
        "12-digit AWS account to deploy to (default: none in the template; "
        "the deploying credentials' account)"
    ),
    "region": (
        "AWS region to deploy to (default: none in the template; the deploying credentials' region)"
    ),
    "ably": "the Ably account and app",
    "ably.accountId": "Ably account id; the external id of Ably's roles is `accountId.appId`",
    "ably.appId": "Ably app id (the part of an API key before the dot)",
    "ably.rules": "the rules `make ably-rules` puts in the Ably app",
    "ably.rules.beforePublish": "transport of the Chat before-publish rule: `lambda`, `http`, "
    "or `none`",
    "ably.rules.queue": "whether an SQS integration rule feeds the async moderation path",
    "ably.rules.channelFilter": "the SQS rule's regex on the full channel name (empty: all "
    "channels; chat rooms only: `^.*::\\$chat$`)",
    "secrets": "names of SSM SecureString parameters (`make secrets` puts their values)",
    "secrets.ablyApiKey": "SecureString name of the Ably API key (`appId.keyId:secret`, "
    "revocable tokens enabled)",
    "secrets.beforePublishSecret": "SecureString name of the before-publish shared secret",
    "secrets.judgedKey": "SecureString name of the key that signs `x-chatmod-judged` "
    "(Ably never sees it; `make secrets` generates it; default: `judged-key` beside "
    "`beforePublishSecret`)",
    "secrets.providerKeys": "provider name → SecureString name of its API key (required for "
    "`hive`, `openai`, `azure`)",
    "secrets.kmsKeyArn": "customer KMS key of the SecureStrings, if not `aws/ssm`",
    "auth": "who may call the API",
    "auth.mode": "`cognito` (user pool + `moderators` group made by the stack) or `jwt`",
    "auth.issuer": "`jwt` mode only: the issuer URL (https)",
    "auth.audience": "`jwt` mode only: allowed audiences",
    "auth.callbackUrls": "`cognito` mode: where Cognito may send the browser after sign-in "
    "(https, or `http://localhost`); at least one",
    "auth.logoutUrls": "`cognito` mode: where Cognito may send the browser after sign-out",
    "auth.clientIdClaim": "claim that becomes the Ably client id",
    "auth.moderatorClaim": "claim that makes a caller a moderator when it contains "
    "`moderatorValue`",
    "auth.moderatorValue": "value of `moderatorClaim` that makes a moderator",
    "auth.moderatorRoomsClaim": "claim listing the rooms (globs such as `support-*`) a "
    "moderator may see and act in (reviews, listing); a token without it: every room",
    "moderation": "how messages are moderated (stored in the policy parameter)",
    "moderation.providers": "chain, first reject wins: `blocklist`, `hive`, `openai`, "
    "`comprehend`, `azure`, `http` (see the provider sections below); provider URLs must be "
    "https (http only to localhost)",
    "moderation.retryTimeoutMs": "whole budget of a decision incl. retries (as Ably's rule); "
    "also the before-publish rule's retry timeout, and before-publish's deadline (less 100 ms). "
    "This and the next three and `roomFilter` are the rule's too: change them here, then "
    "`make deploy` and `make ably-rules` (an SSM edit of them is refused)",
    "moderation.maxRetries": "retries after the first provider attempt; also the rule's",
    "moderation.failedAction": "no decision reached: `reject`, `publish`, or `defer` (answer "
    "503 so Ably applies its rule's setting, which `make ably-rules` sets to REJECT)",
    "moderation.tooManyRequestsAction": "a provider answered 429: `fail` or `retry`; also the "
    "rule's 429 action",
    "moderation.roomFilter": "regex; rooms that do not match are not moderated (also the "
    "before-publish rule's room filter)",
    "moderation.onMatch": "`reject`, `mask` (rewrite the text with matches masked), or `hold` "
    "(not published: waits in the review queue for a moderator, docs/reviews.md)",
    "moderation.maxTextLength": "longer messages are refused with 400",
    "moderation.auditText": "what a rejection's audit event keeps of the message (Ably blanks "
    "a deleted message's text): `text`, `hash` (its SHA-256) or `none`",
    "moderation.rules": "ordered rules, checked before the defaults (`onMatch` for a flagged "
    "category, then hold for a review band): the first rule that matches a category decides "
    "it; the strongest action of a message's categories wins (README, Rules)",
    "moderation.observeProviders": "providers whose categories are observed only: counted "
    "(`Would<Action>`) and audited (`observe`), never enforced — to try a provider on real "
    "traffic first",
    "moderation.crossMessage": "behaviour across a sender's messages per room (the first entry "
    "whose `rooms` match applies; rooms no entry covers keep no state and cost nothing): README, "
    "Across messages",
    "moderation.crossMessage[].rooms": "room or channel globs the entry covers",
    "moderation.crossMessage[].splitWords": "a listed word spelled across the sender's recent "
    "messages rejects the one that completes it (needs the blocklist)",
    "moderation.crossMessage[].splitWords.windowSeconds": "how far back the earlier pieces may be",
    "moderation.crossMessage[].splitWords.messages": "how many earlier messages are read with "
    "the new one",
    "moderation.crossMessage[].repeats": "the same words (case and punctuation aside) more than "
    "`max` times in the window",
    "moderation.crossMessage[].repeats.max": "repeats allowed in the window",
    "moderation.crossMessage[].repeats.windowSeconds": "the window",
    "moderation.crossMessage[].repeats.action": "`reject`, `mask` (the whole text) or `timeout`; "
    "each is a strike",
    "moderation.crossMessage[].repeats.durationSeconds": "a `timeout`'s length",
    "moderation.crossMessage[].floods": "more than `max` messages from one sender in the window",
    "moderation.crossMessage[].floods.max": "messages allowed in the window",
    "moderation.crossMessage[].floods.windowSeconds": "the window",
    "moderation.crossMessage[].floods.action": "`reject` or `timeout`; each is a strike",
    "moderation.crossMessage[].floods.durationSeconds": "a `timeout`'s length",
    "moderation.crossMessage[].slowModeSeconds": "seconds between a sender's messages in a room "
    "(no strike; a moderator changes it at run time: `POST /moderation/rooms/{room}/slow-mode`)",
    "moderation.rules[].name": "the rule's name in metrics (`Rule.<name>`), logs and audit "
    "events (default `rules[<index>]`)",
    "moderation.rules[].match": "what the rule applies to (every field optional)",
    "moderation.rules[].action": "`accept` (leave it), `mask`, `hold`, `warn` (reject; the "
    "sender acknowledges before writing again), `reject`, `timeout` (ban for "
    "`durationSeconds`), `ban` (for `durationSeconds`, else permanent)",
    "moderation.rules[].durationSeconds": "length of a `timeout` (required) or `ban`",
    "moderation.rules[].strike": "also a strike on the ladder (default: `reject` yes; `hold` "
    "per `review.strikeOnHold`; `mask` no; `timeout`, `ban` and `warn` always)",
    "moderation.rules[].observe": "compute, count and audit, but do not enforce: the next "
    "rule that matches decides",
    "moderation.rules[].match.provider": "a configured provider's name (any, when absent)",
    "moderation.rules[].match.categories": "the provider's categories (blocklist: `profanity`, "
    "`sexual`, `hate`, `harassment`, `violence`, `self_harm`)",
    "moderation.rules[].match.minScore": "`threshold` (reached the provider's threshold), "
    "`reviewThreshold` (its review band and above) or a number on the provider's scale "
    "(needs `provider`)",
    "moderation.rules[].match.rooms": "room or channel globs (`kids-*`)",
    "moderation.rules[].match.roles": "`user`, `moderator` (from the JWT on `POST /messages`; "
    "unknown elsewhere, and counted as `user`)",
    "bans": "strikes and the ban ladder",
    "bans.ladder": "what each successive strike does (`warn`, a duration `Ns/m/h/d`, `permanent`)",
    "bans.windowSeconds": "strikes older than this no longer count",
    "bans.revokeTokensOnBan": "revoke the user's Ably tokens when a ban is written or extended",
    "review": "messages held for review (`onMatch: hold`, or a provider's `reviewThresholds`)",
    "review.pendingSeconds": "how long a held message waits before it expires (audited, never "
    "published)",
    "review.strikeOnHold": "a hold is also a strike at once (default: only a moderator's deny "
    "with `strike` is)",
    "review.retentionDays": "how long a decided or expired item stays readable (DynamoDB TTL)",
    "tokens": "Ably tokens issued by `/token`",
    "tokens.ttlSeconds": "token TTL (revocable tokens must live ≤ 1 h)",
    "tokens.rooms": "chat rooms (names without `::$chat`) the capabilities apply to",
    "tokens.user": "Ably capability operations of a user",
    "tokens.moderator": "Ably capability operations of a moderator",
    "async": "how the async consumer reads and paces the messages it moderates",
    "async.textPath": (
        "where a pub/sub message's text is when its data is a JSON object (dot-separated keys); "
        "`message` is read when the path is absent; string data is the text"
    ),
    "async.maxConcurrency": "messages of one SQS batch moderated at once",
    "ingest": "the SQS ingest queue and the async moderation function",
    "ingest.batchSize": "records per async invocation",
    "ingest.batchingWindowSeconds": "how long SQS gathers a batch",
    "ingest.maxConcurrency": "most concurrent async invocations",
    "ingest.maxReceiveCount": "receives before a message goes to the DLQ",
    "api": "the HTTP API",
    "api.corsOrigins": "allowed browser origins (none: no CORS)",
    "api.throttleRateLimit": "default route throttling, requests per second",
    "api.throttleBurstLimit": "default route throttling, burst",
    "api.beforePublishThrottleRateLimit": "`POST /before-publish` alone (Ably calls it once "
    "per message, retries included), requests per second; only with the HTTP transport; "
    "size it for peak messages/s x (1 + `maxRetries`) with headroom (README, Deploy step 5)",
    "api.beforePublishThrottleBurstLimit": "`POST /before-publish` alone, burst",
    "api.beforePublishSecretHeader": "header carrying the before-publish secret (`authorization`"
    ": `Bearer <secret>`; any other: the bare secret)",
    "alarms": "alarm delivery and thresholds (see docs/runbook.md)",
    "alarms.email": "alarm notifications by email",
    "alarms.topicArn": "an existing SNS topic (yours: paging, chat) that every alarm also notifies",
    "alarms.errorRatePercent": "function errors alarm threshold: % of invocations in 5 minutes",
    "alarms.ingestAgeSeconds": "ingest queue alarm threshold: age of the oldest message",
    "alarms.beforePublishP99Ms": "before-publish p99 duration alarm threshold",
    "alarms.failedDecisionRatePercent": "failed-decision alarm threshold: % of a function's "
    "decisions over 5 min",
    "alarms.pendingReviewAgeSeconds": "review-queue alarm threshold: age of the oldest held "
    "message still pending",
    "console": "the moderator console the stack deploys (S3 + CloudFront, docs/console.md)",
    "console.enabled": "deploy the console (bucket, distribution, Cognito hosted UI and client)",
    "console.cognitoDomainPrefix": "`cognito` mode: hosted UI domain prefix, unique in the "
    "region (default `chatmod-<stage>-<account id>`)",
    "console.localCallback": "`cognito` mode: also allow `http://localhost:8787/console/` as "
    "the console client's redirect (trying the hosted UI from `make local`)",
    "console.ablyEndpoint": "Ably endpoint for the live view (routing policy name or host; "
    "default: Ably's); added to the CSP",
    "console.oauth": "`jwt` mode (required there): the issuer's OAuth endpoints for the console",
    "console.oauth.authorizeUrl": "authorization endpoint (code + PKCE)",
    "console.oauth.tokenUrl": "token endpoint (called from the browser: it must allow CORS)",
    "console.oauth.clientId": "the console's public client id at the issuer",
    "console.oauth.logoutUrl": "opened as it is on sign-out (optional)",
    "console.oauth.scopes": "scopes asked for",
    "tracing": "X-Ray SDK tracing",
    "tracing.enabled": "X-Ray SDK tracing of the functions' AWS and HTTP calls",
    "snapStart": "Lambda SnapStart on published versions behind a `live` alias",
    "logRetentionDays": "CloudWatch Logs retention (one of the values CloudWatch accepts)",
    "removalPolicy": "`retain` or `destroy` (tables, queues, user pool on stack deletion)",
}

HEADER = """\
# Configuration reference

<!-- Generated by `make docs` (tools/config_docs.py) from stacks/config.py and
     lambdas/chatmod/core/policy.py. Do not edit by hand: tests fail when it is stale. -->

Each stage is one object under `context["chatmod:stages"]` in `cdk.json`; `-c stage=NAME`
picks it (default `dev`). Settings are validated before anything is built: an unknown stage,
an unknown key or a bad value stops synth with a message naming the key, e.g.
`moderation.retryTimeoutMs: Input should be less than or equal to 5000 (got 9000)`.
The runtime part (`moderation`, `bans`, `tokens`, claim names) is stored in the SSM String
parameter `/chatmod/<stage>/policy`; operators may edit it there without a deploy (functions
re-read it within a minute); a deploy that changes the policy in `cdk.json` overwrites it.
"""


class _Schema:
    def __init__(self) -> None:
        self.root = StageConfig.model_json_schema(by_alias=True)
        self.defs: dict[str, Any] = self.root["$defs"]

    def resolve(self, node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """(model name, schema) of a ``$ref`` (possibly inside ``anyOf`` with null)."""
        for option in [node, *node.get("anyOf", [])]:
            ref = option.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                return name, self.defs[name]
        return None, node


def _type(node: dict[str, Any], schema: _Schema) -> str:
    options = node.get("anyOf")
    if options:
        kinds = [_type(o, schema) for o in options if o.get("type") != "null"]
        nullable = any(o.get("type") == "null" for o in options)
        return " or ".join(kinds) + (" or null" if nullable else "")
    if "$ref" in node:
        return "object"
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return " | ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        items = node.get("items", {})
        if "oneOf" in items:
            return "list of objects"
        return f"list of {_type(items, schema)}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        keys = node.get("propertyNames", {}).get("enum")
        key = " | ".join(f"`{k}`" for k in keys) if keys else "string"
        return f"map {key} → {_type(node['additionalProperties'], schema)}"
    return str(kind or "any")


def _constraints(node: dict[str, Any]) -> str:
    for option in node.get("anyOf", []):
        if option.get("type") != "null":
            node = {**option, **node}
    parts = []
    if "minimum" in node and "maximum" in node:
        parts.append(f"{node['minimum']:g} to {node['maximum']:g}")
    elif "minimum" in node:
        parts.append(f"≥ {node['minimum']:g}")
    elif "maximum" in node:
        parts.append(f"≤ {node['maximum']:g}")
    if "exclusiveMinimum" in node:
        parts.append(f"> {node['exclusiveMinimum']:g}")
    for key, label in (("minLength", "length ≥"), ("minItems", "items ≥"),
                       ("minProperties", "entries ≥")):  # fmt: skip
        if key in node:
            parts.append(f"{label} {node[key]}")
    if "pattern" in node:
        parts.append(f"matches `{node['pattern']}`")
    values = node.get("additionalProperties")
    if isinstance(values, dict) and ("minimum" in values or "maximum" in values):
        parts.append(f"values {_constraints(values)}")
    return ", ".join(parts)


def _default(node: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" not in node:
        return ""
    value = node["default"]
    if isinstance(value, dict) and value:
        return "see below"
    if value is None:
        return "none"
    text = json.dumps(value, ensure_ascii=False)
    return f"`{text}`" if len(text) <= 60 else "see below"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(
    model: dict[str, Any], prefix: str, schema: _Schema, meanings: dict[str, str] | None
) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """Rows of one model's keys, and the nested models to document after it."""
    rows = ["| key | type | default | allowed | meaning |", "|---|---|---|---|---|"]
    nested: list[tuple[str, dict[str, Any]]] = []
    required = set(model.get("required", []))
    for key, node in model.get("properties", {}).items():
        path = f"{prefix}{key}"
        name, target = schema.resolve(node)
        meaning = "" if meanings is None else meanings.get(path, "")
        if name is not None:
            nested.append((path, target))
            meaning = meaning or (target.get("description", "").split("\n")[0])
        items = node.get("items", {})
        if "$ref" in items:
            nested.append((f"{path}[]", schema.resolve(items)[1]))
        rows.append(
            "| "
            + " | ".join(
                _cell(cell)
                for cell in (
                    f"`{path}`",
                    _type(node, schema),
                    _default(node, key in required),
                    _constraints(node),
                    meaning,
                )
            )
            + " |"
        )
    return rows, nested


def documented_keys() -> list[str]:
    """The key paths of the main tables (those that need a meaning), in document order."""
    schema = _Schema()
    keys: list[str] = []

    def walk(model: dict[str, Any], prefix: str) -> None:
        for key, node in model.get("properties", {}).items():
            keys.append(prefix + key)
            name, target = schema.resolve(node)
            if name is not None:
                walk(target, f"{prefix}{key}.")
            items = node.get("items", {})
            if "$ref" in items:  # a list of objects: each entry's keys (``rules[].action``)
                walk(schema.resolve(items)[1], f"{prefix}{key}[].")

    walk(schema.root, "")
    return keys


def render() -> str:
    """The whole of docs/configuration.md."""
    schema = _Schema()
    out = [HEADER]
    queue: list[tuple[str, dict[str, Any], str]] = [("", schema.root, "Stage")]
    while queue:
        path, model, title = queue.pop(0)
        out.append(f"## {title}\n")
        description = model.get("description", "")
        if path and description:
            out.append(description.replace("``", "`") + "\n")
        rows, nested = _table(model, f"{path}." if path else "", schema, MEANINGS)
        out.append("\n".join(rows) + "\n")
        queue[0:0] = [(p, m, f"`{p}`") for p, m in nested if not p.endswith("[]")] + [
            (p, m, f"`{p}` (each entry)") for p, m in nested if p.endswith("[]")
        ]
    out.append(_providers(schema))
    return "\n".join(out)


def _providers(schema: _Schema) -> str:
    """One section per moderation provider (entries of ``moderation.providers``)."""
    moderation = schema.defs["ModerationPolicy"]
    options = moderation["properties"]["providers"]["items"]["discriminator"]["mapping"]
    out = []
    for provider, ref in options.items():
        model = schema.defs[ref.rsplit("/", 1)[1]]
        out.append(f"## Provider `{provider}` (an entry of `moderation.providers`)\n")
        out.append(model.get("description", "").replace("``", "`") + "\n")
        rows, nested = _table(model, "", schema, None)
        out.append("\n".join(rows) + "\n")
        for path, sub in nested:
            out.append(f"### `{path}` ({provider})\n")
            out.append(sub.get("description", "").replace("``", "`") + "\n")
            out.append("\n".join(_table(sub, "", schema, None)[0]) + "\n")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make docs", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.output.write_text(render())
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
