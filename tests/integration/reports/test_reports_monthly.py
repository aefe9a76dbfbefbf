"""Monthly figures over HTTP (issue 14) on the real broker: `GET /v1/kpis/monthly` and its CSV
from events only, suppressed unless a manager asks, the dashboard's trends, and date parameters
out of range refused with 422 naming the field, never a 500."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from services.reports.app import create_app
from shared.auth import Role
from tests.integration.reports.service_kit import REPORTS_CONSUMERS, pretty
from tests.integration.reports.test_reports_service import (
    TODAY,
    publish_everything,
    settings_for,
    unique_day,
)
from tests.kit.apps import client_for, running, staff_headers
from tests.kit.clock import ManualClock
from tests.kit.kafka import Publisher, groups_starting_now
from tests.kit.waiting import until_passes

pytestmark = pytest.mark.integration

SPRING = {"from": "2024-02-01", "to": "2024-04-15"}


async def test_monthly_figures_from_events_suppressed_csv_and_dashboard(
    tmp_path: Path, kafka_bootstrap: str, unique: Callable[[str], str]
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}"
    groups = await groups_starting_now(kafka_bootstrap, "reports", REPORTS_CONSUMERS)
    app = create_app(settings_for(database_url, kafka_bootstrap, groups), clock=ManualClock(TODAY))
    manager = staff_headers(Role.MANAGER)
    caseworker = staff_headers(Role.CASEWORKER)
    organisation = unique("Golden Valley NHS Trust")

    async with running(app) as client, Publisher(kafka_bootstrap) as publisher:
        await publish_everything(publisher, unique("RPM"), organisation, unique_day())

        async def march_is_counted() -> list[dict[str, object]]:
            response = await client.get(
                "/v1/kpis/monthly", params={**SPRING, "unsuppressed": "true"}, headers=manager
            )
            assert response.status_code == 200, response.text
            body = response.json()
            months = body["months"]
            assert [m["month"] for m in months] == ["2024-02", "2024-03", "2024-04"]
            march = months[1]
            # The golden month (tests/integration/reports/golden_cases.py), as /v1/kpis has it.
            assert march["complaints_received"] == 8, pretty(body)
            assert march["uphold_rate_pct"] == 75.0
            assert march["acknowledged_within_target_pct"] == 75.0
            assert (march["from"], march["to"]) == ("2024-03-01", "2024-03-31")
            assert months[2]["to"] == "2024-04-15"  # this month, so far
            return list(months)

        unsuppressed = await until_passes(march_is_counted)

        published = await client.get("/v1/kpis/monthly", params=SPRING, headers=caseworker)
        assert published.status_code == 200
        march = published.json()["months"][1]
        assert march["complaints_received"] == 8
        assert march["uphold_rate_pct"] is None  # 4 investigated cases: too few
        assert march["cases_closed"] == unsuppressed[1]["cases_closed"]

        refused = await client.get(
            "/v1/kpis/monthly", params={**SPRING, "unsuppressed": "true"}, headers=caseworker
        )
        assert refused.status_code == 403
        assert (await client.get("/v1/kpis/monthly")).status_code == 401

        default = await client.get("/v1/kpis/monthly", headers=caseworker)
        months = default.json()["months"]
        assert len(months) == 12
        assert (months[0]["from"], months[-1]["to"]) == ("2023-05-01", "2024-04-15")

        as_csv = await client.get(
            "/v1/kpis/monthly.csv", params={**SPRING, "unsuppressed": "true"}, headers=manager
        )
        assert as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert [row["month"] for row in rows] == ["2024-02", "2024-03", "2024-04"]
        assert rows[1]["complaints_received"] == "8"
        assert rows[1]["uphold_rate_pct"] == "75.0"

        page = await client.get("/dashboard", params={"from": "2024-03-01", "to": "2024-03-31"})
        assert page.status_code == 200
        assert page.text.count("<svg") == 10  # six trends, stages, outcomes, two surveys
        assert "Complaints received each month" in page.text
        assert '<th scope="row">2024-03</th>' in page.text
        assert organisation in page.text  # the breakdown by organisation
        assert "How we keep people from being identified" in page.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/kpis", {"from": "0001-01-01"}, "from"),
        ("/v1/kpis", {"to": "9999-12-31"}, "to"),
        ("/v1/kpis.csv", {"from": "0001-01-01", "to": "9999-12-31"}, "from"),
        ("/v1/kpis/monthly", {"from": "0001-01-01"}, "from"),
        ("/v1/kpis/monthly", {"to": "9999-12-31"}, "to"),
        ("/v1/kpis/monthly.csv", {"from": "2019-01-01", "to": "2024-04-01"}, "from"),
        ("/dashboard", {"to": "9999-12-31"}, "to"),
        ("/v1/service-changes", {"from": "0001-01-01"}, "from"),
    ],
)
async def test_dates_out_of_range_are_refused_naming_the_field(
    tmp_path: Path, kafka_bootstrap: str, path: str, params: dict[str, str], field: str
) -> None:
    # The dates are judged before anything is read: no need to start the service.
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}"
    app = create_app(settings_for(database_url, kafka_bootstrap), clock=ManualClock(TODAY))
    async with client_for(app) as client:
        response = await client.get(path, params=params, headers=staff_headers(Role.MANAGER))
        assert response.status_code == 422, response.text
        assert response.json()["fields"][0]["field"] == field
