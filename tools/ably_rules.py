"""``make ably-rules STAGE=dev``: create or update the stage's Ably rules through the Control API.

Reads the deployed stack's outputs (queue, roles, before-publish function and URL)
and the stage settings (``ably.rules`` and ``moderation``), then makes the app's
rules match:

- an ``aws/sqs`` integration rule (assume-role, enveloped JSON, ``ably.rules.channelFilter``)
  feeding the ingest queue, when ``ably.rules.queue`` is true;
- a Chat before-publish rule, ``aws/lambda/before-publish`` or ``http/before-publish``
  per ``ably.rules.beforePublish``, with retry timeout, retries, failed action, 429
  action and room filter from ``moderation``.

Idempotent: it lists the app's rules and recognises its own by their target (the
queue, the function, the URL), updating them in place; a chatmod rule the settings
no longer want (e.g. the other before-publish transport) is deleted. ``--dry-run``
prints the requests it would send, the access token and the secret redacted.

The Control API access token comes from ``ABLY_ACCESS_TOKEN`` (Ably dashboard →
My Access Tokens, capabilities ``read:rule`` and ``write:rule``); it is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from stacks.config import ConfigError, StageConfig
from tools.stage import StackNotDeployedError, load_config, require, session, stack_outputs

CONTROL_API_URL = "https://control.ably.net/v1"
TOKEN_ENV = "ABLY_ACCESS_TOKEN"  # noqa: S105 (the variable's name, not a token)
URL_ENV = "ABLY_CONTROL_API_URL"
TIMEOUT_SECONDS = 15.0
REDACTED_SECRET = "<redacted: before-publish secret from SSM>"  # noqa: S105

Kind = Literal["queue", "before-publish-lambda", "before-publish-http"]
KINDS: tuple[Kind, ...] = ("queue", "before-publish-lambda", "before-publish-http")
RULE_TYPES: dict[Kind, str] = {
    "queue": "aws/sqs",
    "before-publish-lambda": "aws/lambda/before-publish",
    "before-publish-http": "http/before-publish",
}
# chatmod's policy words → the Control API's enums (beforePublishConfig).
FAILED_ACTIONS = {"reject": "REJECT", "publish": "PUBLISH", "defer": "REJECT"}
TOO_MANY_REQUESTS_ACTIONS = {"retry": "RETRY", "fail": "FAIL"}


class AblyRulesError(RuntimeError):
    """The rules could not be put in place; the message says why (never the token)."""


@dataclass(frozen=True)
class Targets:
    """What the rules point at, from the stack's outputs."""

    region: str
    account: str
    queue_name: str
    sqs_role_arn: str
    function_name: str
    function_region: str
    invoke_role_arn: str
    before_publish_url: str | None
    external_id: str

    @classmethod
    def from_outputs(cls, outputs: dict[str, str], stage: str) -> Targets:
        """Raises: StackNotDeployedError when an output is missing."""
        queue_arn, sqs_role, function_name, function_arn, invoke_role, external_id = require(
            outputs,
            "IngestQueueArn",
            "AblySqsRoleArn",
            "BeforePublishFunctionName",
            "BeforePublishFunctionArn",
            "BeforePublishInvokeRoleArn",
            "AblyExternalId",
            stage=stage,
        )
        # Only a stage deployed with the HTTP transport has the route (and this output).
        url = outputs.get("BeforePublishUrl")
        # arn:aws:sqs:<region>:<account>:<name>, arn:aws:lambda:<region>:<account>:function:…
        _, _, _, region, account, queue_name = queue_arn.split(":", 5)
        return cls(
            region=region,
            account=account,
            queue_name=queue_name,
            sqs_role_arn=sqs_role,
            function_name=function_name,
            function_region=function_arn.split(":")[3],
            invoke_role_arn=invoke_role,
            before_publish_url=url,
            external_id=external_id,
        )

    def owns(self, kind: Kind, rule: dict[str, Any]) -> bool:
        """Whether ``rule`` is chatmod's rule of ``kind`` for this stack (by its target)."""
        if rule.get("ruleType") != RULE_TYPES[kind]:
            return False
        target = rule.get("target") or {}
        if kind == "queue":
            return (target.get("queueName"), target.get("awsAccountId"), target.get("region")) == (
                self.queue_name,
                self.account,
                self.region,
            )
        if kind == "before-publish-lambda":
            # "name" or "name:live" (SnapStart's alias): the same function either way.
            name = str(target.get("functionName", "")).split(":")[0]
            return (name, target.get("region")) == (
                self.function_name.split(":")[0],
                self.function_region,
            )
        return bool(target.get("url") == self.before_publish_url)


def before_publish_config(config: StageConfig) -> dict[str, Any]:
    """The rule's retry and failure settings, from the stage's moderation policy."""
    policy = config.moderation
    return {
        "retryTimeout": policy.retry_timeout_ms,
        "maxRetries": policy.max_retries,
        "failedAction": FAILED_ACTIONS[policy.failed_action],
        "tooManyRequestsAction": TOO_MANY_REQUESTS_ACTIONS[policy.too_many_requests_action],
    }


def secret_header(config: StageConfig, secret: str) -> dict[str, str]:
    """The static header Ably sends on the HTTP transport, as before-publish checks it."""
    name = config.api.before_publish_secret_header
    return {"name": name, "value": f"Bearer {secret}" if name == "authorization" else secret}


def desired_rules(
    config: StageConfig, targets: Targets, secret: str | None
) -> dict[Kind, dict[str, Any]]:
    """The request bodies of the rules the stage wants, by kind.

    ``secret`` is the before-publish secret (HTTP transport only); ``None`` puts a
    redacted marker in its place (``--dry-run``).
    """
    rules = config.ably.rules
    wanted: dict[Kind, dict[str, Any]] = {}
    if rules.queue:
        wanted["queue"] = {
            "status": "enabled",
            "ruleType": RULE_TYPES["queue"],
            "requestMode": "single",
            "source": {"channelFilter": rules.channel_filter, "type": "channel.message"},
            "target": {
                "region": targets.region,
                "awsAccountId": targets.account,
                "queueName": targets.queue_name,
                "authentication": {
                    "authenticationMode": "assumeRole",
                    "assumeRoleArn": targets.sqs_role_arn,
                },
                "enveloped": True,
                "format": "json",
            },
        }
    if rules.before_publish != "none":
        kind: Kind = f"before-publish-{rules.before_publish}"  # type: ignore[assignment]
        body: dict[str, Any] = {
            "status": "enabled",
            "ruleType": RULE_TYPES[kind],
            "invocationMode": "BEFORE_PUBLISH",
            "beforePublishConfig": before_publish_config(config),
        }
        if config.moderation.room_filter is not None:
            body["chatRoomFilter"] = f"/{config.moderation.room_filter}/"
        if kind == "before-publish-lambda":
            body["target"] = {
                "region": targets.function_region,
                "functionName": targets.function_name,
                "authentication": {
                    "authenticationMode": "assumeRole",
                    "assumeRoleArn": targets.invoke_role_arn,
                },
            }
        else:
            if targets.before_publish_url is None:
                raise AblyRulesError(
                    "the deployed stack has no POST /before-publish route (it is created only "
                    "for ably.rules.beforePublish 'http'): run make deploy after changing "
                    "cdk.json, then make ably-rules"
                )
            body["target"] = {
                "url": targets.before_publish_url,
                "headers": [secret_header(config, secret or REDACTED_SECRET)],
            }
        wanted[kind] = body
    return wanted


@dataclass
class Action:
    """One change to the app's rules (or none: ``unchanged``)."""

    verb: Literal["create", "update", "delete", "unchanged"]
    kind: Kind
    rule_id: str | None = None
    body: dict[str, Any] | None = field(default=None, repr=False)


def plan(
    desired: dict[Kind, dict[str, Any]], existing: list[dict[str, Any]], targets: Targets
) -> list[Action]:
    """What to do so that the app's chatmod rules are exactly ``desired``."""
    actions: list[Action] = []
    for kind in KINDS:
        ours = [rule for rule in existing if targets.owns(kind, rule)]
        body = desired.get(kind)
        if body is None:
            actions += [Action("delete", kind, rule["id"]) for rule in ours]
            continue
        if not ours:
            actions.append(Action("create", kind, body=body))
            continue
        first, *duplicates = ours
        verb: Literal["update", "unchanged"] = "unchanged" if _contains(first, body) else "update"
        actions.append(Action(verb, kind, first["id"], body))
        actions += [Action("delete", kind, rule["id"]) for rule in duplicates]
    return actions


def _contains(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(
            _contains(actual.get(key), value) for key, value in wanted.items()
        )
    return bool(actual == wanted)


class ControlApi:
    """The rules endpoints of Ably's Control API (bearer token; errors name the status)."""

    def __init__(
        self, token: str, *, base_url: str = CONTROL_API_URL, client: httpx.Client | None = None
    ) -> None:
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS)
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def list_rules(self, app_id: str) -> list[dict[str, Any]]:
        result = self._send("GET", f"/apps/{app_id}/rules")
        return list(result) if isinstance(result, list) else []

    def create(self, app_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._send("POST", f"/apps/{app_id}/rules", body))

    def update(self, app_id: str, rule_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._send("PATCH", f"/apps/{app_id}/rules/{rule_id}", body))

    def delete(self, app_id: str, rule_id: str) -> None:
        self._send("DELETE", f"/apps/{app_id}/rules/{rule_id}")

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self._client.request(
                method, self._base + path, headers=self._headers, json=body
            )
        except httpx.HTTPError as exc:
            raise AblyRulesError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("message", "")
            except (ValueError, AttributeError):
                detail = response.text[:200]
            hint = (
                " (check ABLY_ACCESS_TOKEN and its rule capabilities)"
                if response.status_code in (401, 403)
                else ""
            )
            raise AblyRulesError(f"{method} {path}: HTTP {response.status_code} {detail}{hint}")
        return response.json() if response.content else None


def apply(
    api: ControlApi | None,
    app_id: str,
    desired: dict[Kind, dict[str, Any]],
    targets: Targets,
    *,
    dry_run: bool = False,
    base_url: str = CONTROL_API_URL,
    out: Callable[[str], None] = print,
) -> list[Action]:
    """List the app's rules, then create, update or delete chatmod's (or print, with ``dry_run``).

    ``api`` may be ``None`` only with ``dry_run`` (no token: every rule shows as a create).
    """
    existing = api.list_rules(app_id) if api is not None else []
    if api is None:
        out(f"# {TOKEN_ENV} is not set: the app's rules were not listed; every rule shows as new")
    actions = plan(desired, existing, targets)
    for action in actions:
        if action.verb == "unchanged":
            out(f"unchanged {action.kind} rule {action.rule_id}")
            continue
        if dry_run:
            method, path = {
                "create": ("POST", f"/apps/{app_id}/rules"),
                "update": ("PATCH", f"/apps/{app_id}/rules/{action.rule_id}"),
                "delete": ("DELETE", f"/apps/{app_id}/rules/{action.rule_id}"),
            }[action.verb]
            out(f"{method} {base_url.rstrip('/')}{path}  ({action.kind})")
            out("Authorization: Bearer <redacted>")
            if action.body is not None:
                out(json.dumps(action.body, indent=2, sort_keys=True))
            continue
        assert api is not None
        if action.verb == "create":
            assert action.body is not None
            action.rule_id = api.create(app_id, action.body)["id"]
        elif action.verb == "update":
            assert action.body is not None
            assert action.rule_id is not None
            api.update(app_id, action.rule_id, action.body)
        else:
            assert action.rule_id is not None
            api.delete(app_id, action.rule_id)
        out(f"{action.verb}d {action.kind} rule {action.rule_id}")
    return actions


def provision(
    stage: str,
    config: StageConfig,
    *,
    cloudformation: Any,
    ssm: Any,
    token: str | None,
    dry_run: bool = False,
    base_url: str = CONTROL_API_URL,
    client: httpx.Client | None = None,
    out: Callable[[str], None] = print,
) -> list[Action]:
    """Everything ``make ably-rules`` does, with the clients injected.

    Raises:
        AblyRulesError, StackNotDeployedError: with what to do about it.
    """
    if config.placeholders and any(p.startswith("ably.") for p in config.placeholders):
        raise AblyRulesError(f"set ably.accountId and ably.appId of stage '{stage}' in cdk.json")
    targets = Targets.from_outputs(stack_outputs(stage, cloudformation), stage)
    if targets.external_id != config.ably.external_id:
        raise AblyRulesError(
            f"the deployed stack trusts Ably app {targets.external_id!r} but cdk.json says "
            f"{config.ably.external_id!r}: redeploy (`make deploy STAGE={stage}`) first"
        )
    secret: str | None = None
    if config.ably.rules.before_publish == "http" and not dry_run:
        name = config.secrets.before_publish_secret
        try:
            secret = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            raise AblyRulesError(
                f"{name} does not exist: run `make secrets STAGE={stage}`"
            ) from None
    if not token and not dry_run:
        raise AblyRulesError(f"set {TOKEN_ENV} to an Ably Control API access token")
    api = ControlApi(token, base_url=base_url, client=client) if token else None
    desired = desired_rules(config, targets, secret)
    return apply(
        api, config.ably.app_id, desired, targets, dry_run=dry_run, base_url=base_url, out=out
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make ably-rules", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--dry-run", action="store_true", help="print the requests, send none")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.stage)
        aws = session(config)
        provision(
            args.stage,
            config,
            cloudformation=aws.client("cloudformation"),
            ssm=aws.client("ssm"),
            token=os.environ.get(TOKEN_ENV),
            dry_run=args.dry_run,
            base_url=os.environ.get(URL_ENV, CONTROL_API_URL),
        )
    except (ConfigError, AblyRulesError, StackNotDeployedError) as exc:
        print(f"chatmod ably-rules: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
