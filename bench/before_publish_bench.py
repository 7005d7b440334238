"""Before-publish handler, warm, in process, blocklist only.

Run ``python -m bench.before_publish_bench``.

Prints p50/p99 per decision for 200- and 4,000-character messages through the
Lambda transport. Rows without a sender skip the stores, so they time chatmod's
own work; rows with a sender include the DynamoDB round trips against a loopback
moto server (the sender lookup, and for a rejection the strike transaction),
counted per decision, with a BatchGetItem alone measured as the baseline in the
same run. Target: a rejected message costs at most 2 sequential round trips. An
accepted message in a room a ``crossMessage`` entry covers (``paced-*`` here) is counted
apart: the same read, plus one write; the other rooms' count is unchanged. Also prints
the cold import of the handler module as a ratio to ``import boto3``.
Target: p99 ≤ 5 ms for 200 clean characters (chatmod's own work; a rejection
without a sender also writes its audit event). Exits 1 if a target is missed.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

from bench._deployment import moto_server_deployment
from bench._measure import (
    COLD_IMPORT_ROUNDS,
    cold_import_ratio,
    message,
    row,
    scaled,
    target_status,
    time_calls,
)

CALLS = scaled(400, 40)
TARGET_P99_MS_200 = 5.0
MAX_ROUND_TRIPS_REJECTED = 2


def _policy() -> Any:
    """The default policy, plus cross-message limits for the rooms ``paced-*`` only."""
    from chatmod.core.policy import CrossMessagePolicy, FloodLimit, ModerationPolicy, RuntimePolicy

    limits = CrossMessagePolicy(rooms=("paced-*",), floods=FloodLimit(max=100, window_seconds=1))
    return RuntimePolicy(moderation=ModerationPolicy(cross_message=(limits,)))


def main() -> int:
    rng = random.Random(7)
    with moto_server_deployment(_policy()):
        from chatmod.adapters import aws
        from chatmod.core.settings import get_settings
        from chatmod.handlers import before_publish
        from tests.support.events import FakeLambdaContext, before_publish_request

        context = FakeLambdaContext()

        def request(length: int, *, client: str | None, rude: bool = False) -> dict[str, Any]:
            body = before_publish_request(message(length, rng, rude=rude))
            if client is None:
                body["message"].pop("clientId")
            else:
                body["message"]["clientId"] = client
            return body

        def handler(length: int, client: str | None, rude: bool = False) -> Callable[[], Any]:
            events = [request(length, client=client, rude=rude) for _ in range(50)]
            return lambda: before_publish.lambda_handler(rng.choice(events), context)

        senders = iter(range(10**9))

        def first_offence(length: int) -> Callable[[], Any]:
            # A new sender each time: every call is a rejection with a strike (the
            # first rung warns), never a banned sender's short cut.
            def call() -> Any:
                event = request(length, client=f"user-{next(senders)}", rude=True)
                return before_publish.lambda_handler(event, context)

            return call

        settings = get_settings()
        bans = aws.table(settings.bans_table)
        client = bans.meta.client
        calls: list[str] = []
        client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )

        def round_trips(call: Callable[[], Any], count: int = 20) -> float:
            calls.clear()
            for _ in range(count):
                call()
            return len(calls) / count

        def paced(length: int) -> Callable[[], Any]:
            # A room a crossMessage entry covers: the sender's state in the room is read
            # with their ban and written after the accepted message.
            def call() -> Any:
                event = request(length, client=f"user-{next(senders)}")
                event["room"] = "paced-1"
                return before_publish.lambda_handler(event, context)

            return call

        time_calls(handler(200, None), 50)  # warm: runtime, policy, matcher, clients
        trips = {
            "accepted, with sender": round_trips(handler(200, "alice")),
            "accepted, room with crossMessage": round_trips(paced(200)),
            "rejected, with sender": round_trips(first_offence(200)),
        }
        audit_ids = iter(range(10**9))

        def transaction() -> list[dict[str, Any]]:
            # The same shape as a first strike: strikes item, reject and strike events.
            strike = {"clientId": f"baseline-{next(audit_ids)}", "strikes": [], "version": 1}
            events = [
                {"clientId": "baseline", "eventId": f"e-{next(audit_ids)}", "action": "strike"}
                for _ in range(2)
            ]
            return [
                {"Put": {"TableName": settings.strikes_table, "Item": strike}},
                *({"Put": {"TableName": settings.audit_table, "Item": e}} for e in events),
            ]

        batch_get = {
            settings.bans_table: {"Keys": [{"clientId": "alice"}], "ConsistentRead": True},
            settings.strikes_table: {"Keys": [{"clientId": "alice"}], "ConsistentRead": True},
        }
        rows = [
            row("200 chars, clean, no sender", time_calls(handler(200, None), CALLS)),
            row("200 chars, rude, no sender", time_calls(handler(200, None, rude=True), CALLS)),
            row("4000 chars, clean, no sender", time_calls(handler(4000, None), CALLS // 2)),
            row(
                "4000 chars, rude, no sender",
                time_calls(handler(4000, None, rude=True), CALLS // 2),
            ),
            row("200 chars, accepted, with sender", time_calls(handler(200, "alice"), CALLS)),
            row(
                "4000 chars, accepted, with sender",
                time_calls(handler(4000, "alice"), CALLS // 2),
            ),
            row("200 chars, rejected, with sender", time_calls(first_offence(200), CALLS // 2)),
            row(
                "baseline: TransactWriteItems alone",
                time_calls(lambda: client.transact_write_items(TransactItems=transaction()), 100),
            ),
            row(
                "baseline: BatchGetItem alone (moto)",
                time_calls(lambda: client.batch_get_item(RequestItems=batch_get), CALLS),
            ),
        ]
    ours, boto3_s, ratio = cold_import_ratio("chatmod.handlers.before_publish")

    print(f"{'before-publish, Lambda transport':<38} {'p50 ms':>8} {'p99 ms':>8}")
    for name, p50, p99 in rows:
        print(f"{name:<38} {p50:>8.2f} {p99:>8.2f}")
    lookup_p50 = rows[-1][1]  # the transaction baseline is rows[7]
    print(
        f"accepted with sender / BatchGetItem p50: {rows[4][1] / lookup_p50:.2f}x; "
        f"rejected with sender / (BatchGetItem + TransactWriteItems) p50: "
        f"{rows[6][1] / (lookup_p50 + rows[7][1]):.2f}x"
    )
    print(f"{'DynamoDB round trips per decision':<38} {'calls':>8}")
    for name, count in trips.items():
        print(f"{name:<38} {count:>8.2f}")
    print(
        f"cold import chatmod.handlers.before_publish {ours * 1000:.0f} ms, "
        f"boto3 {boto3_s * 1000:.0f} ms -> ratio {ratio:.2f}x "
        f"(median of {COLD_IMPORT_ROUNDS} fresh processes)"
    )
    # chatmod's own work: the rude row without a sender writes its audit event.
    p99_200 = rows[0][2]
    met = p99_200 <= TARGET_P99_MS_200
    verdict = "met" if met else "MISSED"
    print(f"target p99 <= {TARGET_P99_MS_200} ms for 200 chars: {p99_200:.2f} ms ({verdict})")
    trips_met = trips["rejected, with sender"] <= MAX_ROUND_TRIPS_REJECTED
    print(
        f"target <= {MAX_ROUND_TRIPS_REJECTED} round trips for a rejection: "
        f"{trips['rejected, with sender']:.2f} ({'met' if trips_met else 'MISSED'})"
    )
    return target_status(met and trips_met)


if __name__ == "__main__":
    sys.exit(main())
