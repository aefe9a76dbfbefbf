"""Messages that could not reach the complainant: noted on the case so the caseworker makes
contact another way (by phone, by letter, through their representative)."""

from __future__ import annotations

from .lifecycle import SYSTEM_ACTOR
from .model import CONTACT_PROBLEM_STATUSES, AuditEntry, Case, ContactProblem


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
    case.audit.append(
        AuditEntry(
            at=problem.at,
            actor_id=SYSTEM_ACTOR.id,
            actor_name=SYSTEM_ACTOR.name,
            action="contact_problem",
            from_stage=case.stage,
            to_stage=case.stage,
            reason=(
                f"the {problem.channel} '{problem.template}' could not be delivered "
                f"({problem.status}): make contact another way"
            ),
        )
    )
    return True
