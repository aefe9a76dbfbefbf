"""Reports' use cases on the in-memory unit of work: the monthly publication, the monthly
figures and the service changes log (the real stores are proved in tests/integration/reports)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.reports.changes import ServiceChangeLog
from services.reports.domain import Publisher, ReportingPeriod
from services.reports.publishing import LEARNING_REPORT, Publishing, report_id_for
from services.reports.settings import ReportsSettings
from services.reports.store import ReportsStores
from shared.events import ReportPublished
from shared.topics import REPORT_PUBLICATIONS
from tests.kit.fakes.reports import FakeReportsStores
from tests.kit.work import FakeUnitOfWork
from tests.unit.reports.golden_march import CASES, RESPONSES

APRIL_3 = datetime(2025, 4, 3, 9, 0, tzinfo=UTC)


def publishing() -> tuple[Publishing, FakeUnitOfWork[ReportsStores], FakeReportsStores]:
    fakes = FakeReportsStores()
    fakes.read_model.case_rows.extend(CASES)
    fakes.read_model.response_rows.extend(RESPONSES)
    uow = FakeUnitOfWork(fakes.as_stores())
    settings = ReportsSettings(reports_public_url="https://reports.example/")
    return Publishing(uow, settings), uow, fakes


async def test_last_months_report_is_published_once_and_announced() -> None:
    use_case, uow, fakes = publishing()
    report_id = await use_case.publish_previous_month(APRIL_3)
    march = ReportingPeriod(date(2025, 3, 1), date(2025, 3, 31))
    assert report_id == report_id_for(LEARNING_REPORT, march)
    [(report, html)] = fakes.publications.reports.values()
    assert report.title == "Learning from complaints: March 2025"
    assert "fewer than 5" in html  # published: small numbers suppressed
    [announced] = uow.emitted
    assert announced.topic == REPORT_PUBLICATIONS
    assert isinstance(announced.payload, ReportPublished)
    assert announced.payload.url == f"https://reports.example/reports/{report_id}"

    assert await use_case.publish_previous_month(APRIL_3) is None
    assert len(uow.emitted) == 1


async def test_nothing_is_published_on_the_first_day_of_the_month() -> None:
    use_case, _, fakes = publishing()
    assert await use_case.publish_previous_month(datetime(2025, 4, 1, 9, tzinfo=UTC)) is None
    assert fakes.publications.reports == {}


async def test_monthly_figures_come_from_the_read_model() -> None:
    use_case, _, _ = publishing()
    months = await use_case.monthly(
        ReportingPeriod(date(2025, 2, 1), date(2025, 3, 31)),
        today=date(2025, 4, 1),
        publisher=Publisher(1),
    )
    assert [m["month"] for m in months] == ["2025-02", "2025-03"]
    assert months[1]["complaints_received"] == 6
    assert months[1]["uphold_rate_pct"] == 75.0


async def test_a_service_change_is_recorded_with_its_theme_tidied() -> None:
    fakes = FakeReportsStores()
    log = ServiceChangeLog(FakeUnitOfWork(fakes.as_stores()))
    change = await log.record(
        theme="  delays   in  replying ",
        description=" Replies now within 10 days. ",
        made_on=date(2025, 3, 10),
        at=APRIL_3,
        by="manager-1",
    )
    assert (change.theme, change.description) == (
        "delays in replying",
        "Replies now within 10 days.",
    )
    assert await log.made_in(ReportingPeriod(date(2025, 3, 1), date(2025, 3, 31))) == [change]
    assert await log.made_in(ReportingPeriod(date(2025, 4, 1), date(2025, 4, 30))) == []
