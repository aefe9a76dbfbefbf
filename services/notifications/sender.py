"""The sender: turns stored messages into emails and texts, and keeps their status honest.

GOV.UK Notify's model (docs/reference/notify-anchor.md §2 "What a strong engineer would like"):
a message is saved first and sent after; a sender claims a row with a compare-and-set UPDATE
(`created`/`temporary-failure` -> `sending`, attempts + 1), so two instances never send the same
row; the database session is closed during the slow provider call; the outcome is written with
another compare-and-set, so statuses only move forward. Retries are read apart from first
attempts, so a backlog of retries never starves new messages.

Every status change goes out on the deliveries topic through the outbox, with no personal data
(status_events.py). Failures are failures.py; receipts, letters, retention and crash recovery are
use-case modules of their own (receipts.py, letters.py, retention.py, recovery.py).
`now` comes from an injected clock, so tests can stand at 22:30 in London.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import uuid
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

from opentelemetry import trace
from opentelemetry.trace import Tracer

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
    Delivery,
    Outcome,
    Plan,
    address_for,
    addresses,
    first_reachable_channel,
    mail_domain,
    scrub,
    simulated_delivery,
    stored_body,
    stored_letter,
)
from services.notifications.domain.records import Contact, Message, Status
from services.notifications.domain.rendered import Addressee, RenderedLetter
from services.notifications.domain.welsh import writes_in_welsh
from services.notifications.failures import Retries, fail
from services.notifications.message_traces import note_outcome, send_span
from services.notifications.providers import (
    PermanentProviderError,
    ProviderError,
    SmsProvider,
    build_email,
)
from services.notifications.send_metrics import count_attempt, count_failure, declare_providers
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStores
from services.notifications.transitions import move
from shared.directory import UNLISTED
from shared.kit.work import UnitOfWork, Work
from shared.timekeeping import Clock, utc_now
from shared.tracing import TRACER_NAME
from shared.wakeups import wait_woken

log = logging.getLogger("redress.notifications.sender")


class EmailTransport(Protocol):
    async def send(self, message: EmailMessage) -> str: ...


class Sender:
    def __init__(
        self,
        *,
        uow: UnitOfWork[NotificationsStores],
        settings: NotificationsSettings,
        catalogue: TemplateCatalogue,
        email: EmailTransport,
        sms: SmsProvider,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.uow = uow
        # The service's tracer (Messaging's); the SDK's global one where none is given.
        self.tracer = tracer or trace.get_tracer(TRACER_NAME)
        self.settings = settings
        self.catalogue = catalogue
        self.email = email
        self.sms = sms
        self.clock = clock
        self.rng = rng or random.SystemRandom()
        self.policy = settings.retry_policy
        self._wake = asyncio.Event()
        self.retries = Retries(self.policy, self.rng, self.wake)
        self._message_id_domain = mail_domain(settings.mail_from)
        declare_providers(settings.sms_provider)
        # Made afresh at each start, so a restarted process never passes for its predecessor;
        # every claim names it (recovery.py tells a dead instance's claims from a live one's).
        self.instance_id = str(uuid.uuid4())

    # ------------------------------------------------------------------ waking

    def wake(self) -> None:
        self._wake.set()

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
        async with self.uow.reading() as stores:
            first_attempts = await stores.messages.due_first_attempts(now, limit)
            retries = await stores.messages.due_retries(now, limit)
        for message in [*first_attempts, *retries]:
            await self.attempt(message, now)
        return len(first_attempts) + len(retries)

    async def attempt(self, message: Message, now: datetime) -> None:
        """Plan, claim, send and record one message."""
        async with self.uow.transaction() as work:
            claimed = await self._plan_and_claim(work, message, now)
            if claimed is None:
                return
            traceparent = await work.stores.messages.traceparent(message.id)
        claimed_message, plan = claimed
        assert plan.address is not None
        assert plan.rendered is not None
        # The status event the record emits carries the send's span onward too.
        with send_span(self.tracer, claimed_message, traceparent) as span:
            delivery = await self._deliver(claimed_message, plan.address, plan.rendered)
            note_outcome(span, delivery)
            async with self.uow.transaction() as work:
                await self._record(work, claimed_message, plan, delivery, self.clock())

    async def _plan_and_claim(
        self, work: Work[NotificationsStores], message: Message, now: datetime
    ) -> tuple[Message, Plan] | None:
        contact = await work.stores.contacts.get(message.reference)
        if contact is None:
            return None
        store = work.stores.messages
        plan = await self._plan(work.stores, message, contact, now)
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
            reason = plan.reason or ""
            await fail(self.retries, work, chosen, plan.fail_as, reason, now, contact, plan)
            return None
        return await self._claim(work, message, plan, now)

    async def _claim(
        self, work: Work[NotificationsStores], message: Message, plan: Plan, now: datetime
    ) -> tuple[Message, Plan] | None:
        """`created`/`temporary-failure` -> `sending`, attempts + 1, by compare-and-set: only
        one instance wins a message."""
        assert plan.rendered is not None
        assert plan.address is not None
        values = {
            "channel": plan.channel,
            "attempts": message.attempts + 1,
            "last_attempt_at": now,
            "claimed_by": self.instance_id,
            "next_attempt_at": None,
            "send_after": None,
            "large_print": plan.rendered.large_print,
            "rendered": stored_body(plan.channel, plan.rendered),
            "recipient": plan.address,
            "fragments": count_fragments(plan.rendered.sms).fragments
            if plan.channel == "sms"
            else None,
        }
        if not await move(work, message, Status.SENDING, values, now):
            return None  # another instance claimed it first
        claimed = dataclasses.replace(
            message, status=Status.SENDING, attempts=message.attempts + 1, channel=plan.channel
        )
        return claimed, plan

    async def _plan(
        self, stores: NotificationsStores, message: Message, contact: Contact, now: datetime
    ) -> Plan:
        suppressed = await stores.suppressions.suppressed(addresses(contact))
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
        # The branch below sends anything but email as a text; the metrics label it so too.
        channel = "email" if message.channel == "email" else "sms"
        count_attempt(channel, self.settings.sms_provider)
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
                        notification_id=message.id,
                    )
                )
                # SMTP has no receipts: the server taking the mail is as far as we can see.
                return Delivery(Outcome.DELIVERED, provider_message_id=sent_id)
            sms_id = await self.sms.send(address, rendered.sms, message.id)
            return Delivery(Outcome.ACCEPTED, provider_message_id=sms_id)
        except ProviderError as error:
            permanent = isinstance(error, PermanentProviderError)
            count_failure(channel, self.settings.sms_provider, permanent=permanent)
            outcome = Outcome.PERMANENT if permanent else Outcome.TEMPORARY
            log.warning(
                "provider refused a message (%s)",
                outcome.value,
                extra={"notification_id": message.id, "reference": message.reference},
            )
            return Delivery(outcome, reason=scrub(error.reason, address))

    async def _record(
        self,
        work: Work[NotificationsStores],
        message: Message,
        plan: Plan,
        delivery: Delivery,
        now: datetime,
    ) -> None:
        if delivery.outcome is Outcome.DELIVERED:
            values = {
                "sent_at": now,
                "delivered_at": now,
                "provider_message_id": delivery.provider_message_id,
                "failure_reason": None,
            }
            await move(work, message, Status.DELIVERED, values, now)
        elif delivery.outcome is Outcome.ACCEPTED:
            await work.stores.messages.change(
                message, {"sent_at": now, "provider_message_id": delivery.provider_message_id}
            )
        else:
            contact = await work.stores.contacts.get(message.reference)
            status = (
                Status.PERMANENT_FAILURE
                if delivery.outcome is Outcome.PERMANENT
                else Status.TEMPORARY_FAILURE
            )
            reason = delivery.reason or ""
            await fail(self.retries, work, message, status, reason, now, contact, plan)
