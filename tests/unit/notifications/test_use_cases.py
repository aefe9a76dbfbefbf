"""Notifications' use cases on the in-memory unit of work and recording providers: a case event
saved as a message, a send pass, failures, receipts, the print queue, crash recovery and
retention (the real stores, Kafka and providers are proved in tests/integration/notifications)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from services.notifications.domain import TEMPLATES_DIRECTORY, TemplateCatalogue
from services.notifications.domain.delivery import PostingResult, ReceiptResult
from services.notifications.domain.records import Contact, Message, Status
from services.notifications.incoming import Incoming
from services.notifications.letters import PrintQueue
from services.notifications.message_list import messages_about
from services.notifications.providers import PermanentProviderError, Receipt
from services.notifications.receipts import Receipts
from services.notifications.recovery import CRASH_REASON, Recovery
from services.notifications.retention import RetentionPeriods, apply_retention
from services.notifications.sender import Sender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStores
from shared.envelope import CloudEvent, build_event
from shared.events import (
    CaseClosed,
    CaseOpened,
    Channel,
    ClosureReason,
    Milestone,
    NotificationRequested,
    NotificationStatusChanged,
    Organisation,
    Sector,
    Stage,
)
from shared.messaging import PermanentEventError
from tests.kit.fakes.notifications import FakeEmail, FakeNotificationsStores, FakeSms
from tests.kit.work import FakeUnitOfWork

# November: London is on UTC, and midday is outside the quiet hours for texts.
NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
ORGANISATION = Organisation(name="Department for Work and Pensions", sector=Sector.PARLIAMENTARY)
CATALOGUE = TemplateCatalogue.load(TEMPLATES_DIRECTORY)


@dataclass
class Notifications:
    fakes: FakeNotificationsStores
    uow: FakeUnitOfWork[NotificationsStores]
    email: FakeEmail
    sms: FakeSms
    sender: Sender
    incoming: Incoming

    def statuses(self) -> list[Status]:
        return [e.status for e in self.uow.emitted_payloads(NotificationStatusChanged)]

    def only_message(self) -> Message:
        [message] = self.fakes.messages.all()
        return message


def notifications() -> Notifications:
    fakes = FakeNotificationsStores()
    uow = FakeUnitOfWork(fakes.as_stores())
    email, sms = FakeEmail(), FakeSms()
    sender = Sender(
        uow=uow,
        settings=NotificationsSettings(),
        catalogue=CATALOGUE,
        email=email,
        sms=sms,
        clock=lambda: NOON,
        rng=random.Random(7),
    )
    incoming = Incoming(catalogue=CATALOGUE, clock=lambda: NOON, wake_sender=sender.wake)
    return Notifications(fakes, uow, email, sms, sender, incoming)


def contact(reference: str, *, preferred: str = "email", address: str | None = None) -> Contact:
    return Contact(
        reference=reference,
        name="Alex Example",
        email="alex@example.org",
        phone="+447700900123",
        address=address,
        preferred_contact=preferred,
        reasonable_adjustments=(),
        language=None,
        tracking_token="token-1",
    )


def opened_event(reference: str) -> CloudEvent:
    opened = CaseOpened(
        reference=reference,
        occurred_at=NOON,
        organisation=ORGANISATION,
        stage=Stage.ASSESSMENT,
        channel=Channel.WEB,
        received_at=NOON,
        next_milestone=Milestone(name="assessment_decision", due_by=date(2027, 2, 1)),
    )
    return build_event(opened, source_service="casework", subject=reference)


async def deliver(n: Notifications, event: CloudEvent) -> None:
    """What the consumer does with a case event, in one transaction."""
    async with n.uow.transaction() as work:
        await n.incoming.case_event(
            work,
            event_id=event.id,
            event_type=event.type,
            subject=event.subject,
            data=event.data,
            payload=event.payload,
        )


async def case_opened(n: Notifications, reference: str, *, preferred: str = "email") -> None:
    """The complainant becomes known, then their case opens (one acknowledgement to send)."""
    await n.fakes.contacts.upsert(
        contact(reference, preferred=preferred, address="1 High Street\nLeeds\nLS1 1AA"), NOON
    )
    await deliver(n, opened_event(reference))


async def test_a_case_event_becomes_one_saved_message_and_a_redelivery_adds_none() -> None:
    n = notifications()
    event = opened_event("R-1")
    await deliver(n, event)
    message = n.only_message()
    assert (message.reference, message.status, message.attempts) == ("R-1", Status.CREATED, 0)
    assert message.channel is None  # chosen when first claimed
    assert n.email.sent == []
    assert n.uow.emitted == []

    await deliver(n, event)  # Kafka delivers it again: the dedupe key is already there
    assert len(n.fakes.messages.rows) == 1


async def test_a_message_waits_until_its_complainant_is_known() -> None:
    n = notifications()
    await deliver(n, opened_event("R-2"))
    assert await n.sender.send_due(NOON) == 0
    await n.fakes.contacts.upsert(contact("R-2"), NOON)
    assert await n.sender.send_due(NOON) == 1
    assert len(n.email.sent) == 1


async def test_a_send_pass_sends_an_email_once_and_moves_it_to_delivered() -> None:
    n = notifications()
    await case_opened(n, "R-3")
    assert await n.sender.send_due(NOON) == 1
    [mail] = n.email.sent
    assert mail["To"] == "alex@example.org"
    message = n.only_message()
    assert (message.status, message.channel, message.attempts) == (Status.DELIVERED, "email", 1)
    assert message.sent_at == NOON
    assert message.provider_message_id == "<mail-1@fake>"
    assert n.statuses() == [Status.SENDING, Status.DELIVERED]

    assert await n.sender.send_due(NOON + timedelta(hours=1)) == 0
    assert len(n.email.sent) == 1
    assert len(n.statuses()) == 2


async def test_a_text_stays_sending_until_its_receipt_which_only_moves_forward() -> None:
    n = notifications()
    await case_opened(n, "R-4", preferred="sms")
    await n.sender.send_due(NOON)
    [(to, _body, reference)] = n.sms.sent
    message = n.only_message()
    assert (to, reference) == ("+447700900123", message.id)
    assert message.status is Status.SENDING
    assert message.provider_message_id is not None
    assert n.statuses() == [Status.SENDING]

    receipts = Receipts(n.uow, n.sender.retries, lambda: NOON + timedelta(minutes=1))
    delivered = Receipt(message.provider_message_id, "delivered", None)
    assert await receipts.apply(delivered) is ReceiptResult.APPLIED
    assert n.only_message().status is Status.DELIVERED
    # A duplicate, and a late failure, change nothing: statuses only move forward.
    assert await receipts.apply(delivered) is ReceiptResult.IGNORED
    late = Receipt(message.provider_message_id, "permanent-failure", "unreachable")
    assert await receipts.apply(late) is ReceiptResult.IGNORED
    assert n.only_message().status is Status.DELIVERED
    assert n.statuses() == [Status.SENDING, Status.DELIVERED]
    assert await receipts.apply(Receipt("SM-not-ours", "delivered", None)) is (
        ReceiptResult.UNKNOWN
    )


async def test_a_permanent_failure_suppresses_the_address_and_falls_back_to_a_text() -> None:
    n = notifications()
    n.email.refuse_with = PermanentProviderError("550 no such mailbox alex@example.org")
    await case_opened(n, "R-5")
    await n.sender.send_due(NOON)
    failed, fallback = n.fakes.messages.all()
    assert failed.status is Status.PERMANENT_FAILURE
    assert failed.failure_reason is not None
    assert "alex@example.org" not in failed.failure_reason
    assert "alex@example.org" in n.fakes.suppressions.addresses
    assert (fallback.channel, fallback.status) == ("sms", Status.CREATED)
    assert n.statuses() == [Status.SENDING, Status.PERMANENT_FAILURE]

    await n.sender.send_due(NOON)
    assert len(n.sms.sent) == 1
    assert n.email.sent == []
    assert n.fakes.messages.all()[1].status is Status.SENDING


async def test_letters_wait_in_the_print_queue_until_staff_post_them() -> None:
    n = notifications()
    await case_opened(n, "R-6", preferred="letter")
    await n.sender.send_due(NOON)
    assert n.only_message().status is Status.CREATED  # rendered, queued, not sent by us
    queue = PrintQueue(n.uow, lambda: NOON)
    [taken] = await queue.take(10)
    assert taken.status is Status.SENDING
    assert await queue.take(10) == []
    result, posted = await queue.confirm_posted(taken.id)
    assert result is PostingResult.POSTED
    assert posted is not None
    assert posted.status is Status.DELIVERED
    again, _ = await queue.confirm_posted(taken.id)
    assert again is PostingResult.ALREADY_POSTED
    assert n.statuses() == [Status.SENDING, Status.DELIVERED]


async def test_a_dead_instances_claim_is_sent_again_at_once_and_a_live_ones_is_left() -> None:
    n = notifications()
    await case_opened(n, "R-7")
    await n.fakes.instances.beat("dead", None, NOON)
    message = n.only_message()
    claim = {"channel": "email", "attempts": 1, "claimed_by": "dead", "last_attempt_at": NOON}
    assert await n.fakes.messages.change(message, claim, status=Status.SENDING)
    recovery = Recovery(n.uow, n.sender)
    await recovery.beat()  # "dead" is still beating: its claim is its own
    assert n.only_message().status is Status.SENDING

    await n.fakes.instances.stopped("dead", NOON)
    assert await recovery.beat() == 1
    recovered = n.only_message()
    assert recovered.status is Status.TEMPORARY_FAILURE
    assert (recovered.failure_reason, recovered.next_attempt_at) == (CRASH_REASON, NOON)
    await n.sender.send_due(NOON)
    assert len(n.email.sent) == 1  # one resend, after the crash
    assert n.only_message().status is Status.DELIVERED


async def test_retention_redacts_old_messages_gives_up_unsent_ones_and_forgets_contacts() -> None:
    n = notifications()
    await case_opened(n, "R-8")
    await n.sender.send_due(NOON)
    await deliver(n, opened_event("R-unknown"))  # never sendable: no contact
    async with n.uow.transaction() as work:
        await work.stores.contacts.mark_case_closed("R-8", NOON)
    periods = RetentionPeriods(timedelta(days=7), timedelta(days=30))

    assert await apply_retention(n.uow, periods, NOON + timedelta(days=6)) == 0
    # Both go: the unsent one is given up first, in the same transaction.
    assert await apply_retention(n.uow, periods, NOON + timedelta(days=8)) == 2
    sent, unsent = n.fakes.messages.all()
    assert sent.status is Status.DELIVERED
    assert (sent.personalisation, sent.rendered, sent.recipient) == (None, None, None)
    assert unsent.status is Status.TECHNICAL_FAILURE  # no channel: no status event
    assert unsent.personalisation is None
    assert "R-8" in n.fakes.contacts.contacts

    await apply_retention(n.uow, periods, NOON + timedelta(days=31))
    assert "R-8" not in n.fakes.contacts.contacts
    assert n.statuses() == [Status.SENDING, Status.DELIVERED]


async def test_a_closure_starts_the_contacts_retention_clock_once() -> None:
    n = notifications()
    first = NOON + timedelta(days=1)
    for at in (first, first + timedelta(days=5)):  # a review re-closes the case
        closed = CaseClosed(
            reference="R-9",
            occurred_at=at,
            organisation=ORGANISATION,
            stage=Stage.CLOSED,
            closure_reason=ClosureReason.WITHDRAWN,
            opened_at=NOON,
            working_days_open=7,
        )
        await deliver(n, build_event(closed, source_service="casework", subject="R-9"))
    assert n.fakes.contacts.closed_at == {"R-9": first}


async def test_a_request_is_saved_once_and_one_missing_personalisation_is_refused() -> None:
    n = notifications()
    request = NotificationRequested(
        request_id="req-1",
        reference="R-10",
        template="survey_invitation",
        personalisation={"survey_url": "https://x.example/s", "survey_closes_on": "1 March"},
        requested_by="feedback",
    )
    for _ in range(2):  # a redelivery adds nothing
        async with n.uow.transaction() as work:
            await n.incoming.requested(work, request)
    assert [m.request_id for m in n.fakes.messages.all()] == ["req-1"]
    lacking = request.model_copy(update={"request_id": "req-2", "personalisation": {}})
    async with n.uow.transaction() as work:
        with pytest.raises(PermanentEventError, match="survey_url"):
            await n.incoming.requested(work, lacking)
    assert len(n.fakes.messages.rows) == 1
    assert await messages_about(n.uow, "R-10") == n.fakes.messages.all()


async def test_the_sweep_retries_a_claim_with_no_outcome_and_gives_up_a_silent_text() -> None:
    n = notifications()
    await case_opened(n, "R-12", preferred="sms")
    await n.sender.send_due(NOON)  # sent: `sending` until a receipt that never comes
    [text] = n.fakes.messages.all()
    await case_opened(n, "R-11")
    email = (await n.fakes.messages.for_reference("R-11"))[0]
    # A claim whose sender stopped before recording the outcome.
    claim = {"channel": "email", "attempts": 1, "last_attempt_at": NOON, "claimed_by": "x"}
    assert await n.fakes.messages.change(email, claim, status=Status.SENDING)

    later = NOON + timedelta(hours=73)  # past the claim timeout and the 72 h sending timeout
    assert await Recovery(n.uow, n.sender).sweep_stuck(later) == 2
    assert n.fakes.messages.rows[email.id].message.status is Status.TEMPORARY_FAILURE
    assert n.fakes.messages.rows[text.id].message.status is Status.TECHNICAL_FAILURE
    receipts = Receipts(n.uow, n.sender.retries, lambda: later)
    assert await receipts.known_provider_id(text.provider_message_id or "")
    assert not await receipts.known_provider_id("SM-not-ours")
