"""The delivery-status lifecycle of one message, with Notify's vocabulary.

Source: docs/reference/notify-anchor.md §1, rows "Status lifecycle" and "Delivery receipts":
statuses only move forward, so a late or duplicate provider receipt is ignored rather than
undoing a final status. We add one backward step Notify lacks: a temporary failure goes back to
`sending` when we retry it ("Provider retries": when retries run out it becomes
technical-failure, as in Notify).
"""

from __future__ import annotations

from typing import Final

from shared.events import NotificationStatus

Status = NotificationStatus

ALLOWED_TRANSITIONS: Final[dict[NotificationStatus, frozenset[NotificationStatus]]] = {
    Status.CREATED: frozenset(
        # permanent-failure before sending: the address is on the suppression list or invalid.
        {Status.SENDING, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE}
    ),
    Status.SENDING: frozenset(
        {
            Status.DELIVERED,
            Status.TEMPORARY_FAILURE,
            Status.PERMANENT_FAILURE,
            Status.TECHNICAL_FAILURE,
        }
    ),
    Status.TEMPORARY_FAILURE: frozenset(
        # sending: a retry; permanent-failure: a later hard bounce; technical-failure: retries
        # exhausted.
        {Status.SENDING, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE}
    ),
    Status.DELIVERED: frozenset(),
    Status.PERMANENT_FAILURE: frozenset(),
    Status.TECHNICAL_FAILURE: frozenset(),
}

FINAL_STATUSES: Final = frozenset(
    status for status, targets in ALLOWED_TRANSITIONS.items() if not targets
)
FAILURE_STATUSES: Final = frozenset(
    {Status.TEMPORARY_FAILURE, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE}
)


def can_move(from_status: NotificationStatus | str, to_status: NotificationStatus | str) -> bool:
    """Whether a message in `from_status` may take `to_status`; staying put is not a move."""
    return Status(to_status) in ALLOWED_TRANSITIONS[Status(from_status)]


def is_final(status: NotificationStatus | str) -> bool:
    """Whether nothing can change `status` any more (delivered, permanent or technical failure)."""
    return Status(status) in FINAL_STATUSES


def is_failure(status: NotificationStatus | str) -> bool:
    return Status(status) in FAILURE_STATUSES
