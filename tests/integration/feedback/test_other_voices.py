"""The other voices, on the real broker and both databases: organisations investigated get their
own survey by mail after closure and their answers show apart in the reports KPIs; open
consultations are answered through a public link, scrubbed, published and shown publicly."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from deploy.local.mail_server import read_mails
from services.feedback.app import create_app as create_feedback_app
from services.feedback.settings import FeedbackSettings
from services.reports.app import create_app as create_reports_app
from services.reports.publishing import publish_previous_month
from services.reports.settings import ReportsSettings
from shared.auth import Role
from shared.envelope import CloudEvent
from shared.events import Organisation, Sector
from shared.topics import FEEDBACK_RESPONSES, NOTIFICATION_REQUESTS, REPORT_PUBLICATIONS
from tests.integration.conftest_local_servers import LocalMailServer
from tests.integration.feedback.test_feedback_service import (
    close_case,
    request_for,
    unique_moment,
)
from tests.integration.reports.service_kit import FEEDBACK_CONSUMERS, REPORTS_CONSUMERS, pretty
from tests.kit.apps import running, staff_headers
from tests.kit.clock import ManualClock
from tests.kit.kafka import Publisher, TopicWatcher, groups_starting_now
from tests.kit.waiting import until_passes

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://feedback.example.test"
MAIL_FROM = "Ombudsman feedback <feedback@ombudsman.example.test>"
SURVEY_LINK = re.compile(re.escape(PUBLIC_URL) + r"/survey/(?P<token>[A-Za-z0-9_-]+)")


async def feedback_settings(
    database_url: str, bootstrap: str, mail_server: LocalMailServer | None = None
) -> FeedbackSettings:
    extra: dict[str, Any] = {}
    if mail_server is not None:
        extra = {"smtp_host": mail_server.host, "smtp_port": mail_server.port}
    return FeedbackSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        consumer_group_prefix=await groups_starting_now(bootstrap, "feedback", FEEDBACK_CONSUMERS),
        feedback_public_url=PUBLIC_URL,
        invite_delay_working_days=0,
        scheduler_interval_seconds=0.2,
        outbox_poll_interval_seconds=0.1,
        mail_from=MAIL_FROM,
        **extra,
    )


def mails_to(directory: Path, address: str) -> list[EmailMessage]:
    if not directory.exists():
        return []
    return [mail for mail in read_mails(directory) if mail["To"] == address]


def body_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def test_organisation_contact_and_closed_case_lead_to_a_mailed_survey_shown_apart(
    database_url: str,
    kafka_bootstrap: str,
    unique: Callable[[str], str],
    tmp_path: Path,
    mail_server: LocalMailServer,
) -> None:
    closed_at = unique_moment()
    clock = ManualClock(closed_at + timedelta(hours=1))
    feedback = create_feedback_app(
        await feedback_settings(database_url, kafka_bootstrap, mail_server), clock=clock
    )
    reports_settings = ReportsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'reports.db'}",
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=await groups_starting_now(
            kafka_bootstrap, "reports", REPORTS_CONSUMERS
        ),
        outbox_poll_interval_seconds=0.1,
        publication_interval_seconds=3600.0,
    )
    reports = create_reports_app(reports_settings, clock=clock)
    name = unique("Northfield Borough Council")
    organisation = Organisation(name=name, sector=Sector.OTHER)
    reference = unique("OWI")
    address = "complaints.team@northfield.gov.uk"
    manager, caseworker = staff_headers(Role.MANAGER), staff_headers(Role.CASEWORKER)
    contact_url = f"/v1/organisations/{name.upper()}/contact"  # names match whatever the case

    async with (
        TopicWatcher(kafka_bootstrap, NOTIFICATION_REQUESTS) as requests,
        TopicWatcher(kafka_bootstrap, FEEDBACK_RESPONSES) as responses,
        running(feedback) as client,
        running(reports) as reports_client,
        Publisher(kafka_bootstrap) as publisher,
    ):
        # Staff-managed contact: managers only, the address checked and kept.
        assert (await client.put(contact_url, json={"email": address})).status_code == 401
        refused = await client.put(contact_url, json={"email": address}, headers=caseworker)
        assert refused.status_code == 403
        bad = await client.put(contact_url, json={"email": "not an address"}, headers=manager)
        assert bad.status_code == 422
        assert bad.json()["fields"][0]["field"] == "email"
        put = await client.put(
            contact_url, json={"email": "Complaints.Team@NORTHFIELD.gov.uk"}, headers=manager
        )
        assert put.status_code == 200, put.text
        assert put.json()["email"] == "Complaints.Team@northfield.gov.uk"
        put = await client.put(contact_url, json={"email": address}, headers=manager)
        assert (await client.get(contact_url, headers=manager)).json()["email"] == address

        # The case closes: the organisation is mailed by feedback itself, the complainant is
        # invited through notifications as before.
        await close_case(publisher, reference, organisation, closed_at)

        async def mailed() -> EmailMessage:
            mails = mails_to(mail_server.directory, address)
            assert len(mails) == 1, mails
            return mails[0]

        mail = await until_passes(mailed, within=45)
        assert mail["From"] == MAIL_FROM
        assert reference in mail["Subject"]
        text = body_of(mail)
        link = SURVEY_LINK.search(text)
        assert link is not None, text
        token = link.group("token")
        [invited] = await responses.wait_for(
            lambda e: (
                e.type == "redress.survey.invited"
                and e.data["reference"] == reference
                and e.data["respondent"] == "organisation"
            )
        )
        assert address not in invited.value().decode()
        [complainant_invitation] = await requests.wait_for(
            request_for(reference, "survey_invitation")
        )
        assert token not in str(complainant_invitation.data)
        assert address not in str(complainant_invitation.data)

        # The organisation's page asks the organisation's questions.
        page = await client.get(f"/survey/{token}")
        assert page.status_code == 200
        assert "concerned your organisation" in page.text
        assert "our position" in page.text
        assert "Complaining has not affected" not in page.text

        # Answers: the complainant-only question is not in this survey.
        wrong = await client.post(
            f"/v1/surveys/{token}", json={"answers": {"no_effect_on_treatment": 4}}
        )
        assert wrong.status_code == 422
        answer = {
            "answers": {"explain_complaint": 5, "overall_service": 4, "overall_time": 2},
            "comments": "Ask for Dana Smith on 0113 496 0000 or dana@northfield.example.test.",
        }
        created = await client.post(f"/v1/surveys/{token}", json=answer)
        assert created.status_code == 201, created.text
        response_id = created.json()["response_id"]
        [submitted] = await responses.wait_for(lambda e: e.subject == response_id)
        assert submitted.data["respondent"] == "organisation"
        assert reference not in submitted.value().decode()
        assert name not in submitted.value().decode()
        assert "0113" not in submitted.data["comments"]
        assert "dana@" not in submitted.data["comments"]

        # Reports: shown apart from complainants' satisfaction.
        answered_on = clock.now.date().isoformat()

        async def in_reports() -> None:
            kpis = await reports_client.get(
                "/v1/kpis",
                params={"from": answered_on, "to": answered_on, "unsuppressed": "true"},
                headers=manager,
            )
            figures = kpis.json()
            assert figures["organisation_satisfaction"] == {
                "responses": 1,
                "by_question": {
                    "explain_complaint": 100.0,
                    "overall_service": 100.0,
                    "overall_time": 0.0,
                },
                # 5, 4, 2: two of three answers agree.
                "by_outcome": {"upheld": 66.7},
                "impartiality_pct": 100.0,
            }, pretty(figures)
            assert figures["satisfaction"]["responses"] == 0

        await until_passes(in_reports)
        published = await reports_client.get(
            "/v1/kpis", params={"from": answered_on, "to": answered_on}, headers=manager
        )
        assert published.json()["organisation_satisfaction"]["responses"] == "fewer than 5"
        dashboard = await reports_client.get(
            "/dashboard", params={"from": answered_on, "to": answered_on}
        )
        assert "What organisations investigated told us" in dashboard.text

        # "You said, we did": the answer disagreed with overall_time; a change is recorded.
        change = {
            "theme": "overall_time",
            "description": "Investigations now get a named lead from the first week.",
            "made_on": answered_on,
        }
        assert (
            await reports_client.post("/v1/service-changes", json=change, headers=caseworker)
        ).status_code == 403
        recorded = await reports_client.post("/v1/service-changes", json=change, headers=manager)
        assert recorded.status_code == 201, recorded.text
        listed = await reports_client.get(
            "/v1/service-changes",
            params={"from": answered_on, "to": answered_on},
            headers=caseworker,
        )
        assert [item["theme"] for item in listed.json()] == ["overall_time"]
        month_after = (clock.now.replace(day=1) + timedelta(days=40)).replace(day=3)
        async with TopicWatcher(kafka_bootstrap, REPORT_PUBLICATIONS) as publications:
            service = reports.state.service
            report_id = await publish_previous_month(
                service.db, service.messaging, reports_settings, month_after
            )
            assert report_id is not None
            await publications.wait_for(lambda e: e.subject == report_id)
        report = await reports_client.get(f"/reports/{report_id}")
        assert "Investigations now get a named lead from the first week." in report.text
        assert "Overall time" in report.text

        # Removing the contact stops the organisation's surveys.
        assert (await client.delete(contact_url, headers=manager)).status_code == 204
        assert (await client.get(contact_url, headers=manager)).status_code == 404


def consultation_event(consultation_id: str) -> Callable[[CloudEvent], bool]:
    return lambda e: e.type == "redress.consultation.published" and e.subject == consultation_id


async def test_consultation_answered_twice_scrubbed_published_and_shown_publicly(
    database_url: str, kafka_bootstrap: str
) -> None:
    clock = ManualClock(datetime.now(UTC))
    feedback = create_feedback_app(
        await feedback_settings(database_url, kafka_bootstrap), clock=clock
    )
    manager, caseworker = staff_headers(Role.MANAGER), staff_headers(Role.CASEWORKER)
    closes_on = (clock.now + timedelta(days=14)).date().isoformat()

    async with (
        TopicWatcher(kafka_bootstrap, FEEDBACK_RESPONSES) as responses,
        running(feedback) as client,
    ):
        past = await client.post(
            "/v1/consultations",
            json={"title": "Our service", "closes_on": date(2000, 1, 1).isoformat()},
            headers=caseworker,
        )
        assert past.status_code == 422
        assert past.json()["fields"][0]["field"] == "closes_on"
        charter = await client.post(
            "/v1/consultations",
            json={"title": "Our service charter", "closes_on": closes_on},
            headers=caseworker,
        )
        assert len(charter.json()["questions"]) == 18  # one per charter commitment

        created = await client.post(
            "/v1/consultations",
            json={
                "title": "How we write to you",
                "questions": ["Our letters are easy to understand.", "Our website is easy to use."],
                "closes_on": closes_on,
            },
            headers=caseworker,
        )
        assert created.status_code == 201, created.text
        consultation = created.json()
        consultation_id = consultation["id"]
        assert consultation["public_url"] == f"{PUBLIC_URL}/consultations/{consultation_id}"
        assert [q["id"] for q in consultation["questions"]] == ["q1", "q2"]

        # The public form: no script, posts to itself.
        page = await client.get(f"/consultations/{consultation_id}")
        assert page.status_code == 200
        assert '<form method="post"' in page.text
        assert "<script" not in page.text
        assert "Our letters are easy to understand." in page.text

        # Answered twice: once by JSON (with contact details to scrub), once by the form.
        first = await client.post(
            f"/v1/consultations/{consultation_id}/responses",
            json={
                "answers": {"q1": 5, "q2": 2},
                "comments": "Write to jo.bloggs@example.org or ring 07700 900123, thanks.",
            },
        )
        assert first.status_code == 201, first.text
        invalid = await client.post(
            f"/consultations/{consultation_id}", data={"q1": "9", "comments": "hm"}
        )
        assert invalid.status_code == 422
        assert "There is a problem" in invalid.text
        second = await client.post(
            f"/consultations/{consultation_id}", data={"q1": "4", "q2": "", "comments": ""}
        )
        assert second.status_code == 200
        assert "Thank you for your views" in second.text
        unknown = await client.post(
            "/v1/consultations/no-such-consultation/responses", json={"answers": {"q1": 3}}
        )
        assert unknown.status_code == 404

        announced = await responses.wait_for(
            lambda e: (
                e.type == "redress.feedback.submitted"
                and e.data.get("consultation_id") == consultation_id
            ),
            count=2,
        )
        assert {e.data["respondent"] for e in announced} == {"consultation"}
        assert all("07700" not in e.value().decode() for e in announced)

        # Staff see the results so far; the public results page waits for publication.
        results = await client.get(
            f"/v1/consultations/{consultation_id}/results", headers=caseworker
        )
        assert results.status_code == 200
        body = results.json()["results"]
        assert body["responses"] == 2
        q1, q2 = body["questions"]
        assert q1["counts"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
        assert (q1["answered"], q1["agree_pct"]) == (2, 100.0)
        assert q2["counts"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}
        assert (q2["answered"], q2["agree_pct"]) == (1, 0.0)
        [comment] = body["comments"]
        assert "jo.bloggs" not in comment
        assert "07700" not in comment
        assert comment.count("[removed]") == 2
        public = f"/consultations/{consultation_id}/results"
        assert (await client.get(public)).status_code == 404

        # Publishing is a manager's decision, once; it closes the consultation.
        publish = f"/v1/consultations/{consultation_id}/publish"
        assert (await client.post(publish, headers=caseworker)).status_code == 403
        done = await client.post(publish, headers=manager)
        assert done.status_code == 200, done.text
        assert done.json()["results_url"] == f"{PUBLIC_URL}{public}"
        assert (await client.post(publish, headers=manager)).status_code == 409
        late = await client.post(
            f"/v1/consultations/{consultation_id}/responses", json={"answers": {"q1": 1}}
        )
        assert late.status_code == 410
        assert (await client.get(f"/consultations/{consultation_id}")).status_code == 404

        [event] = await responses.wait_for(consultation_event(consultation_id))
        assert event.data["responses"] == 2
        assert event.data["questions"][0]["counts"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
        assert event.data["questions"][1]["agree_pct"] == 0.0
        assert "07700" not in event.value().decode()
        assert "jo.bloggs" not in event.value().decode()

        shown = await client.get(public)
        assert shown.status_code == 200
        assert "Results: How we write to you" in shown.text
        assert "2 responses" in shown.text
        assert "100.0%" in shown.text
        assert "[removed]" in shown.text
        assert "07700" not in shown.text
        assert "jo.bloggs" not in shown.text
