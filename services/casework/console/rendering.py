"""The console's Jinja environment (sandboxed, autoescaped) with the GOV.UK Frontend macros from
govuk-frontend-jinja, and the page and error helpers every console route uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from services.casework.staff import StaffSession
from shared.timekeeping import UK_TIME

HERE = Path(__file__).resolve().parent
SERVICE_NAME = "Redress staff"
ASSET_PATH = "/staff/assets"

TEMPLATES = SandboxedEnvironment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(HERE / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def uk_datetime(value: datetime | None) -> str:
    """'2 December 2026, 4:05pm' in UK time (GOV.UK style for dates and times)."""
    if value is None:
        return ""
    local = value.astimezone(UK_TIME)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def uk_day(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%B %Y}"


def words(value: str | None) -> str:
    """An enum value as words: 'draft_decision' -> 'Draft decision'."""
    return "" if not value else str(value).replace("_", " ").capitalize()


TEMPLATES.filters.update(uk_datetime=uk_datetime, uk_day=uk_day, words=words)


@dataclass(frozen=True)
class NavItem:
    """One entry of the primary navigation; `managers` entries are shown to managers only."""

    key: str
    text: str
    href: str
    managers: bool = False


# The console's sections: each is one entry here and one route module in this package.
NAVIGATION = (
    NavItem("mine", "My cases", "/staff/"),
    NavItem("all", "All cases", "/staff/all", managers=True),
    NavItem("workload", "Workload", "/staff/workload", managers=True),
    NavItem("roster", "Roster", "/staff/roster", managers=True),
    NavItem("templates", "Template responses", "/staff/templates"),
    NavItem("enquiries", "Needs a person", "/staff/enquiries"),
    NavItem("new_complaint", "New complaint", "/staff/complaints/new"),
)


def navigation(staff: StaffSession | None, current: str) -> list[dict[str, Any]]:
    if staff is None or staff.awaiting_second_factor:
        return []
    return [
        {"text": item.text, "href": item.href, "active": item.key == current}
        for item in NAVIGATION
        if staff.is_manager or not item.managers
    ]


def page(
    request: Request,
    template: str,
    *,
    title: str,
    staff: StaffSession | None,
    section: str = "",
    status_code: int = 200,
    errors: list[dict[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A console page. `title` is where you are; the error prefix tells screen-reader users at
    once that the form needs attention (GOV.UK error summary pattern)."""
    full_title = f"{'Error: ' if errors else ''}{title} - {SERVICE_NAME}"
    html = TEMPLATES.get_template(template).render(
        page_title=full_title,
        heading=title,
        staff=staff,
        nav=navigation(staff, section),
        errors=errors or [],
        asset_path=ASSET_PATH,
        reports_url=getattr(request.app.state, "reports_public_url", ""),
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


# Console pages show personal data: browsers and proxies must not keep copies.
NO_STORE = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class ConsolePageError(Exception):
    """Ends a console request with an HTML page: 403 (role, CSRF), 404, 409 and the like."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message


class SignInRequiredError(Exception):
    """No (valid) session: the browser is sent to the sign-in page."""
