"""``POST /messages`` handler, warm, in process: moto server for AWS, the loopback Ably stub.

Run ``python -m bench.publish_bench``.

Prints p50/p99 per request for a chat message and a pub/sub message that are
accepted and published (the pipeline's sender lookup, then one Ably call), and
for a first offence that is rejected (sender lookup, then the strike
transaction; nothing is sent to Ably). Baselines measured in the same run: one
chat send to the stub through the same gateway, and one BatchGetItem against
the same moto server; the ratios say what the handler adds to the calls it
cannot avoid. Also counts DynamoDB round trips per request. Targets: at most 1
round trip for an accepted message and 2 for a rejected one. Exits 1 if missed.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from collections.abc import Callable
from typing import Any

from bench._deployment import moto_server_deployment
from bench._measure import message, row, scaled, target_status, time_calls

CALLS = scaled(300, 30)
MAX_ROUND_TRIPS = {"accepted": 1, "rejected": 2}


def main() -> int:
    from tests.support.ably_stub import AblyStub

    rng = random.Random(11)
    with AblyStub() as stub, moto_server_deployment():
        os.environ.update(
            {"CHATMOD_ABLY_REST_HOST": f"{stub.host}:{stub.port}", "CHATMOD_ABLY_TLS": "false"}
        )
        from chatmod.adapters import aws
        from chatmod.adapters.ably.client import gateway_for
        from chatmod.core.settings import get_settings
        from chatmod.handlers import publish
        from tests.support.events import FakeLambdaContext, http_event

        get_settings.cache_clear()
        context = FakeLambdaContext()
        senders = itertools.count()

        def request(body: dict[str, Any], client: str = "alice") -> Callable[[], Any]:
            def call() -> Any:
                event = http_event("POST", "/messages", body=body, claims={"sub": client})
                response = publish.lambda_handler(event, context)
                assert response["statusCode"] in (201, 422), response
                return response

            return call

        def chat() -> Any:
            return request({"room": "lobby", "text": message(200, rng).rstrip()})()

        def channel() -> Any:
            return request({"channel": "news", "data": {"text": message(200, rng).rstrip()}})()

        def first_offence() -> Any:
            # A new sender each time: a rejection with a strike, never a ban's short cut.
            body = {"room": "lobby", "text": message(150, rng).rstrip() + " shit"}
            return request(body, client=f"user-{next(senders)}")()

        settings = get_settings()
        client = aws.table(settings.bans_table).meta.client
        calls: list[str] = []
        client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )

        def round_trips(call: Callable[[], Any], count: int = 20) -> float:
            calls.clear()
            time_calls(call, count)  # (quietly: no EMF lines on the table)
            return len(calls) / count

        baseline_ids = itertools.count()

        def transaction() -> list[dict[str, Any]]:
            # The shape of a first strike: the strikes item, reject and strike events.
            strike = {"clientId": f"baseline-{next(baseline_ids)}", "strikes": [], "version": 1}
            events = [
                {"clientId": "baseline", "eventId": f"e-{next(baseline_ids)}", "action": "strike"}
                for _ in range(2)
            ]
            return [
                {"Put": {"TableName": settings.strikes_table, "Item": strike}},
                *({"Put": {"TableName": settings.audit_table, "Item": e}} for e in events),
            ]

        time_calls(chat, 50)  # warm: runtime, policy, gateway, Ably token, connections
        trips = {"accepted": round_trips(chat), "rejected": round_trips(first_offence)}
        gateway = gateway_for(settings)
        batch_get = {
            settings.bans_table: {"Keys": [{"clientId": "alice"}], "ConsistentRead": True},
            settings.strikes_table: {"Keys": [{"clientId": "alice"}], "ConsistentRead": True},
        }
        rows = [
            row("chat, accepted, published", time_calls(chat, CALLS)),
            row("pub/sub, accepted, published", time_calls(channel, CALLS)),
            row("chat, rejected (first strike)", time_calls(first_offence, CALLS // 2)),
            row(
                "baseline: stub chat send alone",
                time_calls(
                    lambda: gateway.send_chat_message(
                        "lobby", message(200, rng).rstrip(), client_id="alice"
                    ),
                    CALLS,
                ),
            ),
            row(
                "baseline: BatchGetItem alone (moto)",
                time_calls(lambda: client.batch_get_item(RequestItems=batch_get), CALLS),
            ),
            row(
                "baseline: TransactWriteItems alone",
                time_calls(
                    lambda: client.transact_write_items(TransactItems=transaction()), CALLS // 2
                ),
            ),
        ]
        published = sum(len(messages) for messages in stub.state.rooms.values())

    print(f"{'POST /messages, warm, in process':<38} {'p50 ms':>8} {'p99 ms':>8}")
    for name, p50, p99 in rows:
        print(f"{name:<38} {p50:>8.2f} {p99:>8.2f}")
    send_p50, lookup_p50, transaction_p50 = rows[3][1], rows[4][1], rows[5][1]
    print(
        f"chat accepted / stub send p50: {rows[0][1] / send_p50:.2f}x; "
        f"/ (stub send + BatchGetItem) p50: {rows[0][1] / (send_p50 + lookup_p50):.2f}x"
    )
    print(
        "chat rejected / (BatchGetItem + TransactWriteItems) p50: "
        f"{rows[2][1] / (lookup_p50 + transaction_p50):.2f}x"
    )
    print(f"{'DynamoDB round trips per request':<38} {'calls':>8}")
    for name, count in trips.items():
        print(f"{name:<38} {count:>8.2f}")
    print(json.dumps({"chatMessagesPublished": published}))
    met = all(trips[name] <= limit for name, limit in MAX_ROUND_TRIPS.items())
    for name, limit in MAX_ROUND_TRIPS.items():
        verdict = "met" if trips[name] <= limit else "MISSED"
        print(f"target <= {limit} round trip(s) when {name}: {trips[name]:.2f} ({verdict})")
    return target_status(met)


if __name__ == "__main__":
    sys.exit(main())
