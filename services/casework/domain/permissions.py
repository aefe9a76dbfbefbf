"""Which actions a case offers: by stage, by pause, by the case's own data, by role and by time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.events import Stage

from .commands import ACTIONS, COMPLAINANT_ACTIONS, STAFF_ROLES, Role
from .model import COMMENT_WINDOW_ID, Case
from .rules import CaseworkRules
from .timekeeping import uk_date

_ACTIVE = frozenset({Stage.ASSESSMENT, Stage.INVESTIGATION, Stage.DRAFT_DECISION})
_ALL = frozenset(Stage)

# The stage machine (docs/design.md §5): which stages each action may start from.
STAGES_FOR_ACTION: dict[str, frozenset[Stage]] = {
    "assign": _ACTIVE | {Stage.REVIEW},
    "accept": frozenset({Stage.ASSESSMENT}),
    "decline": frozenset({Stage.ASSESSMENT}),
    "resolve_early": frozenset({Stage.ASSESSMENT}),
    "withdraw": frozenset({Stage.ASSESSMENT, Stage.INVESTIGATION}),
    "request_evidence": frozenset({Stage.INVESTIGATION}),
    "receive_evidence": frozenset({Stage.INVESTIGATION, Stage.DRAFT_DECISION}),
    "record_evidence_unavailable": frozenset({Stage.INVESTIGATION, Stage.DRAFT_DECISION}),
    "record_expert_advice": frozenset({Stage.INVESTIGATION, Stage.DRAFT_DECISION}),
    "arrange_draft_date": frozenset({Stage.INVESTIGATION}),
    "issue_draft": frozenset({Stage.INVESTIGATION}),
    "submit_comments": frozenset({Stage.DRAFT_DECISION}),
    "issue_final": frozenset({Stage.DRAFT_DECISION}),
    "request_review": frozenset({Stage.CLOSED}),
    "complete_review": frozenset({Stage.REVIEW}),
    "update_recommendation": frozenset({Stage.CLOSED, Stage.REVIEW}),
    "pause": _ACTIVE,
    "resume": _ACTIVE,
    "tag_themes": _ALL,
    "post_message": _ALL,
    "add_organisation": _ACTIVE,
    # A closed case's later events (recommendations, reviews) should name the body too.
    "confirm_organisation": _ALL,
}

# A paused case makes no progress; what still works is what does not move it forward, plus the
# complainant's own steps (withdrawing, commenting, arranging the draft's date) and recording
# what arrives anyway (evidence, advice, news that evidence cannot be had, another body).
_ALLOWED_WHILE_PAUSED = frozenset(
    {
        "resume",
        "assign",
        "tag_themes",
        "post_message",
        "withdraw",
        "submit_comments",
        "receive_evidence",
        "record_evidence_unavailable",
        "record_expert_advice",
        "arrange_draft_date",
        "add_organisation",
        "confirm_organisation",
    }
)


def permitted(case: Case, action: str, role: Role | None = None) -> bool:
    """Whether the action is on offer, time rules aside (refusal: ActionNotAllowed)."""
    if role is not None and role not in STAFF_ROLES and action not in COMPLAINANT_ACTIONS:
        return False
    if case.stage not in STAGES_FOR_ACTION[action]:
        return False
    if case.is_paused and action not in _ALLOWED_WHILE_PAUSED:
        return False
    return _case_data_permits(case, action)


def _case_data_permits(case: Case, action: str) -> bool:
    match action:
        case "pause":
            return not case.is_paused
        case "resume":
            return case.is_paused
        case "request_review":
            # Only decisions open a review window (a final decision or a decline), and a decision
            # is reviewed once.
            return case.review is None and case.review_window is not None
        case "update_recommendation":
            return bool(case.recommendations)
        case "receive_evidence" | "record_evidence_unavailable":
            return any(request.is_outstanding for request in case.evidence_requests)
        case "issue_draft":
            return case.held_draft is None
        case _:
            return True


def time_rule_broken(case: Case, action: str, today: date, rules: CaseworkRules) -> str | None:
    """Why a permitted action cannot happen today (refusal: DomainRuleBroken), or None."""
    match action:
        case "issue_final":
            return _comment_window_still_open(case, today)
        case "request_review":
            return _review_window_closed(case, today, rules)
        case _:
            return None


def _comment_window_still_open(case: Case, today: date) -> str | None:
    # docs/reference/domain-rules.md §1.7: a final report issued before the comment period ended is
    # the failure to guard against; the due date is the last day the complainant may comment.
    window = case.deadline(COMMENT_WINDOW_ID)
    if case.draft is None or window is None or case.draft.comments_received_at is not None:
        return None
    if today > window.due_by:
        return None
    return (
        f"The complainant can comment on the draft decision until {window.due_by.isoformat()} "
        f"and has not commented yet; the final decision can be issued from "
        f"{(window.due_by + timedelta(days=1)).isoformat()}."
    )


def _review_window_closed(case: Case, today: date, rules: CaseworkRules) -> str | None:
    window = case.review_window
    if window is None or today <= window.due_by:
        return None
    months = rules.review_request_window_months
    return (
        f"The window to ask for a review closed on {window.due_by.isoformat()}: a review must "
        f"be asked for within {months} month{'s' if months != 1 else ''} of the decision."
    )


def allowed_actions(
    case: Case, now: datetime, rules: CaseworkRules | None = None, role: Role | None = None
) -> list[str]:
    """The actions `handle` would accept now (for `role`, or for staff when no role is given)."""
    today = uk_date(now)
    rules = rules or CaseworkRules()
    return [
        action
        for action in ACTIONS
        if permitted(case, action, role) and time_rule_broken(case, action, today, rules) is None
    ]
