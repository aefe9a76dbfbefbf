"""What each audience sees of a case: the complainant's tracking view and the staff view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.casework.domain import Case, CaseworkRules, allowed_actions, tracking_view

RECOMMENDATION_STATUS_WORDS = {
    "made": "Recommended: waiting for the organisation to act",
    "accepted": "The organisation has agreed to do this",
    "implemented": "Done: the organisation has done this",
    "overdue": "Overdue: the organisation has not done this by the date we set",
    "not_complied": "The organisation has not done this; we are taking further action",
}


def tracking(
    case: Case, today: date, now: datetime, rules: CaseworkRules, messages: list[dict[str, Any]]
) -> dict[str, Any]:
    view = tracking_view(case, today)
    return {
        "reference": case.reference,
        "stage": case.stage.value,
        "stage_description": view["stage_description"],
        "paused": view["paused"],
        "opened_at": case.opened_at,
        "organisation": {"name": case.organisation.name},
        "next_milestone": view["next_milestone"],
        "history": [{"stage": entry.stage.value, "at": entry.at} for entry in case.history],
        "caseworker": {"name": case.caseworker.name} if case.caseworker else None,
        "draft_decision": (
            {
                "issued_at": case.draft.issued_at,
                "comments_due_by": case.draft.comments_due_by,
                "comments_received_at": case.draft.comments_received_at,
            }
            if case.draft
            else None
        ),
        "decision": (
            {
                "outcome": case.decision.outcome.value,
                "summary": case.decision.summary,
                "decided_at": case.decision.decided_at,
                "review_request_due_by": case.decision.review_request_due_by,
            }
            if case.decision
            else None
        ),
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "recommendations": [
            {
                "type": r.type.value,
                "description": r.description,
                "due_on": r.due_on,
                "status": r.status.value,
                "status_description": RECOMMENDATION_STATUS_WORDS[r.status.value],
            }
            for r in case.recommendations
        ],
        "review": (
            {
                "requested_at": case.review.requested_at,
                "completed_at": case.review.completed_at,
                "outcome": case.review.outcome,
            }
            if case.review
            else None
        ),
        "messages": [
            {"direction": m["direction"], "from": m["author"], "at": m["at"], "body": m["body"]}
            for m in messages
        ],
        "you_can": allowed_actions(case, now, rules, "complainant"),
    }


def staff(
    case: Case,
    now: datetime,
    rules: CaseworkRules,
    complaint: dict[str, Any] | None,
    messages: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "case": case.model_dump(mode="json"),
        "complaint": complaint,
        "messages": messages,
        "allowed_actions": allowed_actions(case, now, rules),
    }
