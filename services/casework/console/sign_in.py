"""Signing in and out (design section 8): `GET/POST /staff/sign-in` with fields `email`,
`password` and the page's CSRF field, the second-factor step, and `POST /staff/sign-out`."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.casework.console.rendering import ConsolePageError, page
from services.casework.console.session import (
    CSRF_FIELD,
    CSRF_REFUSED,
    SESSION_COOKIE,
    Staff,
    accounts_of,
    checked_form,
    text,
)
from services.casework.staff import SignInResult, StaffSession
from shared.app import request_now
from shared.timekeeping import UK_TIME

router = APIRouter(prefix="/staff", include_in_schema=False)

# Before anyone signs in there is no session to hold a CSRF token, so the sign-in form's token is
# an HMAC of a random cookie (the double-submit pattern, OWASP CSRF Prevention Cheat Sheet).
SIGN_IN_COOKIE = "redress_staff_signin"
COOKIE_PATH = "/staff"
SIGN_IN_PATH = "/staff/sign-in"
HOME = "/staff/"
WRONG_DETAILS = "Enter a correct email address and password"


def _secure(request: Request) -> bool:
    return bool(request.app.state.staff_cookie_secure)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name, value, httponly=True, secure=_secure(request), samesite="lax", path=COOKIE_PATH
    )


def _sign_in_token(request: Request, cookie: str) -> str:
    secret = str(request.app.state.service.settings.auth_secret_value).encode()
    return hmac.new(secret, b"staff-sign-in:" + cookie.encode(), hashlib.sha256).hexdigest()


def safe_next(target: str | None) -> str:
    """Only console paths: a sign-in link must not send anyone elsewhere (open redirect)."""
    if target and target.startswith("/staff/") and not target.startswith("//"):
        return target
    return HOME


def _sign_in_page(
    request: Request,
    *,
    errors: list[dict[str, str]] | None = None,
    email: str = "",
    next_path: str = HOME,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    cookie = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = page(
        request,
        "sign_in.html",
        title="Sign in",
        staff=None,
        errors=errors,
        email=email,
        next_path=next_path,
        notice=notice,
        csrf_token=_sign_in_token(request, cookie),
        oidc_enabled=request.app.state.oidc is not None,
        status_code=status_code,
    )
    set_cookie(request, response, SIGN_IN_COOKIE, cookie)
    return response


@router.get("/sign-in")
async def sign_in_page(
    request: Request,
    next_path: Annotated[str | None, Query(alias="next", max_length=300)] = None,
    signed_out: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    notice = "You have signed out." if signed_out else None
    return _sign_in_page(request, next_path=safe_next(next_path), notice=notice)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    cookie = request.cookies.get(SIGN_IN_COOKIE)
    given = form.get(CSRF_FIELD)
    if (
        not cookie
        or not isinstance(given, str)
        or not hmac.compare_digest(given, _sign_in_token(request, cookie))
    ):
        raise ConsolePageError(403, "The form could not be used", CSRF_REFUSED)
    email, password = text(form, "email"), form.get("password")
    password = password if isinstance(password, str) else ""
    next_path = safe_next(text(form, "next"))
    errors = []
    if not email:
        errors.append({"text": "Enter your email address", "href": "#email"})
    if not password:
        errors.append({"text": "Enter your password", "href": "#password"})
    if errors:
        return _sign_in_page(request, errors=errors, email=email, next_path=next_path)
    result = await accounts_of(request).sign_in(email, password, request_now(request))
    return _after_step(request, result, email, next_path)


def _after_step(request: Request, result: SignInResult, email: str, next_path: str) -> Response:
    if result.outcome == "locked":
        until = (
            result.locked_until.astimezone(UK_TIME).strftime("%H:%M") if result.locked_until else ""
        )
        message = (
            "There have been too many attempts to sign in to this account. "
            f"You can try again after {until}."
        )
        return _sign_in_page(
            request,
            errors=[{"text": message, "href": "#email"}],
            email=email,
            next_path=next_path,
        )
    if result.outcome == "refused" or result.session is None:
        return _sign_in_page(
            request,
            errors=[{"text": WRONG_DETAILS, "href": "#email"}],
            email=email,
            next_path=next_path,
        )
    target = (
        f"{SIGN_IN_PATH}/code?{urlencode({'next': next_path})}"
        if result.outcome == "second_factor"
        else next_path
    )
    return signed_in_response(request, result.session, target)


def signed_in_response(request: Request, session: StaffSession, target: str) -> Response:
    """Redirect with the new session's cookie; the sign-in form's cookie is no longer needed."""
    response = RedirectResponse(target, status_code=303)
    assert session.new_id is not None
    set_cookie(request, response, SESSION_COOKIE, session.new_id)
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return response


async def _pending(request: Request) -> StaffSession | None:
    staff = await accounts_of(request).current(
        request.cookies.get(SESSION_COOKIE), request_now(request)
    )
    return staff if staff is not None and staff.awaiting_second_factor else None


@router.get("/sign-in/code")
async def code_page(
    request: Request, next_path: Annotated[str | None, Query(alias="next", max_length=300)] = None
) -> Response:
    staff = await _pending(request)
    if staff is None:
        return RedirectResponse(SIGN_IN_PATH, status_code=303)
    return page(
        request,
        "sign_in_code.html",
        title="Enter the code from your authenticator app",
        staff=staff,
        csrf_token=staff.csrf_token,
        next_path=safe_next(next_path),
    )


@router.post("/sign-in/code")
async def code_posted(request: Request) -> Response:
    staff = await _pending(request)
    if staff is None:
        return RedirectResponse(SIGN_IN_PATH, status_code=303)
    form = await checked_form(request, staff)
    next_path = safe_next(text(form, "next"))
    result = await accounts_of(request).second_factor(
        request.cookies.get(SESSION_COOKIE, ""), text(form, "code"), request_now(request)
    )
    if result.outcome == "signed_in" and result.session is not None:
        return signed_in_response(request, result.session, next_path)
    # A wrong code ends the half-signed-in session: start again with the password.
    errors = [{"text": "The code was not right. Sign in again.", "href": "#email"}]
    response = _sign_in_page(request, errors=errors, email=staff.email or "", next_path=next_path)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, staff: Staff) -> Response:
    await checked_form(request, staff)
    await accounts_of(request).sign_out(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(f"{SIGN_IN_PATH}?signed_out=yes", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response
