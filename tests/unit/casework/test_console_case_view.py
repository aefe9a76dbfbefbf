"""The console's view of the draft decision (issue 14 part 1): what the case page shows of the
draft and the comments, and the final-decision form that starts from the draft, sent back
through the same form parsing and domain as a caseworker's post."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData

from services.casework.console import action_forms, case_view
from services.casework.domain import (
    Case,
    RecommendationInput,
    handle,
    parse_command,
)
from services.casework.domain.deciding import NOTHING_CHANGED_SINCE_DRAFT
from shared.events import Outcome, RecommendationType
from tests.unit.casework.test_domain_draft_content import (
    CASEWORKER,
    COUNCIL,
    RULES,
    TRUST,
    act,
    at,
    commented,
    investigating,
    proposed,
)

DRAFTED_ON = date(2026, 2, 10)
DECIDED_ON = date(2026, 2, 13)
COMMENTS = [{"body": "The referral letter is dated 3 March.", "at": at(date(2026, 2, 12))}]


def drafted(**overrides: object) -> Case:
    case = investigating()
    act(case, proposed(**overrides), DRAFTED_ON)
    return case


def final_from(case: Case, values: dict[str, str]) -> None:
    """Post the final form with `values`, as the console does, and apply it."""
    body = action_forms.command_body("issue_final", FormData(list(values.items())), [])
    handle(case, parse_command(body), CASEWORKER, at(DECIDED_ON), RULES)


def test_no_draft_section_before_a_draft_is_ready() -> None:
    case = investigating()
    assert case_view.draft(case, []) is None
    assert case_view.final_prefill(case) == {}


def test_the_draft_is_shown_in_full_with_the_comments_beside_it() -> None:
    case = drafted()
    shown = case_view.draft(case, COMMENTS)
    assert shown is not None
    assert case.draft is not None
    assert shown["held"] is False
    assert shown["issued_at"] == at(DRAFTED_ON)
    assert shown["comments_due_by"] == case.draft.comments_due_by
    assert shown["comments"] == COMMENTS
    content = shown["content"]
    assert content["proposed_outcome"] == "partly_upheld"
    assert content["summary"].startswith("The trust delayed")
    assert content["how_we_reached_it"]
    assert [(f["organisation"], f["outcome"]) for f in content["findings"]] == [
        (TRUST.name, "partly_upheld"),
        (COUNCIL.name, "not_upheld"),
    ]
    assert content["recommendations"] == [
        {
            "type": "apology",
            "description": "Apologise in writing for the delay.",
            "due_on": date(2026, 4, 1),
            "organisation": TRUST.name,
        }
    ]


def test_a_held_draft_is_shown_with_the_day_it_goes() -> None:
    case = drafted(scheduled_for=date(2026, 2, 20))
    shown = case_view.draft(case, [])
    assert shown is not None
    assert shown["held"] is True
    assert shown["send_on"] == date(2026, 2, 20)
    assert shown["content"]["summary"].startswith("The trust delayed")


def test_the_final_form_starts_from_the_draft_and_sent_unchanged_says_nothing_changed() -> None:
    case = drafted()
    values = case_view.final_prefill(case)
    assert values["outcome"] == "partly_upheld"
    assert values["summary"].startswith("The trust delayed")
    assert values["findings-0-outcome"] == "not_upheld"  # the council, the case's other body
    assert values["findings-0-summary"] == "No failing."
    assert values["recommendations-0-type"] == "apology"
    assert values["recommendations-0-due_on"] == "2026-04-01"
    assert values["recommendations-0-organisation"] == TRUST.name
    assert "changes_since_draft" not in values

    commented(case)
    form = {**values, "findings-0-organisation": COUNCIL.name}  # the page's hidden field
    final_from(case, form)
    assert case.decision is not None
    assert case.decision.changes_since_draft == NOTHING_CHANGED_SINCE_DRAFT
    assert case.decision.outcome is Outcome.PARTLY_UPHELD
    assert [(f.organisation.name, f.outcome) for f in case.decision.findings] == [
        (TRUST.name, Outcome.PARTLY_UPHELD),
        (COUNCIL.name, Outcome.NOT_UPHELD),
    ]
    [made] = case.recommendations
    assert (made.type, made.due_on, made.organisation) == (
        RecommendationType.APOLOGY,
        date(2026, 4, 1),
        TRUST,
    )


def test_every_recommendation_of_a_long_draft_gets_a_row_and_is_read_back() -> None:
    many = [
        RecommendationInput(type=RecommendationType.APOLOGY, description=f"Step {n}.")
        for n in range(action_forms.RECOMMENDATION_ROWS + 1)
    ]
    case = drafted(recommendations=many)
    values = case_view.final_prefill(case)
    assert action_forms.recommendation_rows({}) == action_forms.RECOMMENDATION_ROWS
    assert action_forms.recommendation_rows(values) == len(many)
    body = action_forms.command_body("issue_final", FormData(list(values.items())), [])
    assert [r["description"] for r in body["recommendations"]] == [r.description for r in many]
    assert all("due_on" not in r for r in body["recommendations"])  # blank: the usual time


def test_blank_finding_rows_and_organisations_are_left_to_the_domain_defaults() -> None:
    form = FormData(
        [
            ("outcome", "upheld"),
            ("summary", "Upheld."),
            ("findings-0-organisation", COUNCIL.name),
            ("findings-0-outcome", ""),
            ("findings-0-summary", ""),
            ("recommendations-0-type", "apology"),
            ("recommendations-0-description", "Apologise."),
            ("recommendations-0-organisation", ""),
        ]
    )
    body = action_forms.command_body("issue_final", form, [])
    assert body["findings"] == []
    assert body["recommendations"] == [{"type": "apology", "description": "Apologise."}]
