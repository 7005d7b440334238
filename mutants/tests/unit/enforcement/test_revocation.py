"""Which writes to the bans table revoke tokens, and what enforcement does with the answer."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pytest

from chatmod.adapters.ably import RevocationFailure, RevocationResult
from chatmod.adapters.audit_log import AuditEvent
from chatmod.core.errors import ServiceUnavailableError
from chatmod.enforcement.bans import Ban
from chatmod.enforcement.revocation import (
    BanChange,
    MalformedBanError,
    ban_from_image,
    enforce_bans,
)

NOW = 1_795_320_000


def ban(expires_at: int | None, client_id: str = "alice") -> Ban:
    return Ban(client_id, "spam", "auto", NOW - 100, expires_at)


@pytest.mark.parametrize(
    ("old", "new", "revokes"),
    [
        (None, ban(NOW + 60), True),  # a new ban
        (None, ban(None), True),  # a new permanent ban
        (None, ban(NOW), False),  # ended at the moment it was read
        (ban(NOW + 60), ban(NOW + 3600), True),  # longer
        (ban(NOW + 60), ban(None), True),  # made permanent
        (ban(NOW - 1), ban(NOW + 60), True),  # replaces one that had ended
        (ban(NOW + 3600), ban(NOW + 60), False),  # shorter
        (ban(None), ban(NOW + 60), False),  # permanent made timed
        (ban(NOW + 60), ban(NOW + 60), False),  # same end (e.g. reason edited)
        (ban(None), ban(None), False),
        (ban(NOW + 60), None, False),  # unban or TTL removal
        (None, None, False),
    ],
)
def test_which_changes_revoke_tokens(old, new, revokes):
    assert BanChange("alice", old, new).revokes_tokens(NOW) is revokes


def test_images_read_decimal_numbers_as_dynamodb_gives_them():
    image = {"reason": "spam", "source": "mod1", "createdAt": Decimal(10), "expiresAt": Decimal(20)}

    assert ban_from_image("alice", image) == Ban("alice", "spam", "mod1", 10, 20)
    assert ban_from_image("alice", {"reason": "x"}).permanent


@pytest.mark.parametrize("value", ["tomorrow", Decimal("1.5"), True, [1], "NaN"])
def test_an_unreadable_expiry_is_malformed(value):
    with pytest.raises(MalformedBanError, match="expiresAt"):
        ban_from_image("alice", {"expiresAt": value})


def test_an_unreadable_old_image_counts_as_no_ban_but_a_new_one_is_an_error():
    change = BanChange.from_images(
        {"clientId": "alice"}, {"expiresAt": "soon"}, {"expiresAt": Decimal(NOW + 60)}
    )

    assert change.old is None
    assert change.revokes_tokens(NOW)
    with pytest.raises(MalformedBanError):
        BanChange.from_images({"clientId": "alice"}, None, {"expiresAt": "soon"})
    with pytest.raises(MalformedBanError, match="clientId"):
        BanChange.from_images({}, None, {})


class FakeGateway:
    def __init__(self, failing: Iterable[str] = ()) -> None:
        self.failing = set(failing)
        self.calls: list[tuple[list[str], float | None]] = []

    def revoke_tokens(
        self, client_ids: Iterable[str], *, deadline: float | None = None
    ) -> RevocationResult:
        ids = list(client_ids)
        self.calls.append((ids, deadline))
        return RevocationResult(
            tuple(i for i in ids if i not in self.failing),
            tuple(RevocationFailure(i, "refused") for i in ids if i in self.failing),
        )


class FakeAudit:
    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> AuditEvent:
        if self.broken:
            raise ServiceUnavailableError("down", code="storage_unavailable")
        self.events.append(event)
        return event


def test_one_call_for_every_user_to_revoke_deduplicated_and_audited_with_the_latest_ban():
    gateway, audit = FakeGateway(), FakeAudit()
    changes = [
        BanChange("alice", None, ban(NOW + 60)),
        BanChange("bob", ban(NOW + 60, "bob"), None),
        BanChange("alice", ban(NOW + 60), ban(None)),
    ]

    result = enforce_bans(
        changes, revoke_on_ban=True, gateway=lambda: gateway, audit=audit, now=NOW, deadline=9.0
    )

    assert gateway.calls == [(["alice"], 9.0)]
    assert result.revoked == ("alice",)
    assert result.failed == {}
    assert result.unchanged == 1
    (event,) = audit.events
    assert (event.action, event.actor, event.client_id) == ("revoke", "system", "alice")
    assert event.details["bannedUntil"] is None  # the permanent ban, the latest write


def test_nothing_to_revoke_builds_no_gateway():
    def no_gateway() -> FakeGateway:
        raise AssertionError("the gateway (and the Ably key) must not be needed")

    result = enforce_bans(
        [BanChange("alice", None, ban(NOW + 60))],
        revoke_on_ban=False,
        gateway=no_gateway,
        audit=FakeAudit(),
        now=NOW,
    )

    assert result.unchanged == 1


def test_failed_revocations_and_lost_audit_events_are_reported_for_retry():
    changes = [BanChange("alice", None, ban(NOW + 60)), BanChange("bob", None, ban(None, "bob"))]

    refused = enforce_bans(
        changes,
        revoke_on_ban=True,
        gateway=lambda: FakeGateway(failing={"bob"}),
        audit=FakeAudit(),
        now=NOW,
    )
    unaudited = enforce_bans(
        changes,
        revoke_on_ban=True,
        gateway=lambda: FakeGateway(),
        audit=FakeAudit(broken=True),
        now=NOW,
    )

    assert refused.revoked == ("alice",)
    assert refused.failed == {"bob": "refused"}
    assert unaudited.revoked == ()
    assert set(unaudited.failed) == {"alice", "bob"}
    assert "audit event failed" in unaudited.failed["alice"]
