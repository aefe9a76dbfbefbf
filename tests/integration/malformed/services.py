"""Every Kafka consumer of every service, with one good event of a type it applies.

A good event for each consumer is one its handler applies whatever state the service is in (an
unknown reference is ignored or recorded, never an error), so the inbox holds its `ce_id` once
it is applied (shared/inbox.py): the proof, for any consumer, that it still applies events.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI

from services.casework.app import create_app as casework_app
from services.casework.settings import CaseworkSettings
from services.feedback.app import create_app as feedback_app
from services.feedback.settings import FeedbackSettings
from services.intake.app import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.notifications.app import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.reports.app import create_app as reports_app
from services.reports.settings import ReportsSettings
from shared.envelope import CloudEvent, build_event
from shared.events import (
    CaseAssigned,
    CaseClosed,
    CaseOpened,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    EligibilityFlags,
    FeedbackSubmitted,
    NotificationRequested,
    NotificationStatus,
    NotificationStatusChanged,
    Organisation,
    Payload,
    Sector,
    Stage,
)
from shared.topics import (
    CASEWORK_CASES,
    FEEDBACK_RESPONSES,
    INTAKE_COMPLAINTS,
    NOTIFICATION_DELIVERIES,
    NOTIFICATION_REQUESTS,
    Topic,
)

# Background jobs (deadlines, publications, sending, surveys) wait this long: these tests are
# about the consumers alone.
QUIET_SECONDS = 3600.0
ORGANISATION = Organisation(name="Malformed Events Borough Council", sector=Sector.OTHER)


def reference() -> str:
    return f"RDR-BAD-{uuid.uuid4().hex[:8].upper()}"


def _event(payload: Payload, source: str, subject: str, ce_type: str | None = None) -> CloudEvent:
    return build_event(payload, source_service=source, subject=subject, ce_type=ce_type)


def complaint() -> CloudEvent:
    ref = reference()
    received = ComplaintReceived(
        complaint_id=str(uuid.uuid4()),
        reference=ref,
        received_at=datetime.now(UTC),
        channel=Channel.WEB,
        complainant=Complainant(
            name="Robin Example", email="robin@example.org", preferred_contact=ContactMethod.EMAIL
        ),
        organisation=ORGANISATION,
        summary="They lost my forms twice.",
        desired_outcome="An apology.",
        first_aware_on=date(2026, 6, 1),
        eligibility=EligibilityFlags(eligible=True),
        tracking_token=f"token-{uuid.uuid4().hex}",
    )
    return _event(received, "intake", ref)


def case_opened() -> CloudEvent:
    ref, now = reference(), datetime.now(UTC)
    opened = CaseOpened(
        reference=ref,
        occurred_at=now,
        organisation=ORGANISATION,
        stage=Stage.ASSESSMENT,
        channel=Channel.WEB,
        received_at=now,
    )
    return _event(opened, "casework", ref)


def case_assigned() -> CloudEvent:
    ref = reference()
    assigned = CaseAssigned(
        reference=ref,
        occurred_at=datetime.now(UTC),
        organisation=ORGANISATION,
        stage=Stage.ASSESSMENT,
        caseworker_id="cw-1",
        caseworker_name="Casey Worker",
    )
    return _event(assigned, "casework", ref)


def case_closed() -> CloudEvent:
    ref, now = reference(), datetime.now(UTC)
    closed = CaseClosed(
        reference=ref,
        occurred_at=now,
        organisation=ORGANISATION,
        stage=Stage.CLOSED,
        closure_reason=ClosureReason.NOT_UPHELD,
        opened_at=now,
        working_days_open=12,
    )
    return _event(closed, "casework", ref)


def delivery(status: NotificationStatus, ce_type: str) -> Callable[[], CloudEvent]:
    def build() -> CloudEvent:
        ref = reference()
        changed = NotificationStatusChanged(
            notification_id=str(uuid.uuid4()),
            request_id=str(uuid.uuid4()),
            reference=ref,
            channel="email",
            template="acknowledgement",
            template_version=1,
            status=status,
            at=datetime.now(UTC),
            attempts=1,
        )
        return _event(changed, "notifications", ref, ce_type)

    return build


def notification_requested() -> CloudEvent:
    ref = reference()
    request = NotificationRequested(
        request_id=str(uuid.uuid4()),
        reference=ref,
        template="survey_invitation",
        personalisation={"survey_url": "https://example.org/s/1", "survey_closes_on": "1 May"},
        requested_by="feedback",
    )
    return _event(request, "feedback", ref)


def feedback_submitted() -> CloudEvent:
    answer = FeedbackSubmitted(
        response_id=str(uuid.uuid4()),
        submitted_at=datetime.now(UTC),
        sector=Sector.OTHER,
        outcome=ClosureReason.UPHELD,
        answers={"listened_to": 4},
    )
    return _event(answer, "feedback", f"survey-{uuid.uuid4().hex[:8]}")


@dataclass(frozen=True)
class Consumer:
    name: str
    topic: Topic
    good_event: Callable[[], CloudEvent]


@dataclass(frozen=True)
class ServiceUnderTest:
    name: str
    consumers: tuple[Consumer, ...]
    app: Callable[[str, str, str], FastAPI]  # (database url, bootstrap, group prefix) -> app
    # Further consumers on topics already listed: their groups start at the end too.
    also_reading: tuple[tuple[str, Topic], ...] = ()

    def groups(self) -> dict[str, Topic]:
        """Every consumer group of the service and its topic."""
        return {c.name: c.topic for c in self.consumers} | dict(self.also_reading)

    def database_file(self, directory: Path) -> Path:
        return directory / f"{self.name}.db"


def _casework(url: str, bootstrap: str, prefix: str) -> FastAPI:
    return casework_app(
        CaseworkSettings(
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            consumer_group_prefix=prefix,
            deadline_check_seconds=QUIET_SECONDS,
        )
    )


def _feedback(url: str, bootstrap: str, prefix: str) -> FastAPI:
    return feedback_app(
        FeedbackSettings(
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            consumer_group_prefix=prefix,
            scheduler_interval_seconds=QUIET_SECONDS,
        )
    )


def _intake(url: str, bootstrap: str, prefix: str) -> FastAPI:
    return intake_app(
        IntakeSettings(
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            consumer_group_prefix=prefix,
            smtp_listen_port=0,
            scheduler_interval_seconds=QUIET_SECONDS,
        )
    )


def _notifications(url: str, bootstrap: str, prefix: str) -> FastAPI:
    return notifications_app(
        NotificationsSettings(
            environment="test",
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            consumer_group_prefix=prefix,
            sender_interval_seconds=QUIET_SECONDS,
            scheduler_interval_seconds=QUIET_SECONDS,
        )
    )


def _reports(url: str, bootstrap: str, prefix: str) -> FastAPI:
    return reports_app(
        ReportsSettings(
            database_url=url,
            kafka_bootstrap_servers=bootstrap,
            consumer_group_prefix=prefix,
            publication_interval_seconds=QUIET_SECONDS,
        )
    )


FAILED = delivery(NotificationStatus.PERMANENT_FAILURE, "redress.notification.failed")
SENT = delivery(NotificationStatus.SENDING, "redress.notification.sent")

SERVICES_UNDER_TEST = (
    ServiceUnderTest(
        "casework",
        (
            Consumer("cases", INTAKE_COMPLAINTS, complaint),
            Consumer("deliveries", NOTIFICATION_DELIVERIES, FAILED),
        ),
        _casework,
    ),
    ServiceUnderTest("feedback", (Consumer("closures", CASEWORK_CASES, case_closed),), _feedback),
    ServiceUnderTest("intake", (Consumer("retention", CASEWORK_CASES, case_closed),), _intake),
    ServiceUnderTest(
        "notifications",
        (
            Consumer("contacts", INTAKE_COMPLAINTS, complaint),
            Consumer("cases", CASEWORK_CASES, case_assigned),
            Consumer("requests", NOTIFICATION_REQUESTS, notification_requested),
        ),
        _notifications,
        # The webhooks consumer reads the cases topic too (the records sent for `cases`).
        also_reading=(("webhooks", CASEWORK_CASES),),
    ),
    ServiceUnderTest(
        "reports",
        (
            Consumer("cases", CASEWORK_CASES, case_opened),
            Consumer("deliveries", NOTIFICATION_DELIVERIES, SENT),
            Consumer("feedback", FEEDBACK_RESPONSES, feedback_submitted),
        ),
        _reports,
    ),
)
