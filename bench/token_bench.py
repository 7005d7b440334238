"""Benchmark ``/token`` warm, in process, against a moto server: ``python -m bench.token_bench``.

Prints a plain-text table: warm p50/p99 of the whole handler (ban lookup plus
signing) for an issued token and for a banned caller, the two parts alone, the
AWS and Ably calls made per request (targets: one DynamoDB read, no SSM read
once warm, no Ably call), and the cold import of ``chatmod.handlers.token`` as
a ratio to ``import boto3``, both measured in fresh processes in the same run.
Exits 1 when a call-count target is missed. Bounded: a few hundred calls, well
under a minute.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bench._deployment import moto_server_deployment
from bench._measure import (
    COLD_IMPORT_ROUNDS,
    cold_import_ratio,
    percentile,
    scaled,
    target_status,
    time_calls,
)

ISSUED_CALLS = scaled(500, 40)
BANNED_CALLS = scaled(200, 20)
PART_CALLS = scaled(300, 30)


def _row(name: str, samples: list[float], note: str = "") -> str:
    p50, p99 = percentile(samples, 0.50) * 1000, percentile(samples, 0.99) * 1000
    return f"{name:<34} {len(samples):>6} {p50:>9.2f} {p99:>9.2f}  {note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=ISSUED_CALLS, help="issued-token calls")
    args = parser.parse_args(argv)

    with moto_server_deployment():
        return _run(args.calls)


def _run(issued_calls: int) -> int:
    # Imported only now: the deployment's environment must be in place first.
    import httpx
    from aws_lambda_powertools.utilities.parameters import base as parameters_base

    from chatmod.adapters import aws
    from chatmod.adapters.token_request import create_token_request
    from chatmod.core.settings import get_settings
    from chatmod.handlers import token
    from tests.support.events import FakeLambdaContext, http_event

    settings = get_settings()

    # Count every HTTP request made through httpx (ably-python's and any other).
    ably_requests = 0
    original_send = httpx.Client.send

    def counting_send(self: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Response:
        nonlocal ably_requests
        ably_requests += 1
        return original_send(self, *args, **kwargs)

    httpx.Client.send = counting_send  # type: ignore[method-assign]

    context = FakeLambdaContext()
    issued_event = http_event("GET", "/token", claims={"sub": "alice"})
    banned_event = http_event("GET", "/token", claims={"sub": "mallory"})

    def issue() -> None:
        response = token.lambda_handler(issued_event, context)
        assert response["statusCode"] == 200, response

    def refuse() -> None:
        response = token.lambda_handler(banned_event, context)
        assert response["statusCode"] == 403, response

    # Warm: settings, SSM values and boto3 clients are built once.
    time_calls(issue, 1)
    store = token.ban_store(settings)
    store.ban("mallory", reason="bench", source="bench", duration_seconds=None)
    time_calls(refuse, 1)

    aws_calls: dict[str, int] = {}

    def count(model: Any, **_: Any) -> None:
        name = f"{model.service_model.service_name}:{model.name}"
        aws_calls[name] = aws_calls.get(name, 0) + 1

    aws.table(settings.bans_table).meta.client.meta.events.register("before-call", count)
    for provider in parameters_base.DEFAULT_PROVIDERS.values():
        provider.client.meta.events.register("before-call", count)

    issued = time_calls(issue, issued_calls)
    per_request = {name: calls / issued_calls for name, calls in aws_calls.items()}
    ably_per_request = ably_requests / issued_calls
    banned = time_calls(refuse, BANNED_CALLS)

    key = token.signing_key(settings)
    lookup = time_calls(lambda: store.get_ban("alice"), PART_CALLS)
    signing = time_calls(
        lambda: create_token_request(key, "alice", {"*": ["subscribe"]}, 3_600_000),
        PART_CALLS,
    )
    httpx.Client.send = original_send  # type: ignore[method-assign]

    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    ours, boto, ratio = cold_import_ratio("chatmod.handlers.token", "boto3", env=env)
    # What every handler pays anyway (Powertools logger and metrics; tracing off).
    shared, _, shared_ratio = cold_import_ratio("chatmod.core.observability", "boto3", env=env)

    print(f"{'/token (in process, moto server)':<34} {'calls':>6} {'p50 ms':>9} {'p99 ms':>9}")
    print(_row("handler, token issued", issued, "GetItem + sign"))
    print(_row("handler, caller banned (403)", banned, "GetItem"))
    print(_row("  ban lookup alone (GetItem)", lookup, "over loopback HTTP"))
    print(_row("  signing alone", signing, "HMAC-SHA256, no network"))
    print()
    dynamodb = sum(v for k, v in per_request.items() if k.startswith("dynamodb:"))
    ssm_reads = sum(v for k, v in per_request.items() if k.startswith("ssm:"))
    calls_text = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_request.items())) or "none"
    print(f"AWS calls per issued token: {calls_text}  (target: dynamodb:GetItem 1.00)")
    print(f"Ably HTTP calls per issued token: {ably_per_request:.2f}  (target: 0)")
    print(
        f"cold import: chatmod.handlers.token {ours * 1000:.0f} ms, boto3 {boto * 1000:.0f} ms "
        f"-> ratio {ratio:.2f}x (median of {COLD_IMPORT_ROUNDS} fresh processes each)"
    )
    print(
        f"  of which chatmod.core.observability, shared by every handler: {shared * 1000:.0f} ms "
        f"({shared_ratio:.2f}x boto3)"
    )
    ok = dynamodb == 1.0 and per_request.get("dynamodb:GetItem") == 1.0
    ok = ok and ssm_reads == 0 and ably_per_request == 0
    print("targets:", "met" if ok else "MISSED")
    return target_status(ok)


if __name__ == "__main__":
    sys.exit(main())
