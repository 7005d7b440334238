"""Identity from JWT claims, capability per role, and token lifetime."""

from __future__ import annotations

import pytest

from chatmod.core.errors import UnauthorizedError
from chatmod.core.policy import IdentityPolicy, TokenPolicy
from chatmod.enforcement.tokens import (
    MAX_TOKEN_TTL_MS,
    Identity,
    capability_for,
    claim_values,
    identity_from_claims,
    token_ttl_ms,
)
from tests.support.capabilities import CHAT_PARTICIPANT_OPERATIONS

IDENTITY = IdentityPolicy()


@pytest.mark.parametrize(
    "groups",
    [
        "[moderators admins]",  # API Gateway's JWT authorizer flattens arrays like this
        "[admins moderators]",
        "[moderators]",
        ["admins", "moderators"],
        '["moderators","admins"]',
        "moderators",
        "admins,moderators",
    ],
)
def test_given_a_groups_claim_naming_moderators_when_read_then_moderator(groups):
    identity = identity_from_claims({"sub": "mod1", "cognito:groups": groups}, IDENTITY)

    assert identity == Identity("mod1", moderator=True)
    assert identity.role == "moderator"


@pytest.mark.parametrize(
    "groups", [None, "", "[]", [], "[admins]", "notmoderators", "[moderatorsx]", "Moderators", 7]
)
def test_given_a_groups_claim_without_the_exact_value_when_read_then_user(groups):
    claims = {"sub": "alice"} if groups is None else {"sub": "alice", "cognito:groups": groups}

    identity = identity_from_claims(claims, IDENTITY)

    assert identity == Identity("alice", moderator=False)
    assert identity.role == "user"


def test_given_custom_claims_when_read_then_the_configured_claims_are_used():
    policy = IdentityPolicy(client_id_claim="email", moderator_claim="roles", moderator_value="mod")

    identity = identity_from_claims(
        {"sub": "ignored", "email": " bob@example.com ", "roles": "[mod]"}, policy
    )

    assert identity == Identity("bob@example.com", moderator=True)


@pytest.mark.parametrize(
    "claims",
    [
        None,
        {},
        {"email": "x"},
        {"sub": ""},
        {"sub": "   "},
        {"sub": "*"},
        {"sub": ["a"]},
        {"sub": "x" * 257},
    ],
)
def test_given_no_usable_client_id_when_read_then_unauthorized(claims):
    with pytest.raises(UnauthorizedError):
        identity_from_claims(claims, IDENTITY)


def test_given_a_numeric_client_id_claim_when_read_then_it_becomes_a_string():
    assert identity_from_claims({"sub": 42}, IDENTITY).client_id == "42"


def test_given_odd_claim_shapes_when_split_then_exact_members():
    assert claim_values("[a  b]") == {"a", "b"}
    assert claim_values(["a", "", None, True, 3]) == {"a", "3"}
    assert claim_values({"a": 1}) == frozenset()
    assert claim_values("read write") == {"read", "write"}


def test_given_the_default_policy_when_a_user_asks_then_user_operations_on_every_room():
    capability = capability_for(Identity("alice"), TokenPolicy())

    assert capability == {"*": CHAT_PARTICIPANT_OPERATIONS}


def test_given_the_default_policy_when_a_moderator_asks_then_delete_any_is_granted():
    capability = capability_for(Identity("mod1", moderator=True), TokenPolicy())

    assert "message-delete-any" in capability["*"]
    assert "message-update-any" in capability["*"]


def test_given_rooms_with_chat_suffix_when_granted_then_bare_room_names_are_used():
    policy = TokenPolicy(rooms=("lobby::$chat", "support-*"), user=("subscribe",))

    assert capability_for(Identity("alice"), policy) == {
        "lobby": ["subscribe"],
        "support-*": ["subscribe"],
    }


@pytest.mark.parametrize(("seconds", "ms"), [(60, 60_000), (900, 900_000), (3600, 3_600_000)])
def test_given_a_ttl_policy_when_converted_then_milliseconds_capped_at_one_hour(seconds, ms):
    assert token_ttl_ms(TokenPolicy(ttl_seconds=seconds)) == ms
    assert token_ttl_ms(TokenPolicy(ttl_seconds=seconds)) <= MAX_TOKEN_TTL_MS
