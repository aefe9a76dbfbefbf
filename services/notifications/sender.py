"""The sender: turns stored messages into emails and texts, and keeps their status honest.

GOV.UK Notify's model (docs/reference/notify-anchor.md §2 "What a strong engineer would like"):
a message is saved first and sent after; a sender claims a row with a compare-and-set UPDATE
(`created`/`temporary-failure` -> `sending`, attempts + 1), so two instances never send the same
row; the database session is closed during the slow provider call; the outcome is written with
another compare-and-set, so statuses only move forward. Retries are read apart from first
attempts, so a backlog of retries never starves new messages.

Every status change goes out on the deliveries topic through the outbox, with no personal data.
`now` comes from an injected clock, so tests can stand at 22:30 in London.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from prometheus_client import Counter
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain import (
    MissingPersonalisation,
    RenderedMessage,
    TemplateCatalogue,
    UnknownTemplateError,
    count_fragments,
    needs_large_print,
    simulated_outcome,
    sms_send_time,
    tracking_url,
)
from services.notifications.domain.delivery import (
    LETTER_TIMEZONE,
    STATUS_EVENT_TYPES,
    Delivery,
    Outcome,
    Plan,
    PostingResult,
    ReceiptResult,
    address_for,
    addresses,
    channels_for,
    first_reachable_channel,
    mail_domain,
    scrub,
    simulated_delivery,
    stored_body,
    stored_letter,
)
from services.notifications.domain.records import (
    FAILURE_REASON_LENGTH,
    Contact,
    Message,
    NewMessage,
    Status,
)
from services.notifications.domain.statuses import can_move
from services.notifications.domain.templates import Addressee, RenderedLetter
from services.notifications.domain.welsh import writes_in_welsh
from services.notifications.providers import (
    PermanentProviderError,
    ProviderError,
    Receipt,
    SmsProvider,
    build_email,
)
from services.notifications.settings import NotificationsSettings
from services.notifications.store import ContactStore, MessageStore, SuppressionList
from shared.crypto import Cipher
from shared.db import Database
from shared.directory import UNLISTED
from shared.events import NotificationStatusChanged
from shared.messaging import Messaging
from shared.timekeeping import Clock, utc_now
from shared.topics import NOTIFICATION_DELIVERIES
from shared.wakeups import wait_woken

log = logging.getLogger("redress.notifications.sender")

MESSAGES = Counter(
    "redress_notifications_status_changes_total",
    "Messages moved to a status, by channel",
    ["channel", "status"],
)


class EmailTransport(Protocol):
    async def send(self, message: EmailMessage) -> str: ...


class Sender:
    def __init__(
        self,
        *,
        db: Database,
        messaging: Messaging,
        settings: NotificationsSettings,
        cipher: Cipher,
        catalogue: TemplateCatalogue,
        email: EmailTransport,
        sms: SmsProvider,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.messaging = messaging
        self.settings = settings
        self.cipher = cipher
        self.catalogue = catalogue
        self.email = email
        self.sms = sms
        self.clock = clock
        self.rng = rng or random.SystemRandom()
        self.policy = settings.retry_policy
        self._wake = asyncio.Event()
        self._message_id_domain = mail_domain(settings.mail_from)

    # ------------------------------------------------------------------ waking

    def wake(self) -> None:
        self._wake.set()

    def wake_after_commit(self, session: AsyncSession) -> None:
        """Wake the sender once `session`'s transaction has committed (not before: the sender
        would not see the new rows yet)."""
        orm_event.listen(session.sync_session, "after_commit", lambda _: self.wake(), once=True)

    async def run_when_woken(self) -> None:
        """One periodic pass: wait for a wake-up (or the poll interval), then send what is due."""
        await wait_woken(self._wake, self.settings.sender_interval_seconds)
        self._wake.clear()
        handled = await self.send_due()
        if handled >= self.settings.sender_batch_size:
            self.wake()  # more may be waiting: go round again at once

    # ------------------------------------------------------------------ sending

    async def send_due(self, now: datetime | None = None) -> int:
        """Try every due message once; returns how many were looked at."""
        now = now or self.clock()
        limit = self.settings.sender_batch_size
        async with self.db.transaction() as session:
            store = MessageStore(session, self.cipher)
            first_attempts = await store.due_first_attempts(now, limit)
            retries = await store.due_retries(now, limit)
        for message in [*first_attempts, *retries]:
            await self.attempt(message, now)
        return len(first_attempts) + len(retries)

    async def attempt(self, message: Message, now: datetime) -> None:
        """Plan, claim, send and record one message."""
        async with self.db.transaction() as session:
            claimed = await self._plan_and_claim(session, message, now)
        self.messaging.committed()
        if claimed is None:
            return
        claimed_message, plan = claimed
        assert plan.address is not None
        assert plan.rendered is not None
        delivery = await self._deliver(claimed_message, plan.address, plan.rendered)
        async with self.db.transaction() as session:
            await self._record(session, claimed_message, plan, delivery, self.clock())
        self.messaging.committed()

    async def _plan_and_claim(
        self, session: AsyncSession, message: Message, now: datetime
    ) -> tuple[Message, Plan] | None:
        contact = await ContactStore(session, self.cipher).get(message.reference)
        if contact is None:
            return None
        store = MessageStore(session, self.cipher)
        plan = await self._plan(session, message, contact, now)
        if plan.hold_until is not None:
            await store.change(message, {"channel": plan.channel, "send_after": plan.hold_until})
            return None
        if plan.letter is not None:
            # Not sent by us: it waits in the print queue, still `created`, for staff.
            await store.change(
                message,
                {
                    "channel": plan.channel,
                    "rendered": stored_letter(plan.letter),
                    "recipient": plan.address,
                    "large_print": plan.letter.large_print,
                    "queued_for_print_at": now,
                },
            )
            return None
        if plan.fail_as is not None:
            chosen = dataclasses.replace(message, channel=plan.channel)
            await store.change(message, {"channel": plan.channel})
            await self._fail(session, chosen, plan.fail_as, plan.reason or "", now, contact, plan)
            return None
        assert plan.rendered is not None
        assert plan.address is not None
        values = {
            "channel": plan.channel,
            "attempts": message.attempts + 1,
            "last_attempt_at": now,
            "next_attempt_at": None,
            "send_after": None,
            "large_print": plan.rendered.large_print,
            "rendered": stored_body(plan.channel, plan.rendered),
            "recipient": plan.address,
            "fragments": count_fragments(plan.rendered.sms).fragments
            if plan.channel == "sms"
            else None,
        }
        if not await self._move(session, message, Status.SENDING, values, now):
            return None  # another instance claimed it first
        claimed = dataclasses.replace(
            message, status=Status.SENDING, attempts=message.attempts + 1, channel=plan.channel
        )
        return claimed, plan

    async def _plan(
        self, session: AsyncSession, message: Message, contact: Contact, now: datetime
    ) -> Plan:
        suppressed = await SuppressionList(session, self.cipher).suppressed(addresses(contact))
        channel = message.channel or first_reachable_channel(contact, suppressed)
        address, problem = address_for(contact, channel)
        if address is None:
            return Plan(channel, fail_as=Status.PERMANENT_FAILURE, reason=problem)
        if address in suppressed:
            return Plan(
                channel,
                fail_as=Status.PERMANENT_FAILURE,
                reason="the address is on the suppression list after a permanent failure",
            )
        try:
            rendered = self._render(message, contact)
        except (MissingPersonalisation, UnknownTemplateError) as error:
            return Plan(channel, fail_as=Status.TECHNICAL_FAILURE, reason=str(error))
        if channel == "letter":
            letter = self._render_letter(message, contact, address, rendered.large_print, now)
            return Plan(channel, address=address, rendered=rendered, letter=letter)
        if channel == "sms":
            send_at = sms_send_time(
                now,
                self.settings.quiet_hours_start,
                self.settings.quiet_hours_end,
                self.settings.quiet_hours_timezone,
            )
            if send_at > now:
                return Plan(channel, hold_until=send_at)
        return Plan(channel, address=address, rendered=rendered)

    def _values(self, message: Message, contact: Contact) -> dict[str, Any]:
        if message.personalisation is None:
            raise MissingPersonalisation(["personalisation (removed after the retention period)"])
        values = dict(message.personalisation)
        if values.get("organisation_name") == UNLISTED and contact.organisation_name:
            # The public event could not name an unlisted body; the complainant's own words can.
            values["organisation_name"] = contact.organisation_name
        return {
            **values,
            "reference": message.reference,
            "tracking_url": tracking_url(
                self.settings.public_url, message.reference, contact.tracking_token
            ),
        }

    def _welsh(self, contact: Contact) -> bool:
        """Welsh first, then English (issue 14): they asked for Welsh, or a Welsh body."""
        # REDRESS_NATION=wales (an ombudsman for Wales), or the directory says the body is Welsh.
        return writes_in_welsh(contact.language, self.settings.nation) or writes_in_welsh(
            None, contact.organisation_nation or ""
        )

    def _render(self, message: Message, contact: Contact) -> RenderedMessage:
        return self.catalogue.render(
            message.template,
            self._values(message, contact),
            version=message.template_version,
            large_print=needs_large_print(contact.reasonable_adjustments),
            welsh=self._welsh(contact),
        )

    def _render_letter(
        self, message: Message, contact: Contact, address: str, large_print: bool, now: datetime
    ) -> RenderedLetter:
        return self.catalogue.render_letter(
            message.template,
            self._values(message, contact),
            addressee=Addressee.of(contact.name, address),
            dated=now.astimezone(LETTER_TIMEZONE).date(),
            version=message.template_version,
            large_print=large_print,
            welsh=self._welsh(contact),
        )

    async def _deliver(self, message: Message, address: str, rendered: RenderedMessage) -> Delivery:
        simulated = simulated_outcome(address) if self.settings.simulate_test_recipients else None
        if simulated is not None:
            return simulated_delivery(simulated)
        try:
            if message.channel == "email":
                sent_id = await self.email.send(
                    build_email(
                        to=address,
                        from_=self.settings.mail_from,
                        subject=rendered.subject,
                        text=rendered.text,
                        html=rendered.html,
                        message_id_domain=self._message_id_domain,
                    )
                )
                # SMTP has no receipts: the server taking the mail is as far as we can see.
                return Delivery(Outcome.DELIVERED, provider_message_id=sent_id)
            sms_id = await self.sms.send(address, rendered.sms, message.id)
            return Delivery(Outcome.ACCEPTED, provider_message_id=sms_id)
        except ProviderError as error:
            outcome = (
                Outcome.PERMANENT
                if isinstance(error, PermanentProviderError)
                else Outcome.TEMPORARY
            )
            log.warning(
                "provider refused a message (%s)",
                outcome.value,
                extra={"notification_id": message.id, "reference": message.reference},
            )
            return Delivery(outcome, reason=scrub(error.reason, address))

    async def _record(
        self, session: AsyncSession, message: Message, plan: Plan, delivery: Delivery, now: datetime
    ) -> None:
        store = MessageStore(session, self.cipher)
        if delivery.outcome is Outcome.DELIVERED:
            values = {
                "sent_at": now,
                "delivered_at": now,
                "provider_message_id": delivery.provider_message_id,
                "failure_reason": None,
            }
            await self._move(session, message, Status.DELIVERED, values, now)
        elif delivery.outcome is Outcome.ACCEPTED:
            await store.change(
                message, {"sent_at": now, "provider_message_id": delivery.provider_message_id}
            )
        else:
            contact = await ContactStore(session, self.cipher).get(message.reference)
            status = (
                Status.PERMANENT_FAILURE
                if delivery.outcome is Outcome.PERMANENT
                else Status.TEMPORARY_FAILURE
            )
            await self._fail(session, message, status, delivery.reason or "", now, contact, plan)

    # ------------------------------------------------------------------ failures

    async def _fail(
        self,
        session: AsyncSession,
        message: Message,
        status: Status,
        reason: str,
        now: datetime,
        contact: Contact | None,
        plan: Plan | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> bool:
        """Move `message` to a failure status (a temporary one becomes technical once the
        attempts are used up); after a permanent one, suppress and fall back. False if we lost.
        `extra` holds further columns to set in the same compare-and-set."""
        reason = reason[:FAILURE_REASON_LENGTH]
        values: dict[str, Any] = {"failure_reason": reason, **(extra or {})}
        if plan is not None and plan.rendered is not None and message.status is not Status.SENDING:
            values |= {
                "rendered": stored_body(plan.channel, plan.rendered),
                "recipient": plan.address,
            }
        if status is Status.TEMPORARY_FAILURE:
            next_attempt = self.policy.next_attempt_at(now, message.attempts, self.rng)
            if next_attempt is None:
                status = Status.TECHNICAL_FAILURE
                values["failure_reason"] = f"gave up after {message.attempts} attempts: {reason}"[
                    :FAILURE_REASON_LENGTH
                ]
            else:
                values["next_attempt_at"] = next_attempt
        if not await self._move(session, message, status, values, now):
            return False
        if status is Status.PERMANENT_FAILURE and contact is not None:
            await self._after_permanent_failure(session, message, contact, reason, now, plan)
        return True

    async def _after_permanent_failure(
        self,
        session: AsyncSession,
        message: Message,
        contact: Contact,
        reason: str,
        now: datetime,
        plan: Plan | None,
    ) -> None:
        """Suppress the address that bounced, then try the next channel that can reach them."""
        assert message.channel is not None
        address = (plan.address if plan else None) or message.recipient
        suppressions = SuppressionList(session, self.cipher)
        if address:
            await suppressions.add(address, message.channel, reason, now)
        chain = channels_for(contact)
        later = chain[chain.index(message.channel) + 1 :] if message.channel in chain else []
        suppressed = await suppressions.suppressed(addresses(contact))
        for channel in later:
            fallback_address, _problem = address_for(contact, channel)
            if fallback_address is None or fallback_address in suppressed:
                continue
            if message.personalisation is None:
                return
            added = await MessageStore(session, self.cipher).add(
                NewMessage(
                    id=str(uuid.uuid4()),
                    dedupe_key=f"{message.dedupe_key}|{channel}",
                    request_id=message.request_id,
                    reference=message.reference,
                    template=message.template,
                    template_version=message.template_version,
                    personalisation=message.personalisation,
                    created_at=now,
                    channel=channel,
                )
            )
            if added:
                log.info(
                    "falling back to %s",
                    channel,
                    extra={"notification_id": message.id, "reference": message.reference},
                )
                self.wake_after_commit(session)
            return

    async def _move(
        self,
        session: AsyncSession,
        message: Message,
        status: Status,
        values: Mapping[str, Any],
        now: datetime,
    ) -> bool:
        """Compare-and-set `message` to `status`, and publish the change. False if we lost."""
        if not can_move(message.status, status):
            return False
        if not await MessageStore(session, self.cipher).change(message, values, status=status):
            return False
        moved = dataclasses.replace(
            message,
            status=status,
            attempts=int(values.get("attempts", message.attempts)),
            channel=values.get("channel", message.channel),
        )
        await self._publish(session, moved, values.get("failure_reason"), now)
        MESSAGES.labels(moved.channel or "none", status.value).inc()
        log.info(
            "message is now %s",
            status.value,
            extra={
                "notification_id": message.id,
                "reference": message.reference,
                "status": status.value,
            },
        )
        return True

    async def _publish(
        self, session: AsyncSession, message: Message, failure_reason: str | None, now: datetime
    ) -> None:
        if message.channel not in ("email", "sms", "letter"):
            # Never got as far as choosing a channel (its complainant never became known); the
            # contract needs one, and there is nothing casework could act on.
            return
        payload = NotificationStatusChanged(
            notification_id=message.id,
            request_id=message.request_id,
            reference=message.reference,
            channel=message.channel,
            template=message.template,
            template_version=message.template_version,
            status=message.status,
            at=now,
            attempts=message.attempts,
            failure_reason=failure_reason,
        )
        await self.messaging.emit(
            session,
            NOTIFICATION_DELIVERIES,
            payload,
            subject=message.reference,
            ce_type=STATUS_EVENT_TYPES[message.status],
        )

    # ------------------------------------------------------------------ receipts

    async def known_provider_id(self, provider_message_id: str) -> bool:
        async with self.db.transaction() as session:
            found = await MessageStore(session, self.cipher).by_provider_id(provider_message_id)
        return found is not None

    async def apply_receipt(self, receipt: Receipt) -> ReceiptResult:
        """An SMS delivery receipt: forward-only, so duplicates and late receipts change nothing."""
        now = self.clock()
        async with self.db.transaction() as session:
            message = await self._receipt_message(MessageStore(session, self.cipher), receipt)
            if message is None:
                return ReceiptResult.UNKNOWN
            status = Status(receipt.status)
            if not can_move(message.status, status) or message.status is not Status.SENDING:
                return ReceiptResult.IGNORED
            # A receipt can overtake our own record of the provider's id (it is posted as soon
            # as the provider takes the text); record the id with the outcome.
            found_id: dict[str, Any] = (
                {}
                if message.provider_message_id == receipt.provider_message_id
                else {"provider_message_id": receipt.provider_message_id, "sent_at": now}
            )
            if status is Status.DELIVERED:
                values = {"delivered_at": now, **found_id}
                moved = await self._move(session, message, status, values, now)
            else:
                contact = await ContactStore(session, self.cipher).get(message.reference)
                reason = scrub(receipt.reason or status.value, message.recipient or "")
                moved = await self._fail(
                    session, message, status, reason, now, contact, extra=found_id
                )
        self.messaging.committed()
        return ReceiptResult.APPLIED if moved else ReceiptResult.IGNORED

    async def _receipt_message(self, store: MessageStore, receipt: Receipt) -> Message | None:
        message = await store.by_provider_id(receipt.provider_message_id)
        if message is not None or not receipt.notification_id:
            return message
        candidate = await store.get(receipt.notification_id)
        if (
            candidate is None
            or candidate.channel != "sms"
            or candidate.status is not Status.SENDING
        ):
            return None
        return candidate

    # ------------------------------------------------------------------ letters

    async def take_print_queue(self, limit: int) -> list[Message]:
        """Letters waiting to be printed, now `sending`: whoever fetches them prints them.

        Compare-and-set per letter, so two people fetching at once never get the same one.
        """
        now = self.clock()
        taken: list[Message] = []
        async with self.db.transaction() as session:
            for letter in await MessageStore(session, self.cipher).letters(Status.CREATED, limit):
                values = {"attempts": letter.attempts + 1, "last_attempt_at": now, "sent_at": now}
                if await self._move(session, letter, Status.SENDING, values, now):
                    taken.append(
                        dataclasses.replace(
                            letter, status=Status.SENDING, attempts=letter.attempts + 1, sent_at=now
                        )
                    )
        self.messaging.committed()
        return taken

    async def unposted_letters(self, limit: int) -> list[Message]:
        """Letters fetched for printing that nobody has confirmed as posted yet."""
        async with self.db.transaction() as session:
            return await MessageStore(session, self.cipher).letters(Status.SENDING, limit)

    async def confirm_posted(self, letter_id: str) -> tuple[PostingResult, Message | None]:
        """Staff posted the letter: `sending` -> `delivered` (as far as we will ever know)."""
        now = self.clock()
        async with self.db.transaction() as session:
            letter = await MessageStore(session, self.cipher).get(letter_id)
            if letter is None or letter.channel != "letter":
                return PostingResult.UNKNOWN, None
            if letter.status is Status.DELIVERED:
                return PostingResult.ALREADY_POSTED, letter
            if letter.status is not Status.SENDING:
                return PostingResult.NOT_PRINTED, letter
            values = {"delivered_at": now}
            if not await self._move(session, letter, Status.DELIVERED, values, now):
                return PostingResult.ALREADY_POSTED, letter  # someone confirmed it just now
        self.messaging.committed()
        return PostingResult.POSTED, dataclasses.replace(
            letter, status=Status.DELIVERED, delivered_at=now
        )

    # ------------------------------------------------------------------ safety nets

    async def sweep_stuck(self, now: datetime | None = None) -> int:
        """Messages left in `sending`: a crashed sender's claims are retried; texts with no
        receipt after the timeout (docs/reference/notify-anchor.md §1 "Status lifecycle": 72 h)
        are given up."""
        now = now or self.clock()
        claim_cutoff = now - timedelta(seconds=self.settings.claim_timeout_seconds)
        receipt_cutoff = now - timedelta(hours=self.settings.sending_timeout_hours)
        swept = 0
        async with self.db.transaction() as session:
            store = MessageStore(session, self.cipher)
            for message in await store.sending_since(claim_cutoff, with_provider_id=False):
                reason = "the sender stopped before recording an outcome"
                await self._fail(session, message, Status.TEMPORARY_FAILURE, reason, now, None)
                swept += 1
            for message in await store.sending_since(receipt_cutoff, with_provider_id=True):
                reason = "no delivery receipt within the sending timeout"
                await self._move(
                    session, message, Status.TECHNICAL_FAILURE, {"failure_reason": reason}, now
                )
                swept += 1
        if swept:
            self.messaging.committed()
            self.wake()
        return swept

    async def apply_retention(self, now: datetime | None = None) -> int:
        """docs/reference/notify-anchor.md §1 "Data retention": after the retention period, drop
        content, personalisation and recipient; keep the metadata. A message still unsent by then
        is given up (technical-failure) first."""
        now = now or self.clock()
        cutoff = now - timedelta(days=self.settings.retention_days)
        async with self.db.transaction() as session:
            store = MessageStore(session, self.cipher)
            for message in await store.unfinished_created_before(cutoff):
                reason = "not sent within the retention period"
                if message.channel is None:
                    await store.change(
                        message, {"failure_reason": reason}, status=Status.TECHNICAL_FAILURE
                    )
                else:
                    await self._move(
                        session, message, Status.TECHNICAL_FAILURE, {"failure_reason": reason}, now
                    )
            redacted = await store.redact_created_before(cutoff, now)
            await ContactStore(session, self.cipher).delete_closed_before(
                now - timedelta(days=self.settings.contact_retention_days_after_closure)
            )
        self.messaging.committed()
        return redacted
