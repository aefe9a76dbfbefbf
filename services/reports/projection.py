"""Applying events to the read model (shared by the live consumers and the rebuild).

The merges themselves are pure (domain/merging.py); this module reads each event's payload and
hands the result to the read-model store, inside the caller's transaction:

- case events: merged into the case's document;
- acknowledged: the first `acknowledgement` message sent or delivered;
- satisfaction: one row per FeedbackSubmitted `response_id` (feedback publishes the answers
  anonymised, with no reference, so reports never learns who answered).
"""

from __future__ import annotations

from typing import Any

from services.reports.domain import SatisfactionResponse
from services.reports.domain.merging import facts_columns, merge_case_event
from services.reports.store import ReadModel
from shared.envelope import CloudEvent
from shared.events import (
    CASE_EVENT_TYPES,
    CaseEvent,
    FeedbackSubmitted,
    NotificationStatusChanged,
)
from shared.messaging import PermanentEventError

# The notification template whose delivery counts as the acknowledgement
# (docs/reference/domain-rules.md §1.6).
ACKNOWLEDGEMENT_TEMPLATE = "acknowledgement"
ACKNOWLEDGEMENT_EVENT_TYPES = frozenset(
    {"redress.notification.sent", "redress.notification.delivered"}
)
FEEDBACK_SUBMITTED = "redress.feedback.submitted"
CASE_EVENTS = frozenset(CASE_EVENT_TYPES.values())


def _payload(event: CloudEvent) -> Any:
    try:
        return event.payload()
    except ValueError as error:
        raise PermanentEventError(str(error)) from error


async def apply_event(model: ReadModel, event: CloudEvent) -> bool:
    """Apply one event from any of the three source topics; False if the model does not use it."""
    if event.type in CASE_EVENTS:
        await apply_case_event(model, event)
    elif event.type in ACKNOWLEDGEMENT_EVENT_TYPES:
        await apply_delivery(model, event)
    elif event.type == FEEDBACK_SUBMITTED:
        await apply_feedback(model, event)
    else:
        return False
    return True


async def apply_case_event(model: ReadModel, event: CloudEvent) -> None:
    payload = _payload(event)
    if not isinstance(payload, CaseEvent):
        raise PermanentEventError(f"{event.type} is not a case event")
    await model.merge_case(
        payload.reference,
        lambda facts: merge_case_event(facts, event.id, payload),
        facts_columns,
    )


async def apply_delivery(model: ReadModel, event: CloudEvent) -> None:
    payload = _payload(event)
    if not isinstance(payload, NotificationStatusChanged):
        raise PermanentEventError(f"{event.type} is not a delivery status")
    if (
        payload.template != ACKNOWLEDGEMENT_TEMPLATE
        or event.type not in ACKNOWLEDGEMENT_EVENT_TYPES
    ):
        return
    await model.record_acknowledgement(payload.reference, payload.at)


async def apply_feedback(model: ReadModel, event: CloudEvent) -> None:
    payload = _payload(event)
    if not isinstance(payload, FeedbackSubmitted):
        raise PermanentEventError(f"{event.type} is not a survey response")
    await model.add_response(
        SatisfactionResponse(
            response_id=payload.response_id,
            submitted_at=payload.submitted_at,
            respondent=payload.respondent,
            sector=payload.sector,
            outcome=payload.outcome,
            answers=dict(payload.answers),
        )
    )
