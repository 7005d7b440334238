"""Bans are enforced from the table: a new or longer ban revokes the user's Ably tokens.

Whatever writes a ban — the strike ladder on any path, a moderator, an operator
editing ``bannedUsers`` in the console — the table's stream reports the write as a
:class:`BanChange`. :func:`enforce_bans` decides which changes call for a
revocation, revokes those users' tokens through the gateway it is given (one call,
which Ably takes in batches of at most 100 targets) and records a ``revoke`` audit
event per user. A removal (unban, TTL expiry), a shorter ban or an unchanged end
revokes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from chatmod.adapters.audit_log import SYSTEM_ACTOR, AuditEvent
from chatmod.core import constants
from chatmod.core.errors import ChatmodError
from chatmod.enforcement.bans import AUTO_SOURCE, Ban, MalformedBanError, epoch_seconds

if TYPE_CHECKING:
    from chatmod.adapters.ably import RevocationResult


class TokenRevoker(Protocol):
    """What enforcement needs of ``AblyGateway``."""

    def revoke_tokens(
        self, client_ids: Iterable[str], *, deadline: float | None = None
    ) -> RevocationResult: ...


class AuditRecorder(Protocol):
    """What enforcement needs of ``AuditLog``."""

    def record(self, event: AuditEvent) -> AuditEvent: ...


@dataclass(frozen=True, slots=True)
class BanChange:
    """One write to the bans table, as its stream reports it.

    Attributes:
        client_id: the user (the table's key).
        old: the ban before the write; ``None`` when there was none (or it was unreadable).
        new: the ban after the write; ``None`` when the item was removed.
    """

    client_id: str
    old: Ban | None
    new: Ban | None

    @classmethod
    def from_images(
        cls,
        keys: Mapping[str, Any],
        old_image: Mapping[str, Any] | None,
        new_image: Mapping[str, Any] | None,
    ) -> BanChange:
        """The change from a stream record's (deserialised) key and item images.

        An unreadable *old* image counts as no ban before, so that fixing a broken
        item by hand still revokes; an unreadable *new* image is an error.

        Raises:
            MalformedBanError: the key is missing, or the new image is not a ban.
        """
        client_id = keys.get(constants.BANS_PARTITION_KEY)
        if not isinstance(client_id, str) or not client_id:
            raise MalformedBanError(
                f"the stream record has no '{constants.BANS_PARTITION_KEY}' key"
            )
        old: Ban | None = None
        if old_image:
            try:
                old = ban_from_image(client_id, old_image)
            except MalformedBanError:
                old = None
        new = ban_from_image(client_id, new_image) if new_image else None
        return cls(client_id=client_id, old=old, new=new)

    def revokes_tokens(self, now: float) -> bool:
        """Whether the write banned the user anew, or for longer (or for good), as of ``now``.

        A removal, a ban that is shorter or ends when it did, and a ban that has
        already ended at ``now`` revoke nothing. A ban replacing one that had
        already ended (its item not yet deleted by TTL) is a new ban.
        """
        if self.new is None or not self.new.active(now):
            return False
        if self.old is None or not self.old.active(now):
            return True
        return self.new.outlasts(self.old.expires_at)


def ban_from_image(client_id: str, image: Mapping[str, Any]) -> Ban:
    """A ban from a bans table item image (numbers may be ``Decimal``, as DynamoDB gives them).

    Raises:
        MalformedBanError: ``expiresAt`` or ``createdAt`` is not a whole number of seconds.
    """
    return Ban(
        client_id=client_id,
        reason=str(image.get("reason") or ""),
        source=str(image.get("source") or AUTO_SOURCE),
        created_at=epoch_seconds(image.get("createdAt", 0), "createdAt") or 0,
        expires_at=epoch_seconds(
            image.get(constants.BANS_TTL_ATTRIBUTE), constants.BANS_TTL_ATTRIBUTE
        ),
    )


@dataclass(frozen=True, slots=True)
class EnforcementResult:
    """What :func:`enforce_bans` did.

    Attributes:
        revoked: users whose tokens were revoked (and audited), in order of their changes.
        failed: user → why their revocation or its audit event failed; their
            changes must be retried.
        unchanged: how many changes needed no revocation.
    """

    revoked: tuple[str, ...] = ()
    failed: Mapping[str, str] = field(default_factory=dict)
    unchanged: int = 0


def enforce_bans(
    changes: Sequence[BanChange],
    *,
    revoke_on_ban: bool,
    gateway: Callable[[], TokenRevoker],
    audit: AuditRecorder,
    now: float,
    deadline: float | None = None,
) -> EnforcementResult:
    """Revoke the Ably tokens of every user a change bans anew or for longer.

    Args:
        changes: the writes, in stream order.
        revoke_on_ban: the policy's ``bans.revokeTokensOnBan``; when false nothing
            is revoked (and no gateway is built).
        gateway: builds the gateway on first need, so a batch with nothing to
            revoke reads no Ably key.
        audit: where each revocation is recorded (action ``revoke``, actor ``system``).
        now: epoch seconds, to tell active bans from ended ones.
        deadline: ``time.monotonic()`` by which Ably must have answered.

    Returns:
        Who was revoked, who failed and why, and how many changes needed nothing.

    Raises:
        ChatmodError: the gateway could not be built (e.g. the key is unreadable);
            every change is then still to do.
    """
    latest: dict[str, Ban] = {}
    unchanged = 0
    for change in changes:
        if revoke_on_ban and change.revokes_tokens(now):
            assert change.new is not None  # revokes_tokens guarantees it
            latest[change.client_id] = change.new
        else:
            unchanged += 1
    if not latest:
        return EnforcementResult(unchanged=unchanged)

    result = gateway().revoke_tokens(list(latest), deadline=deadline)
    failed = {failure.client_id: failure.message for failure in result.failed}
    revoked: list[str] = []
    for client_id in result.revoked:
        ban = latest[client_id]
        try:
            audit.record(
                AuditEvent(
                    action="revoke",
                    actor=SYSTEM_ACTOR,
                    client_id=client_id,
                    reason=ban.reason or None,
                    details={
                        "trigger": "ban",
                        "banSource": ban.source,
                        "bannedUntil": ban.banned_until_iso,
                    },
                )
            )
        except ChatmodError as exc:
            # Retried with the change: revoking again is harmless, a lost audit event is not.
            failed[client_id] = f"tokens revoked, but the audit event failed: {exc.message}"
            continue
        revoked.append(client_id)
    return EnforcementResult(revoked=tuple(revoked), failed=failed, unchanged=unchanged)
