"""``make demo``: a scripted conversation against the local system, told message by message.

Uses the system ``make local`` runs (found through ``GET /_local``), or starts one
for the length of the demo. Everything goes over HTTP, as a chat app would.

The story's alice and bob are users of the demo's own (``alice-demo-<run>``, tokens
from ``GET /_local/token``), so the banner's alice and bob are never struck or banned,
and the demo can be played again; the policy it tightens is restored at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx

from chatmod_local.client import AblyUser, ApiUser, ably_history, discover, wait_for
from chatmod_local.system import DEFAULT_PORT, ENV_PORT, LocalConfig, LocalSystem

ROOM = "lobby"
CHANNEL = "news"
PROFANE = "what the fuck is this"


def say(step: str, outcome: str) -> None:
    """One line of the story."""
    print(f"  {step:<52} → {outcome}", flush=True)


def chapter(title: str) -> None:
    """A heading."""
    print(f"\n{title}", flush=True)


@contextmanager
def local_system(port: int) -> Iterator[dict[str, Any]]:
    """The discovery document of the system on ``port``, or of one started for the demo."""
    info = discover(f"http://127.0.0.1:{port}")
    if info is not None:
        print(f"using the local system at {info['apiUrl']} (stage {info.get('stage')})")
        yield info
        return
    print("no local system is running: starting one for the demo (`make local` keeps one up)")
    system = LocalSystem(replace(LocalConfig.from_env(), api_port=0)).start()
    try:
        yield system.info()
    finally:
        system.stop()


def _detail(reply: httpx.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:120]
    return json.dumps(body, separators=(",", ":"))[:160]


def _set_policy(aws_url: str, region: str, name: str, value: str) -> None:
    from chatmod_local.aws import client

    ssm = client("ssm", aws_url, region)
    ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def local_token(http: httpx.Client, info: dict[str, Any], client_id: str) -> str:
    """A bearer token for ``client_id`` from the local system (``GET /_local/token``)."""
    reply = http.get(f"{info['apiUrl']}/_local/token", params={"clientId": client_id})
    reply.raise_for_status()
    token: str = reply.json()["token"]
    return token


def _lift_ban(mod: ApiUser, client_id: str) -> bool:
    reply = mod.delete(f"/moderation/bans/{client_id}", params={"reason": "end of the demo"})
    return reply.status_code == 204


def run(info: dict[str, Any]) -> int:
    """Play the story against ``info`` (the discovery document); 0 if it went as expected."""
    from chatmod_local.aws import client

    surprises = 0

    def expect(ok: bool) -> str:
        nonlocal surprises
        if not ok:
            surprises += 1
            return "  (unexpected!)"
        return ""

    api, ably_url, key = info["apiUrl"], info["ablyUrl"], info["ablyKey"]
    if ably_url is None:
        print("this system talks to real Ably (ABLY_API_KEY); the demo needs the emulator")
        return 2
    ssm = client("ssm", info["awsUrl"], info["region"])
    policy_name = next(
        p["Name"] for p in ssm.describe_parameters()["Parameters"] if p["Name"].endswith("/policy")
    )
    original_policy = ssm.get_parameter(Name=policy_name)["Parameter"]["Value"]
    with httpx.Client(timeout=15) as http:
        run_id = secrets.token_hex(2)
        alice_id, bob_id = f"alice-demo-{run_id}", f"bob-demo-{run_id}"
        alice, bob = (
            ApiUser(http, api, local_token(http, info, name)) for name in (alice_id, bob_id)
        )
        mod = ApiUser(http, api, info["tokens"]["moderator"])
        print(f"alice and bob are played by {alice_id} and {bob_id} (users of this run)")
        try:
            chapter("1. Signing in: chatmod hands out Ably tokens")
            reply = alice.get("/token")
            say(
                "alice asks GET /token",
                f"{reply.status_code} TokenRequest for clientId "
                f"{reply.json().get('clientId')!r}" + expect(reply.status_code == 200),
            )
            reply = http.get(f"{api}/token")
            say(
                "someone without a JWT asks GET /token",
                f"{reply.status_code} refused" + expect(reply.status_code == 401),
            )

            chapter("2. POST /messages: moderated first, then published to Ably as the user")
            reply = alice.post("/messages", {"room": ROOM, "text": "hello everyone!"})
            say(
                "alice: 'hello everyone!'",
                f"{reply.status_code} published, serial "
                f"{reply.json().get('serial')}" + expect(reply.status_code == 201),
            )
            reply = bob.post("/messages", {"room": ROOM, "text": PROFANE})
            masked = next(
                (
                    m.get("text")
                    for m in ably_history(http, ably_url, key, f"/chat/v4/rooms/{ROOM}/messages")
                    if m.get("clientId") == bob_id
                ),
                None,
            )
            say(
                f"bob: {PROFANE!r}",
                f"{reply.status_code} masked (policy onMatch=mask), "
                f"Ably has {masked!r}" + expect(reply.status_code == 201),
            )

            chapter("3. The operator tightens the policy (SSM parameter, no deploy)")
            policy = json.loads(original_policy)
            policy["moderation"]["onMatch"] = "reject"
            _set_policy(info["awsUrl"], info["region"], policy_name, json.dumps(policy))
            say(f"onMatch: mask → reject in {policy_name}", "functions pick it up within 2 s")
            time.sleep(2.5)

            chapter("4. Strikes and bans (ladder: " + " → ".join(policy["bans"]["ladder"]) + ")")
            reply = bob.post("/messages", {"room": ROOM, "text": PROFANE})
            body = reply.json()
            say(
                f"bob: {PROFANE!r}",
                f"{reply.status_code} rejected: {body.get('reason')} "
                f"{body.get('categories')}, strike 1 (warn)" + expect(reply.status_code == 422),
            )
            reply = bob.post("/messages", {"room": ROOM, "text": "you are all shit"})
            say(
                "bob: 'you are all shit'",
                f"{reply.status_code} rejected, strike 2 → banned"
                + expect(reply.status_code == 422),
            )
            reply = bob.post("/messages", {"room": ROOM, "text": "hello?"})
            say(
                "bob: 'hello?'",
                f"{reply.status_code} {reply.json().get('error')} until "
                f"{reply.json().get('bannedUntil')}" + expect(reply.status_code == 403),
            )
            reply = bob.get("/token")
            say(
                "bob asks GET /token",
                f"{reply.status_code} token refused" + expect(reply.status_code == 403),
            )

            def revoked() -> bool:
                events = mod.get("/moderation/audit", params={"clientId": bob_id}).json()
                return any(e["action"] == "revoke" for e in events.get("events", []))

            ok = wait_for(revoked, timeout=10)
            say(
                "bans table stream → ban-revoker",
                "bob's Ably tokens revoked" if ok else "no revocation seen" + expect(bool(ok)),
            )

            chapter("5. Before-publish: a client publishing straight to Ably")
            ably_alice = AblyUser(http, ably_url, alice)
            ably_alice.authorize()
            reply = ably_alice.send_chat(ROOM, "good game everyone")
            say(
                "alice sends to Ably: 'good game everyone'",
                f"{reply.status_code} accepted by "
                "the before-publish rule" + expect(reply.status_code in (200, 201)),
            )
            reply = ably_alice.send_chat(ROOM, "go to hell you bastard")
            error = reply.json().get("error", {}) if reply.status_code >= 400 else {}
            say(
                "alice sends to Ably: 'go to hell you bastard'",
                f"{reply.status_code} Ably error "
                f"{error.get('code')}: {error.get('detail') or error.get('message')}"
                + expect(error.get("code") == 42213),
            )

            chapter("6. Async moderation: Ably → SQS → async function")
            reply = ably_alice.publish(CHANNEL, "post", "this is bullshit")
            say(
                "alice publishes on pub/sub 'news': 'this is bullshit'",
                f"{reply.status_code} published (no before-publish rule on pub/sub)",
            )

            def retracted() -> bool:
                history = ably_history(http, ably_url, key, f"/channels/{CHANNEL}/messages")
                return any(m.get("name") == "chatmod.moderation" for m in history)

            ok = wait_for(retracted, timeout=15)
            say(
                "ingest queue → async moderation",
                "message retracted (chatmod.moderation delete event)"
                if ok
                else "not retracted" + expect(bool(ok)),
            )

            chapter("7. Moderators")
            reply = mod.get("/moderation/bans")
            say(
                "moderator: GET /moderation/bans",
                f"{reply.status_code} {[b['clientId'] for b in reply.json().get('bans', [])]}",
            )
            reply = alice.get("/moderation/bans")
            say(
                "alice: GET /moderation/bans",
                f"{reply.status_code} {reply.json().get('error')}"
                + expect(reply.status_code == 403),
            )
            reply = mod.delete(f"/moderation/bans/{bob_id}", params={"reason": "second chance"})
            say(
                "moderator unbans bob",
                f"{reply.status_code} unbanned" + expect(reply.status_code == 204),
            )
            reply = bob.get("/token")
            say(
                "bob asks GET /token",
                f"{reply.status_code} welcome back" + expect(reply.status_code == 200),
            )
            events = mod.get("/moderation/audit", params={"clientId": bob_id}).json()["events"]
            say(
                "moderator: GET /moderation/audit?clientId=bob",
                ", ".join(e["action"] for e in reversed(events)),
            )
        finally:
            _set_policy(info["awsUrl"], info["region"], policy_name, original_policy)
            # alice's async strike may land after the story: lift what the demo left.
            lifted = [name for name in (alice_id, bob_id) if _lift_ban(mod, name)]
            if lifted:
                print(f"\ncleaned up: lifted the bans of {', '.join(lifted)}")
            print("restored the policy parameter; the banner's users were not touched")
    print(
        "\n"
        + (
            "the story went as expected."
            if not surprises
            else f"{surprises} step(s) did not go as expected."
        )
    )
    return 0 if not surprises else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The demo's command line (``--help`` explains it and exits)."""
    parser = argparse.ArgumentParser(
        prog="python -m chatmod_local.demo",
        description="A scripted conversation against the local system, told message by "
        "message: tokens, a masked message, strikes and a ban, before-publish and async "
        "rejections, a moderator unbanning. It plays users of its own and restores the "
        "policy it changes.",
        epilog=f"Uses the system `make local` runs on 127.0.0.1:PORT ({ENV_PORT}, default "
        f"{DEFAULT_PORT}); when nothing answers there, starts one for the length of the demo.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get(ENV_PORT) or DEFAULT_PORT),
        help=f"the local HTTP API's port (default: ${ENV_PORT} or {DEFAULT_PORT})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m chatmod_local.demo``."""
    args = parse_args(argv)
    with local_system(args.port) as info:
        return run(info)


if __name__ == "__main__":
    sys.exit(main())
