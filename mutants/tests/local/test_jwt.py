"""The local JWT issuer/verifier that stands in for Cognito and the JWT authorizer."""

from __future__ import annotations

import base64
import json

import pytest

from chatmod_local.jwt import InvalidTokenError, LocalJwtIssuer, authorizer_claims


def test_issued_token_verifies_with_its_claims() -> None:
    issuer = LocalJwtIssuer(b"k" * 32, clock=lambda: 1000)
    claims = issuer.verify(issuer.issue("alice", ["moderators"]))
    assert claims["sub"] == "alice"
    assert claims["cognito:groups"] == ["moderators"]
    assert claims["exp"] > 1000


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
        lambda t: "x.y",  # shape
        lambda t: "e30." + t.split(".", 1)[1],  # header without alg
    ],
)
def test_tampered_tokens_are_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    issuer = LocalJwtIssuer(b"k" * 32)
    with pytest.raises(InvalidTokenError):
        issuer.verify(mangle(issuer.issue("alice")))


def test_alg_none_is_refused() -> None:
    issuer = LocalJwtIssuer(b"k" * 32)
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
    _, payload, _ = issuer.issue("alice").split(".")
    with pytest.raises(InvalidTokenError):
        issuer.verify(f"{header.decode()}.{payload}.")


def test_another_issuers_token_and_expired_tokens_are_refused() -> None:
    now = [1000.0]
    issuer = LocalJwtIssuer(b"k" * 32, clock=lambda: now[0])
    token = issuer.issue("alice", ttl_s=60)
    with pytest.raises(InvalidTokenError):
        LocalJwtIssuer(b"other" * 8).verify(token)
    now[0] += 61
    with pytest.raises(InvalidTokenError):
        issuer.verify(token)


def test_claims_are_flattened_as_api_gateway_passes_them() -> None:
    assert authorizer_claims({"sub": "a", "cognito:groups": ["m", "n"], "exp": 5}) == {
        "sub": "a",
        "cognito:groups": "[m n]",
        "exp": "5",
    }
