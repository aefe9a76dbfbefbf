"""Managers' pages: workload by caseworker with reassignment of one or many cases (a no-JS bulk
form), and the roster (add a caseworker, change skills, deactivate)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic_core import PydanticCustomError

from services.casework import case_queries
from services.casework.case_queries import WorkListFilter
from services.casework.cases import CaseNotFoundError, Casework
from services.casework.console.rendering import page
from services.casework.console.session import Manager, checked_form, text
from services.casework.console.worklists import describe_rows
from services.casework.domain import ActionNotAllowed, Actor, Assign, DomainRuleBroken
from services.casework.staff import AccountError, StaffSession
from services.casework.store import StaleCaseError
from shared.app import request_now
from shared.events import Sector
from shared.text import single_line
from shared.timekeeping import uk_date
from shared.working_days import add_working_days

router = APIRouter(prefix="/staff", include_in_schema=False)

# Cases one bulk reassignment may move (a page of the work list).
MAX_BULK = case_queries.PAGE_SIZE
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
SECTOR_WORDS = {s.value: s.value.capitalize() for s in Sector}


async def _workload_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: list[dict[str, str]] | None = None,
    moved: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    casework: Casework = request.app.state.casework
    today = uk_date(request_now(request))
    owner = request.query_params.get("caseworker", "")[:64] or None
    async with casework.uow.reading() as stores:
        roster = await stores.cases.roster()
        load = await stores.lists.workload(today)
        found = await stores.lists.page(
            WorkListFilter(caseworker_id=owner),
            today=today,
            soon=add_working_days(today, 5, casework.rules.nation),
            page=1,
        )
    people = [{**p, **load.get(p["caseworker_id"], {"open": 0, "overdue": 0})} for p in roster]
    return page(
        request,
        "workload.html",
        title="Workload",
        staff=staff,
        section="workload",
        errors=errors,
        people=people,
        rows=describe_rows(found.rows, today, casework.rules.nation),
        owner=owner,
        moved=moved or [],
        csrf_token=staff.csrf_token,
        status_code=status_code,
    )


@router.get("/workload")
async def workload(request: Request, staff: Manager) -> Response:
    return await _workload_page(request, staff)


@router.post("/reassign")
async def reassign(request: Request, staff: Manager) -> Response:
    """Reassign the ticked cases to one caseworker; each case is its own `assign` action, so a
    case the domain refuses (closed, say) is reported and the others still move."""
    form = await checked_form(request, staff)
    references = [r for r in form.getlist("references") if isinstance(r, str)][:MAX_BULK]
    target = text(form, "caseworker_id")
    casework: Casework = request.app.state.casework
    async with casework.uow.reading() as stores:
        roster = {p["caseworker_id"]: p for p in await stores.cases.roster()}
    errors = []
    if not references:
        errors.append({"text": "Select at least one case to reassign", "href": "#references"})
    if target not in roster or not roster[target]["active"]:
        errors.append({"text": "Choose who to reassign the cases to", "href": "#caseworker_id"})
    if errors:
        return await _workload_page(request, staff, errors=errors, status_code=422)
    command = Assign(caseworker_id=target, caseworker_name=roster[target]["name"])
    actor = Actor(id=staff.account_id, name=staff.name, role=staff.role)
    moved = []
    for reference in references:
        try:
            await casework.act(reference, command, actor, request_now(request))
            moved.append(reference)
        except (CaseNotFoundError, ActionNotAllowed, DomainRuleBroken, StaleCaseError) as why:
            errors.append(
                {"text": f"{reference} was not reassigned: {_why(why)}", "href": "#cases"}
            )
    return await _workload_page(
        request, staff, errors=errors, moved=moved, status_code=409 if errors else 200
    )


def _why(error: Exception) -> str:
    if isinstance(error, CaseNotFoundError):
        return "there is no such case"
    if isinstance(error, ActionNotAllowed):
        return f"cases at the {str(error.stage).replace('_', ' ')} stage cannot be reassigned"
    if isinstance(error, StaleCaseError):
        return "it changed at the same moment; try again"
    return str(error)


# ----------------------------------------------------------------------------- roster


async def _roster_page(
    request: Request,
    staff: StaffSession,
    *,
    errors: list[dict[str, str]] | None = None,
    posted: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.casework.uow.reading() as stores:
        accounts = await stores.staff.accounts()
    return page(
        request,
        "roster.html",
        title="Roster",
        staff=staff,
        section="roster",
        errors=errors,
        accounts=accounts,
        sectors=SECTOR_WORDS,
        posted=posted or {},
        csrf_token=staff.csrf_token,
        status_code=status_code,
    )


@router.get("/roster")
async def roster(request: Request, staff: Manager) -> Response:
    return await _roster_page(request, staff)


def _usable_name(name: str) -> bool:
    """The API's rule for a name (shared/text.py): one line, no hidden or control characters."""
    try:
        single_line(name)
    except PydanticCustomError:
        return False
    return True


@router.post("/roster")
async def add_to_roster(request: Request, staff: Manager) -> Response:
    form = await checked_form(request, staff)
    posted = {k: text(form, k) for k in ("name", "email", "role")}
    skills = [s for s in form.getlist("skills") if isinstance(s, str) and s in SECTOR_WORDS]
    errors = []
    if not posted["name"] or not _usable_name(posted["name"]):
        errors.append({"text": "Enter the person's name", "href": "#name"})
    if posted["email"] and "@" not in posted["email"]:
        errors.append({"text": "Enter an email address like name@example.org", "href": "#email"})
    role = posted["role"] or "caseworker"
    if role not in ("caseworker", "manager") and not (role == "admin" and staff.role == "admin"):
        errors.append({"text": "Choose a role", "href": "#role"})
    if role == "caseworker" and not skills:
        errors.append({"text": "Choose at least one sector they work on", "href": "#skills"})
    if not errors:
        try:
            await request.app.state.staff_accounts.add(
                email=posted["email"] or None,
                name=posted["name"],
                role=role,
                skills=skills,
                password=None,
                now=request_now(request),
            )
        except AccountError as error:
            errors.append({"text": str(error).capitalize(), "href": "#email"})
    if errors:
        return await _roster_page(request, staff, errors=errors, posted=posted, status_code=422)
    return RedirectResponse("/staff/roster", status_code=303)


@router.post("/roster/{account_id}")
async def change_member(account_id: str, request: Request, staff: Manager) -> Response:
    """Change skills and whether the person is active (deactivating ends their sessions)."""
    form = await checked_form(request, staff)
    if not ACCOUNT_ID.fullmatch(account_id):
        return RedirectResponse("/staff/roster", status_code=303)
    skills = [s for s in form.getlist("skills") if isinstance(s, str) and s in SECTOR_WORDS]
    accounts = request.app.state.staff_accounts
    if skills:
        async with accounts.uow.transaction() as work:
            await work.stores.staff.change_account(account_id, skills=skills)
    await accounts.set_active(account_id, text(form, "active") == "yes")
    return RedirectResponse("/staff/roster", status_code=303)
