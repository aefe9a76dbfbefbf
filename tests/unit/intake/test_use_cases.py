"""Intake's use cases on in-memory stores: submitting, retention and the email channel.

No database and no Kafka: the unit of work is tests/kit/work.py's fake, the stores are
tests/kit/fakes/intake.py. The same behaviour is proven on the real parts by
tests/integration/intake/.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from services.intake.domain import DEFAULT_RULES, Complaint
from services.intake.email.receiving import EmailIntake, EmailOutcome
from services.intake.retention import Retention
from services.intake.schemas import ComplaintRequest
from services.intake.store import IntakeStores
from services.intake.submissions import ComplaintIntake, IdempotencyConflictError
from shared.events import (
    CaseClosed,
    ClosureReason,
    ComplaintReceived,
    Organisation,
    Sector,
    Stage,
)
from shared.mail import MailError
from shared.topics import INTAKE_COMPLAINTS
from tests.kit.fakes.intake import FakeComplaintStore, FakeEmailStore, fake_intake_stores
from tests.kit.work import FakeUnitOfWork, FakeWork

from .hostile_requests import TODAY, valid_complaint

NOW = datetime.combine(TODAY, time(10, 0), tzinfo=UTC)
COMPLAINTS_ADDRESS = "complaints@redress.localhost"


def a_complaint(**changes: Any) -> Complaint:
    body = valid_complaint() | changes
    return ComplaintRequest.model_validate(body, context={"today": TODAY}).to_complaint()


def intake(uow: FakeUnitOfWork[IntakeStores]) -> ComplaintIntake:
    return ComplaintIntake(uow, DEFAULT_RULES)  # type: ignore[arg-type]


@pytest.fixture
def uow() -> FakeUnitOfWork[IntakeStores]:
    return FakeUnitOfWork(fake_intake_stores())


def complaints_in(uow: FakeUnitOfWork[IntakeStores]) -> FakeComplaintStore:
    store = uow.stores.complaints
    assert isinstance(store, FakeComplaintStore)
    return store


# --------------------------------------------------------------------------------- submitting


async def test_a_complaint_is_stored_with_its_answer_and_announced_once(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    submission = await intake(uow).submit(a_complaint(), idempotency_key=None, now=NOW)

    accepted = submission.accepted
    assert not submission.replayed
    assert accepted.received_at == NOW
    assert accepted.eligibility.eligible
    [emitted] = uow.emitted
    assert emitted.topic == INTAKE_COMPLAINTS
    assert emitted.subject == accepted.reference
    assert isinstance(emitted.payload, ComplaintReceived)
    assert emitted.payload.reference == accepted.reference
    assert emitted.payload.complainant.email == "jo.bloggs@example.com"
    assert emitted.payload.duplicate_of is None
    assert await complaints_in(uow).reference_exists(accepted.reference)
    assert uow.commits == 1


async def test_a_repeated_idempotency_key_replays_the_first_answer(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    first = await intake(uow).submit(a_complaint(), idempotency_key="k-1", now=NOW)
    again = await intake(uow).submit(
        a_complaint(), idempotency_key="k-1", now=NOW + timedelta(minutes=5)
    )

    assert again.replayed
    assert again.accepted == first.accepted
    assert len(uow.emitted) == 1  # nothing new was stored or announced


async def test_a_key_used_for_another_complaint_is_refused(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    await intake(uow).submit(a_complaint(), idempotency_key="k-1", now=NOW)
    with pytest.raises(IdempotencyConflictError):
        await intake(uow).submit(
            a_complaint(summary="Something else entirely went wrong on the ward."),
            idempotency_key="k-1",
            now=NOW,
        )
    assert len(uow.emitted) == 1


async def test_a_key_cannot_be_replayed_once_retention_removed_the_answer(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    first = await intake(uow).submit(a_complaint(), idempotency_key="k-1", now=NOW)
    store = complaints_in(uow)
    await store.mark_case_closed(first.accepted.reference, NOW)
    await store.anonymise_closed_before(NOW + timedelta(days=1), NOW + timedelta(days=1))
    with pytest.raises(IdempotencyConflictError):
        await intake(uow).submit(a_complaint(), idempotency_key="k-1", now=NOW)


async def test_the_loser_of_a_race_on_one_key_answers_with_the_winners_result(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    winner = await intake(uow).submit(a_complaint(), idempotency_key="k-1", now=NOW)
    store = complaints_in(uow)
    looked_up = store.by_idempotency_key
    calls = 0

    async def not_committed_yet_on_the_first_look(key: str) -> Any:
        nonlocal calls
        calls += 1
        return None if calls == 1 else await looked_up(key)

    store.by_idempotency_key = not_committed_yet_on_the_first_look  # type: ignore[method-assign]
    loser = await intake(uow).submit(a_complaint(), idempotency_key="k-1", now=NOW)

    assert loser.replayed
    assert loser.accepted.reference == winner.accepted.reference
    assert len(uow.emitted) == 1


async def test_a_likely_resubmission_is_linked_to_the_earlier_complaint(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    first = await intake(uow).submit(a_complaint(), idempotency_key=None, now=NOW)
    second = await intake(uow).submit(
        a_complaint(summary=valid_complaint()["summary"] + " Again."),
        idempotency_key=None,
        now=NOW + timedelta(hours=2),
    )

    assert second.accepted.reference != first.accepted.reference
    events = uow.emitted_payloads(ComplaintReceived)
    assert [e.duplicate_of for e in events] == [None, first.accepted.reference]


async def test_a_complaint_about_another_organisation_is_not_a_resubmission(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    await intake(uow).submit(a_complaint(), idempotency_key=None, now=NOW)
    other = {"name": "Northshire Ambulance Service", "sector": "health"}
    await intake(uow).submit(a_complaint(organisation=other), idempotency_key=None, now=NOW)
    assert [e.duplicate_of for e in uow.emitted_payloads(ComplaintReceived)] == [None, None]


async def test_an_ineligible_complaint_is_still_taken_in_and_flagged(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    late = a_complaint(
        first_aware_on="2024-01-05",
        complained_to_organisation_on=None,
        organisation_response_on=None,
    )
    submission = await intake(uow).submit(late, idempotency_key=None, now=NOW)
    assert not submission.accepted.eligibility.eligible
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert event.eligibility.out_of_time
    assert event.eligibility.premature


# ---------------------------------------------------------------------------------- retention


def closure(reference: str, at: datetime) -> CaseClosed:
    return CaseClosed(
        reference=reference,
        organisation=Organisation(name="Leeds Teaching Hospitals NHS Trust", sector=Sector.HEALTH),
        occurred_at=at,
        stage=Stage.CLOSED,
        closure_reason=ClosureReason.UPHELD,
        opened_at=at - timedelta(days=60),
        working_days_open=40,
    )


async def test_retention_anonymises_only_complaints_closed_a_period_ago(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    retention = Retention(
        uow,  # type: ignore[arg-type]
        after_closure=timedelta(days=365),
        incomplete_email=timedelta(days=30),
    )
    old = (await intake(uow).submit(a_complaint(), idempotency_key="a", now=NOW)).accepted
    other = a_complaint(organisation={"name": "Another Trust", "sector": "health"})
    recent = (await intake(uow).submit(other, idempotency_key="b", now=NOW)).accepted
    work = FakeWork(uow.stores)
    await retention.note_case_closed(work, closure(old.reference, NOW))
    await retention.note_case_closed(work, closure(recent.reference, NOW + timedelta(days=300)))

    anonymised, forgotten = await retention.apply(NOW + timedelta(days=366))

    assert (anonymised, forgotten) == (1, 0)
    rows = complaints_in(uow).rows
    assert rows[old.reference].record is None
    assert rows[recent.reference].record is not None


async def test_retention_forgets_incomplete_email_complaints_nobody_added_to(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    emails = uow.stores.emails
    assert isinstance(emails, FakeEmailStore)
    for reference, at in (("ENQ-OLD", NOW - timedelta(days=40)), ("ENQ-NEW", NOW)):
        await emails.add(
            enquiry_reference=reference,
            source_message_key=f"key-{reference}",
            sender="jo@example.com",
            personal={},
            now=at,
        )
    retention = Retention(
        uow,  # type: ignore[arg-type]
        after_closure=timedelta(days=365),
        incomplete_email=timedelta(days=30),
    )
    assert await retention.apply(NOW) == (0, 1)
    assert set(emails.enquiries) == {"ENQ-NEW"}


# ---------------------------------------------------------------------------- the email channel


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failing = False

    async def send(self, message: EmailMessage) -> None:
        if self.failing:
            raise MailError("SMTP 127.0.0.1:1025: ConnectionRefusedError")
        self.sent.append(message)


def a_mail(
    *,
    organisation: str | None = "Northshire NHS Trust",
    sender: str = "Jo Bloggs <jo@example.com>",
    subject: str = "Cancelled operation",
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = COMPLAINTS_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    facts = [
        f"Organisation: {organisation}" if organisation else "",
        "Sector: health",
        "Outcome wanted: An apology and a new date.",
        "When did you find out: 1 March 2026",
    ]
    text = "My operation was cancelled three times without notice.\n\n" + "\n".join(
        f for f in facts if f
    )
    message.set_content(body if body is not None else text + "\n")
    return message.as_bytes()


def email_intake(uow: FakeUnitOfWork[IntakeStores], mailer: FakeMailer) -> EmailIntake:
    return EmailIntake(
        uow,  # type: ignore[arg-type]
        intake(uow),
        mailer,
        mail_from="Redress <no-reply@redress.localhost>",
        max_replies=2,
        clock=lambda: NOW,
    )


async def test_a_complete_mail_becomes_a_complaint_once(uow: FakeUnitOfWork[IntakeStores]) -> None:
    channel = email_intake(uow, FakeMailer())
    raw = a_mail()

    receipt = await channel.receive(raw, "jo@example.com")
    again = await channel.receive(raw, "jo@example.com")  # the sender's server delivers it again

    assert receipt.outcome is EmailOutcome.COMPLAINT
    assert again.outcome is EmailOutcome.ALREADY_HANDLED
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert event.reference == receipt.reference
    assert event.channel == "email"
    assert event.complainant.email == "jo@example.com"


async def test_an_incomplete_mail_is_kept_and_the_sender_asked_then_the_reply_completes_it(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    mailer = FakeMailer()
    channel = email_intake(uow, mailer)

    asked = await channel.receive(a_mail(organisation=None), "jo@example.com")

    assert asked.outcome is EmailOutcome.ASKED
    assert asked.reference is not None
    [question] = mailer.sent
    assert asked.reference in str(question["Subject"])
    assert question["To"].addresses[0].addr_spec == "jo@example.com"
    assert question["Auto-Submitted"] == "auto-replied"
    assert "Organisation:" in question.get_content()
    assert uow.emitted == []

    answer = a_mail(
        subject=f"Re: {question['Subject']}", body="Organisation: Northshire NHS Trust\n"
    )
    completed = await channel.receive(answer, "jo@example.com")

    assert completed.outcome is EmailOutcome.COMPLAINT
    [event] = uow.emitted_payloads(ComplaintReceived)
    assert event.organisation.name == "Northshire NHS Trust"
    emails = uow.stores.emails
    assert isinstance(emails, FakeEmailStore)
    enquiry = emails.enquiries[asked.reference]
    assert enquiry.completed_reference == completed.reference
    assert enquiry.personal is None  # the personal data now lives in the complaint only


async def test_a_reply_from_someone_else_does_not_complete_the_enquiry(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    mailer = FakeMailer()
    channel = email_intake(uow, mailer)
    asked = await channel.receive(a_mail(organisation=None), "jo@example.com")
    intruder = a_mail(
        organisation=None,
        sender="Mallory <mallory@example.net>",
        subject=f"Re: [Enquiry {asked.reference}]",
    )

    other = await channel.receive(intruder, "mallory@example.net")

    assert other.outcome is EmailOutcome.ASKED
    assert other.reference != asked.reference  # a new enquiry of Mallory's own
    assert uow.emitted == []


async def test_automatic_mail_is_never_answered_and_mail_without_a_sender_is_refused(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    mailer = FakeMailer()
    channel = email_intake(uow, mailer)

    bounce = await channel.receive(a_mail(organisation=None), "")
    auto = await channel.receive(
        a_mail(organisation=None, headers={"Auto-Submitted": "auto-replied"}), "jo@example.com"
    )
    nobody = await channel.receive(a_mail(sender="undisclosed-recipients:;"), None)

    assert bounce.outcome is auto.outcome is EmailOutcome.IGNORED
    assert nobody.outcome is EmailOutcome.NO_SENDER
    assert mailer.sent == []
    assert uow.emitted == []


async def test_a_question_that_could_not_be_sent_is_sent_by_the_retry_job(
    uow: FakeUnitOfWork[IntakeStores],
) -> None:
    mailer = FakeMailer()
    mailer.failing = True
    channel = email_intake(uow, mailer)

    asked = await channel.receive(a_mail(organisation=None), "jo@example.com")
    assert asked.outcome is EmailOutcome.ASKED  # kept, though the question is not sent yet
    assert await channel.send_pending_replies() == 0

    mailer.failing = False
    assert await channel.send_pending_replies() == 1
    assert await channel.send_pending_replies() == 0  # sent once, not again
    [question] = mailer.sent
    assert asked.reference in str(question["Subject"])
