"""`/staff/account`: the signed-in person's own account, where they turn on the TOTP second
factor (scan the secret into an authenticator app, then prove it with one code)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.casework.console.rendering import page
from services.casework.console.session import Staff, accounts_of, checked_form, text
from shared.app import request_now

router = APIRouter(prefix="/staff/account", include_in_schema=False)


@router.get("")
async def account(request: Request, staff: Staff) -> Response:
    async with accounts_of(request).uow.reading() as stores:
        mine = await stores.staff.account(staff.account_id)
    assert mine is not None
    return page(
        request,
        "account.html",
        title="Your account",
        staff=staff,
        account=mine,
        enrolled=request.query_params.get("enrolled") == "yes",
        csrf_token=staff.csrf_token,
    )


@router.post("/second-factor")
async def start_second_factor(request: Request, staff: Staff) -> Response:
    await checked_form(request, staff)
    accounts = accounts_of(request)
    secret = await accounts.start_totp(staff.account_id)
    return page(
        request,
        "account_totp.html",
        title="Set up your authenticator app",
        staff=staff,
        secret=secret,
        uri=accounts.provisioning_uri(secret, staff.email or staff.account_id),
        csrf_token=staff.csrf_token,
    )


@router.post("/second-factor/confirm")
async def confirm_second_factor(request: Request, staff: Staff) -> Response:
    form = await checked_form(request, staff)
    accounts = accounts_of(request)
    if await accounts.confirm_totp(staff.account_id, text(form, "code"), request_now(request)):
        return RedirectResponse("/staff/account?enrolled=yes", status_code=303)
    return page(
        request,
        "account_totp.html",
        title="Set up your authenticator app",
        staff=staff,
        secret=None,
        uri=None,
        errors=[{"text": "The code was not right. Start again.", "href": "#code"}],
        csrf_token=staff.csrf_token,
        status_code=422,
    )
