"""Which case events send which messages, with what words; and that they render."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.notifications.domain import TEMPLATES_DIRECTORY
from services.notifications.domain.routing import (
    COMMAND_TEMPLATES,
    HANDLED_EVENT_TYPES,
    ROUTED_EVENT_TYPES,
    ROUTES,
    SERVICE_SUPPLIED_FIELDS,
    SILENT_EVENT_TYPES,
    TemplateRequest,
    UnroutedEventTypeError,
    format_date,
    templates_for_event,
    tracking_url,
)
from services.notifications.domain.templates import TemplateCatalogue
from shared.events import CASE_EVENT_TYPES

REFERENCE = "PHSO-2027-000042"
BASE: dict[str, Any] = {
    "reference": REFERENCE,
    "occurred_at": "2027-03-10T14:00:00Z",
    "organisation": {"name": "Department for Work and Pensions", "sector": "parliamentary"},
    "stage": "investigation",
}
RECOMMENDATION = {
    "recommendation_id": "rec-1",
    "type": "financial_remedy",
    "due_on": "2027-06-01",
    "status": "implemented",
}


@functools.cache
def shipped_catalogue() -> TemplateCatalogue:
    return TemplateCatalogue.load(TEMPLATES_DIRECTORY)


def event(**fields: Any) -> dict[str, Any]:
    return {**BASE, **fields}


def only(requests: list[TemplateRequest]) -> TemplateRequest:
    assert len(requests) == 1, requests
    return requests[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2027, 1, 5), "5 January 2027"),
        (date(2026, 12, 31), "31 December 2026"),
    ],
)
def test_dates_are_written_out_in_full(value: date, expected: str) -> None:
    assert format_date(value) == expected


def test_a_datetime_counts_by_its_uk_calendar_day() -> None:
    opened = templates_for_event(
        "redress.case.opened",
        event(
            stage="assessment",
            channel="web",
            received_at="2027-06-30T23:30:00Z",  # 00:30 on 1 July in London (BST)
            next_milestone={"name": "assessment_decision", "due_by": "2027-07-28"},
        ),
    )

    assert only(opened).personalisation["received_on"] == "1 July 2027"


@pytest.mark.parametrize(
    ("ce_type", "data", "template", "expected"),
    [
        (
            "redress.case.opened",
            event(
                stage="assessment",
                channel="web",
                received_at="2027-01-05T09:00:00Z",
                next_milestone={"name": "assessment_decision", "due_by": "2027-02-02"},
            ),
            "acknowledgement",
            {"received_on": "5 January 2027", "hear_by": "2 February 2027"},
        ),
        (
            "redress.case.opened",
            event(stage="assessment", channel="web", received_at="2027-01-05T09:00:00Z"),
            "acknowledgement",
            {"hear_by": ""},
        ),
        (
            "redress.case.assigned",
            event(caseworker_id="u-7", caseworker_name="Priya Shah"),
            "case_assigned",
            {"caseworker_name": "Priya Shah"},
        ),
        (
            "redress.case.stage_changed",
            event(
                from_stage="assessment",
                to_stage="investigation",
                next_milestone={"name": "draft_decision", "due_by": "2027-09-30"},
            ),
            "stage_changed",
            {
                "stage_description": "We have started to investigate your complaint.",
                "next_step": "our draft decision",
                "next_date": "30 September 2027",
            },
        ),
        (
            "redress.case.evidence_requested",
            event(request_id="ev-1", due_by="2027-03-24"),
            "evidence_requested",
            {"evidence_due_by": "24 March 2027"},
        ),
        (
            "redress.case.draft_decision_issued",
            event(stage="draft_decision", comments_due_by="2027-03-31"),
            "draft_decision_issued",
            {"comments_due_by": "31 March 2027"},
        ),
        (
            "redress.case.comments_received",
            event(stage="draft_decision"),
            "comments_received",
            {"reference": REFERENCE},
        ),
        (
            "redress.case.final_decision_issued",
            event(
                stage="closed",
                outcome="partly_upheld",
                review_request_due_by="2027-04-10",
                recommendations=[
                    {**RECOMMENDATION, "type": "apology"},
                    RECOMMENDATION,
                    {**RECOMMENDATION, "recommendation_id": "rec-3"},
                ],
            ),
            "final_decision_issued",
            {
                "review_by": "10 April 2027",
                "recommendations_summary": "an apology and a payment to put things right",
            },
        ),
        (
            "redress.case.final_decision_issued",
            event(stage="closed", outcome="not_upheld", review_request_due_by="2027-04-10"),
            "final_decision_issued",
            {"recommendations_summary": ""},
        ),
        (
            "redress.case.closed",
            event(
                stage="closed",
                closure_reason="declined",
                decline_reason="premature",
                opened_at="2027-01-05T09:00:00Z",
                working_days_open=45,
            ),
            "case_closed_declined",
            {"review_by": "10 April 2027"},  # one month after 10 March
        ),
        (
            "redress.case.closed",
            event(
                stage="closed",
                closure_reason="withdrawn",
                opened_at="2027-01-05T09:00:00Z",
                working_days_open=45,
            ),
            "case_closed",
            {"closure_description": "You told us you no longer want us to look into it."},
        ),
        (
            "redress.case.review_requested",
            event(stage="review", grounds=["new_information"]),
            "review_requested",
            {"reference": REFERENCE},
        ),
        (
            "redress.case.review_completed",
            event(stage="closed", review_outcome="decision_changed"),
            "review_completed",
            {
                "review_outcome_description": (
                    "We have changed our decision. Your caseworker will explain what happens next."
                )
            },
        ),
        (
            "redress.case.recommendation_updated",
            event(stage="closed", recommendation=RECOMMENDATION, previous_status="accepted"),
            "recommendation_updated",
            {
                "recommendation_description": "a payment to put things right",
                "status_description": "done",
                "previous_status_description": "agreed by the organisation",
            },
        ),
        (
            "redress.case.deadline_missed",
            event(deadline_id="d-1", deadline="assessment_decision", due_by="2027-02-02"),
            "deadline_missed",
            {
                "deadline_description": "our decision on whether we can look into your complaint",
                "missed_date": "2 February 2027",
                "new_date": "",
            },
        ),
        (
            "redress.case.deadline_missed",
            event(
                deadline_id="d-1",
                deadline="site_visit",
                due_by="2027-02-02",
                new_due_by="2027-02-16",
            ),
            "deadline_missed",
            {"deadline_description": "the site visit", "new_date": "16 February 2027"},
        ),
        (
            "redress.case.message_posted",
            event(message_id="m-1", direction="to_complainant"),
            "message_from_caseworker",
            {"reference": REFERENCE},
        ),
    ],
)
def test_case_events_choose_a_template_and_its_words(
    ce_type: str, data: dict[str, Any], template: str, expected: dict[str, str]
) -> None:
    request = only(templates_for_event(ce_type, data))

    assert request.template == template
    assert template in ROUTES[ce_type].sends  # the catalogue document says so too
    assert request.personalisation["reference"] == REFERENCE
    assert expected.items() <= request.personalisation.items()
    # The template exists and these words, plus the link the service adds, are all it needs.
    assert shipped_catalogue().required_personalisation(template) <= (
        request.personalisation.keys() | SERVICE_SUPPLIED_FIELDS
    )


@pytest.mark.parametrize(
    ("ce_type", "data"),
    [
        (
            "redress.case.stage_changed",
            event(from_stage="investigation", to_stage="draft_decision"),
        ),
        ("redress.case.stage_changed", event(from_stage="draft_decision", to_stage="closed")),
        ("redress.case.stage_changed", event(from_stage="review", to_stage="investigation")),
        (
            "redress.case.closed",
            event(
                stage="closed",
                closure_reason="upheld",
                opened_at="2027-01-05T09:00:00Z",
                working_days_open=90,
            ),
        ),
        (
            "redress.case.recommendation_updated",
            event(recommendation=RECOMMENDATION, previous_status="implemented"),
        ),
        ("redress.case.message_posted", event(message_id="m-2", direction="to_caseworker")),
        ("redress.case.recommendation_made", event(recommendation=RECOMMENDATION)),
        ("redress.case.themes_tagged", event(themes=["lost_records"])),
    ],
)
def test_events_that_another_message_covers_send_nothing(
    ce_type: str, data: dict[str, Any]
) -> None:
    assert templates_for_event(ce_type, data) == []


def test_an_event_type_nobody_decided_about_is_an_error_not_silence() -> None:
    with pytest.raises(UnroutedEventTypeError, match=r"redress\.report\.published"):
        templates_for_event("redress.report.published", {"anything": "at all"})


def test_every_public_case_event_type_is_routed_or_knowingly_silent() -> None:
    undecided = set(CASE_EVENT_TYPES.values()) - HANDLED_EVENT_TYPES
    assert not undecided, f"route these or add them to SILENT_EVENT_TYPES: {sorted(undecided)}"
    assert not ROUTED_EVENT_TYPES & SILENT_EVENT_TYPES.keys()


def test_every_template_a_route_or_command_names_exists_and_every_template_is_sent() -> None:
    named = {t for route in ROUTES.values() for t in route.sends} | COMMAND_TEMPLATES.keys()

    assert named == set(shipped_catalogue().names())


@pytest.mark.parametrize("template", sorted(COMMAND_TEMPLATES))
def test_a_command_supplies_what_its_template_needs(template: str) -> None:
    required = shipped_catalogue().required_personalisation(template)

    assert required - SERVICE_SUPPLIED_FIELDS - {"reference"} == set(
        COMMAND_TEMPLATES[template].fields
    )


def test_a_malformed_event_is_rejected_not_guessed() -> None:
    with pytest.raises(ValidationError):
        templates_for_event("redress.case.assigned", event())


def test_every_routed_type_is_a_public_case_event() -> None:
    assert set(CASE_EVENT_TYPES.values()) >= ROUTED_EVENT_TYPES


def test_personalisation_never_holds_contact_details() -> None:
    request = only(
        templates_for_event(
            "redress.case.assigned", event(caseworker_id="u-7", caseworker_name="Priya Shah")
        )
    )

    assert not SERVICE_SUPPLIED_FIELDS & request.personalisation.keys()
    assert not {"email", "phone", "name", "address"} & request.personalisation.keys()


def test_tracking_url_escapes_the_reference_and_token() -> None:
    assert (
        tracking_url("https://redress.example.gov.uk/", "PHSO 1/2", "a+b=")
        == "https://redress.example.gov.uk/track/PHSO%201%2F2?token=a%2Bb%3D"
    )


@pytest.mark.parametrize(
    ("ce_type", "data"),
    [
        (
            "redress.case.opened",
            event(stage="assessment", channel="web", received_at="2027-01-05T09:00:00Z"),
        ),
        ("redress.case.comments_received", event()),
        ("redress.case.message_posted", event(message_id="m-1", direction="to_complainant")),
        (
            "redress.case.final_decision_issued",
            event(
                outcome="upheld",
                review_request_due_by="2027-04-10",
                recommendations=[RECOMMENDATION],
            ),
        ),
        (
            "redress.case.closed",
            event(
                closure_reason="declined",
                decline_reason="out_of_remit",
                opened_at="2027-01-05T09:00:00Z",
                working_days_open=3,
            ),
        ),
    ],
)
def test_routed_requests_render_once_the_service_adds_its_fields(
    ce_type: str, data: dict[str, Any]
) -> None:
    catalogue = shipped_catalogue()
    request = only(templates_for_event(ce_type, data))
    link = tracking_url("https://redress.example.gov.uk", REFERENCE, "token123")

    message = catalogue.render(request.template, {**request.personalisation, "tracking_url": link})

    assert REFERENCE in message.sms
    assert link in message.sms
    assert catalogue.required_personalisation(request.template) <= (
        request.personalisation.keys() | SERVICE_SUPPLIED_FIELDS
    )
