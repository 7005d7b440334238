"""``make token USER=carol [MODERATOR=1]``: a bearer token for any user of the local system.

Local mode signs tokens with a secret made for each run, which never leaves its
process: the token comes from the running system's loopback-only
``GET /_local/token``. Only the token goes to stdout (``CAROL=$(make -s token
USER=carol)``); what it is goes to stderr. A deployed stage's tokens come from its
identity provider (Cognito by default): with ``--stage`` this says how to get one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

import httpx

DEFAULT_PORT = 8787
ENV_PORT = "CHATMOD_LOCAL_PORT"


class TokenError(RuntimeError):
    """No token: the message says why and what to do."""


def local_token(client_id: str, *, moderator: bool = False, port: int = DEFAULT_PORT) -> str:
    """A bearer token for ``client_id`` from the local system on ``127.0.0.1:port``.

    Raises:
        TokenError: nothing answers there, or the system refused (the message says why).
    """
    url = f"http://127.0.0.1:{port}/_local/token"
    params = {"clientId": client_id, **({"moderator": "1"} if moderator else {})}
    try:
        reply = httpx.get(url, params=params, timeout=5)
    except httpx.HTTPError as exc:
        raise TokenError(
            f"nothing answers on 127.0.0.1:{port} ({exc}): start `make local` first "
            f"(or set {ENV_PORT} to its port)"
        ) from exc
    if reply.status_code == 404:
        raise TokenError(f"127.0.0.1:{port} has no /_local/token: is it chatmod's `make local`?")
    body: dict[str, Any] = reply.json() if reply.content else {}
    if reply.status_code != 200:
        raise TokenError(f"refused ({reply.status_code}): {body.get('message', reply.text)}")
    token: str = body["token"]
    return token


def deployed_instructions(stage: str, outputs: dict[str, str] | None = None) -> str:
    """How to get a bearer token for a deployed stage (chatmod never mints those)."""
    outputs = outputs or {}
    pool = outputs.get("UserPoolId", "<UserPoolId output>")
    client = outputs.get("UserPoolClientId", "<UserPoolClientId output>")
    return "\n".join(
        [
            f"chatmod-{stage} takes tokens from its identity provider; it cannot mint them.",
            "With the stack's Cognito user pool (the default):",
            f"  user pool {pool}, app client {client} (hosted UI, code + PKCE).",
            "  Sign the user in through your app or the hosted UI and send its id token as",
            "  `authorization: Bearer <token>`; the client id is the `sub` claim.",
            "  Make someone a moderator:",
            f"    aws cognito-idp admin-add-user-to-group --user-pool-id {pool} "
            "--username <user> --group-name moderators",
            "With an external issuer (jwt settings in cdk.json): get the token from it.",
        ]
    )


def _stack_outputs(stage: str) -> dict[str, str]:
    try:
        from tools.stage import load_config, session, stack_outputs

        cloudformation = session(load_config(stage)).client("cloudformation")
        return stack_outputs(stage, cloudformation)
    except Exception:  # best effort: the instructions name the outputs instead
        return {}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tools.bearer_token``."""
    parser = argparse.ArgumentParser(prog="make token", description=__doc__.split("\n")[0])
    parser.add_argument("--user", required=True, help="the client id (the JWT's sub)")
    parser.add_argument("--moderator", action="store_true", help="in the moderators group")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get(ENV_PORT) or DEFAULT_PORT),
        help=f"the local API's port (default: ${ENV_PORT} or {DEFAULT_PORT})",
    )
    parser.add_argument("--stage", help="a deployed stage: say how to get its tokens")
    args = parser.parse_args(argv)
    if args.stage:
        print(deployed_instructions(args.stage, _stack_outputs(args.stage)), file=sys.stderr)
        return 2
    try:
        token = local_token(args.user, moderator=args.moderator, port=args.port)
    except TokenError as exc:
        print(f"make token: {exc}", file=sys.stderr)
        return 1
    role = "moderator" if args.moderator else "user"
    print(f"bearer token (12 h) for {role} {args.user!r} of the local system:", file=sys.stderr)
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
