"""Notifications: requests in (a command), delivery statuses out (no personal data)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from shared.events.vocabulary import Payload


class NotificationRequested(Payload):
    """`redress.notification.requested`: send `template` to the complainant of `reference`.

    `personalisation` must hold no contact details: notifications looks those up itself from the
    complaint it saw on the intake topic. Free text in it (a caseworker's message) is encrypted at
    rest by notifications and removed after the retention period.
    """

    request_id: str
    reference: str
    template: str
    personalisation: dict[str, Any] = Field(default_factory=dict)
    requested_by: str


class NotificationStatus(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"


class NotificationStatusChanged(Payload):
    """`redress.notification.sent|delivered|failed`: a message moved to a new status."""

    notification_id: str
    request_id: str
    reference: str
    channel: Literal["email", "sms", "letter"]
    template: str
    template_version: int
    status: NotificationStatus
    at: AwareDatetime
    attempts: int
    failure_reason: str | None = None
