"""Staff JWTs (HS256: sub, name, role) and complainants' tracking tokens (docs/design.md §5)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from shared.timekeeping import utc_now

# A staff token handed out by `make run` lasts a working day and a bit.
DEFAULT_STAFF_TOKEN_LIFETIME = timedelta(hours=12)
# 32 random bytes, URL-safe: unguessable, and short enough to type from a letter.
TRACKING_TOKEN_BYTES = 24
# Far longer than any token we issue (32 characters); a bound on what we hash.
MAX_TRACKING_TOKEN_CHARS = 200

# The security schemes the OpenAPI documents declare (auto_error=False: our own 401 says what
# is needed). Staff send a JWT as a bearer token; complainants the tracking token from their
# letter or email, as a header or as the `token` query of the tracking link.
STAFF_BEARER = Security(
    HTTPBearer(
        auto_error=False,
        bearerFormat="JWT",
        scheme_name="staffToken",
        description="A staff JWT (HS256, claims sub, name, role), as `Authorization: Bearer`.",
    )
)
TRACKING_TOKEN_HEADER = APIKeyHeader(
    name="X-Tracking-Token",
    auto_error=False,
    scheme_name="trackingToken",
    description="The complainant's tracking token, from the acknowledgement.",
)
TRACKING_TOKEN_QUERY = APIKeyQuery(
    name="token",
    auto_error=False,
    scheme_name="trackingTokenQuery",
    description="The tracking token as the tracking link carries it.",
)
# The staff_auth dependencies that admit only some roles: their operations can answer 403.
ROLE_RESTRICTED: set[Callable[..., Any]] = set()


class Role(StrEnum):
    CASEWORKER = "caseworker"
    MANAGER = "manager"
    ADMIN = "admin"


class StaffUser(BaseModel):
    sub: str
    name: str
    role: Role


def issue_staff_token(
    secret: str,
    *,
    sub: str,
    name: str,
    role: Role | str,
    lifetime: timedelta = DEFAULT_STAFF_TOKEN_LIFETIME,
) -> str:
    now = utc_now()
    claims = {"sub": sub, "name": name, "role": str(role), "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_staff_token(secret: str, token: str) -> StaffUser:
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["sub", "exp"]}
        )
        return StaffUser.model_validate(claims)
    except (jwt.PyJWTError, ValidationError) as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A valid staff token is needed: Authorization: Bearer <JWT>.",
            headers={"WWW-Authenticate": "Bearer"},
        ) from error


def staff_auth(*roles: Role) -> Callable[..., Coroutine[Any, Any, StaffUser]]:
    """A FastAPI dependency that admits staff with one of `roles` (any staff role if none given).

    The signing secret is the service's own `REDRESS_AUTH_SECRET`, from the `Service` the app
    factory (shared/app.py) puts on `app.state.service`.
    """

    async def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, STAFF_BEARER]
    ) -> StaffUser:
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="A staff token is needed: Authorization: Bearer <JWT>.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        secret = str(request.app.state.service.settings.auth_secret_value)
        user = decode_staff_token(secret, credentials.credentials.strip())
        if roles and user.role not in roles:
            allowed = ", ".join(sorted(str(r) for r in roles))
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"This needs the role {allowed}.")
        return user

    if roles:
        ROLE_RESTRICTED.add(dependency)
    return dependency


def new_tracking_token() -> str:
    return secrets.token_urlsafe(TRACKING_TOKEN_BYTES)


def hash_tracking_token(token: str) -> str:
    """Services keep only this digest: a leaked database does not leak working tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def tracking_token_matches(token: str | None, expected_hash: str | None) -> bool:
    if not token or not expected_hash:
        return False
    return hmac.compare_digest(hash_tracking_token(token), expected_hash)


async def tracking_token(
    from_header: Annotated[str | None, Security(TRACKING_TOKEN_HEADER)],
    from_query: Annotated[str | None, Security(TRACKING_TOKEN_QUERY)],
) -> str | None:
    """The complainant's token from the `X-Tracking-Token` header or the `token` query."""
    token = from_header or from_query
    if token is not None and len(token) > MAX_TRACKING_TOKEN_CHARS:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "token"),
                    "msg": "The tracking token is too long.",
                    "type": "too_long",
                }
            ]
        )
    return token


TrackingToken = Annotated[str | None, Depends(tracking_token)]
