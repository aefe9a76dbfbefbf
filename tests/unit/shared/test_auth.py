"""shared/auth.py: staff JWTs (HS256 only, expiry required, role checked) and tracking tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI, HTTPException

from shared.auth import (
    Role,
    StaffUser,
    decode_staff_token,
    hash_tracking_token,
    issue_staff_token,
    new_tracking_token,
    staff_auth,
    tracking_token_matches,
)
from tests.kit.apps import unsigned_token

SECRET = "unit-test-secret-long-enough-for-hs512-" + "0123456789" * 3


def test_an_issued_token_decodes_to_the_staff_user() -> None:
    token = issue_staff_token(SECRET, sub="cw-1", name="Alex", role=Role.CASEWORKER)
    assert decode_staff_token(SECRET, token) == StaffUser(
        sub="cw-1", name="Alex", role="caseworker"
    )


@pytest.mark.parametrize(
    "token",
    [
        issue_staff_token(
            "another-secret-of-a-decent-length-0123456789", sub="x", name="X", role="admin"
        ),
        issue_staff_token(SECRET, sub="x", name="X", role="admin", lifetime=timedelta(seconds=-1)),
        issue_staff_token(SECRET, sub="x", name="X", role="superuser"),
        unsigned_token({"sub": "x", "name": "X", "role": "admin", "exp": 4_102_444_800}),
        jwt.encode({"sub": "x", "name": "X", "role": "admin"}, SECRET, algorithm="HS256"),
        jwt.encode(
            {
                "sub": "x",
                "name": "X",
                "role": "admin",
                "exp": datetime.now(UTC) + timedelta(hours=1),
            },
            SECRET,
            algorithm="HS512",
        ),
        "not.a.jwt",
    ],
    ids=["wrong-key", "expired", "unknown-role", "alg-none", "no-exp", "hs512", "garbage"],
)
def test_bad_tokens_are_401(token: str) -> None:
    with pytest.raises(HTTPException) as refused:
        decode_staff_token(SECRET, token)
    assert refused.value.status_code == 401
    assert refused.value.headers == {"WWW-Authenticate": "Bearer"}


def _client() -> httpx.AsyncClient:
    app = FastAPI()

    class Settings:
        auth_secret_value = SECRET

    class Service:
        settings = Settings()

    app.state.service = Service()

    @app.get("/managers")
    async def managers(user: StaffUser = Depends(staff_auth(Role.MANAGER, Role.ADMIN))) -> str:
        return user.sub

    @app.get("/staff")
    async def anyone(user: StaffUser = Depends(staff_auth())) -> str:
        return user.sub

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _bearer(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_staff_token(SECRET, sub='u', name='U', role=role)}"}


async def test_the_dependency_admits_the_roles_it_names_and_refuses_the_rest() -> None:
    client = _client()
    assert (await client.get("/managers", headers=_bearer(Role.MANAGER))).status_code == 200
    wrong_role = await client.get("/managers", headers=_bearer(Role.CASEWORKER))
    assert wrong_role.status_code == 403
    assert "admin, manager" in wrong_role.json()["detail"]
    assert (await client.get("/staff", headers=_bearer(Role.CASEWORKER))).status_code == 200


@pytest.mark.parametrize("authorization", [None, "Basic dTpw", "Bearer ", "Bearer nonsense"])
async def test_the_dependency_answers_401_without_a_valid_bearer(authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    answer = await _client().get("/staff", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_tracking_tokens_are_random_and_matched_only_by_their_hash() -> None:
    token, other = new_tracking_token(), new_tracking_token()
    assert token != other
    assert len(token) >= 32
    stored = hash_tracking_token(token)
    assert token not in stored
    assert tracking_token_matches(token, stored)
    assert not tracking_token_matches(other, stored)
    assert not tracking_token_matches(None, stored)
    assert not tracking_token_matches(token, None)
    assert not tracking_token_matches("", stored)
