"""The staff console (issue 10): server-rendered pages under `/staff/` on GOV.UK Frontend and
MoJ Frontend, one small route module per feature."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from services.casework.console import (
    account,
    assets,
    case_page,
    enquiries,
    managers,
    new_complaint,
    oidc,
    responses,
    sign_in,
    worklists,
)
from services.casework.console.rendering import ConsolePageError, SignInRequiredError, page
from services.casework.console.session import accounts_of
from shared.app import request_now

ROUTERS: tuple[APIRouter, ...] = (
    assets.router,
    sign_in.router,
    worklists.router,
    case_page.router,
    managers.router,
    enquiries.router,
    new_complaint.router,
    responses.router,
    account.router,
    oidc.router,
)


def install(app: FastAPI) -> None:
    """The console's routes and its two page-level errors."""
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(SignInRequiredError)
    async def to_sign_in(request: Request, _: SignInRequiredError) -> Response:
        target = request.url.path if request.method == "GET" else "/staff/"
        return RedirectResponse(f"{sign_in.SIGN_IN_PATH}?next={target}", status_code=303)

    @app.exception_handler(ConsolePageError)
    async def console_error(request: Request, error: ConsolePageError) -> Response:
        staff = await accounts_of(request).current(
            request.cookies.get("redress_staff_session"), request_now(request)
        )
        return page(
            request,
            "error.html",
            title=error.title,
            staff=staff if staff and not staff.awaiting_second_factor else None,
            message=error.message,
            status_code=error.status_code,
        )
