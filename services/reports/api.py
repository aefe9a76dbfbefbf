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

import uuid
from datetime import UTC, date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.reports.domain import (
    Kpis,
    ReportingPeriod,
    ServiceChange,
    compute_kpis,
    dashboard_charts,
    kpis_to_csv,
    suppress,
    uk_date,
)
from services.reports.handlers import TEMPLATES, read_model_for, working_days_for
from services.reports.settings import ReportsSettings
from services.reports.store import Publications, ServiceChanges
from shared.app import Service, request_now
from shared.auth import Role, StaffUser, staff_auth
from shared.events import Sector

router = APIRouter()

# Roles that may see figures before small-number suppression.
UNSUPPRESSED_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
# Organisation names are free text from the complaint form; this bounds a filter to a sane size.
MAX_ORGANISATION_LENGTH = 200


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


StaffOnly = Annotated[StaffUser, Depends(staff_auth())]
ManagerOnly = Annotated[StaffUser, Depends(staff_auth(Role.MANAGER, Role.ADMIN))]
PeriodFrom = Annotated[
    date | None, Query(alias="from", description="First day (default: first of this month).")
]
PeriodTo = Annotated[date | None, Query(description="Last day, inclusive (default: today).")]
OrganisationFilter = Annotated[str | None, Query(max_length=MAX_ORGANISATION_LENGTH)]
SectorFilter = Annotated[Sector | None, Query()]
Unsuppressed = Annotated[
    bool, Query(description="Managers only: figures before small-number suppression.")
]


def _period(period_from: date | None, period_to: date | None, today: date) -> ReportingPeriod:
    end = period_to or today
    start = period_from or end.replace(day=1)
    if start > end:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail={
                "error": "The request has problems; see fields.",
                "fields": [
                    {"field": "from", "message": "The period must start on or before `to`."}
                ],
            },
        )
    return ReportingPeriod(start, end)


async def _kpis(
    request: Request,
    period_from: date | None,
    period_to: date | None,
    organisation: str | None,
    sector: Sector | None,
) -> Kpis:
    service = _service(request)
    settings = service.settings
    assert isinstance(settings, ReportsSettings)
    today = uk_date(request_now(request))
    period = _period(period_from, period_to, today)
    async with service.db.sessions() as session:
        slice_ = await read_model_for(
            session,
            period,
            organisation=organisation,
            sector=sector.value if sector else None,
        )
    return compute_kpis(
        slice_.cases,
        slice_.responses,
        period_from=period.start,
        period_to=period.end,
        organisation=organisation,
        sector=sector,
        working_days_between=working_days_for(settings),
        today=today,
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


@router.get("/v1/kpis.csv", tags=["kpis"], response_class=Response)
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


@router.get("/dashboard", tags=["kpis"], response_class=HTMLResponse)
async def dashboard(
    request: Request,
    period_from: PeriodFrom = None,
    to: PeriodTo = None,
    organisation: OrganisationFilter = None,
    sector: SectorFilter = None,
) -> HTMLResponse:
    """The published (suppressed) figures with charts; public, see the module docstring."""
    figures = suppress(await _kpis(request, period_from, to, organisation, sector))
    page = TEMPLATES.get_template("dashboard.html").render(
        figures=figures, charts=dashboard_charts(figures)
    )
    return HTMLResponse(page)


@router.get("/v1/reports", tags=["reports"])
async def list_reports(request: Request) -> list[dict[str, str]]:
    """Published reports, newest period first."""
    async with _service(request).db.sessions() as session:
        reports = await Publications(session).listing()
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
    async with _service(request).db.sessions() as session:
        html = await Publications(session).html(report_id)
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
    change = ServiceChange(
        change_id=str(uuid.uuid4()),
        theme=" ".join(body.theme.split()),
        description=body.description.strip(),
        made_on=body.made_on,
    )
    async with _service(request).db.transaction() as session:
        await ServiceChanges(session).add(
            change, recorded_at=request_now(request), recorded_by=user.sub
        )
    return _change_json(change)


@router.get("/v1/service-changes", tags=["reports"])
async def list_service_changes(
    request: Request, _: StaffOnly, period_from: PeriodFrom = None, to: PeriodTo = None
) -> list[dict[str, str]]:
    """Changes made in a period (default: this month so far)."""
    period = _period(period_from, to, uk_date(request_now(request)))
    async with _service(request).db.sessions() as session:
        changes = await ServiceChanges(session).made_between(period.start, period.end)
    return [_change_json(change) for change in changes]
