"""Template responses (`/staff/templates`): stored texts that start a message or a decision's
summary, which staff edit before sending. Everyone can read them; managers manage them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.casework.console.rendering import ConsolePageError, page
from services.casework.console.session import Staff, checked_form, text
from services.casework.staff import StaffSession
from shared.app import request_now

router = APIRouter(prefix="/staff/templates", include_in_schema=False)

KINDS = {"message": "A message to the complainant", "decision": "A decision's summary"}
MAX_NAME = 100
# A template is a starting point for a message; the message itself is bounded the same way.
MAX_BODY = 10_000


def _managers_only(staff: StaffSession) -> None:
    if not staff.is_manager:
        raise ConsolePageError(403, "You cannot change templates", "Managers manage templates.")


async def _templates_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: list[dict[str, str]] | None = None,
    posted: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.casework.uow.reading() as stores:
        templates = await stores.staff.templates()
    return page(
        request,
        "templates.html",
        title="Template responses",
        staff=staff,
        section="templates",
        errors=errors,
        templates=templates,
        kinds=KINDS,
        posted=posted or {},
        csrf_token=staff.csrf_token,
        status_code=status_code,
    )


@router.get("")
async def templates(request: Request, staff: Staff) -> Response:
    return await _templates_page(request, staff)


@router.post("")
async def save_template(request: Request, staff: Staff) -> Response:
    """Add a template, or replace one (`template_id` given)."""
    _managers_only(staff)
    form = await checked_form(request, staff)
    posted = {k: text(form, k) for k in ("template_id", "kind", "name", "body")}
    errors = []
    if posted["kind"] not in KINDS:
        errors.append({"text": "Choose what the template is for", "href": "#kind"})
    if not posted["name"] or len(posted["name"]) > MAX_NAME:
        errors.append({"text": f"Enter a name of up to {MAX_NAME} characters", "href": "#name"})
    if not posted["body"] or len(posted["body"]) > MAX_BODY:
        errors.append({"text": f"Enter the text, up to {MAX_BODY} characters", "href": "#body"})
    if errors:
        return await _templates_page(request, staff, errors=errors, posted=posted, status_code=422)
    async with request.app.state.casework.uow.transaction() as work:
        await work.stores.staff.put_template(
            posted["template_id"][:36] or str(uuid.uuid4()),
            kind=posted["kind"],
            name=posted["name"],
            body=posted["body"],
            updated_by=staff.name,
            updated_at=request_now(request),
        )
    return RedirectResponse("/staff/templates", status_code=303)


@router.post("/{template_id}/delete")
async def delete_template(template_id: str, request: Request, staff: Staff) -> Response:
    _managers_only(staff)
    await checked_form(request, staff)
    async with request.app.state.casework.uow.transaction() as work:
        await work.stores.staff.delete_template(template_id)
    return RedirectResponse("/staff/templates", status_code=303)
