"""The synthesized stack, read as the source of every local resource and setting.

The ``dev`` stage (or another) is synthesized without asset bundling and cached
under ``.chatmod-local/`` keyed on a hash of what the template depends on
(``cdk.json``, ``app.py``, ``stacks/``, ``chatmod/core/constants.py``), so a second
start reads a file instead of running the CDK.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".chatmod-local"
_LOGICAL_SUFFIX = re.compile(r"[0-9A-F]{8}$")
_RATE = re.compile(r"rate\((?P<n>\d+) (?P<unit>minutes?|hours?|days?)\)")
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Route:
    """One HTTP API route: ``"POST /moderation/bans"`` → a function, with or without JWT."""

    method: str
    path: str
    function: str  # logical id of the AWS::Lambda::Function
    jwt: bool

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when ``method path`` is this route, else None."""
        if method != self.method:
            return None
        want = self.path.strip("/").split("/")
        got = path.strip("/").split("/")
        if len(want) != len(got):
            return None
        params: dict[str, str] = {}
        for pattern, value in zip(want, got, strict=True):
            if pattern.startswith("{") and pattern.endswith("}"):
                if not value:
                    return None
                params[pattern[1:-1]] = value
            elif pattern != value:
                return None
        return params

    @property
    def key(self) -> str:
        """The route key as API Gateway writes it."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class StackTemplate:
    """The resources of one synthesized stage, by logical id."""

    stage: str
    resources: Mapping[str, Mapping[str, Any]] = field(repr=False)

    def of_type(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """``(logical id, properties)`` of every resource of ``kind``."""
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == kind:
                yield logical_id, resource.get("Properties") or {}

    def properties(self, logical_id: str) -> Mapping[str, Any]:
        """The properties of one resource."""
        return self.resources[logical_id].get("Properties") or {}

    def routes(self) -> list[Route]:
        """The HTTP API routes and the function each one integrates."""
        integrations = {
            logical_id: _target_of(props.get("IntegrationUri"))
            for logical_id, props in self.of_type("AWS::ApiGatewayV2::Integration")
        }
        routes = []
        for _, props in self.of_type("AWS::ApiGatewayV2::Route"):
            method, path = str(props["RouteKey"]).split(" ", 1)
            target = props["Target"]["Fn::Join"][1][1]["Ref"]
            routes.append(
                Route(
                    method=method,
                    path=path,
                    function=integrations[target],
                    jwt=props.get("AuthorizationType") == "JWT",
                )
            )
        return routes

    def function_by_handler(self, handler: str) -> str:
        """The logical id of the function whose handler is ``handler``."""
        for logical_id, props in self.of_type("AWS::Lambda::Function"):
            if props.get("Handler") == handler:
                return logical_id
        raise KeyError(f"no function runs {handler}")

    def schedules(self) -> list[tuple[str, float]]:
        """``(function logical id, seconds between runs)`` of every ``rate(...)`` schedule."""
        found = []
        for _, props in self.of_type("AWS::Events::Rule"):
            match = _RATE.fullmatch(str(props.get("ScheduleExpression", "")))
            if match is None:
                continue
            seconds = int(match["n"]) * _RATE_UNITS[match["unit"].rstrip("s")]
            for target in props.get("Targets") or []:
                found.append((_target_of(target.get("Arn")), float(seconds)))
        return found

    def log_subscriptions(self) -> list[tuple[str, str, str]]:
        """``(function, destination function, filter pattern)`` of every subscription filter
        whose log group is a function's and whose destination is a function (logical ids)."""
        groups = {}
        for logical_id, props in self.of_type("AWS::Lambda::Function"):
            group = (props.get("LoggingConfig") or {}).get("LogGroup")
            if group is not None:
                groups[_target_of(group)] = logical_id
        found = []
        for _, props in self.of_type("AWS::Logs::SubscriptionFilter"):
            source = groups.get(_target_of(props.get("LogGroupName")))
            destination = _target_of(props.get("DestinationArn"))
            if self.resources[destination]["Type"] == "AWS::Lambda::Alias":
                destination = _target_of(self.properties(destination).get("FunctionName"))
            if source is not None:
                found.append((source, destination, str(props.get("FilterPattern", ""))))
        return found

    def event_source(self, function: str, kind: str) -> Mapping[str, Any]:
        """The event source mapping of ``function`` whose source is a ``kind`` resource."""
        for _, props in self.of_type("AWS::Lambda::EventSourceMapping"):
            if props.get("FunctionName") != {"Ref": function}:
                continue
            source = _target_of(props.get("EventSourceArn"))
            if self.resources[source]["Type"] == kind:
                return props
        raise KeyError(f"{function} has no event source of type {kind}")


def _target_of(value: Any) -> str:
    """The logical id in ``{"Fn::GetAtt": [id, attr]}`` or ``{"Ref": id}``."""
    if isinstance(value, Mapping):
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
        if "Ref" in value:
            return str(value["Ref"])
    raise ValueError(f"cannot tell which resource {value!r} names")


def short_name(logical_id: str) -> str:
    """``TablesBannedUsers87CAB7CD`` → ``TablesBannedUsers`` (CDK's hash suffix dropped)."""
    return _LOGICAL_SUFFIX.sub("", logical_id) or logical_id


def _inputs_digest(stage: str) -> str:
    digest = hashlib.sha256(stage.encode())
    files = [ROOT / "cdk.json", ROOT / "app.py", Path(__file__)]
    # The stack renders the policy models' defaults and the constants into the template.
    files += sorted((ROOT / "lambdas/chatmod/core").glob("*.py"))
    files += sorted((ROOT / "stacks").rglob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def synthesize(stage: str) -> dict[str, Any]:
    """The CloudFormation template of ``chatmod-<stage>``, synthesized without bundling."""
    import aws_cdk as cdk  # the CDK is slow to import; only a cache miss pays for it

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # app.py lives at the repository root
    from app import build_app

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    if stage not in context["chatmod:stages"]:
        raise SystemExit(f"stage {stage!r} is not in cdk.json (chatmod:stages)")
    context["stage"] = stage
    # The emulator's before-publish rule calls the HTTP transport (POST /before-publish),
    # a route the stack creates only for that transport.
    stage_config = context["chatmod:stages"][stage]
    stage_config.setdefault("ably", {}).setdefault("rules", {})["beforePublish"] = "http"
    context["aws:cdk:bundling-stacks"] = []  # no assets needed: the code runs from the tree
    app = build_app(cdk.App(context=context, outdir=str(CACHE_DIR / "cdk.out")))
    template: dict[str, Any] = app.synth().get_stack_by_name(f"chatmod-{stage}").template
    return template


def load_template(stage: str = "dev", *, cache_dir: Path | None = None) -> StackTemplate:
    """The stage's template, from the cache when the stack's inputs have not changed."""
    directory = cache_dir or CACHE_DIR
    cached = directory / f"template-{stage}-{_inputs_digest(stage)}.json"
    if not cached.exists():
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob(f"template-{stage}-*.json"):
            stale.unlink()
        tmp = cached.with_suffix(".tmp")
        # In a child process: the CDK runs a node (jsii) process that must not share the
        # local system's process, or Ctrl-C kills it first and its exit hook fails loudly.
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "chatmod_local.template", stage, str(tmp)], check=True
        )
        tmp.replace(cached)
    template = json.loads(cached.read_text())
    return StackTemplate(stage=stage, resources=template["Resources"])


def _main(argv: list[str]) -> None:
    """``python -m chatmod_local.template STAGE OUT``: write the stage's template to OUT."""
    stage, out = argv
    Path(out).write_text(json.dumps(synthesize(stage)))


if __name__ == "__main__":
    _main(sys.argv[1:])
