"""Every staff route of every real service (each route whose dependencies include
shared.auth.staff_auth) refuses forged, expired, unsigned and wrongly signed tokens with 401,
and a role the route does not name with 403, while the roles it names get through."""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from shared.auth import Role, issue_staff_token
from shared.settings import DEVELOPMENT_AUTH_SECRET
from tests.integration.malformed.services import SERVICES_UNDER_TEST, ServiceUnderTest
from tests.kit.apps import running, unsigned_token
from tests.kit.kafka import groups_starting_now

pytestmark = pytest.mark.integration

OTHER_SECRET = "a-secret-that-is-not-the-services-" + "0123456789" * 3
# What shared.auth.staff_auth returns: the dependency whose closure holds the roles it admits.
STAFF_GUARD = "staff_auth.<locals>.dependency"
# 2100-01-01: far enough that only the missing signature can be what refuses it.
FAR_FUTURE = 4_102_444_800


def bad_tokens() -> dict[str, str]:
    admin = {"sub": "x", "name": "X", "role": "admin"}
    return {
        "alg none": unsigned_token({**admin, "exp": FAR_FUTURE}),
        "expired": issue_staff_token(
            DEVELOPMENT_AUTH_SECRET, sub="x", name="X", role=Role.ADMIN, lifetime=timedelta(-1)
        ),
        "wrong key": issue_staff_token(OTHER_SECRET, sub="x", name="X", role=Role.ADMIN),
        "unknown role": jwt.encode(
            {**admin, "role": "superuser", "exp": FAR_FUTURE}, DEVELOPMENT_AUTH_SECRET, "HS256"
        ),
        "no expiry": jwt.encode(admin, DEVELOPMENT_AUTH_SECRET, "HS256"),
        "HS512": jwt.encode(
            {**admin, "exp": datetime.now(UTC) + timedelta(hours=1)},
            DEVELOPMENT_AUTH_SECRET + "-long-enough-for-hs512-" + "0" * 40,
            "HS512",
        ),
        "signature stripped": issue_staff_token(
            DEVELOPMENT_AUTH_SECRET, sub="x", name="X", role=Role.ADMIN
        ).rsplit(".", 1)[0]
        + ".",
        "garbage": "not.a.jwt",
    }


@dataclass(frozen=True)
class StaffRoute:
    method: str
    path: str
    roles: tuple[Role, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def staff_routes(app: FastAPI) -> Iterator[StaffRoute]:
    """Each route guarded by staff_auth, with the roles it admits (all when it names none)."""
    for route in app.routes:
        # FastAPI keeps an included router's routes behind its effective route contexts.
        contexts = (
            route.effective_candidates() if hasattr(route, "effective_candidates") else [route]
        )
        for context in contexts:
            dependant = getattr(context, "dependant", None)
            if dependant is None:
                continue
            method = sorted(getattr(context, "methods", None) or {"GET"})[0]
            for roles in _guards(dependant):
                yield StaffRoute(method, str(getattr(context, "path", "")), roles or tuple(Role))


def _guards(dependant: Dependant) -> Iterator[tuple[Role, ...]]:
    for inner in dependant.dependencies:
        call = inner.call
        if (
            call is not None
            and getattr(call, "__qualname__", "") == "staff_auth.<locals>.dependency"
        ):
            yield tuple(inspect.getclosurevars(call).nonlocals["roles"])
        yield from _guards(inner)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "RDR-AUTH-0000", path)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(client: httpx.AsyncClient, route: StaffRoute, headers: dict[str, str]) -> int:
    body: dict[str, object] | None = {} if route.method in {"POST", "PUT", "PATCH"} else None
    response = await client.request(route.method, concrete(route.path), headers=headers, json=body)
    return response.status_code


@pytest.mark.parametrize("service", SERVICES_UNDER_TEST, ids=lambda s: s.name)
async def test_every_staff_route_refuses_bad_tokens_and_roles_it_does_not_name(
    service: ServiceUnderTest, kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix = await groups_starting_now(kafka_bootstrap, service.name, service.groups())
    app = service.app(f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}", kafka_bootstrap, prefix)
    guarded = list(staff_routes(app))
    assert guarded, f"{service.name} has no staff routes to check"
    wrong: list[str] = []
    async with running(app) as client:
        for route in guarded:
            name = str(route)
            for kind, token in bad_tokens().items():
                if (status := await call(client, route, bearer(token))) != 401:
                    wrong.append(f"{name} with {kind}: {status}, not 401")
            if (status := await call(client, route, {})) != 401:
                wrong.append(f"{name} without a token: {status}, not 401")
            for role in Role:
                token = issue_staff_token(
                    DEVELOPMENT_AUTH_SECRET, sub=f"u-{uuid.uuid4().hex[:6]}", name="U", role=role
                )
                status = await call(client, route, bearer(token))
                if role not in route.roles and status != 403:
                    wrong.append(f"{name} as {role}: {status}, not 403")
                if role in route.roles and status in {401, 403}:
                    wrong.append(f"{name} as {role}: refused with {status}")
    assert not wrong, f"{len(guarded)} staff routes; wrong answers:\n" + "\n".join(wrong)
