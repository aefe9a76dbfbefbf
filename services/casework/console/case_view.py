"""What the case page shows, built from the case, the complaint and the messages: the clocks one
by one with their pause state, one timeline of audit, messages and contact problems, and the
draft decision with the complainant's comments and the final-decision form's starting values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.casework.domain import Case, DeadlineKind, DeadlineStatus, is_overdue
from services.casework.domain.model import PAUSABLE_KINDS
from services.casework.staff import StaffSession
from services.casework.views import draft_content
from shared.settings import Nation
from shared.working_days import working_days_between

CLOCK_NAMES = {
    DeadlineKind.ASSESSMENT_DECISION: "Assessment decision",
    DeadlineKind.EVIDENCE: "Evidence request",
    DeadlineKind.COMMENT_WINDOW: "Comment window on the draft",
    DeadlineKind.REVIEW_REQUEST_WINDOW: "Review request window",
    DeadlineKind.RECOMMENDATION: "Recommendation",
    DeadlineKind.DRAFT_RELEASE: "Draft sent on the arranged day",
}
STATUS_TAGS = {
    DeadlineStatus.OPEN: ("Open", "govuk-tag--blue"),
    DeadlineStatus.MET: ("Met", "govuk-tag--green"),
    DeadlineStatus.MISSED: ("Missed", "govuk-tag--red"),
    DeadlineStatus.CANCELLED: ("Cancelled", "govuk-tag--grey"),
}


def may_see_contact_details(staff: StaffSession, case: Case) -> bool:
    """Managers, and the caseworker the case is assigned to (issue 10 item 5)."""
    return staff.is_manager or (
        case.caseworker is not None and case.caseworker.id == staff.account_id
    )


def clocks(case: Case, today: date, nation: Nation) -> list[dict[str, Any]]:
    rows = []
    for deadline in sorted(case.deadlines, key=lambda d: d.due_by):
        text, tag = STATUS_TAGS[deadline.status]
        paused = case.is_paused and deadline.kind in PAUSABLE_KINDS and deadline.is_open
        overdue = deadline.is_open and is_overdue(deadline.due_by, today)
        left = (
            working_days_between(today, deadline.due_by, nation)
            if deadline.is_open and not overdue
            else None
        )
        rows.append(
            {
                "name": CLOCK_NAMES[deadline.kind],
                "due_by": deadline.due_by,
                "status": "Paused" if paused else ("Overdue" if overdue else text),
                "tag": "govuk-tag--yellow" if paused else ("govuk-tag--red" if overdue else tag),
                "left": left,
            }
        )
    return rows


def timeline(case: Case, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first, as the MoJ timeline shows it."""
    items: list[dict[str, Any]] = []
    for entry in case.audit:
        moved = entry.from_stage != entry.to_stage
        stage = f" ({_words(entry.from_stage)} to {_words(entry.to_stage)})" if moved else ""
        items.append(
            {
                "at": entry.at,
                "title": entry.action.replace("_", " ").capitalize() + stage,
                "by": entry.actor_name,
                "body": entry.reason or "",
            }
        )
    for message in messages:
        to_us = message["direction"] == "to_caseworker"
        items.append(
            {
                "at": message["at"],
                "title": "Message from the complainant" if to_us else "Message to the complainant",
                "by": message["author"],
                "body": message["body"],
            }
        )
    for problem in case.contact_problems:
        items.append(
            {
                "at": problem.at,
                "title": f"Could not deliver a {problem.channel} ({_words(problem.template)})",
                "by": "Notifications",
                "body": f"{problem.reason or problem.status}. Contact the complainant another way.",
                "problem": True,
            }
        )
    return sorted(items, key=lambda item: _instant(item["at"]), reverse=True)


def _instant(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _words(value: str) -> str:
    return str(value).replace("_", " ")


def draft(case: Case, comments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The draft decision as the complainant was sent it, with their comments beside it (issue
    14 part 1), or as it waits for the day they arranged; None before a draft is ready."""
    if case.draft is not None:
        return {
            "held": False,
            "issued_at": case.draft.issued_at,
            "scheduled_for": case.draft.scheduled_for,
            "comments_due_by": case.draft.comments_due_by,
            "comments_received_at": case.draft.comments_received_at,
            "comments": comments,
            "content": draft_content(case, case.draft.content),
        }
    if case.held_draft is not None:
        return {
            "held": True,
            "prepared_at": case.held_draft.prepared_at,
            "send_on": case.held_draft.send_on,
            "comments": [],
            "content": draft_content(case, case.held_draft.content),
        }
    return None


def final_prefill(case: Case) -> dict[str, Any]:
    """The final-decision form's starting values, from the draft, so the caseworker edits what
    the complainant saw rather than retyping it. `changes_since_draft` is left for them to write:
    the domain says "nothing changed" itself when the decision matches the draft."""
    content = case.draft.content if case.draft else None
    if content is None:
        return {}
    values: dict[str, Any] = {
        "outcome": content.proposed_outcome.value,
        "summary": content.summary,
        "how_we_reached_it": content.how_we_reached_it,
    }
    # The form has one findings row per other organisation, in the case's order.
    found = {f.organisation.name: f for f in content.findings}
    for index, organisation in enumerate(case.organisations):
        if organisation.name in found:
            values[f"findings-{index}-outcome"] = found[organisation.name].outcome.value
            values[f"findings-{index}-summary"] = found[organisation.name].summary
    for index, item in enumerate(content.recommendations):
        prefix = f"recommendations-{index}-"
        values[prefix + "type"] = item.type.value
        values[prefix + "description"] = item.description
        values[prefix + "due_on"] = item.due_on.isoformat() if item.due_on else ""
        values[prefix + "organisation"] = (item.organisation or case.organisation).name
    return values
