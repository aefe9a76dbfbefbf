"""Helpers for the console's integration tests: casework in-process on the real broker with a
clock the test moves, staff accounts, and a cookie-keeping client for the console's forms.

The console's cookies are Secure outside development, which httpx (rightly) will not send over
plain http; `Visitor` keeps them itself and sends them as a browser on https would.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from http.cookies import SimpleCookie
from typing import Any

import httpx
from fastapi import FastAPI

from services.casework.app import create_app
from shared.topics import INTAKE_COMPLAINTS, NOTIFICATION_DELIVERIES
from tests.integration.casework.casework_kit import settings_for, start_group_at_end
from tests.integration.service_harness import running

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The app's clock (app.state.clock): now, plus however far the test moved it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


@dataclass
class Console:
    app: FastAPI
    client: httpx.AsyncClient
    clock: Clock

    async def add_staff(self, role: str, *, account_id: str | None = None, **extra: Any) -> str:
        email = extra.pop("email", f"{role}-{uuid.uuid4().hex[:6]}@staff.example")
        await self.app.state.staff_accounts.add(
            email=email,
            name=extra.pop("name", f"{role.capitalize()} {email[:6]}"),
            role=role,
            skills=extra.pop("skills", ["health", "parliamentary", "other"]),
            password=extra.pop("password", PASSWORD),
            now=self.clock(),
            account_id=account_id,
        )
        return email

    def visitor(self) -> Visitor:
        return Visitor(self.client)


@dataclass
class Visitor:
    """One browser: its own cookies, sent on every request."""

    client: httpx.AsyncClient
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookie_headers: list[str] = field(default_factory=list)

    def _remember(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    async def get(self, path: str) -> httpx.Response:
        response = await self.client.get(path, headers=self._headers())
        self._remember(response)
        return response

    async def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        response = await self.client.post(path, data=data, headers=self._headers())
        self._remember(response)
        return response

    async def form_post(self, page_path: str, path: str, data: dict[str, Any]) -> httpx.Response:
        """Posts as a person would: the form's CSRF token taken from the page it is on."""
        page = await self.get(page_path)
        return await self.post(path, {"csrf_token": csrf_of(page.text), **data})

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        page = await self.get("/staff/sign-in")
        return await self.post(
            "/staff/sign-in",
            {"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        )


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return unescape(found.group(1))


def error_summary(html: str) -> list[str]:
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not block:
        return []
    return [unescape(t).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]


@asynccontextmanager
async def console_app(
    database_url: str, kafka_bootstrap: str, **overrides: Any
) -> AsyncIterator[Console]:
    """Casework outside development (Secure cookies, no development accounts)."""
    prefix = f"test-{uuid.uuid4().hex[:6]}"
    # Only what this test publishes: other tests' complaints and statuses stay on the topics.
    await start_group_at_end(
        kafka_bootstrap, NOTIFICATION_DELIVERIES, f"{prefix}-casework-deliveries"
    )
    await start_group_at_end(kafka_bootstrap, INTAKE_COMPLAINTS, f"{prefix}-casework-cases")
    settings = settings_for(database_url, kafka_bootstrap, prefix).model_copy(
        update={"environment": "test", **overrides}
    )
    app = create_app(settings)
    clock = Clock()
    async with running(app) as client:
        app.state.clock = clock
        yield Console(app, client, clock)
