"""The work lists: "My cases" (`GET /staff/`), "All cases" for managers (`GET /staff/all`), the
search by reference (`GET /staff/?q=<reference>`) and by complainant name or email (`POST
/staff/search`, so a name never appears in a URL or an access log), and saved views."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.casework import case_queries
from services.casework.case_queries import WorkListFilter
from services.casework.console.rendering import page
from services.casework.console.session import Staff, checked_form, text
from services.casework.domain import is_overdue
from services.casework.staff import StaffSession
from services.casework.stores import CaseworkStores
from shared.app import request_now
from shared.events import Sector, Stage
from shared.settings import Nation
from shared.timekeeping import uk_date
from shared.working_days import add_working_days, working_days_between

router = APIRouter(prefix="/staff", include_in_schema=False)

# "Due soon" in the work lists: within 5 working days (issue 10 item 4).
DUE_SOON_WORKING_DAYS = 5
# Pages a list can be paged to; beyond that, filter instead.
MAX_PAGE = 10_000
# How many organisations and themes the filter lists offer.
FILTER_CHOICES = 200
FILTER_KEYS = ("stage", "caseworker", "organisation", "sector", "theme", "deadline", "paused")
# A case reference as intake makes them (RDR-2026-7K3M9Q); anything else is a name or email.
LOOKS_LIKE_REFERENCE = re.compile(r"^[A-Za-z]{2,6}-\d{4}-[A-Za-z0-9]{4,12}$")
MAX_QUERY = 320


def _filters(query: dict[str, str], *, all_cases: bool) -> tuple[dict[str, str], list[str]]:
    """The filters a list was asked for, keeping only values it knows; problems in words."""
    chosen: dict[str, str] = {}
    problems = []
    allowed = {
        "stage": {s.value for s in Stage},
        "sector": {s.value for s in Sector},
        "deadline": {"overdue", "due_soon"},
        "paused": {"yes", "no"},
    }
    for key in FILTER_KEYS:
        value = query.get(key, "").strip()
        if not value or (key == "caseworker" and not all_cases):
            continue
        if key in allowed and value not in allowed[key]:
            problems.append(f"There is no {key} called '{value[:40]}'; that filter was left out.")
        elif len(value) > 200:
            problems.append(f"The {key} filter was too long and was left out.")
        else:
            chosen[key] = value
    return chosen, problems


def _page_number(raw: str | None) -> int:
    # ASCII digits only, and no longer than MAX_PAGE's: int() refuses strings over 4,300 digits
    # (a 500), and str.isdigit() also passes other scripts' digits and superscripts.
    if not raw or not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(int(raw), MAX_PAGE) or 1


def _work_filter(chosen: dict[str, str], staff: StaffSession, all_cases: bool) -> WorkListFilter:
    paused = {"yes": True, "no": False}.get(chosen.get("paused", ""))
    deadline = chosen.get("deadline")
    return WorkListFilter(
        caseworker_id=chosen.get("caseworker") if all_cases else staff.account_id,
        stage=chosen.get("stage"),
        organisation=chosen.get("organisation"),
        sector=chosen.get("sector"),
        theme=chosen.get("theme"),
        deadline="overdue" if deadline == "overdue" else "due_soon" if deadline else None,
        paused=paused,
    )


def describe_rows(rows: list[dict[str, Any]], today: date, nation: Nation) -> list[dict[str, Any]]:
    for row in rows:
        due = row["work_deadline_on"]
        row["overdue"] = is_overdue(due, today)
        if due is None:
            row["days_text"] = ""
        elif row["overdue"]:
            late = working_days_between(due, today, nation)
            row["days_text"] = f"Overdue by {late} working day{'s' if late != 1 else ''}"
        else:
            left = working_days_between(today, due, nation)
            row["days_text"] = f"{left} working day{'s' if left != 1 else ''} left"
    return rows


async def _list_page(
    request: Request,
    staff: StaffSession,
    *,
    all_cases: bool,
    wanted: WorkListFilter | None = None,
    searched: str = "",
    chosen: dict[str, str] | None = None,
    problems: list[str] | None = None,
) -> Response:
    casework = request.app.state.casework
    today = uk_date(request_now(request))
    nation = casework.rules.nation
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS, nation)
    chosen = chosen or {}
    wanted = wanted or _work_filter(chosen, staff, all_cases)
    sort = request.query_params.get("sort", "deadline")
    sort = sort if sort in ("deadline", "opened", "reference") else "deadline"
    async with casework.uow.reading() as stores:
        found = await stores.lists.page(
            wanted,
            today=today,
            soon=soon,
            page=_page_number(request.query_params.get("page")),
            sort=sort,
        )
        choices = await _choices(stores, staff)
    base = "/staff/all" if all_cases else "/staff/"
    return page(
        request,
        "worklist.html",
        title="All cases" if all_cases else ("Search results" if searched else "My cases"),
        staff=staff,
        section="all" if all_cases else "mine",
        found=found,
        rows=describe_rows(found.rows, today, nation),
        chosen=chosen,
        problems=problems or [],
        searched=searched,
        all_cases=all_cases,
        base=base,
        query_for=lambda **change: _query(base, {**chosen, "sort": sort, **change}),
        stages=[s.value for s in Stage],
        sectors=[s.value for s in Sector],
        **choices,
        csrf_token=staff.csrf_token,
    )


async def _choices(stores: CaseworkStores, staff: StaffSession) -> dict[str, Any]:
    """What the filters offer, and the person's saved views as links."""
    views = await stores.staff.saved_views(staff.account_id)
    return {
        "organisations": await stores.lists.organisations(FILTER_CHOICES),
        "themes": await stores.lists.themes(FILTER_CHOICES),
        "roster": await stores.cases.roster(),
        "views": [
            {**v, "href": _query(v["filters"].pop("_list", "/staff/"), v["filters"])} for v in views
        ],
    }


def _query(base: str, values: dict[str, Any]) -> str:
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return f"{base}?{urlencode(kept)}" if kept else base


@router.get("/")
async def my_cases(request: Request, staff: Staff) -> Response:
    reference = request.query_params.get("q", "").strip()[:MAX_QUERY]
    if reference:
        return await _list_page(
            request,
            staff,
            all_cases=False,
            wanted=WorkListFilter(reference=reference.upper()),
            searched=reference.upper(),
        )
    chosen, problems = _filters(dict(request.query_params), all_cases=False)
    return await _list_page(request, staff, all_cases=False, chosen=chosen, problems=problems)


@router.get("/all")
async def all_cases(request: Request, staff: Staff) -> Response:
    if not staff.is_manager:
        return page(
            request,
            "error.html",
            title="You cannot see this page",
            staff=staff,
            message="All cases is for managers. Your own cases are under My cases.",
            status_code=403,
        )
    chosen, problems = _filters(dict(request.query_params), all_cases=True)
    return await _list_page(request, staff, all_cases=True, chosen=chosen, problems=problems)


@router.post("/search")
async def search(request: Request, staff: Staff) -> Response:
    """A reference goes to the list's URL; a name or an email is looked up by its keyed digest
    and answered here, so it never appears in a URL, a log or the browser's history."""
    form = await checked_form(request, staff)
    query = text(form, "q")[:MAX_QUERY]
    if not query:
        return RedirectResponse("/staff/", status_code=303)
    if LOOKS_LIKE_REFERENCE.fullmatch(query):
        return RedirectResponse(_query("/staff/", {"q": query.upper()}), status_code=303)
    cipher = request.app.state.cipher
    wanted = case_queries.search_filter(cipher, query)
    return await _list_page(
        request, staff, all_cases=False, wanted=wanted, searched="the name or email you gave"
    )


@router.post("/views")
async def save_view(request: Request, staff: Staff) -> Response:
    form = await checked_form(request, staff)
    all_list = text(form, "list") == "all" and staff.is_manager
    chosen, _ = _filters({k: text(form, k) for k in FILTER_KEYS}, all_cases=all_list)
    name = text(form, "name")[:100] or "My view"
    async with request.app.state.casework.uow.transaction() as work:
        await work.stores.staff.add_saved_view(
            view_id=str(uuid.uuid4()),
            account_id=staff.account_id,
            name=name,
            filters={**chosen, "_list": "/staff/all" if all_list else "/staff/"},
            created_at=request_now(request),
        )
    return RedirectResponse(_query("/staff/all" if all_list else "/staff/", chosen), 303)


@router.post("/views/{view_id}/delete")
async def delete_view(view_id: str, request: Request, staff: Staff) -> Response:
    await checked_form(request, staff)
    async with request.app.state.casework.uow.transaction() as work:
        await work.stores.staff.delete_saved_view(staff.account_id, view_id)
    return RedirectResponse("/staff/", status_code=303)
