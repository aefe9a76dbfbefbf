"""Casework on the real broker and both databases: an investigated case to each outcome with what
the complainant sees at every step, several organisations, a draft sent on the day the
complainant chose, recommendations falling overdue, failed deliveries, and an accessible page."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.directory import UNLISTED
from shared.events import NotificationStatus
from shared.timekeeping import uk_date
from shared.working_days import add_working_days
from tests.integration.casework.casework_kit import (
    SECRET_WORDS,
    act,
    day,
    delivery_failure,
    new_reference,
    opened_case,
    public_events,
    publish_delivery_failure,
    staff_view,
    track,
    track_page,
    visible_text,
)

pytestmark = pytest.mark.integration

Casework = tuple[httpx.AsyncClient, Any]
COUNCIL = "Northshire County Council"
# Internal investigation notes: staff see them, public events never carry them.
INTERNAL_NOTES = ("Ward rota for March", "We relied on the staff statements", "Care was late")


def token_for(reference: str) -> dict[str, str]:
    return {"token": f"token-{reference}"}


async def types_of(app: Any, reference: str) -> list[str]:
    return [t for t, _ in await public_events(app, reference)]


async def investigate_with_gaps(client: httpx.AsyncClient, reference: str) -> None:
    """Accept, ask for evidence that never comes, and take expert advice."""
    await act(client, reference, {"action": "accept"})
    await act(client, reference, {"action": "request_evidence", "description": INTERNAL_NOTES[0]})
    await act(
        client,
        reference,
        {
            "action": "record_evidence_unavailable",
            "request_id": f"{reference}-E1",
            "how_decision_deals_with_it": INTERNAL_NOTES[1],
        },
    )
    await act(
        client,
        reference,
        {
            "action": "record_expert_advice",
            "adviser_role": "consultant surgeon",
            "summary": INTERNAL_NOTES[2],
        },
    )


def final_decision(outcome: str) -> dict[str, Any]:
    due_on = (uk_date(datetime.now(UTC)) + timedelta(days=60)).isoformat()
    if outcome == "not_upheld":
        return {"action": "issue_final", "outcome": outcome, "summary": "The care was reasonable."}
    return {
        "action": "issue_final",
        "outcome": outcome,
        "summary": "The trust cancelled the operation without a reason.",
        "findings": [
            {"organisation": COUNCIL, "outcome": "upheld", "summary": "Transport was not booked."}
        ],
        "recommendations": [
            {"type": "apology", "description": "Apologise in writing.", "due_on": due_on},
            {
                "type": "service_improvement",
                "description": "Book transport with each appointment.",
                "due_on": due_on,
                "organisation": COUNCIL,
            },
        ],
    }


@pytest.mark.parametrize("outcome", ["not_upheld", "upheld"])
async def test_an_investigated_case_to_its_outcome_and_what_the_complainant_sees(
    casework: Casework, kafka_bootstrap: str, outcome: str
) -> None:
    client, app = casework
    reference = new_reference()
    today = uk_date(datetime.now(UTC))
    await opened_case(client, kafka_bootstrap, reference)
    page = await track_page(client, reference)
    assert "We are looking at your complaint to decide whether we can investigate it." in page
    assert "Our decision on whether we will investigate" in page

    await investigate_with_gaps(client, reference)
    if outcome == "upheld":
        await act(
            client, reference, {"action": "add_organisation", "name": COUNCIL, "sector": "other"}
        )
    view = await track(client, reference)
    assert view["stage"] == "investigation"
    assert view["draft_date_choice"]["latest"] == add_working_days(today, 20, "england").isoformat()
    page = await track_page(client, reference)
    assert "We are investigating your complaint." in page
    assert "Choose when we send your draft decision" in page
    if outcome == "upheld":
        assert f"About: Northshire NHS Trust and {COUNCIL}" in page
        assert view["organisations"] == [{"name": COUNCIL}]
    staff = await staff_view(client, reference)
    assert staff["evidence_unavailable"][0]["how_decision_deals_with_it"] == INTERNAL_NOTES[1]
    assert staff["expert_advice"][0]["adviser_role"] == "consultant surgeon"

    # The complainant chooses the day their draft comes; the finished draft waits for it.
    send_on = add_working_days(today, 3, "england")
    arranged = await client.post(
        f"/v1/track/{reference}/draft-date",
        params=token_for(reference),
        json={"send_on": send_on.isoformat()},
    )
    assert arranged.status_code == 200, arranged.text
    assert (
        f"we will send your draft on {day(send_on)}"
        in arranged.json()["draft_arrangement"]["description"]
    )
    await act(client, reference, {"action": "issue_draft"})
    view = await track(client, reference)
    assert view["stage"] == "investigation"
    assert view["draft_decision"] is None
    assert view["draft_arrangement"]["ready"] is True
    page = await track_page(client, reference)
    assert f"We will send your draft on {day(send_on)}" in page
    assert "redress.case.draft_decision_issued" not in await types_of(app, reference)

    # The scheduler sends it on the day, and the comment window counts from then.
    await app.state.casework.report_missed_deadlines(send_on)
    view = await track(client, reference)
    assert view["stage"] == "draft_decision"
    assert view["draft_decision"]["scheduled_for"] == send_on.isoformat()
    assert view["draft_arrangement"] is None
    comments_due = add_working_days(send_on, 10, "england")
    assert view["draft_decision"]["comments_due_by"] == comments_due.isoformat()
    page = await track_page(client, reference)
    assert f"You can comment on it until {day(comments_due)}" in page
    assert "redress.case.draft_decision_issued" in await types_of(app, reference)

    # Commenting through the page's own form (no JavaScript).
    posted = await client.post(
        f"/track/{reference}/comments",
        data={"token": f"token-{reference}", "text": "It is accurate."},
    )
    assert posted.status_code == 303
    page = await track_page(client, reference)
    assert "We received your comments" in page

    decided = await act(client, reference, final_decision(outcome))
    assert decided["case"]["stage"] == "closed"
    view = await track(client, reference)
    decision = view["decision"]
    assert decision["outcome"] == outcome
    assert "advice from consultant surgeon" in decision["how_we_reached_it"]
    assert decision["evidence_not_obtained"]["items"] == [
        {
            "what_we_asked_for": INTERNAL_NOTES[0],
            "how_our_decision_deals_with_it": INTERNAL_NOTES[1],
        }
    ]
    review_by = day(datetime.fromisoformat(decision["review_request_due_by"]).date())
    assert any(review_by in step and "review" in step for step in decision["next_steps"])
    assert any("Citizens Advice" in step for step in decision["next_steps"])
    page = await track_page(client, reference)
    for words in (
        "How we reached our decision",
        "We could not get some of the evidence we asked for.",
        INTERNAL_NOTES[1],
        "What you can do next",
        "NHS complaints advocacy",
        "Citizens Advice",
        "Ask for a review",
    ):
        assert words in page
    if outcome == "not_upheld":
        assert "We did not uphold your complaint." in page
        assert view["recommendations"] == []
    else:
        assert "We upheld your complaint." in page
        assert f"We upheld your complaint about {COUNCIL}." in page
        assert [r["organisation"] for r in view["recommendations"]] == [
            "Northshire NHS Trust",
            COUNCIL,
        ]
        assert "Book transport with each appointment." in page

    events = await public_events(app, reference)
    final = next(d for t, d in events if t == "redress.case.final_decision_issued")
    assert final["outcome"] == outcome
    if outcome == "upheld":
        # The council was added by name, not from the directory: "unlisted" in public.
        assert [f["organisation"]["name"] for f in final["findings"]] == [
            "Northshire NHS Trust",
            UNLISTED,
        ]
        assert final["recommendations"][1]["organisation"]["name"] == UNLISTED
        assert "redress.case.organisation_added" in [t for t, _ in events]
    for _, data in events:
        text = json.dumps(data)
        assert not any(secret in text for secret in (*SECRET_WORDS, *INTERNAL_NOTES))


async def test_a_recommendation_falls_overdue_then_is_not_complied_with(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    await act(client, reference, {"action": "accept"})
    await act(client, reference, {"action": "issue_draft"})
    await client.post(
        f"/v1/track/{reference}/comments", params=token_for(reference), json={"comments": "Fine."}
    )
    due_on = uk_date(datetime.now(UTC)) + timedelta(days=45)
    decided = await act(
        client,
        reference,
        {
            "action": "issue_final",
            "outcome": "upheld",
            "summary": "The trust failed.",
            "recommendations": [
                {
                    "type": "financial_remedy",
                    "description": "Pay £250.",
                    "due_on": due_on.isoformat(),
                    "severity": 2,
                }
            ],
        },
    )
    recommendation_id = decided["case"]["recommendations"][0]["recommendation_id"]
    page = await track_page(client, reference)
    assert "Recommended: waiting for the organisation to act" in page
    assert day(due_on) in page

    # Not yet: the due date is the last day allowed. (Other tests' complaints share the intake
    # topic, so the scheduler's counts cover their cases too: look at this case's events.)
    await app.state.casework.report_missed_deadlines(due_on)
    assert "redress.case.deadline_missed" not in await types_of(app, reference)
    assert (await track(client, reference))["recommendations"][0]["status"] == "made"
    await app.state.casework.report_missed_deadlines(due_on + timedelta(days=1))
    await app.state.casework.report_missed_deadlines(due_on + timedelta(days=2))
    view = await track(client, reference)
    assert view["recommendations"][0]["status"] == "overdue"
    page = await track_page(client, reference)
    assert "Overdue: the organisation has not done this by the date we set" in page

    await act(
        client,
        reference,
        {
            "action": "update_recommendation",
            "recommendation_id": recommendation_id,
            "status": "not_complied",
        },
    )
    view = await track(client, reference)
    assert view["recommendations"][0]["status"] == "not_complied"
    page = await track_page(client, reference)
    assert "The organisation has not done this; we are taking further action" in page

    events = await public_events(app, reference)
    missed = [d for t, d in events if t == "redress.case.deadline_missed"]
    assert [m["deadline"] for m in missed] == ["recommendation"]
    updates = [d for t, d in events if t == "redress.case.recommendation_updated"]
    assert [(u["previous_status"], u["recommendation"]["status"]) for u in updates] == [
        ("made", "overdue"),
        ("overdue", "not_complied"),
    ]


async def test_a_lasting_delivery_failure_is_noted_for_the_caseworker(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    await opened_case(client, kafka_bootstrap, reference)
    # Same key, so the temporary failure is consumed before the permanent one.
    temporary = delivery_failure(reference, NotificationStatus.TEMPORARY_FAILURE)
    permanent = delivery_failure(reference, NotificationStatus.PERMANENT_FAILURE)
    await publish_delivery_failure(kafka_bootstrap, temporary)
    await publish_delivery_failure(kafka_bootstrap, permanent)
    for _ in range(300):
        staff = await staff_view(client, reference)
        if staff["contact_problems"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the failed delivery was never noted")
    assert len(staff["contact_problems"]) == 1
    problem = staff["contact_problems"][0]
    assert problem["channel"] == "email"
    assert problem["template"] == "draft_decision"
    assert problem["reason"] == "mailbox unavailable"
    assert problem["at"]
    assert staff["case"]["audit"][-1]["action"] == "contact_problem"

    # A failure for a case casework does not hold is not an error: it is simply not ours.
    unknown = delivery_failure("RDR-NOT-OURS", NotificationStatus.TECHNICAL_FAILURE)
    async with app.state.casework.uow.transaction() as work:
        await app.state.casework.note_failed_delivery(work, unknown)
    # Nothing about contact problems goes on the public topic.
    assert not any("contact" in t for t in await types_of(app, reference))


async def test_the_tracking_page_works_without_javascript_and_labels_every_control(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    today = uk_date(datetime.now(UTC))
    await opened_case(client, kafka_bootstrap, reference)
    await act(client, reference, {"action": "accept"})
    page = await track_page(client, reference, markup=True)  # checks scripts and labels
    assert 'type="date"' in page

    form = {"token": f"token-{reference}"}
    refused = await client.post(
        f"/track/{reference}/draft-date",
        data={**form, "send_on": (today - timedelta(days=1)).isoformat()},
        follow_redirects=True,
    )
    assert "has already passed" in visible_text(refused.text)
    too_far = add_working_days(today, 21, "england")
    refused = await client.post(
        f"/track/{reference}/draft-date",
        data={**form, "send_on": too_far.isoformat()},
        follow_redirects=True,
    )
    assert "no later than" in visible_text(refused.text)
    nonsense = await client.post(
        f"/track/{reference}/draft-date", data={**form, "send_on": "soon"}, follow_redirects=True
    )
    assert "year-month-day" in nonsense.text
    send_on = add_working_days(today, 5, "england")
    accepted = await client.post(
        f"/track/{reference}/draft-date",
        data={**form, "send_on": send_on.isoformat()},
        follow_redirects=True,
    )
    assert "Thank you" in accepted.text
    assert f"we will send your draft on {day(send_on)}" in visible_text(accepted.text)

    refused_json = await client.post(
        f"/v1/track/{reference}/draft-date",
        params=token_for(reference),
        json={"send_on": too_far.isoformat()},
    )
    assert refused_json.status_code == 422
    assert "20 working days" in refused_json.json()["message"]

    # Staff can change the day on the complainant's behalf (say, after a phone call).
    await act(client, reference, {"action": "issue_draft"})
    await act(client, reference, {"action": "arrange_draft_date", "send_on": today.isoformat()})
    await app.state.casework.report_missed_deadlines(today)
    page = await track_page(client, reference, markup=True)
    assert 'id="comments-text"' in page
    await client.post(
        f"/v1/track/{reference}/comments", params=token_for(reference), json={"comments": "Ok."}
    )
    await act(client, reference, final_decision("not_upheld"))
    page = await track_page(client, reference, markup=True)
    assert 'type="checkbox"' in page  # the review request form, with its grounds
