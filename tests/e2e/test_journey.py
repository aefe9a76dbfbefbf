"""One complaint's whole journey through the five running services, on the real broker, with the
real local SMTP server: complaint -> case -> acknowledgement email -> KPIs -> investigation ->
decision -> survey invitation email -> answer -> KPIs."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.e2e.recording import TopicRecorder, contract_breaches
from tests.e2e.suite import Suite
from tests.kit.mail import text_of
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

# What the journey must at least have produced, one type per step and topic, so that the
# contract check below has something to check.
JOURNEY_EVENT_TYPES = {
    "redress.complaint.received",
    "redress.case.opened",
    "redress.case.assigned",
    "redress.case.stage_changed",
    "redress.case.draft_decision_issued",
    "redress.case.comments_received",
    "redress.case.final_decision_issued",
    "redress.case.recommendation_made",
    "redress.case.closed",
    "redress.notification.requested",
    "redress.notification.sent",
    "redress.survey.invited",
    "redress.feedback.submitted",
}


def a_complaint(organisation: str, email: str) -> dict[str, Any]:
    return {
        "complainant": {"name": "Jane Doe", "email": email, "preferred_contact": "email"},
        "organisation": {"name": organisation, "sector": "health"},
        "summary": "My mother's operation was cancelled three times and nobody told us why.",
        "desired_outcome": "An apology, and a date for the operation.",
        "impact": "She has been in pain for months.",
        "first_aware_on": "2026-06-01",
        "complained_to_organisation_on": "2026-06-10",
        "organisation_response_on": "2026-08-01",
    }


def test_a_complaint_travels_the_whole_journey(suite: Suite, recorder: TopicRecorder) -> None:
    # A directory entry of this test's own (an administrator adds it): public events and
    # reports name it, and the broker is shared with other tests, so its figures are this
    # complaint's alone.
    organisation = f"Northshire Hospitals NHS Trust {uuid.uuid4().hex[:6]}"
    email = f"jane.{uuid.uuid4().hex[:6]}@example.org"
    staff = suite.staff_headers(Role.MANAGER)
    client = httpx.Client(timeout=10.0)
    listed = suite.list_organisation(f"org-journey-{uuid.uuid4().hex[:8]}", organisation, "health")
    assert listed.status_code == 201, listed.text

    # 1. intake stores the complaint and hands out a reference and tracking token
    answer = client.post(
        f"{suite.url('intake')}/v1/complaints", json=a_complaint(organisation, email)
    )
    assert answer.status_code == 201, answer.text
    reference, token = answer.json()["reference"], answer.json()["tracking_token"]

    # 2. casework opens the case in assessment and assigns a caseworker
    track_url = f"{suite.url('casework')}/v1/track/{reference}"

    def tracked() -> dict[str, Any] | None:
        response = client.get(track_url, params={"token": token})
        return (
            response.json()
            if response.status_code == 200 and response.json()["caseworker"]
            else None
        )

    view = eventually(tracked, "the case to open")
    assert view["stage"] == "assessment"
    assert view["next_milestone"]["name"]
    assert client.get(track_url).status_code == 404
    assert client.get(track_url, params={"token": "not-the-token"}).status_code == 404

    # 3. notifications emails an acknowledgement with the reference and a tracking link
    ack = eventually(lambda: suite.mail_to(email, reference), "the acknowledgement email")
    body = text_of(ack)
    assert reference in body
    assert f"/track/{reference}?token={token}" in body

    # 4. reports counts it
    kpi_url = f"{suite.url('reports')}/v1/kpis"
    params = {
        "organisation": organisation,
        "from": "2026-01-01",
        "to": "2030-12-31",
        "unsuppressed": "true",
    }
    eventually(
        lambda: (
            client.get(kpi_url, params=params, headers=staff).json().get("complaints_received") == 1
        ),
        "reports to count the complaint",
    )

    # 5. staff investigate and decide; the complainant comments on the draft in between
    def act(action: dict[str, Any]) -> dict[str, Any]:
        response = client.post(
            f"{suite.url('casework')}/v1/cases/{reference}/actions", json=action, headers=staff
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    refused = client.post(
        f"{suite.url('casework')}/v1/cases/{reference}/actions",
        json={"action": "issue_final", "outcome": "upheld", "summary": "x"},
        headers=staff,
    )
    assert refused.status_code == 409
    assert "accept" in refused.json()["allowed_actions"]
    act({"action": "accept"})
    act({"action": "issue_draft"})
    comments = client.post(
        f"{track_url}/comments", params={"token": token}, json={"comments": "The dates are right."}
    )
    assert comments.status_code == 200, comments.text
    decided = act(
        {
            "action": "issue_final",
            "outcome": "upheld",
            "summary": "The trust cancelled the operation without explanation.",
            "recommendations": [
                {"type": "apology", "description": "Apologise in writing.", "due_on": "2030-01-31"}
            ],
        }
    )
    assert decided["case"]["stage"] == "closed"
    assert client.get(track_url, params={"token": token}).json()["decision"]["outcome"] == "upheld"

    # 6. feedback asks notifications to invite the complainant to the survey
    invitation = eventually(
        lambda: suite.mail_to(email, "how we did"), "the survey invitation email", timeout=60
    )
    survey_link = re.search(r"https?://\S+/survey/([A-Za-z0-9_\-]+)", text_of(invitation))
    assert survey_link, text_of(invitation)
    survey_token = survey_link.group(1)

    # 7. the answer is stored and shows in the reports
    answered = client.post(
        f"{suite.url('feedback')}/v1/surveys/{survey_token}",
        json={
            "answers": {"listened_to": 5, "decision_explained": 4, "kept_up_to_date": 2},
            "comments": "Thank you.",
        },
    )
    assert answered.status_code == 201, answered.text

    def satisfaction_reported() -> dict[str, Any] | None:
        kpis = client.get(
            kpi_url,
            params={"from": "2026-01-01", "to": "2030-12-31", "unsuppressed": "true"},
            headers=staff,
        ).json()
        return kpis if kpis["satisfaction"]["responses"] >= 1 else None

    kpis = eventually(satisfaction_reported, "the answer to reach the KPIs")
    assert kpis["cases_closed"] >= 1

    def closed_for_the_organisation() -> dict[str, Any] | None:
        # The read model is eventually consistent: the closure may land after the answer.
        figures: dict[str, Any] = client.get(kpi_url, params=params, headers=staff).json()
        return figures if figures["cases_closed"] >= 1 else None

    by_org = eventually(closed_for_the_organisation, "the closure to reach the organisation's KPIs")
    assert by_org["cases_closed"] == 1
    assert by_org["outcomes"]["upheld"] == 1

    # 8. every record the journey put on any topic matches the published contract
    records = recorder.records()
    seen = {dict(r.headers).get("ce_type", b"").decode() for r in records}
    assert seen >= JOURNEY_EVENT_TYPES, f"missing {JOURNEY_EVENT_TYPES - seen}; saw {seen}"
    breaches = contract_breaches(records)
    assert not breaches, f"{len(breaches)} of {len(records)} records break the contract:\n" + (
        "\n".join(breaches)
    )
