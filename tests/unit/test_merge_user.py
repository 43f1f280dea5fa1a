"""The session user after a link or unlink (docs/linking.md)."""

from auth0_core.flows.linking import merge_user


def test_the_new_claims_win_and_the_missing_ones_are_kept() -> None:
    previous = {"sub": "auth0|alice", "name": "Alice", "email": "a@example.com", "iat": 1}
    claims = {"sub": "auth0|alice", "iat": 2, "sid": "new"}
    merged = merge_user(previous, claims)
    assert merged == {
        "sub": "auth0|alice",
        "name": "Alice",
        "email": "a@example.com",
        "iat": 2,
        "sid": "new",
    }
    assert previous["iat"] == 1  # neither input is changed


def test_another_users_claims_are_never_merged() -> None:
    previous = {"sub": "auth0|alice", "name": "Alice"}
    claims = {"sub": "auth0|bob", "iat": 2}
    assert merge_user(previous, claims) == claims
