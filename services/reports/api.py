"""Reports' HTTP routes: KPIs (JSON and CSV) for staff, the dashboard, and published reports.

Who sees what:

- `GET /v1/kpis` and `GET /v1/kpis.csv` need a staff token. They answer the published figures
  (counts under 5 suppressed) unless a manager or admin asks for `?unsuppressed=true`.
- `GET /dashboard` is public and shows only published (suppressed) figures: a browser cannot
  send a bearer token, and a token in a query string ends up in logs and browser history. Staff
  who need unsuppressed figures use the JSON or CSV API.
- `GET /v1/reports` and `GET /reports/{id}`: published reports are public by definition.
- `POST /v1/service-changes` (managers) records a change made to the service against a theme,
  for the learning report's "you said, we did"; `GET /v1/service-changes` lists them for staff.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.reports.changes import ServiceChangeLog
from services.reports.domain import (
    MAX_MONTHS,
    Kpis,
    Publisher,
    ReportingPeriod,
    ServiceChange,
    kpis_to_csv,
    last_months,
    monthly_to_csv,
    months_between,
    suppress,
    uk_date,
)
from services.reports.publishing import Publishing
from shared.app import request_now
from shared.auth import Role, StaffUser, staff_auth
from shared.bounds import QueryDate, bounded_date, field_error
from shared.events import Sector

router = APIRouter()

# Roles that may see figures before small-number suppression.
UNSUPPRESSED_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
# Organisation names are free text from the complaint form; this bounds a filter to a sane size.
MAX_ORGANISATION_LENGTH = 200


def _publishing(request: Request) -> Publishing:
    publishing: Publishing = request.app.state.publishing
    return publishing


def _changes(request: Request) -> ServiceChangeLog:
    changes: ServiceChangeLog = request.app.state.service_changes
    return changes


class CsvResponse(Response):
    """A CSV download; as a class so the OpenAPI document says `text/csv`."""

    media_type = "text/csv"


StaffOnly = Annotated[StaffUser, Depends(staff_auth())]
ManagerOnly = Annotated[StaffUser, Depends(staff_auth(Role.MANAGER, Role.ADMIN))]
PeriodFrom = Annotated[
    QueryDate | None, Query(alias="from", description="First day (default: first of this month).")
]
PeriodTo = Annotated[QueryDate | None, Query(description="Last day, inclusive (default: today).")]
OrganisationFilter = Annotated[str | None, Query(max_length=MAX_ORGANISATION_LENGTH)]
SectorFilter = Annotated[Sector | None, Query()]
Unsuppressed = Annotated[
    bool, Query(description="Managers only: figures before small-number suppression.")
]


def _period(period_from: date | None, period_to: date | None, today: date) -> ReportingPeriod:
    period_from = bounded_date("from", period_from)
    end = bounded_date("to", period_to) or today
    start = period_from or end.replace(day=1)
    if start > end:
        raise field_error("from", "The period must start on or before `to`.")
    return ReportingPeriod(start, end)


def _months(period_from: date | None, period_to: date | None, today: date) -> ReportingPeriod:
    """The monthly period: by default the last 12 months, this one so far."""
    if period_from is None:
        end = bounded_date("to", period_to) or today
        return last_months(end)
    period = _period(period_from, period_to, today)
    if len(months_between(period.start, period.end)) > MAX_MONTHS:
        raise field_error("from", f"Ask for at most {MAX_MONTHS} months at a time.")
    return period


async def _kpis(
    request: Request,
    period_from: date | None,
    period_to: date | None,
    organisation: str | None,
    sector: Sector | None,
) -> Kpis:
    today = uk_date(request_now(request))
    period = _period(period_from, period_to, today)
    return await _publishing(request).kpis(
        period, organisation=organisation, sector=sector, today=today
    )


def _figures(kpis: Kpis, user: StaffUser, unsuppressed: bool) -> dict[str, object]:
    if not unsuppressed:
        return suppress(kpis)
    if user.role not in UNSUPPRESSED_ROLES:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Unsuppressed figures need the role manager or admin.",
        )
    return kpis.as_json()


@router.get("/v1/kpis", tags=["kpis"])
async def get_kpis(
    request: Request,
    user: StaffOnly,
    period_from: PeriodFrom = None,
    to: PeriodTo = None,
    organisation: OrganisationFilter = None,
    sector: SectorFilter = None,
    unsuppressed: Unsuppressed = False,
) -> dict[str, object]:
    """Key performance indicators for a period (docs/design.md §5)."""
    kpis = await _kpis(request, period_from, to, organisation, sector)
    return _figures(kpis, user, unsuppressed)


@router.get("/v1/kpis.csv", tags=["kpis"], response_class=CsvResponse)
async def get_kpis_csv(
    request: Request,
    user: StaffOnly,
    period_from: PeriodFrom = None,
    to: PeriodTo = None,
    organisation: OrganisationFilter = None,
    sector: SectorFilter = None,
    unsuppressed: Unsuppressed = False,
) -> Response:
    """The same figures as `/v1/kpis`, one `metric,value` row each."""
    kpis = await _kpis(request, period_from, to, organisation, sector)
    figures = _figures(kpis, user, unsuppressed)
    filename = f"kpis-{kpis.period.start}-{kpis.period.end}.csv"
    return Response(
        kpis_to_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _monthly(
    request: Request,
    user: StaffUser,
    period_from: date | None,
    period_to: date | None,
    unsuppressed: bool,
) -> tuple[ReportingPeriod, list[dict[str, object]]]:
    if unsuppressed and user.role not in UNSUPPRESSED_ROLES:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Unsuppressed figures need the role manager or admin.",
        )
    today = uk_date(request_now(request))
    period = _months(period_from, period_to, today)
    # A threshold of 1 suppresses nothing: no count is from 1 to 0.
    publisher = Publisher(1) if unsuppressed else Publisher()
    return period, await _publishing(request).monthly(period, today=today, publisher=publisher)


@router.get("/v1/kpis/monthly", tags=["kpis"])
async def get_monthly_kpis(
    request: Request,
    user: StaffOnly,
    period_from: PeriodFrom = None,
    to: PeriodTo = None,
    unsuppressed: Unsuppressed = False,
) -> dict[str, object]:
    """The headline figures for each UK calendar month (default: the last 12 months)."""
    period, months = await _monthly(request, user, period_from, to, unsuppressed)
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "months": months,
    }


@router.get("/v1/kpis/monthly.csv", tags=["kpis"], response_class=CsvResponse)
async def get_monthly_kpis_csv(
    request: Request,
    user: StaffOnly,
    period_from: PeriodFrom = None,
    to: PeriodTo = None,
    unsuppressed: Unsuppressed = False,
) -> Response:
    """The same monthly figures, one row per month."""
    period, months = await _monthly(request, user, period_from, to, unsuppressed)
    filename = f"kpis-monthly-{period.start}-{period.end}.csv"
    return Response(
        monthly_to_csv(months),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/dashboard", tags=["kpis"], response_class=HTMLResponse)
async def dashboard(
    request: Request,
    period_from: PeriodFrom = None,
    to: PeriodTo = None,
    organisation: OrganisationFilter = None,
    sector: SectorFilter = None,
) -> HTMLResponse:
    """The published (suppressed) figures with charts; public, see the module docstring."""
    today = uk_date(request_now(request))
    period = _period(period_from, to, today)
    page = await _publishing(request).dashboard_page(
        period, organisation=organisation, sector=sector, today=today
    )
    return HTMLResponse(page)


@router.get("/v1/reports", tags=["reports"])
async def list_reports(request: Request) -> list[dict[str, str]]:
    """Published reports, newest period first."""
    reports = await _publishing(request).reports()
    return [
        {
            "report_id": report.report_id,
            "kind": report.kind,
            "title": report.title,
            "period_from": report.period_from.isoformat(),
            "period_to": report.period_to.isoformat(),
            "published_at": report.published_at.astimezone(UTC).isoformat(),
            "url": f"/reports/{report.report_id}",
        }
        for report in reports
    ]


@router.get("/reports/{report_id}", tags=["reports"], response_class=HTMLResponse)
async def get_report(request: Request, report_id: str) -> HTMLResponse:
    """A published report, exactly as it was published."""
    html = await _publishing(request).report_html(report_id)
    if html is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no report with this id.")
    return HTMLResponse(html)


# Bounds on what staff type: a theme is a short tag, a description a sentence or a paragraph.
THEME_MAX_CHARS = 100
DESCRIPTION_MAX_CHARS = 2000


class NewServiceChange(BaseModel):
    theme: str = Field(
        min_length=1,
        max_length=THEME_MAX_CHARS,
        description="A complaint theme as tagged on cases, or a survey question id "
        "(e.g. kept_up_to_date).",
    )
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX_CHARS)
    made_on: date


def _change_json(change: ServiceChange) -> dict[str, str]:
    return {
        "id": change.change_id,
        "theme": change.theme,
        "description": change.description,
        "made_on": change.made_on.isoformat(),
    }


@router.post("/v1/service-changes", tags=["reports"], status_code=201)
async def record_service_change(
    request: Request, body: NewServiceChange, user: ManagerOnly
) -> dict[str, str]:
    """Record what was changed about a theme ("we did"); shown in the learning report of the
    month the change was made."""
    change = await _changes(request).record(
        theme=body.theme,
        description=body.description,
        made_on=body.made_on,
        at=request_now(request),
        by=user.sub,
    )
    return _change_json(change)


@router.get("/v1/service-changes", tags=["reports"])
async def list_service_changes(
    request: Request, _: StaffOnly, period_from: PeriodFrom = None, to: PeriodTo = None
) -> list[dict[str, str]]:
    """Changes made in a period (default: this month so far)."""
    period = _period(period_from, to, uk_date(request_now(request)))
    changes = await _changes(request).made_in(period)
    return [_change_json(change) for change in changes]
