"""What each audience sees of a case: the complainant's tracking view and the staff view."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.casework.domain import (
    EVIDENCE_GAP_INTRO,
    FINDING_WORDS,
    Case,
    CaseworkRules,
    Decision,
    DraftContent,
    allowed_actions,
    draft_arrangement,
    evidence_gaps,
    latest_draft_send_date,
    tracking_view,
)
from services.casework.stores import CaseworkStores
from shared.kit.work import UnitOfWork
from shared.timekeeping import uk_date

RECOMMENDATION_STATUS_WORDS = {
    "made": "Recommended: waiting for the organisation to act",
    "accepted": "The organisation has agreed to do this",
    "implemented": "Done: the organisation has done this",
    "overdue": "Overdue: the organisation has not done this by the date we set",
    "not_complied": "The organisation has not done this; we are taking further action",
}


def draft_content(case: Case, content: DraftContent | None) -> dict[str, Any] | None:
    """What a draft proposes, in full (issue 14): the complainant comments on it, the case page
    shows it beside their comments. None for a draft with no content."""
    if content is None:
        return None
    return {
        "proposed_outcome": content.proposed_outcome.value,
        "summary": content.summary,
        "how_we_reached_it": content.how_we_reached_it,
        "findings": [
            {"organisation": f.organisation.name, "outcome": f.outcome.value, "summary": f.summary}
            for f in content.findings
        ],
        "recommendations": [
            {
                "type": r.type.value,
                "description": r.description,
                "due_on": r.due_on,
                "organisation": (r.organisation or case.organisation).name,
            }
            for r in content.recommendations
        ],
    }


def _tracked_draft_content(case: Case, content: DraftContent | None) -> dict[str, Any]:
    """The draft's content in the tracking API's names (its recommendations are proposed ones)."""
    shown = draft_content(case, content)
    if shown is None:
        return {"proposed_outcome": None}
    shown["proposed_recommendations"] = shown.pop("recommendations")
    return shown


async def complainant_view(
    uow: UnitOfWork[CaseworkStores], case: Case, now: datetime, rules: CaseworkRules
) -> dict[str, Any]:
    """The tracking view of `case` (already checked against its tracking token), with its
    messages and the complainant's comments on the draft."""
    async with uow.reading() as stores:
        messages = await stores.cases.messages(case.reference)
        # The complainant's own words, shown back to them only behind their tracking token.
        comments = await stores.cases.draft_comments(case.reference) if case.draft else []
    return tracking(case, uk_date(now), now, rules, messages, comments=comments)


def tracking(
    case: Case,
    today: date,
    now: datetime,
    rules: CaseworkRules,
    messages: list[dict[str, Any]],
    *,
    comments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The complainant's view; `comments` are their own comments on the draft, oldest first."""
    view = tracking_view(case, today)
    you_can = allowed_actions(case, now, rules, "complainant")
    return {
        "reference": case.reference,
        "stage": case.stage.value,
        "stage_description": view["stage_description"],
        "paused": view["paused"],
        "opened_at": case.opened_at,
        "organisation": {"name": case.organisation.name},
        "organisations": [{"name": o.name} for o in case.organisations],
        "next_milestone": view["next_milestone"],
        "history": [{"stage": entry.stage.value, "at": entry.at} for entry in case.history],
        "caseworker": {"name": case.caseworker.name} if case.caseworker else None,
        "draft_decision": _draft_decision(case, comments or []),
        "draft_arrangement": draft_arrangement(case, today),
        "draft_date_choice": (
            {"earliest": today, "latest": latest_draft_send_date(today, rules)}
            if "arrange_draft_date" in you_can
            else None
        ),
        "decision": _decision(case, case.decision) if case.decision else None,
        "closure_reason": case.closure_reason.value if case.closure_reason else None,
        "recommendations": _recommendations(case),
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
        "you_can": you_can,
    }


def _draft_decision(case: Case, comments: list[dict[str, Any]]) -> dict[str, Any] | None:
    if case.draft is None:
        return None
    return {
        "issued_at": case.draft.issued_at,
        "comments_due_by": case.draft.comments_due_by,
        "comments_received_at": case.draft.comments_received_at,
        "scheduled_for": case.draft.scheduled_for,
        "comments": [{"body": c["body"], "at": c["at"]} for c in comments],
        **_tracked_draft_content(case, case.draft.content),
    }


def _recommendations(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "type": r.type.value,
            "description": r.description,
            "due_on": r.due_on,
            "status": r.status.value,
            "status_description": RECOMMENDATION_STATUS_WORDS[r.status.value],
            "organisation": (r.organisation or case.organisation).name,
        }
        for r in case.recommendations
    ]


def _decision(case: Case, decision: Decision) -> dict[str, Any]:
    gaps = evidence_gaps(case)
    return {
        "outcome": decision.outcome.value,
        "summary": decision.summary,
        "decided_at": decision.decided_at,
        "review_request_due_by": decision.review_request_due_by,
        "how_we_reached_it": decision.how_we_reached_it,
        "next_steps": decision.next_steps,
        "changes_since_draft": decision.changes_since_draft,
        "findings": [
            {
                "organisation": f.organisation.name,
                "outcome": f.outcome.value,
                "description": f"{FINDING_WORDS[f.outcome]} {f.organisation.name}.",
                "summary": f.summary,
            }
            for f in decision.findings
        ],
        "evidence_not_obtained": (
            {"explanation": EVIDENCE_GAP_INTRO, "items": gaps} if gaps else None
        ),
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
        "organisations": [
            {"name": o.name, "sector": o.sector.value, "lead": o == case.organisation}
            for o in case.all_organisations
        ],
        "evidence_unavailable": [
            {
                "request_id": r.request_id,
                "description": r.description,
                "how_decision_deals_with_it": r.unavailable.how_decision_deals_with_it,
                "recorded_at": r.unavailable.recorded_at,
            }
            for r in case.evidence_requests
            if r.unavailable is not None
        ],
        "expert_advice": [a.model_dump(mode="json") for a in case.expert_advice],
        # Messages that did not reach the complainant: make contact another way.
        "contact_problems": [
            {
                "channel": p.channel,
                "template": p.template,
                "at": p.at,
                "reason": p.reason or p.status,
            }
            for p in case.contact_problems
        ],
    }
