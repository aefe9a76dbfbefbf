"""Messages that could not reach the complainant: noted on the case so the caseworker makes
contact another way (by phone, by letter, through their representative)."""

from __future__ import annotations

from .model import CONTACT_PROBLEM_STATUSES, Case, ContactProblem
from .transitions import SYSTEM_ACTOR, record_audit


def note_contact_problem(case: Case, problem: ContactProblem) -> bool:
    """Record a failed delivery on the case and in its audit trail.

    False (and no change) for a status that is not a lasting failure, or when this failure of
    this message is already noted (notifications may report it again under a new event id).
    """
    if problem.status not in CONTACT_PROBLEM_STATUSES:
        return False
    if any(
        known.notification_id == problem.notification_id and known.status == problem.status
        for known in case.contact_problems
    ):
        return False
    case.contact_problems.append(problem)
    record_audit(
        case,
        SYSTEM_ACTOR,
        problem.at,
        "contact_problem",
        from_stage=case.stage,
        reason=(
            f"the {problem.channel} '{problem.template}' could not be delivered "
            f"({problem.status}): make contact another way"
        ),
    )
    return True
