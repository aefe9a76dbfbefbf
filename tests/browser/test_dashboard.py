"""The reports dashboard in headless Chromium (issue 6): with enough cases and survey answers
for figures to be published (counts under 5 are suppressed), its SVG charts draw bars that
match the tables beside them, a screenshot is kept, and axe-core finds no serious or critical
violation."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from shared.auth import Role
from shared.timekeeping import uk_date, utc_now
from tests.browser.kit import Recorder, link_in
from tests.e2e.suite import Suite
from tests.kit.mail import text_of
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

HTTP_TIMEOUT_SECONDS = 10.0
# Invitations wait FEEDBACK_INVITE_DELAY_DAYS (0 in the suite), a scheduler tick and two Kafka
# hops; a fresh suite on a long-lived broker first works through the topics' backlog.
INVITATION_TIMEOUT_SECONDS = 120.0
# Published figures show counts from 1 to 4 as 'fewer than 5' (small-number suppression,
# docs/reference/domain-rules.md §5): five resolved cases and five answers are the fewest that draw
# real bars.
PUBLISHED_MINIMUM = 5
STILL_IN_ASSESSMENT = 1
# The answers each respondent gives (question id -> score); 4 and 5 count as agreeing.
SURVEY_ANSWERS = {"listened_to": 5, "kept_up_to_date": 4, "messages_clear": 2}
# The complainants' charts (the dashboard may carry more, such as organisations' answers).
CHART_TITLES = ("Cases by stage", "Outcomes of cases closed", "Satisfaction: % agreeing")
# The monthly trends (services/reports/domain/charts.py TRENDS).
TREND_TITLES = (
    "Complaints received each month",
    "Cases closed each month",
    "Acknowledged within target (%)",
    "Uphold rate of investigated cases (%)",
    "Complainants agreeing in our survey (%)",
)


def a_complaint(organisation: str, email: str) -> dict[str, Any]:
    return {
        "complainant": {"name": "Alex Jones", "email": email, "preferred_contact": "email"},
        "organisation": {"name": organisation, "sector": "parliamentary"},
        "summary": "The office took eleven months to answer my benefit appeal letter.",
        "desired_outcome": "An apology and an answer to my appeal.",
        "first_aware_on": "2026-09-01",
        "complained_to_organisation_on": "2026-09-05",
        "organisation_response_on": "2026-10-01",
        "mp_referral": True,
    }


def chart_named(page: Page, title: str) -> Locator:
    """A chart by its accessible name: its <title>, then its <desc> (aria-labelledby)."""
    return page.get_by_role("img", name=re.compile(rf"^{re.escape(title)}\b"))


def open_cases(
    suite: Suite, client: httpx.Client, organisation: str, count: int
) -> list[tuple[str, str]]:
    """Submits `count` complaints; answers (reference, email) once each case is open."""
    opened: list[tuple[str, str]] = []
    for _ in range(count):
        email = f"alex.{uuid.uuid4().hex[:8]}@example.org"
        answer = client.post(
            f"{suite.url('intake')}/v1/complaints", json=a_complaint(organisation, email)
        )
        assert answer.status_code == 201, answer.text
        opened.append((answer.json()["reference"], email))
    staff = suite.staff_headers(Role.MANAGER)

    def is_open(reference: str) -> bool:
        url = f"{suite.url('casework')}/v1/cases/{reference}"
        return client.get(url, headers=staff).status_code == 200

    for reference, _ in opened:
        eventually(lambda: is_open(reference), f"case {reference} to open")  # noqa: B023
    return opened


def bars_drawn(chart: Locator) -> int:
    """How many of the chart's bars have a width above zero."""
    widths: list[str] = chart.locator("rect").evaluate_all(
        "bars => bars.map(bar => bar.getAttribute('width'))"
    )
    return sum(float(width) > 0 for width in widths)


def survey_tokens(suite: Suite, emails: Sequence[str]) -> list[str]:
    """The survey token from each person's invitation email, once all of them have arrived."""

    def all_invited() -> list[str] | None:
        invitations = [suite.mail_to(email, "how we did") for email in emails]
        if not all(invitations):
            return None
        links = [link_in(text_of(mail), "/survey/") for mail in invitations if mail]
        return [link.rstrip("/").rsplit("/", 1)[1] for link in links]

    return eventually(all_invited, "the survey invitations", timeout=INVITATION_TIMEOUT_SECONDS)


def test_dashboard_charts_and_accessibility(suite: Suite, page: Page, recorder: Recorder) -> None:
    client = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)
    staff = suite.staff_headers(Role.MANAGER)
    # The broker is shared with other tests: every figure is for this test's own organisation,
    # which it adds to the directory first (public events name only directory entries).
    organisation = f"Department for Appeals {uuid.uuid4().hex[:6]}"
    listed = suite.list_organisation(
        f"org-appeals-{uuid.uuid4().hex[:8]}", organisation, "parliamentary"
    )
    assert listed.status_code == 201, listed.text
    cases = open_cases(suite, client, organisation, PUBLISHED_MINIMUM + STILL_IN_ASSESSMENT)
    resolved = cases[:PUBLISHED_MINIMUM]
    for reference, _ in resolved:
        response = client.post(
            f"{suite.url('casework')}/v1/cases/{reference}/actions",
            json={"action": "resolve_early"},
            headers=staff,
        )
        assert response.status_code == 200, response.text
    for token in survey_tokens(suite, [email for _, email in resolved]):
        answered = client.post(
            f"{suite.url('feedback')}/v1/surveys/{token}", json={"answers": SURVEY_ANSWERS}
        )
        assert answered.status_code == 201, answered.text

    today = uk_date(utc_now())
    period = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()}
    ours = {**period, "organisation": organisation}
    last_seen: list[dict[str, Any]] = []

    def kpis(params: dict[str, str]) -> dict[str, Any]:
        url = f"{suite.url('reports')}/v1/kpis"
        unsuppressed = {**params, "unsuppressed": "true"}  # staff see counts under 5 too
        response = client.get(url, params=unsuppressed, headers=staff)
        # Any answer but 200 is a defect to name, not a figure to wait for.
        assert response.status_code == 200, f"{response.status_code}: {response.text}"
        figures: dict[str, Any] = response.json()
        last_seen[:] = [figures]
        return figures

    def our_cases_counted() -> bool:
        figures = kpis(ours)
        return bool(
            figures["complaints_received"] == len(cases)
            and figures["outcomes"]["resolved_early"] == PUBLISHED_MINIMUM
        )

    def answers_counted() -> bool:
        # Answers carry no organisation (issue 6, anonymity): they count only in the totals,
        # which also hold whatever other tests on the shared broker did meanwhile.
        return bool(kpis(period)["satisfaction"]["responses"] >= PUBLISHED_MINIMUM)

    try:
        eventually(our_cases_counted, "reports to count this test's cases")
        eventually(answers_counted, "reports to count the survey answers")
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; the last figures: {last_seen}") from None

    # The dashboard for this test's organisation: exact figures, in charts and tables.
    page.goto(f"{suite.url('reports')}/dashboard?{urlencode(ours)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints dashboard")
    assert page.locator(".chart svg").count() >= len(CHART_TITLES)
    outcomes = chart_named(page, "Outcomes of cases closed")
    expect(outcomes.locator("desc")).to_contain_text(f"resolved early: {PUBLISHED_MINIMUM}")
    assert bars_drawn(outcomes) == 1
    stages = chart_named(page, "Cases by stage")
    expect(stages.locator("desc")).to_contain_text(f"closed: {PUBLISHED_MINIMUM}")
    expect(stages.locator("desc")).to_contain_text("assessment: fewer than 5")
    assert bars_drawn(stages) == 1  # a suppressed count draws no bar
    expect(chart_named(page, "Satisfaction: % agreeing").locator("desc")).to_have_text("No data")
    headline = page.get_by_role("table", name="Headline figures")
    expect(headline.get_by_role("row", name="Complaints received")).to_contain_text(str(len(cases)))
    expect(
        page.get_by_text("satisfaction is not reported for a single organisation")
    ).to_be_visible()
    recorder.screenshot(page, "dashboard-1-organisation")
    recorder.accessible(page, "dashboard-1-organisation")

    # The whole period: the complainants' charts all draw bars, satisfaction included.
    page.goto(f"{suite.url('reports')}/dashboard?{urlencode(period)}")
    for title in CHART_TITLES:
        chart = chart_named(page, title)
        expect(chart).to_be_visible()
        assert bars_drawn(chart) >= 1, f"{title}: no bar drawn"
    satisfaction = chart_named(page, "Satisfaction: % agreeing")
    for question in SURVEY_ANSWERS:
        expect(satisfaction.locator("desc")).to_contain_text(question.replace("_", " ") + ": ")
    recorder.screenshot(page, "dashboard-2-all")
    recorder.accessible(page, "dashboard-2-all")
    check_monthly_trends(page, today)
    recorder.accessible(page, "dashboard-3-trend-tables")


def check_monthly_trends(page: Page, today: date) -> None:
    """Twelve months of trends, each chart named and followed by its table (in a details
    element, opened from the keyboard); this month has at
    least this test's cases, so its point is drawn and its number is in the table."""
    month = today.strftime("%Y-%m")
    label = f"{today.strftime('%b')} {today.year}"
    for title in TREND_TITLES:
        # Named by its <title> then its <desc>; a title may end in ")", so no \b here.
        chart = page.get_by_role("img", name=re.compile(rf"^{re.escape(title)}"))
        expect(chart).to_be_visible()
        # Each table is behind its own summary, opened here with the keyboard alone.
        page.get_by_text(f"{title}: the figures as a table").focus()
        page.keyboard.press("Enter")
        table = page.get_by_role("table", name=f"{title}, by month")
        expect(table.get_by_role("row")).to_have_count(12 + 1)  # a heading row, twelve months
    received = chart_named(page, "Complaints received each month")
    assert received.locator("circle").count() >= 1
    expect(received.locator("desc")).to_contain_text(re.compile(rf"{label}: \d+"))
    row = page.get_by_role("table", name="Complaints received each month, by month").get_by_role(
        "row", name=month
    )
    expect(row).to_contain_text(re.compile(r"\d+"))
    expect(
        page.get_by_role("heading", name="How we keep people from being identified")
    ).to_be_visible()
