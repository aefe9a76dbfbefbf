"""Running the notifications service in-process on real parts, and the events tests publish."""

from __future__ import annotations

import email.policy
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from deploy.local.mail_server import sorted_mail_files
from deploy.local.sms_gateway import RunningGateway
from services.notifications.app import create_app
from services.notifications.providers import TWILIO_SIGNATURE_HEADER, twilio_signature
from services.notifications.recovery import Recovery
from services.notifications.retention import RetentionPeriods, apply_retention
from services.notifications.sender import Sender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import Message, NotificationsStores
from shared.auth import Role, issue_staff_token
from shared.crypto import Cipher
from shared.db import Database
from shared.envelope import CloudEvent, build_event
from shared.events import (
    CaseOpened,
    Channel,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    EligibilityFlags,
    Milestone,
    NotificationRequested,
    NotificationStatus,
    Organisation,
    Payload,
    Sector,
    Stage,
)
from shared.kit.work import SqlUnitOfWork
from tests.kit.apps import serve_on_port
from tests.kit.waiting import wait_until

SERVER_START_POLL_SECONDS = 0.01
UNFINISHED = (NotificationStatus.CREATED, NotificationStatus.SENDING)
LONDON = ZoneInfo("Europe/London")
WAIT_SECONDS = 30.0


@dataclass
class FakeClock:
    """Real time (moved by `offset`) unless a test pins it; the service reads it through
    `create_app(clock=...)`."""

    pinned: datetime | None = None
    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return self.pinned or datetime.now(UTC) + self.offset

    @classmethod
    def at_midday_in_london(cls) -> FakeClock:
        """Ticking, but outside the quiet hours for texts whenever the tests run."""
        now = datetime.now(UTC)
        midday = now.astimezone(LONDON).replace(hour=12, minute=0, second=0, microsecond=0)
        return cls(offset=midday.astimezone(UTC) - now)


@dataclass
class RunningNotifications:
    app: FastAPI
    url: str
    settings: NotificationsSettings
    clock: FakeClock
    http: httpx.AsyncClient

    @property
    def sender(self) -> Sender:
        sender: Sender = self.app.state.sender
        return sender

    @property
    def recovery(self) -> Recovery:
        recovery: Recovery = self.app.state.recovery
        return recovery

    @property
    def uow(self) -> SqlUnitOfWork[NotificationsStores]:
        uow: SqlUnitOfWork[NotificationsStores] = self.app.state.uow
        return uow

    @property
    def db(self) -> Database:
        return self.uow.db

    @property
    def cipher(self) -> Cipher:
        return self.settings.cipher()

    async def apply_retention(self, now: datetime) -> int:
        """The service's periodic retention job, once, as if it ran at `now`."""
        return await apply_retention(self.uow, RetentionPeriods.of(self.settings), now)

    async def messages(self, reference: str) -> list[Message]:
        async with self.uow.reading() as stores:
            return await stores.messages.for_reference(reference)

    async def wait_for_messages(
        self,
        reference: str,
        predicate: Callable[[list[Message]], bool],
        within: float = WAIT_SECONDS,
    ) -> list[Message]:
        found: list[Message] = []

        async def met() -> bool:
            nonlocal found
            found = await self.messages(reference)
            return predicate(found)

        await wait_until(met, within)
        return found

    async def wait_for_message(
        self,
        reference: str,
        request_id: str,
        predicate: Callable[[Message], bool] = lambda _: True,
        within: float = WAIT_SECONDS,
    ) -> Message:
        """The message our own event (or request) caused. Other sessions' casework services
        also react to the complaints tests publish, so a reference may get other messages."""
        found = await self.wait_for_messages(
            reference,
            lambda found: any(m.request_id == request_id and predicate(m) for m in found),
            within,
        )
        return next(m for m in found if m.request_id == request_id and predicate(m))

    def twilio_signed(self, form: dict[str, str], query: str = "") -> dict[str, str]:
        """Headers that make `form` a receipt Twilio signed for this service (posted to the
        callback URL with `query`)."""
        url = self.settings.sms_status_callback_url + (f"?{query}" if query else "")
        signature = twilio_signature(
            self.settings.sms_auth_token.get_secret_value(), url, form.items()
        )
        return {TWILIO_SIGNATURE_HEADER: signature}

    def notify_authorised(self) -> dict[str, str]:
        token = self.settings.callback_bearer_token
        assert token is not None, "set callback_bearer_token in the test settings"
        return {"Authorization": f"Bearer {token.get_secret_value()}"}

    def staff_headers(self, role: Role) -> dict[str, str]:
        token = issue_staff_token(
            self.settings.auth_secret_value, sub=f"{role}-1", name="Sam Staff", role=role
        )
        return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def running_notifications(
    settings: NotificationsSettings, clock: FakeClock | None = None
) -> AsyncIterator[RunningNotifications]:
    """The whole service: migrations, Kafka consumers, sender, and HTTP on `settings.http_port`
    (so the SMS gateway can post its receipts to it)."""
    clock = clock or FakeClock()
    app = create_app(settings, clock=clock)
    async with (
        app.router.lifespan_context(app),
        serve_on_port(app, settings.http_port) as url,
        httpx.AsyncClient(base_url=url, timeout=10.0) as http,
    ):
        yield RunningNotifications(app=app, url=url, settings=settings, clock=clock, http=http)


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------

ORGANISATION = Organisation(name="Department for Work and Pensions", sector=Sector.PARLIAMENTARY)


def event_of(payload: Payload, service: str, reference: str) -> CloudEvent:
    return build_event(payload, source_service=service, subject=reference)


def complaint_received(
    reference: str,
    *,
    email: str | None = "complainant@example.org",
    phone: str | None = None,
    address: str | None = None,
    preferred: ContactMethod = ContactMethod.EMAIL,
    adjustments: tuple[str, ...] = (),
    tracking_token: str | None = None,
    language: str | None = None,
    organisation: Organisation | None = None,
    organisation_as_typed: str | None = None,
    organisation_nation: str | None = None,
) -> CloudEvent:
    now = datetime.now(UTC)
    complaint = ComplaintReceived(
        organisation_as_typed=organisation_as_typed,
        organisation_nation=organisation_nation,
        complaint_id=str(uuid.uuid4()),
        reference=reference,
        received_at=now,
        channel=Channel.WEB,
        complainant=Complainant(
            name="Alex Example",
            email=email,
            phone=phone,
            address=address,
            preferred_contact=preferred,
            reasonable_adjustments=list(adjustments),
            language=language,
        ),
        organisation=organisation or ORGANISATION,
        summary="They lost my forms twice.",
        desired_outcome="An apology.",
        first_aware_on=date(2026, 10, 1),
        eligibility=EligibilityFlags(eligible=True),
        tracking_token=tracking_token or f"token-{uuid.uuid4().hex}",
    )
    return event_of(complaint, "intake", reference)


def case_opened(reference: str, organisation: Organisation | None = None) -> CloudEvent:
    now = datetime.now(UTC)
    opened = CaseOpened(
        reference=reference,
        occurred_at=now,
        organisation=organisation or ORGANISATION,
        stage=Stage.ASSESSMENT,
        channel=Channel.WEB,
        received_at=now,
        next_milestone=Milestone(name="assessment_decision", due_by=date(2027, 2, 1)),
    )
    return event_of(opened, "casework", reference)


def survey_requested(reference: str, survey_url: str) -> CloudEvent:
    request = NotificationRequested(
        request_id=str(uuid.uuid4()),
        reference=reference,
        template="survey_invitation",
        personalisation={"survey_url": survey_url, "survey_closes_on": "1 March 2027"},
        requested_by="feedback",
    )
    return event_of(request, "feedback", reference)


def mails_for(directory: Path, reference: str) -> list[EmailMessage]:
    parser = BytesParser(policy=email.policy.default)
    found = []
    for path in sorted_mail_files(directory):
        mail = parser.parsebytes(path.read_bytes())
        if reference in str(mail["Subject"]):
            found.append(mail)
    return found


async def each_mail_sent_once(
    service: RunningNotifications, directory: Path, reference: str
) -> list[EmailMessage]:
    """Wait until the mails about `reference` are exactly the emails the service delivered, one
    each, and return them. Other sessions' casework services may open cases for the complaints
    tests publish, so there can be more than our own; a message sent twice never matches (its
    Message-ID, the notification's own, would be there twice against one delivered record)."""
    mails: list[EmailMessage] = []

    async def matched() -> bool:
        nonlocal mails
        mails = mails_for(directory, reference)
        emails = [m for m in await service.messages(reference) if m.channel == "email"]
        if any(
            m.status in (NotificationStatus.CREATED, NotificationStatus.SENDING) for m in emails
        ):
            return False
        delivered = sorted(
            str(m.provider_message_id) for m in emails if m.status is NotificationStatus.DELIVERED
        )
        return sorted(str(mail["Message-ID"]) for mail in mails) == delivered

    await wait_until(matched)
    return mails


async def each_text_sent_once(
    service: RunningNotifications, gateway: RunningGateway, reference: str
) -> list[dict[str, Any]]:
    """As `each_mail_sent_once`, for texts: the gateway's texts about `reference` are exactly
    the ones the service recorded as taken by the provider, one each."""
    texts: list[dict[str, Any]] = []

    async def matched() -> bool:
        nonlocal texts
        texts = [t for t in gateway.messages() if reference in str(t["body"])]
        sms = [m for m in await service.messages(reference) if m.channel == "sms"]
        if any(m.status in UNFINISHED for m in sms):
            return False
        taken = sorted(str(m.provider_message_id) for m in sms if m.provider_message_id)
        return sorted(str(t["id"]) for t in texts) == taken

    await wait_until(matched)
    return texts
