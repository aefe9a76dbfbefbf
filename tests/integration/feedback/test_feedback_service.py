"""The feedback service on the real broker and both databases, with the reports service beside it:
a closed case leads to an invitation, one reminder, an anonymised answer that shows in the
reports KPIs; opting out stops the reminder; links expire; a review's re-closure does not
survey the complainant twice."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.feedback.app import create_app as create_feedback_app
from services.feedback.settings import FeedbackSettings
from services.feedback.store import surveys
from services.reports.app import create_app as create_reports_app
from services.reports.settings import ReportsSettings
from shared.auth import Role
from shared.envelope import CloudEvent
from shared.events import (
    CaseClosed,
    CaseOpened,
    Channel,
    ClosureReason,
    Organisation,
    Sector,
    Stage,
)
from shared.topics import CASEWORK_CASES, FEEDBACK_RESPONSES, NOTIFICATION_REQUESTS
from tests.integration.reports.service_kit import FEEDBACK_CONSUMERS, REPORTS_CONSUMERS, pretty
from tests.kit.apps import running, staff_headers
from tests.kit.clock import ManualClock
from tests.kit.kafka import Publisher, TopicWatcher, groups_starting_now
from tests.kit.waiting import until_passes

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://feedback.example.test"


def unique_moment() -> datetime:
    """A closure time no other test run uses, so the satisfaction figures of that day are ours."""
    day = date(1980, 1, 1) + timedelta(days=random.randrange(25 * 365))
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


async def close_case(
    publisher: Publisher, reference: str, organisation: Organisation, closed_at: datetime
) -> None:
    common: dict[str, Any] = {"reference": reference, "organisation": organisation}
    await publisher.send(
        CASEWORK_CASES,
        CaseOpened(
            **common,
            occurred_at=closed_at - timedelta(days=30),
            stage=Stage.ASSESSMENT,
            channel=Channel.WEB,
            received_at=closed_at - timedelta(days=30),
        ),
        subject=reference,
        source="casework",
    )
    await publisher.send(
        CASEWORK_CASES,
        CaseClosed(
            **common,
            occurred_at=closed_at,
            stage=Stage.CLOSED,
            closure_reason=ClosureReason.UPHELD,
            opened_at=closed_at - timedelta(days=30),
            working_days_open=20,
        ),
        subject=reference,
        source="casework",
    )


def request_for(reference: str, template: str) -> Callable[[CloudEvent], bool]:
    return lambda event: (
        event.data.get("reference") == reference and event.data.get("template") == template
    )


def token_of(invitation: CloudEvent) -> str:
    url = str(invitation.data["personalisation"]["survey_url"])
    assert url.startswith(f"{PUBLIC_URL}/survey/")
    return url.rsplit("/", 1)[1]


async def test_closed_case_to_invitation_reminder_answer_and_reports_kpis(
    database_url: str,
    kafka_bootstrap: str,
    unique: Callable[[str], str],
    tmp_path: Path,
) -> None:
    closed_at = unique_moment()
    clock = ManualClock(closed_at + timedelta(hours=1))
    feedback_groups = await groups_starting_now(kafka_bootstrap, "feedback", FEEDBACK_CONSUMERS)
    reports_groups = await groups_starting_now(kafka_bootstrap, "reports", REPORTS_CONSUMERS)
    feedback = create_feedback_app(
        FeedbackSettings(
            database_url=database_url,
            kafka_bootstrap_servers=kafka_bootstrap,
            consumer_group_prefix=feedback_groups,
            feedback_public_url=PUBLIC_URL,
            invite_delay_working_days=0,
            scheduler_interval_seconds=0.2,
            outbox_poll_interval_seconds=0.1,
        ),
        clock=clock,
    )
    reports = create_reports_app(
        ReportsSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}",
            kafka_bootstrap_servers=kafka_bootstrap,
            consumer_group_prefix=reports_groups,
            outbox_poll_interval_seconds=0.1,
            publication_interval_seconds=3600.0,
        ),
        clock=clock,
    )
    organisation = Organisation(name=unique("Feedback Test Council"), sector=Sector.OTHER)
    answering, opting_out, lapsing, by_form = (unique(f"FB{n}") for n in range(1, 5))
    manager = staff_headers(Role.MANAGER)

    async with (
        TopicWatcher(kafka_bootstrap, NOTIFICATION_REQUESTS) as requests,
        TopicWatcher(kafka_bootstrap, FEEDBACK_RESPONSES) as responses,
        running(feedback) as client,
        running(reports) as reports_client,
        Publisher(kafka_bootstrap) as publisher,
    ):
        for reference in (answering, opting_out, lapsing, by_form):
            await close_case(publisher, reference, organisation, closed_at)

        # Invitations go out at once (delay 0), with a link and the expiry date.
        tokens = {}
        for reference in (answering, opting_out, lapsing, by_form):
            [invitation] = await requests.wait_for(request_for(reference, "survey_invitation"))
            assert invitation.subject == reference
            assert invitation.data["personalisation"]["expires_on"] == (
                (closed_at + timedelta(days=28)).date().isoformat()
            )
            tokens[reference] = token_of(invitation)
        [invited] = await responses.wait_for(
            lambda e: e.type == "redress.survey.invited" and e.data["reference"] == answering
        )
        assert invited.data["reminder"] is False

        # A review sends the case back to closed: no second survey.
        await close_case(publisher, answering, organisation, closed_at + timedelta(days=3))

        async def one_survey_each() -> None:
            async with feedback.state.service.db.sessions() as session:
                count = await session.scalar(
                    select(func.count()).where(surveys.c.reference == answering)
                )
            assert count == 1

        await requests.settle(2.0)
        await one_survey_each()
        assert len(requests.events_matching(request_for(answering, "survey_invitation"))) == 1

        # The survey page is a form that posts to itself.
        page = await client.get(f"/survey/{tokens[answering]}")
        assert page.status_code == 200
        assert '<form method="post"' in page.text
        assert "opportunity to explain my complaint" in page.text

        # Opting out stops the reminder.
        opted = await client.post(f"/survey/{tokens[opting_out]}/opt-out")
        assert opted.status_code == 200
        assert "You will not be asked again" in opted.text

        # A week later: one reminder each, except for the person who opted out.
        clock.now = closed_at + timedelta(days=7, hours=2)
        for reference in (answering, lapsing):
            await requests.wait_for(request_for(reference, "survey_reminder"))
        await requests.settle(2.0)
        assert not requests.events_matching(request_for(opting_out, "survey_reminder"))
        for reference in (answering, lapsing):
            assert len(requests.events_matching(request_for(reference, "survey_reminder"))) == 1

        # Answers: bad ones are named; then once only.
        token = tokens[answering]
        bad = await client.post(
            f"/v1/surveys/{token}", json={"answers": {"explain_complaint": 7, "made_up": 3}}
        )
        assert bad.status_code == 422
        named = {field["field"] for field in bad.json()["fields"]}
        assert named == {"answers.explain_complaint", "answers.made_up"}
        answer = {
            "answers": {"explain_complaint": 5, "overall_service": 2},
            "comments": "My name is Sam Jones, ring me on 07700 900123 about it.",
        }
        created = await client.post(f"/v1/surveys/{token}", json=answer)
        assert created.status_code == 201, created.text
        response_id = created.json()["response_id"]
        assert (await client.post(f"/v1/surveys/{token}", json=answer)).status_code == 409
        assert (await client.post("/v1/surveys/not-a-token", json=answer)).status_code == 404
        assert (await client.get(f"/survey/{token}")).status_code == 404  # used link

        # The form: an error is shown on the page, then the answer is taken.
        form_token = tokens[by_form]
        wrong = await client.post(f"/survey/{form_token}", data={"explain_complaint": "9"})
        assert wrong.status_code == 422
        assert "There is a problem" in wrong.text
        thanks = await client.post(
            f"/survey/{form_token}",
            data={"action": "submit", "explain_complaint": "4", "overall_time": "1"},
        )
        assert thanks.status_code == 200
        assert "Thank you for your feedback" in thanks.text

        # The answer leaves anonymised: no reference, personal details scrubbed.
        [submitted] = await responses.wait_for(lambda e: e.subject == response_id)
        assert submitted.type == "redress.feedback.submitted"
        assert answering not in submitted.value().decode()
        assert "07700" not in submitted.data["comments"]
        assert "Sam" not in submitted.data["comments"]
        assert "[removed]" in submitted.data["comments"]
        assert submitted.data["outcome"] == "upheld"

        # Four weeks after the invitation the link has lapsed.
        clock.now = closed_at + timedelta(days=29)
        lapsed = await client.post(
            f"/v1/surveys/{tokens[lapsing]}", json={"answers": {"overall_service": 3}}
        )
        assert lapsed.status_code == 410
        assert (await client.get(f"/survey/{tokens[lapsing]}")).status_code == 404

        # Staff summary in the feedback service (the answers' day).
        answered_on = (closed_at + timedelta(days=7, hours=2)).date().isoformat()
        summary = await client.get(
            "/v1/feedback/summary", params={"from": answered_on, "to": answered_on}, headers=manager
        )
        assert summary.status_code == 200
        body = summary.json()
        assert body["responses"] == 2, pretty(body)
        assert body["by_question"]["explain_complaint"]["agree_pct"] == 100.0
        assert body["by_question"]["overall_service"]["agree_pct"] == 0.0
        assert body["by_outcome"]["upheld"]["responses"] == 2
        assert (await client.get("/v1/feedback/summary")).status_code == 401
        # The calendar's last day cannot be moved past: a 422 naming the field, not a 500.
        for field, day in (("to", "9999-12-31"), ("from", "0001-01-01")):
            refused = await client.get("/v1/feedback/summary", params={field: day}, headers=manager)
            assert refused.status_code == 422, refused.text
            assert [f["field"] for f in refused.json()["fields"]] == [field]

        # And the answers show in the reports KPIs, built from the feedback topic.
        async def in_reports() -> None:
            kpis = await reports_client.get(
                "/v1/kpis",
                params={"from": answered_on, "to": answered_on, "unsuppressed": "true"},
                headers=manager,
            )
            satisfaction = kpis.json()["satisfaction"]
            assert satisfaction == {
                "responses": 2,
                # explain_complaint 5 and 4; overall_service 2; overall_time 1.
                "by_question": {
                    "explain_complaint": 100.0,
                    "overall_service": 0.0,
                    "overall_time": 0.0,
                },
                "by_outcome": {"upheld": 50.0},
                "impartiality_pct": 100.0,
            }, pretty(satisfaction)

        await until_passes(in_reports)
