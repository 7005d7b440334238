"""The whole system on one machine, composed from the synthesized stack.

:class:`LocalSystem` starts moto (tables, queues, parameters from the template),
the Ably emulator (or real Ably with ``ABLY_API_KEY``), the HTTP API hosting the
stack's functions, the queue poller (ingest queue → async moderation) and the
stream poller (bans table → ban-revoker), and sets the environment the stack
gives the functions, resolved to the local resources. Nothing in ``chatmod``
knows it runs locally.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from chatmod.core import constants
from chatmod_local.api import LocalHttpApi
from chatmod_local.aws import (
    CREDENTIALS,
    DEFAULT_REGION,
    LocalResources,
    MotoServer,
    client,
    create_resources,
    function_environment,
    local_region,
    put_secrets,
    secret_parameters,
)
from chatmod_local.console import ConsoleFiles
from chatmod_local.functions import LocalFunction, functions_of
from chatmod_local.jwt import LocalJwtIssuer
from chatmod_local.pollers import LogSubscription, QueuePoller, SchedulePoller, StreamPoller
from chatmod_local.template import StackTemplate, load_template

log = logging.getLogger(__name__)

DEFAULT_PORT = 8787
ENV_PORT = "CHATMOD_LOCAL_PORT"
ENV_ABLY_PORT = "CHATMOD_LOCAL_ABLY_PORT"
ENV_AWS_PORT = "CHATMOD_LOCAL_AWS_PORT"
ENV_STAGE = "CHATMOD_LOCAL_STAGE"
ENV_REAL_ABLY_KEY = "ABLY_API_KEY"
ENV_BEFORE_PUBLISH_ROOMS = "CHATMOD_LOCAL_BEFORE_PUBLISH_ROOMS"
USERS = ("alice", "bob")
MODERATOR = "moderator"
# Local-only settings the stack leaves at their defaults: policy edits show within
# 2 s rather than 60, and metrics are not printed unless ``LocalConfig.metrics`` (no
# CloudWatch reads them; ``make local`` summarises them, see chatmod_local.metrics).
LOCAL_ENVIRONMENT = {
    constants.ENV_PARAMETER_MAX_AGE: "2",
    "POWERTOOLS_METRICS_DISABLED": "true",
    constants.ENV_POWERTOOLS_SERVICE_NAME: "chatmod-local",
}


@dataclass(frozen=True)
class LocalConfig:
    """Where things listen; 0 = a free port. ``ably_api_key``: use real Ably instead."""

    stage: str = "dev"
    api_port: int = DEFAULT_PORT
    ably_port: int = 0
    aws_port: int = 0
    ably_api_key: str | None = None
    cache_dir: Path | None = None
    policy_overrides: Mapping[str, Any] | None = None  # merged into the policy parameter
    # Which rooms the emulator's before-publish rule covers (regex; None = every room),
    # as the room filter of the rule in Ably's dashboard.
    before_publish_rooms: str | None = None
    region: str = DEFAULT_REGION  # of the embedded AWS (the functions' AWS_REGION)
    # The functions print their EMF metric lines to stdout, as in Lambda (make local
    # takes them out of the console: chatmod_local.metrics); off, they print none.
    metrics: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalConfig:
        """From ``CHATMOD_LOCAL_PORT``, ``CHATMOD_LOCAL_ABLY_PORT``, ``CHATMOD_LOCAL_AWS_PORT``,
        ``CHATMOD_LOCAL_STAGE``, ``CHATMOD_LOCAL_BEFORE_PUBLISH_ROOMS``, ``CHATMOD_LOCAL_REGION``
        and ``ABLY_API_KEY``.

        Raises:
            ValueError: ``CHATMOD_LOCAL_REGION`` is not a region name.
        """
        env = os.environ if environ is None else environ
        return cls(
            stage=env.get(ENV_STAGE) or "dev",
            api_port=int(env.get(ENV_PORT) or DEFAULT_PORT),
            ably_port=int(env.get(ENV_ABLY_PORT) or 0),
            aws_port=int(env.get(ENV_AWS_PORT) or 0),
            ably_api_key=env.get(ENV_REAL_ABLY_KEY) or None,
            before_publish_rooms=env.get(ENV_BEFORE_PUBLISH_ROOMS) or None,
            region=local_region(env),
        )


@dataclass
class LocalSystem:
    """chatmod on loopback. ``start()``, then ``info()``; ``stop()`` undoes everything."""

    config: LocalConfig = field(default_factory=LocalConfig)
    template: StackTemplate | None = None
    resources: LocalResources | None = None
    api: LocalHttpApi | None = None
    emulator: Any = None  # chatmod_local.ably_emulator.AblyEmulator, or None with real Ably
    queue_poller: QueuePoller | None = None
    stream_poller: StreamPoller | None = None
    schedule_pollers: list[SchedulePoller] = field(default_factory=list)
    log_subscription: LogSubscription | None = None
    environment: dict[str, str] = field(default_factory=dict)
    ingest_queue_url: str = ""
    dead_letter_queue_url: str | None = None
    ably_key: str = field(default="", repr=False)
    before_publish_secret: str = field(default="", repr=False)
    tokens: dict[str, str] = field(default_factory=dict, repr=False)
    issuer: LocalJwtIssuer | None = field(default=None, repr=False)
    _identity: dict[str, str] = field(default_factory=dict)
    _moto: MotoServer | None = None
    _rule_http: httpx.Client | None = None
    _saved_environ: dict[str, str | None] = field(default_factory=dict)

    def start(self) -> LocalSystem:
        """Bring everything up; on failure, tear down what started and re-raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        config = self.config
        self.template = template = load_template(config.stage, cache_dir=config.cache_dir)
        self._moto = MotoServer(port=config.aws_port).start()
        # A fresh name per run: handlers cache clients per table name, as warm
        # containers do, so a second system in one process must not reuse names.
        run = secrets.token_hex(3)
        self.resources = resources = create_resources(
            template, self._moto.url, prefix=f"chatmod-{config.stage}-{run}", region=config.region
        )
        environment = function_environment(template, resources)
        self.before_publish_secret = secrets.token_hex(32)
        self.ably_key = config.ably_api_key or (
            f"local.{secrets.token_hex(3)}:{secrets.token_urlsafe(24)}"
        )
        # Random per run, as make secrets makes them (the judged key among them).
        local_secrets = {name: secrets.token_urlsafe(32) for name in secret_parameters(environment)}
        local_secrets[environment[constants.ENV_ABLY_KEY_PARAMETER]] = self.ably_key
        local_secrets[environment[constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER]] = (
            self.before_publish_secret
        )
        put_secrets(self._moto.url, local_secrets, config.region)
        if config.policy_overrides:
            self.update_policy(config.policy_overrides, environment)

        functions = functions_of(template)
        self.issuer = issuer = LocalJwtIssuer()
        self._identity = _policy_identity(template)
        self.tokens = {
            name: self.token_for(name, moderator=name == MODERATOR) for name in (*USERS, MODERATOR)
        }
        console = ConsoleFiles(stage=config.stage)
        self.api = LocalHttpApi(
            routes=template.routes(),
            functions=functions,
            issuer=issuer,
            discovery=self.info,
            token_for=lambda client_id, moderator: self.token_for(client_id, moderator=moderator),
            console=console,
            port=config.api_port,
        )
        async_fn = functions[template.function_by_handler(constants.HANDLER_ASYNC_MODERATION)]
        queue_mapping = template.event_source(async_fn.logical_id, "AWS::SQS::Queue")
        queue_id = queue_mapping["EventSourceArn"]["Fn::GetAtt"][0]
        self.ingest_queue_url = resources.queue_urls[queue_id]
        redrive = template.properties(queue_id).get("RedrivePolicy")
        if redrive:
            dlq_id = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            self.dead_letter_queue_url = resources.queue_urls[dlq_id]

        environment.update(
            {
                constants.ENV_AWS_ENDPOINT_URL: self._moto.url,
                "AWS_DEFAULT_REGION": config.region,
                "AWS_REGION": config.region,
                **CREDENTIALS,
                **LOCAL_ENVIRONMENT,
            }
        )
        if config.metrics:
            environment["POWERTOOLS_METRICS_DISABLED"] = "false"
        if config.ably_api_key is None:
            self.emulator = self._start_emulator()
            environment[constants.ENV_ABLY_REST_HOST] = f"{self.emulator.host}:{self.emulator.port}"
            environment[constants.ENV_ABLY_TLS] = "false"
            # The console's live view subscribes to the emulator (config.json's "ably").
            console.use_ably(self.emulator.host, self.emulator.port)
        self.environment = environment
        self._apply_environment(environment)

        self.api.start()
        self.queue_poller = QueuePoller(
            endpoint_url=self._moto.url,
            queue_url=self.ingest_queue_url,
            queue_arn=resources.arns[queue_id],
            function=async_fn,
            batch_size=int(queue_mapping.get("BatchSize", 10)),
        ).start()  # type: ignore[assignment]
        self.stream_poller = self._stream_poller(functions)
        # Scheduled functions (the review sweeper) on the stack's own rates.
        self.schedule_pollers = [
            SchedulePoller(functions[logical_id], interval).start()  # type: ignore[misc]
            for logical_id, interval in template.schedules()
            if logical_id in functions
        ]
        self.log_subscription = self._log_subscription(functions)

    def _start_emulator(self) -> Any:
        from chatmod_local.ably_emulator import AblyEmulator, BeforePublishRule

        assert self.api is not None
        sqs = client("sqs", self._endpoint, self.config.region)
        queue_url = self.ingest_queue_url
        header = self.before_publish_header()

        def forward(body: str) -> None:
            sqs.send_message(QueueUrl=queue_url, MessageBody=body)

        key_name, _, key_secret = self.ably_key.partition(":")
        # One pooled client for the rule's calls (a new client per call costs an SSL context).
        self._rule_http = httpx.Client(timeout=5.0)
        return AblyEmulator(
            keys={key_name: key_secret},
            port=self.config.ably_port,
            on_channel_message=forward,
            before_publish=BeforePublishRule(
                url=f"{self.api.url}/before-publish",
                headers={header: self.before_publish_header_value()},
                room_filter=self.config.before_publish_rooms,
            ),
            http_client=self._rule_http,
        ).start()

    def before_publish_header_value(self) -> str:
        """What the rule sends: ``Bearer <secret>`` in ``authorization``, else the bare secret."""
        if self.before_publish_header().lower() == "authorization":
            return f"Bearer {self.before_publish_secret}"
        return self.before_publish_secret

    def before_publish_header(self) -> str:
        """The header Ably's before-publish rule sends the secret in."""
        assert self.template is not None
        for _, props in self.template.of_type("AWS::Lambda::Function"):
            variables = (props.get("Environment") or {}).get("Variables") or {}
            name = variables.get(constants.ENV_BEFORE_PUBLISH_SECRET_HEADER)
            if isinstance(name, str):
                return name
        return "authorization"

    def _log_subscription(self, functions: Mapping[str, LocalFunction]) -> LogSubscription | None:
        """The decision counts' subscription, when the stack has one (every deciding
        function's log group sends to the same counter)."""
        assert self.template is not None
        subscriptions = self.template.log_subscriptions()
        if not subscriptions:
            return None
        destinations = {destination for _, destination, _ in subscriptions}
        (counter,) = destinations
        subscription = LogSubscription(
            functions[counter],
            key=constants.COUNTS_METADATA_KEY,
            log_group="/aws/lambda/chatmod-local",
            filter_name="chatmod-counts",
        )
        subscription.start()
        _set_counts_tap(subscription.offer)
        return subscription

    def _stream_poller(self, functions: Mapping[str, LocalFunction]) -> StreamPoller:
        assert self.template is not None
        assert self.resources is not None
        assert self._moto is not None
        revoker = functions[self.template.function_by_handler(constants.HANDLER_BAN_STREAM)]
        mapping = self.template.event_source(revoker.logical_id, "AWS::DynamoDB::Table")
        table_id = mapping["EventSourceArn"]["Fn::GetAtt"][0]
        destination = (mapping.get("DestinationConfig") or {}).get("OnFailure") or {}
        failure_queue = None
        if destination.get("Destination"):
            failure_queue = self.resources.queue_urls.get(
                destination["Destination"]["Fn::GetAtt"][0]
            )
        poller = StreamPoller(
            endpoint_url=self._moto.url,
            stream_arn=self.resources.stream_arns[table_id],
            function=revoker,
            mapping=mapping,
            failure_queue_url=failure_queue,
        )
        poller.start()
        return poller

    def token_for(self, client_id: str, *, moderator: bool = False) -> str:
        """A bearer token for ``client_id``, with the claims the policy reads identities from."""
        assert self.issuer is not None
        identity = self._identity
        extra: dict[str, Any] = {identity.get("clientIdClaim", "sub"): client_id}
        if moderator:
            claim = identity.get("moderatorClaim", "cognito:groups")
            extra[claim] = [identity.get("moderatorValue", "moderators")]
        return self.issuer.issue(client_id, extra=extra)

    def update_policy(
        self, overrides: Mapping[str, Any], environment: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Merge ``overrides`` into the policy parameter, as an operator would; returns it."""
        env = environment or self.environment
        name = env[constants.ENV_POLICY_PARAMETER]
        ssm = client("ssm", self._endpoint, self.config.region)
        policy = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        merged = deep_merge(policy, overrides)
        ssm.put_parameter(Name=name, Value=json.dumps(merged), Type="String", Overwrite=True)
        return merged

    @property
    def _endpoint(self) -> str:
        assert self._moto is not None
        return self._moto.url

    @property
    def aws_url(self) -> str:
        """The moto server's URL."""
        return self._endpoint

    def info(self) -> dict[str, Any]:
        """The discovery document ``GET /_local`` answers."""
        assert self.api is not None
        return {
            "apiUrl": self.api.url,
            "consoleUrl": f"{self.api.url}/console/",
            "ablyUrl": self.emulator.url if self.emulator is not None else None,
            "ablyKey": self.ably_key if self.emulator is not None else None,
            "beforePublishSecret": self.before_publish_secret,
            "beforePublishHeader": self.before_publish_header(),
            "tokens": dict(self.tokens),
            "awsUrl": self._endpoint,
            "region": self.config.region,
            "parameters": self.parameter_names(),
            "awsCli": self.aws_cli_exports(),
            "stage": self.config.stage,
            "ingestQueueUrl": self.ingest_queue_url,
            "deadLetterQueueUrl": self.dead_letter_queue_url,
        }

    def parameter_names(self) -> dict[str, str]:
        """The SSM names the functions read: ``policy``, ``ablyKey``, ``beforePublishSecret``…"""
        env = self.environment
        names = {
            "policy": env.get(constants.ENV_POLICY_PARAMETER, ""),
            "ablyKey": env.get(constants.ENV_ABLY_KEY_PARAMETER, ""),
            "beforePublishSecret": env.get(constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER, ""),
            "judgedKey": env.get(constants.ENV_JUDGED_KEY_PARAMETER, ""),
        }
        return {key: value for key, value in names.items() if value}

    def aws_cli_exports(self) -> str:
        """A shell line pointing the AWS CLI (and boto3) at the local moto server."""
        variables = {
            "AWS_ENDPOINT_URL": self._endpoint,
            "AWS_REGION": self.config.region,
            "AWS_DEFAULT_REGION": self.config.region,
            **CREDENTIALS,
        }
        return "export " + " ".join(f"{name}={value}" for name, value in variables.items())

    def stop(self) -> None:
        """Stop pollers, servers and moto; restore the process environment and caches."""
        for part in (
            self.queue_poller,
            self.stream_poller,
            *self.schedule_pollers,
            self.log_subscription,
            self.api,
            self.emulator,
        ):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # keep stopping the rest
                    log.exception("could not stop %s", type(part).__name__)
        self.queue_poller = self.stream_poller = None
        self.schedule_pollers = []
        self.log_subscription = None
        _set_counts_tap(None)
        self.api = self.emulator = None
        if self._rule_http is not None:
            self._rule_http.close()
            self._rule_http = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        self._restore_environment()

    def _apply_environment(self, environment: Mapping[str, str]) -> None:
        for name, value in environment.items():
            self._saved_environ.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        reset_process_caches()

    def _restore_environment(self) -> None:
        for name, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environ.clear()
        reset_process_caches()


def reset_process_caches() -> None:
    """Forget what a warm container caches (settings, parameters, clients, runtime)."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base as parameters_base

    from chatmod.adapters import aws
    from chatmod.adapters.ably.client import reset_gateway
    from chatmod.adapters.parameters import reset_parameter_cache
    from chatmod.core.runtime import reset_runtime
    from chatmod.core.settings import get_settings
    from chatmod.handlers.async_moderation import reset_removal_guard

    get_settings.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    parameters_base.DEFAULT_PROVIDERS.clear()  # type: ignore[attr-defined]
    reset_parameter_cache()
    reset_gateway()
    aws.forget_clients()
    reset_runtime()
    reset_removal_guard()


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in, objects recursively."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _policy_identity(template: StackTemplate) -> dict[str, str]:
    for _, props in template.of_type("AWS::SSM::Parameter"):
        try:
            identity = json.loads(props["Value"]).get("identity")
        except (ValueError, AttributeError):
            continue
        if isinstance(identity, dict):
            return {str(k): str(v) for k, v in identity.items()}
    return {}


@contextmanager
def running(config: LocalConfig | None = None) -> Iterator[LocalSystem]:
    """A started system, stopped on exit."""
    system = LocalSystem(config or LocalConfig()).start()
    try:
        yield system
    finally:
        system.stop()


def _set_counts_tap(tap: Any) -> None:
    # Imported here, not at the top: importing the pipeline builds chatmod's logger, which
    # must happen after the local environment (its service name) is applied.
    from chatmod.moderation import decision_log

    decision_log.set_counts_tap(tap)
