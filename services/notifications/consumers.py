"""Kafka subscribers: learn contacts from intake, turn case events and requests into messages.

Each handler runs inside the transaction that also records the event in the inbox, and only
stores rows: sending is the sender's job, woken once the transaction commits (save first, then
send). A message for a complainant not known yet waits in `created` until the complaint arrives.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain import (
    SERVICE_SUPPLIED_FIELDS,
    TemplateCatalogue,
    UnknownTemplateError,
    templates_for_event,
)
from services.notifications.domain.delivery import dedupe_key
from services.notifications.domain.records import Contact, NewMessage
from services.notifications.domain.routing import HANDLED_EVENT_TYPES, UnroutedEventTypeError
from services.notifications.sender import Sender
from services.notifications.store import ContactStore, MessageStore
from shared.crypto import Cipher
from shared.envelope import CloudEvent
from shared.events import CaseClosed, ComplaintReceived, NotificationRequested
from shared.messaging import PermanentEventError
from shared.timekeeping import Clock

COMPLAINT_RECEIVED: Final = "redress.complaint.received"
NOTIFICATION_REQUESTED: Final = "redress.notification.requested"
CASE_CLOSED: Final = "redress.case.closed"
# Routed and knowingly silent types alike: a silent one is still recorded as handled.
CASE_EVENT_TYPES: Final = HANDLED_EVENT_TYPES
# Filled in by the service for every message, so a request need not carry them.
ALWAYS_SUPPLIED: Final = SERVICE_SUPPLIED_FIELDS | {"reference"}


class Handlers:
    def __init__(
        self, *, sender: Sender, cipher: Cipher, catalogue: TemplateCatalogue, clock: Clock
    ) -> None:
        self.sender = sender
        self.cipher = cipher
        self.catalogue = catalogue
        self.clock = clock

    async def on_complaint(self, session: AsyncSession, event: CloudEvent) -> None:
        """`redress.complaint.received`: remember how to reach the complainant."""
        complaint = event.payload()
        if not isinstance(complaint, ComplaintReceived):
            raise PermanentEventError(f"expected a complaint, got {event.type}")
        person = complaint.complainant
        contact = Contact(
            reference=complaint.reference,
            name=person.name,
            email=person.email,
            phone=person.phone,
            address=person.address,
            preferred_contact=person.preferred_contact.value,
            reasonable_adjustments=tuple(person.reasonable_adjustments),
            language=person.language,
            tracking_token=complaint.tracking_token,
            organisation_name=complaint.organisation_as_typed or complaint.organisation.name,
            organisation_nation=complaint.organisation_nation,
        )
        await ContactStore(session, self.cipher).upsert(contact, self.clock())
        self.sender.wake_after_commit(session)  # messages may have been waiting for this

    async def on_case_event(self, session: AsyncSession, event: CloudEvent) -> None:
        """A public case event: one message per template the routing picks."""
        try:
            requests = templates_for_event(event.type, event.data)
        except UnroutedEventTypeError as error:
            raise PermanentEventError(str(error)) from error
        if event.type == CASE_CLOSED and isinstance(closed := event.payload(), CaseClosed):
            await ContactStore(session, self.cipher).mark_case_closed(
                closed.reference, closed.occurred_at
            )
        for request in requests:
            reference = str(request.personalisation.get("reference") or event.subject)
            await self._store(
                session, event.id, reference, request.template, request.personalisation
            )

    async def on_request(self, session: AsyncSession, event: CloudEvent) -> None:
        """`redress.notification.requested`: a command from another service."""
        request = event.payload()
        if not isinstance(request, NotificationRequested):
            raise PermanentEventError(f"expected a notification request, got {event.type}")
        # The request id, not the event id: a requester that retries sends a new event.
        await self._store(
            session,
            request.request_id,
            request.reference,
            request.template,
            request.personalisation,
        )

    async def _store(
        self,
        session: AsyncSession,
        source_id: str,
        reference: str,
        template: str,
        personalisation: Mapping[str, Any],
    ) -> None:
        try:
            version = self.catalogue.latest_version(template)
            required = self.catalogue.required_personalisation(template, version=version)
        except UnknownTemplateError as error:
            raise PermanentEventError(str(error)) from error
        missing = required - ALWAYS_SUPPLIED - personalisation.keys()
        if missing:
            # Like Notify's 400 "Missing personalisation": it can never be sent, so say so now.
            raise PermanentEventError(f"missing personalisation for {template}: {sorted(missing)}")
        added = await MessageStore(session, self.cipher).add(
            NewMessage(
                id=str(uuid.uuid4()),
                dedupe_key=dedupe_key(source_id, template),
                request_id=source_id,
                reference=reference,
                template=template,
                template_version=version,
                personalisation=dict(personalisation),
                created_at=self.clock(),
            )
        )
        if added:
            self.sender.wake_after_commit(session)
