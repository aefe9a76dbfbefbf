"""The inbound email channel's use case: a mail to the complaints address becomes a complaint.

A complete mail is submitted at once through `ComplaintIntake.submit` (submissions.py), with the
mail's message key (from its Message-ID) as the Idempotency-Key, so a re-delivered mail never
makes a second complaint. A mail that lacks facts we need is never lost: it is kept, encrypted,
as an incomplete email complaint under a short enquiry reference, and the sender gets a reply
asking for exactly what is missing. Their reply (the reference in its subject) completes it.
Replies are sent after the database commit; one that fails stays pending and a periodic job
retries it.

A complainant who asked for Welsh (a `Language: cy` line, or the mail's `Content-Language`), or
any sender when the deployment is for Wales (`REDRESS_NATION=wales`), gets the question mail in
Welsh and English, Welsh first, by the same rule as notifications (shared/welsh.py).

Logs name only outcomes and references, never addresses, names or text.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from enum import StrEnum
from typing import Any, Final

from services.intake.documents import ComplaintDocuments, SentFile
from services.intake.domain.values import SUMMARY_MAX
from services.intake.email.questions import (
    EmailComplaint,
    ReplyContext,
    complaint_from_email,
    complete_with_reply,
    enquiry_reference_in,
    new_enquiry_reference,
    reply_asking_for,
)
from services.intake.email.reading import (
    attachments,
    body_text,
    header_text,
    is_automatic,
    message_key,
    own_lines,
    parse_email,
    sender_address,
)
from services.intake.store import (
    AlreadyHandledError,
    EmailStore,
    IncompleteEmailComplaint,
    IntakeStores,
    NewDocument,
)
from services.intake.submissions import ComplaintIntake, IdempotencyConflictError
from shared.kit.work import UnitOfWork
from shared.mail import Mailer, MailError
from shared.timekeeping import Clock
from shared.welsh import writes_in_welsh

log = logging.getLogger("redress.intake.email")

# Attempts at drawing an unused enquiry reference (a clash is ~1 in 10^11 each).
ENQUIRY_REFERENCE_ATTEMPTS: Final = 5
# How much of each mail's text is kept for the needs-a-person queue. Design choice: twice the
# longest account a complaint can hold (domain/values.py SUMMARY_MAX), so the caseworker sees
# what was cut from a long account; the listener already refuses mail over INTAKE_EMAIL_MAX_BYTES.
MAIL_TEXT_KEPT_MAX: Final = 2 * SUMMARY_MAX


class EmailOutcome(StrEnum):
    COMPLAINT = "complaint"  # registered (or already registered, for a re-delivered mail)
    ASKED = "asked"  # kept as an incomplete complaint; we asked for what is missing
    ALREADY_HANDLED = "already_handled"  # a re-delivered mail, or a reply to a completed one
    IGNORED = "ignored"  # a bounce or an auto-reply: never answered (RFC 3834)
    NO_SENDER = "no_sender"  # no address to reply to: refused, so the sender's server bounces it


@dataclass(frozen=True)
class EmailReceipt:
    outcome: EmailOutcome
    reference: str | None = None  # the complaint's reference, or the enquiry reference


class EmailIntake:
    def __init__(
        self,
        uow: UnitOfWork[IntakeStores],
        intake: ComplaintIntake,
        replies: Mailer,
        *,
        mail_from: str,
        max_replies: int,
        clock: Clock,
        nation: str = "england",
        welsh: Callable[[str], str] | None = None,
        documents: ComplaintDocuments | None = None,
    ) -> None:
        """`nation`: REDRESS_NATION; `welsh`: English to Welsh by intake's catalog
        (shared.kit.i18n.sentence_translator), without which every reply is in English;
        `documents`: where attachments are kept, without which they are dropped."""
        self.uow = uow
        self.intake = intake
        self.replies = replies
        self.mail_from = mail_from
        self.max_replies = max_replies
        self.clock = clock
        self.nation = nation
        self.welsh = welsh
        self.documents = documents
        # One sender at a time, so the retry job and a fresh mail never send one reply twice.
        self._sending = asyncio.Lock()

    # ------------------------------------------------------------------ receiving

    async def receive(self, raw: bytes, envelope_sender: str | None) -> EmailReceipt:
        """Act on one mail delivered to the complaints address."""
        now = self.clock()
        message = parse_email(raw)
        if is_automatic(message, envelope_sender):
            log.info("ignored an automatic mail", extra={"status": EmailOutcome.IGNORED})
            return EmailReceipt(EmailOutcome.IGNORED)
        sender = sender_address(message, envelope_sender)
        if sender is None:
            return EmailReceipt(EmailOutcome.NO_SENDER)
        key = message_key(message, raw)
        async with self.uow.reading() as stores:
            store = stores.emails
            if await store.was_handled(key):
                return EmailReceipt(EmailOutcome.ALREADY_HANDLED)
            enquiry_reference = enquiry_reference_in(header_text(message, "Subject"))
            enquiry = await store.get(enquiry_reference) if enquiry_reference else None
            from_its_sender = enquiry is not None and store.sent_by(enquiry, sender)
        if enquiry is not None and enquiry.completed_reference is not None:
            await self._mark_handled(key, now, enquiry.enquiry_reference)
            return EmailReceipt(EmailOutcome.ALREADY_HANDLED, enquiry.completed_reference)
        if enquiry is not None and from_its_sender:
            receipt = await self._follow_up(enquiry, message, key, now)
        else:
            receipt = await self._first_mail(message, raw, key, sender, envelope_sender, now)
        log.info(
            "email handled",
            extra={"status": receipt.outcome.value, "reference": receipt.reference},
        )
        return receipt

    async def _first_mail(
        self,
        message: EmailMessage,
        raw: bytes,
        key: str,
        sender: str,
        envelope_sender: str | None,
        now: datetime,
    ) -> EmailReceipt:
        complaint = complaint_from_email(message, now.date(), envelope_sender=envelope_sender)
        if complaint.request is not None:
            return await self._register(
                complaint, key, key, now, enquiry_reference=None, message=message
            )
        personal = {
            "sender": sender,
            "subject": header_text(message, "Subject"),
            "message_id": header_text(message, "Message-ID") or None,
            # A mail client set to Welsh says so (RFC 3282); a `Language:` line overrides it.
            "language": header_text(message, "Content-Language") or None,
            "complaint": complaint.to_json(),
            # The mails as received, for the caseworker who completes the enquiry by hand.
            "mails": [mail_as_received(message, now, whole=True)],
        }
        documents = await self._attachments(message, now, enquiry_reference=None)
        try:
            async with self.uow.transaction() as work:
                store = work.stores.emails
                enquiry_reference = await self._unused_enquiry_reference(store)
                await store.add(
                    enquiry_reference=enquiry_reference,
                    source_message_key=key,
                    sender=sender,
                    personal=personal,
                    now=now,
                )
                await store.mark_handled(key, now, enquiry_reference)
                for document in documents:
                    await work.stores.documents.add(document, enquiry_reference=enquiry_reference)
        except AlreadyHandledError:
            # The same mail, delivered twice at once: the other delivery keeps it.
            await self._discard(documents)
            return EmailReceipt(EmailOutcome.ALREADY_HANDLED)
        await self.send_reply(enquiry_reference)
        return EmailReceipt(EmailOutcome.ASKED, enquiry_reference)

    async def _follow_up(
        self, enquiry: IncompleteEmailComplaint, reply: EmailMessage, key: str, now: datetime
    ) -> EmailReceipt:
        personal = dict(enquiry.personal or {})
        earlier = EmailComplaint.from_json(personal["complaint"], now.date())
        complaint = complete_with_reply(earlier, reply, now.date())
        if complaint.request is not None:
            return await self._register(
                complaint,
                enquiry.source_message_key,
                key,
                now,
                enquiry_reference=enquiry.enquiry_reference,
                message=reply,
            )
        personal["complaint"] = complaint.to_json()
        personal["mails"] = [*personal.get("mails", []), mail_as_received(reply, now, whole=False)]
        enquiry_reference = enquiry.enquiry_reference
        documents = await self._attachments(reply, now, enquiry_reference=enquiry_reference)
        try:
            async with self.uow.transaction() as work:
                await work.stores.emails.update(enquiry_reference, personal, now)
                await work.stores.emails.mark_handled(key, now, enquiry_reference)
                for document in documents:
                    await work.stores.documents.add(document, enquiry_reference=enquiry_reference)
        except AlreadyHandledError:
            await self._discard(documents)
            return EmailReceipt(EmailOutcome.ALREADY_HANDLED)
        await self.send_reply(enquiry.enquiry_reference)
        return EmailReceipt(EmailOutcome.ASKED, enquiry.enquiry_reference)

    async def _register(
        self,
        complaint: EmailComplaint,
        idempotency_key: str,
        key: str,
        now: datetime,
        *,
        enquiry_reference: str | None,
        message: EmailMessage,
    ) -> EmailReceipt:
        assert complaint.request is not None
        documents = await self._attachments(message, now, enquiry_reference=enquiry_reference)
        try:
            submission = await self.intake.submit(
                complaint.request.to_complaint(),
                idempotency_key=idempotency_key,
                now=now,
                documents=documents,
                enquiry_reference=enquiry_reference,
            )
        except IdempotencyConflictError:
            # Another mail already used this Message-ID for a different complaint.
            log.warning("an email reused a Message-ID; not registered twice")
            await self._discard(documents)
            await self._mark_handled(key, now, enquiry_reference)
            return EmailReceipt(EmailOutcome.ALREADY_HANDLED)
        if submission.replayed:
            await self._discard(documents)
        reference = submission.accepted.reference
        try:
            async with self.uow.transaction() as work:
                if enquiry_reference is not None:
                    await work.stores.emails.complete(enquiry_reference, reference, now)
                await work.stores.emails.mark_handled(key, now, enquiry_reference)
        except AlreadyHandledError:
            pass  # handled concurrently; the complaint itself exists exactly once
        return EmailReceipt(EmailOutcome.COMPLAINT, reference)

    async def _attachments(
        self, message: EmailMessage, now: datetime, *, enquiry_reference: str | None
    ) -> list[NewDocument]:
        """The mail's attachments, stored (or recorded as refused), rows not yet written."""
        if self.documents is None:
            return []
        files = [SentFile(name, content) for name, content in attachments(message)]
        if not files:
            return []
        already = 0
        if enquiry_reference is not None:
            already = await self.documents.enquiry_bytes(enquiry_reference)
        return await self.documents.from_email(files, now, case_bytes=already)

    async def _discard(self, documents: list[NewDocument]) -> None:
        if self.documents is not None:
            await self.documents.discard(documents)

    async def _mark_handled(self, key: str, now: datetime, enquiry_reference: str | None) -> None:
        try:
            async with self.uow.transaction() as work:
                await work.stores.emails.mark_handled(key, now, enquiry_reference)
        except AlreadyHandledError:
            pass  # already recorded by a concurrent delivery

    async def _unused_enquiry_reference(self, store: EmailStore) -> str:
        for _ in range(ENQUIRY_REFERENCE_ATTEMPTS):
            reference = new_enquiry_reference(secrets.choice)
            if not await store.reference_exists(reference):
                return reference
        raise RuntimeError("could not draw an unused enquiry reference")

    # ------------------------------------------------------------------ replying

    async def send_reply(self, enquiry_reference: str) -> bool:
        """Send the pending question mail of one enquiry; False when it must wait for a retry."""
        async with self._sending:
            async with self.uow.reading() as stores:
                enquiry = await stores.emails.get(enquiry_reference)
            if (
                enquiry is None
                or enquiry.personal is None
                or not enquiry.reply_pending
                or enquiry.replies_sent >= self.max_replies
            ):
                return False
            try:
                await self.replies.send(self._reply_for(enquiry))
            except MailError as error:
                log.warning(
                    "could not send the reply for %s (%s); will retry",
                    enquiry_reference,
                    type(error).__name__,
                )
                return False
            async with self.uow.transaction() as work:
                await work.stores.emails.reply_sent(enquiry_reference)
        log.info("asked for missing facts", extra={"reference": enquiry_reference})
        return True

    async def send_pending_replies(self) -> int:
        """The retry job: send every reply that could not be sent when its mail arrived."""
        async with self.uow.reading() as stores:
            pending = await stores.emails.pending_replies(self.max_replies)
        sent = 0
        for enquiry in pending:
            sent += await self.send_reply(enquiry.enquiry_reference)
        return sent

    def _reply_for(self, enquiry: IncompleteEmailComplaint) -> EmailMessage:
        personal: dict[str, Any] = enquiry.personal or {}
        complaint = EmailComplaint.from_json(personal["complaint"], self.clock().date())
        name = (complaint.request_payload.get("complainant") or {}).get("name")
        context = ReplyContext(
            enquiry_reference=enquiry.enquiry_reference,
            to_address=personal["sender"],
            to_name=name if isinstance(name, str) and name.strip() else None,
            original_subject=str(personal.get("subject") or ""),
            original_message_id=personal.get("message_id"),
            mail_from=self.mail_from,
            message_id=make_msgid(domain=_domain_of(self.mail_from)),
            sent_at=self.clock(),
        )
        said = (complaint.request_payload.get("complainant") or {}).get("language")
        language = said if isinstance(said, str) else personal.get("language")
        in_welsh = writes_in_welsh(language, self.nation) and self.welsh is not None
        return reply_asking_for(complaint, context, self.welsh if in_welsh else None)


def _domain_of(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return Address(addr_spec=address).domain if "@" in address else "localhost"


def mail_as_received(message: EmailMessage, now: datetime, *, whole: bool) -> dict[str, str]:
    """One mail's subject and text as the caseworker sees them in the queue: a first mail whole,
    a reply without the quoted question mail it answers."""
    text = body_text(message)
    if not whole:
        text = "\n".join(own_lines(text)).strip()
    return {
        "received_at": now.isoformat(),
        "subject": header_text(message, "Subject"),
        "text": text[:MAIL_TEXT_KEPT_MAX],
    }
