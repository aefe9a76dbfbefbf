"""Who is signed in, and the CSRF check every console form passes before anything changes."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from services.casework.console.rendering import ConsolePageError, SignInRequiredError
from services.casework.staff import StaffAccounts, StaffSession
from shared.app import request_now

SESSION_COOKIE = "redress_staff_session"
CSRF_FIELD = "csrf_token"
CSRF_REFUSED = (
    "This form had expired or did not come from the console. Nothing was changed. "
    "Go back, reload the page and try again."
)


def accounts_of(request: Request) -> StaffAccounts:
    accounts: StaffAccounts = request.app.state.staff_accounts
    return accounts


async def signed_in(request: Request) -> StaffSession:
    """The signed-in member of staff; anyone else is sent to the sign-in page."""
    staff = await accounts_of(request).current(
        request.cookies.get(SESSION_COOKIE), request_now(request)
    )
    if staff is None or staff.awaiting_second_factor:
        raise SignInRequiredError
    return staff


async def manager(staff: Annotated[StaffSession, Depends(signed_in)]) -> StaffSession:
    if not staff.is_manager:
        raise ConsolePageError(403, "You cannot see this page", "This page is for managers.")
    return staff


def csrf_matches(expected: str, form: FormData) -> bool:
    given = form.get(CSRF_FIELD)
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


async def checked_form(request: Request, staff: StaffSession) -> FormData:
    """The posted form, once its CSRF token matches the session's; 403 and no change otherwise."""
    form = await request.form()
    if not csrf_matches(staff.csrf_token, form):
        raise ConsolePageError(403, "The form could not be used", CSRF_REFUSED)
    return form


Staff = Annotated[StaffSession, Depends(signed_in)]
Manager = Annotated[StaffSession, Depends(manager)]


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
