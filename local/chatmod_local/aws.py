"""Embedded AWS: a moto server on loopback holding the tables, queues and parameters of the stack.

Every resource is created from the synthesized template (keys, indexes, TTL,
streams, redrive policies, the policy parameter's value); only the SecureString
secrets, which CloudFormation cannot create either, get local development values.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from chatmod.core import constants
from chatmod_local.template import StackTemplate, short_name

DEFAULT_REGION = "eu-west-1"
# The default region; a running system's is ``LocalConfig.region`` (CHATMOD_LOCAL_REGION).
REGION = DEFAULT_REGION
ENV_REGION = "CHATMOD_LOCAL_REGION"
# A region name as AWS spells them (eu-west-1, us-gov-east-1, ap-southeast-5).
_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
ACCOUNT = "123456789012"
# moto accepts any credentials; these keep boto3 from looking for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}

log = logging.getLogger(__name__)


class _CachedDispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves which host.

    moto matches every request's host against hundreds of URL patterns while
    holding one lock; the answer never changes, so under concurrent load the
    lookup, not the backends, was the bottleneck.
    """

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


_dynamodb_turn = threading.RLock()


def serve_dynamodb_serially() -> None:
    """moto's DynamoDB answers one request at a time, from any thread (idempotent).

    A transaction in moto deep-copies each table it touches to roll back on failure; a
    write from another thread during the copy broke it ("dictionary changed size during
    iteration"), and the async consumer, which decides on several threads, lost the
    strike write of a message to a retry. DynamoDB isolates transactions; this stands in.
    """
    original = DynamoHandler.call_action
    if getattr(original, "_chatmod_serial", False):
        return

    def call_action(self: DynamoHandler) -> Any:
        with _dynamodb_turn:
            return original(self)

    call_action._chatmod_serial = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


class MotoServer:
    """A moto server (all services, threaded) on ``host:port`` (0 = a free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    def start(self) -> MotoServer:
        """Serve in a background thread; returns self."""
        serve_dynamodb_serially()
        # werkzeug logs every request moto serves: noise next to the handlers' own logs.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server(
            self._host, self._port, _CachedDispatcher(), True, request_handler=MotoRequestHandler
        )
        self._server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="chatmod-local-moto", daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        return self

    def stop(self) -> None:
        """Stop serving and forget every resource (moto's backends are process-wide)."""
        if self._url is not None:
            try:
                httpx.post(f"{self._url}/moto-api/reset", timeout=5)
            except httpx.HTTPError:  # pragma: no cover - best effort
                log.warning("could not reset moto's state")
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
        self._url = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._url is None:
            raise RuntimeError("the moto server is not started")
        return self._url


def local_region(environ: Mapping[str, str] | None = None) -> str:
    """The local system's region: ``CHATMOD_LOCAL_REGION``, else ``eu-west-1``.

    Raises:
        ValueError: the variable is not a region name (``eu-west-1``).
    """
    env = os.environ if environ is None else environ
    region = (env.get(ENV_REGION) or DEFAULT_REGION).strip()
    if not _REGION_NAME.match(region):
        raise ValueError(f"{ENV_REGION} must be a region name such as eu-west-1, not {region!r}")
    return region


def client(service: str, endpoint_url: str, region: str = DEFAULT_REGION) -> Any:
    """A boto3 client for the local endpoint, with local credentials, in ``region``."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@dataclass
class LocalResources:
    """What was created: physical ids and ARNs by logical id, queue URLs, stream ARNs."""

    endpoint_url: str
    region: str = DEFAULT_REGION
    physical_ids: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """A template value with ``Ref``, ``Fn::GetAtt`` and ``Fn::Join`` resolved locally.

        Raises:
            ValueError: an intrinsic the local resources cannot answer.
        """
        if isinstance(value, Mapping):
            if "Ref" in value:
                name = value["Ref"]
                pseudo = {
                    "AWS::Region": self.region,
                    "AWS::AccountId": ACCOUNT,
                    "AWS::Partition": "aws",
                }
                if name in pseudo:
                    return pseudo[name]
                if name in self.physical_ids:
                    return self.physical_ids[name]
                raise ValueError(f"no local resource for Ref {name}")
            if "Fn::GetAtt" in value:
                logical_id, attribute = value["Fn::GetAtt"]
                if attribute == "Arn" and logical_id in self.arns:
                    return self.arns[logical_id]
                if attribute == "StreamArn" and logical_id in self.stream_arns:
                    return self.stream_arns[logical_id]
                if attribute == "QueueUrl" and logical_id in self.queue_urls:
                    return self.queue_urls[logical_id]
                raise ValueError(f"no local value for Fn::GetAtt {logical_id}.{attribute}")
            if "Fn::Join" in value:
                separator, parts = value["Fn::Join"]
                return str(separator).join(str(self.resolve(part)) for part in parts)
            raise ValueError(f"unsupported intrinsic {sorted(value)}")
        return value


def create_resources(
    template: StackTemplate,
    endpoint_url: str,
    *,
    prefix: str | None = None,
    region: str = DEFAULT_REGION,
) -> LocalResources:
    """Create the template's tables, queues and parameters on ``endpoint_url``.

    Args:
        template: the synthesized stage.
        endpoint_url: the moto server.
        prefix: of the table and queue names (default ``chatmod-<stage>``).
        region: where they are created (the functions' ``AWS_REGION``).

    Returns:
        The local names, ARNs and URLs, for resolving the functions' environment.
    """
    resources = LocalResources(endpoint_url, region)
    prefix = prefix or f"chatmod-{template.stage}"
    dynamodb = client("dynamodb", endpoint_url, region)
    for logical_id, props in template.of_type("AWS::DynamoDB::Table"):
        name = props.get("TableName") or f"{prefix}-{short_name(logical_id)}"
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        table = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        resources.physical_ids[logical_id] = name
        resources.arns[logical_id] = table["TableArn"]
        if table.get("LatestStreamArn"):
            resources.stream_arns[logical_id] = table["LatestStreamArn"]

    sqs = client("sqs", endpoint_url, region)
    queues = dict(template.of_type("AWS::SQS::Queue"))
    # Dead-letter queues first: a redrive policy names its target's ARN.
    ordered = sorted(queues, key=lambda logical_id: "RedrivePolicy" in queues[logical_id])
    for logical_id in ordered:
        props = queues[logical_id]
        name = props.get("QueueName") or f"{prefix}-{short_name(logical_id)}"
        attributes: dict[str, str] = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            if key in props:
                attributes[key] = str(props[key])
        if "RedrivePolicy" in props:
            policy = dict(props["RedrivePolicy"])
            policy["deadLetterTargetArn"] = resources.resolve(policy["deadLetterTargetArn"])
            attributes["RedrivePolicy"] = json.dumps(policy)
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        resources.physical_ids[logical_id] = url  # Ref of a queue is its URL
        resources.queue_urls[logical_id] = url
        resources.arns[logical_id] = arn

    ssm = client("ssm", endpoint_url, region)
    for logical_id, props in template.of_type("AWS::SSM::Parameter"):
        name = props["Name"]
        ssm.put_parameter(Name=name, Value=props["Value"], Type=props["Type"], Overwrite=True)
        resources.physical_ids[logical_id] = name
    return resources


def put_secrets(
    endpoint_url: str, secrets: Mapping[str, str], region: str = DEFAULT_REGION
) -> None:
    """The SecureString parameters an operator creates out of band, with local values."""
    ssm = client("ssm", endpoint_url, region)
    for name, value in secrets.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def function_environment(template: StackTemplate, resources: LocalResources) -> dict[str, str]:
    """The environment every function shares, resolved to the local resources.

    The handlers run in one process, so they share one environment: the stack
    gives every function the same variables but ``POWERTOOLS_SERVICE_NAME``.

    Raises:
        ValueError: two functions disagree on a variable (the stack changed shape).
    """
    merged: dict[str, str] = {}
    for logical_id, props in template.of_type("AWS::Lambda::Function"):
        variables = (props.get("Environment") or {}).get("Variables") or {}
        for name, raw in variables.items():
            if name == constants.ENV_POWERTOOLS_SERVICE_NAME:
                continue
            value = str(resources.resolve(raw))
            if merged.setdefault(name, value) != value:
                raise ValueError(f"{logical_id} sets {name} differently from another function")
    return merged


def secret_parameters(environment: Mapping[str, str]) -> list[str]:
    """The SecureString names the functions read (created out of band on AWS)."""
    names = [
        environment[constants.ENV_ABLY_KEY_PARAMETER],
        environment[constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER],
    ]
    if environment.get(constants.ENV_JUDGED_KEY_PARAMETER):
        names.append(environment[constants.ENV_JUDGED_KEY_PARAMETER])
    for item in environment.get(constants.ENV_PROVIDER_KEY_PARAMETERS, "").split(","):
        if "=" in item:
            names.append(item.split("=", 1)[1].strip())
    return names
