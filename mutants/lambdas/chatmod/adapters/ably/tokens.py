"""Token operations: sign TokenRequests locally, revoke users' tokens in batches."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from chatmod.adapters.ably._arguments import epoch_ms, path_segment, require_client_id
from chatmod.adapters.ably.connection import AblyOperations
from chatmod.adapters.ably.errors import AblyApiError, int_or_none
from chatmod.core.constants import MAX_TOKEN_TTL_MS
from chatmod.core.errors import BadRequestError

__all__ = [
    "MAX_REVOCATION_TARGETS",
    "MAX_TOKEN_TTL_MS",
    "RevocationFailure",
    "RevocationResult",
    "TokenOperations",
]

log = logging.getLogger(__name__)

MAX_REVOCATION_TARGETS: Final = 100


@dataclass(frozen=True)
class RevocationFailure:
    """Why the tokens of one client id were not revoked."""

    client_id: str
    message: str
    ably_code: int | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class RevocationResult:
    """Per client id: revoked, or failed and why."""

    revoked: tuple[str, ...]
    failed: tuple[RevocationFailure, ...]

    @property
    def ok(self) -> bool:
        """True when every client id was revoked."""
        return not self.failed

    @property
    def failed_client_ids(self) -> tuple[str, ...]:
        """The client ids whose revocation failed, in request order."""
        return tuple(failure.client_id for failure in self.failed)


class TokenOperations(AblyOperations):
    """TokenRequests for users and ``POST /keys/{keyName}/revokeTokens``."""

    def revoke_tokens(
        self,
        client_ids: Iterable[str],
        *,
        issued_before: int | datetime | None = None,
        allow_reauth_margin: bool = False,
        deadline: float | None = None,
    ) -> RevocationResult:
        """Revoke the tokens of users, in batches of at most 100 targets.

        Needs a key with revocable tokens enabled, and Basic (key) auth: Ably
        refuses ``revokeTokens`` over token auth (40162; ably-js checks it in
        ``src/common/lib/client/rest.ts``), so the key is sent even where other
        calls use a token. Never raises for Ably errors: a batch Ably refused, or
        one the deadline cut off, is reported in ``failed`` with the reason, so
        the caller can audit and retry.

        Args:
            client_ids: the users (duplicates are sent once).
            issued_before: revoke only tokens issued before this (epoch ms or an
                aware datetime); default: all tokens issued until now.
            allow_reauth_margin: give connected clients 30 s to re-authenticate.
            deadline: ``time.monotonic()`` by which to give up (all batches).

        Returns:
            Which client ids were revoked and which failed.

        Raises:
            BadRequestError: a client id is empty or the wildcard, or
                ``issued_before`` is a naive datetime.
        """
        ids = list(dict.fromkeys(client_ids))
        for client_id in ids:
            require_client_id(client_id)
        issued_before_ms = (
            None if issued_before is None else epoch_ms(issued_before, "issued_before")
        )
        end = self._connection.deadline(deadline)
        path = f"/keys/{path_segment(self.settings.key_name, 'key name')}/revokeTokens"
        revoked: list[str] = []
        failed: list[RevocationFailure] = []
        for start in range(0, len(ids), MAX_REVOCATION_TARGETS):
            batch = ids[start : start + MAX_REVOCATION_TARGETS]
            body: dict[str, Any] = {"targets": [f"clientId:{client_id}" for client_id in batch]}
            if issued_before_ms is not None:
                body["issuedBefore"] = issued_before_ms
            if allow_reauth_margin:
                body["allowReauthMargin"] = True
            try:
                reply = self._connection.request(
                    "keys.revokeTokens",
                    "POST",
                    path,
                    body=body,
                    idempotent=True,
                    deadline=end,
                    basic_auth=True,
                    accept=_is_legacy_batch_error,
                )
            except AblyApiError as exc:
                failed.extend(
                    RevocationFailure(cid, exc.message, exc.ably_code, exc.http_status)
                    for cid in batch
                )
                continue
            batch_revoked, batch_failed = _revocation_outcome(batch, reply.body)
            revoked.extend(batch_revoked)
            failed.extend(batch_failed)
        if failed:
            log.warning("token revocation failed for %d of %d client ids", len(failed), len(ids))
        return RevocationResult(tuple(revoked), tuple(failed))

    def create_token_request(
        self, client_id: str, capability: Mapping[str, Sequence[str]], ttl_ms: int
    ) -> dict[str, Any]:
        """Sign an Ably TokenRequest locally with the key secret. No network call.

        Args:
            client_id: the user the token is for (never the wildcard).
            capability: resource name -> operations, e.g. ``{"room1": ["publish"]}``.
            ttl_ms: token lifetime in milliseconds (at most ``MAX_TOKEN_TTL_MS``, 1 h).

        Returns:
            ``{keyName, ttl, capability (JSON string), clientId, timestamp, nonce,
            mac}``, exactly what ably-js accepts from an ``authUrl``.

        Raises:
            BadRequestError: the client id, capability or ttl is invalid.
        """
        require_client_id(client_id)
        if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int):
            raise BadRequestError("ttl_ms must be an integer")
        if not 0 < ttl_ms <= MAX_TOKEN_TTL_MS:
            raise BadRequestError(f"ttl_ms must be between 1 and {MAX_TOKEN_TTL_MS} (one hour)")
        if not capability or not all(
            isinstance(resource, str) and not isinstance(ops, str) and ops
            for resource, ops in capability.items()
        ):
            raise BadRequestError("capability must map resource names to lists of operations")
        try:
            request = self._connection.sdk_client.auth.create_token_request(
                {"client_id": client_id, "capability": dict(capability), "ttl": ttl_ms},
                query_time=False,  # a server-time query would be a network call
            )
        except ValueError as exc:
            raise BadRequestError("capability operations must be strings") from exc
        return {
            "keyName": request.key_name,
            "ttl": request.ttl,
            "capability": request.capability,
            "clientId": request.client_id,
            "timestamp": request.timestamp,
            "nonce": request.nonce,
            "mac": request.mac,
        }


def _is_legacy_batch_error(status: int, payload: Any) -> bool:
    # Without a recent X-Ably-Version Ably answers a partly failed batch with
    # 400 {error: {code: 40020}, batchResponse: [...]}: per-target results, not a failure.
    return status == 400 and isinstance(payload, dict) and "batchResponse" in payload


def _revocation_outcome(
    batch: list[str], payload: Any
) -> tuple[list[str], list[RevocationFailure]]:
    """Split a batch into revoked and failed client ids from Ably's answer.

    Ably answers ``{successCount, failureCount, results: [...]}`` (201, also when
    some targets failed; ably-js's ``TokenRevocationResult``), or, in older API
    versions, a bare list of results or ``{error, batchResponse: [...]}``. A
    result with ``error`` failed; an empty answer means all succeeded.
    """
    results: list[Any] | None = None
    if isinstance(payload, list):
        results = payload
    elif isinstance(payload, dict):
        for key in ("results", "batchResponse"):
            if isinstance(payload.get(key), list):
                results = payload[key]
                break
    if results is None:
        return list(batch), []
    by_target = {result.get("target"): result for result in results if isinstance(result, dict)}
    revoked: list[str] = []
    failed: list[RevocationFailure] = []
    for client_id in batch:
        result = by_target.get(f"clientId:{client_id}")
        if result is None:
            failed.append(RevocationFailure(client_id, "Ably returned no result for this target"))
        elif isinstance(result.get("error"), dict):
            error = result["error"]
            failed.append(
                RevocationFailure(
                    client_id,
                    str(error.get("message") or "revocation failed"),
                    int_or_none(error.get("code")),
                    int_or_none(error.get("statusCode")),
                )
            )
        else:
            revoked.append(client_id)
    return revoked, failed
