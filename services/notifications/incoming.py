"""What the Kafka subscribers ask for (consumers.py): learn contacts from intake, turn case events
and requests from other services into messages.

Each runs inside the transaction that also records the event in the inbox, and only stores rows:
sending is the sender's job, woken once the transaction commits (save first, then send). A
message for a complainant not known yet waits in `created` until the complaint arrives.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from services.notifications.domain import (
    SERVICE_SUPPLIED_FIELDS,
    TemplateCatalogue,
    UnknownTemplateError,
    templates_for_event,
)
from services.notifications.domain.delivery import dedupe_key
from services.notifications.domain.records import Contact, NewMessage
from services.notifications.domain.routing import UnroutedEventTypeError
from services.notifications.store import NotificationsStores
from shared.events import CaseClosed, ComplaintReceived, NotificationRequested
from shared.kit.work import Work
from shared.messaging import PermanentEventError
from shared.timekeeping import Clock

CASE_CLOSED: Final = "redress.case.closed"
# Filled in by the service for every message, so a request need not carry them.
ALWAYS_SUPPLIED: Final = SERVICE_SUPPLIED_FIELDS | {"reference"}


class Incoming:
    def __init__(
        self, *, catalogue: TemplateCatalogue, clock: Clock, wake_sender: Callable[[], None]
    ) -> None:
        self.catalogue = catalogue
        self.clock = clock
        self.wake_sender = wake_sender

    async def complaint_received(
        self, work: Work[NotificationsStores], complaint: ComplaintReceived
    ) -> None:
        """Remember how to reach the complainant."""
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
        await work.stores.contacts.upsert(contact, self.clock())
        work.after_commit(self.wake_sender)  # messages may have been waiting for this

    async def case_event(
        self,
        work: Work[NotificationsStores],
        *,
        event_id: str,
        event_type: str,
        subject: str,
        data: Mapping[str, Any],
        payload: Callable[[], object],
    ) -> None:
        """A public case event: one message per template the routing picks; a closure (the
        first one) also starts the contact's retention clock. `payload` parses the event's
        data, asked for only once the routing has accepted the event."""
        try:
            requests = templates_for_event(event_type, data)
        except UnroutedEventTypeError as error:
            raise PermanentEventError(str(error)) from error
        if event_type == CASE_CLOSED and isinstance(closed := payload(), CaseClosed):
            await work.stores.contacts.mark_case_closed(closed.reference, closed.occurred_at)
        for request in requests:
            reference = str(request.personalisation.get("reference") or subject)
            await self._store(work, event_id, reference, request.template, request.personalisation)

    async def requested(
        self, work: Work[NotificationsStores], request: NotificationRequested
    ) -> None:
        """A command from another service."""
        # The request id, not the event id: a requester that retries sends a new event.
        await self._store(
            work, request.request_id, request.reference, request.template, request.personalisation
        )

    async def _store(
        self,
        work: Work[NotificationsStores],
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
        added = await work.stores.messages.add(
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
            work.after_commit(self.wake_sender)
