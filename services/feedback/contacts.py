"""Organisations' survey contacts, kept by managers: where an organisation's post-closure survey
goes. No organisation contact travels on events; the address is encrypted at rest (store.py)."""

from __future__ import annotations

from dataclasses import dataclass

from services.feedback.domain import OrganisationContact
from services.feedback.store import FeedbackStores
from shared.kit.work import UnitOfWork


@dataclass(frozen=True)
class OrganisationContacts:
    uow: UnitOfWork[FeedbackStores]

    async def put(self, contact: OrganisationContact) -> None:
        """Set (or replace) the organisation's contact: surveys are created for cases that close
        from now on."""
        async with self.uow.transaction() as work:
            await work.stores.contacts.put(contact)

    async def get(self, organisation: str) -> OrganisationContact | None:
        async with self.uow.reading() as stores:
            return await stores.contacts.get(organisation)

    async def remove(self, organisation: str) -> bool:
        """Stop surveying the organisation: no new surveys, no more invitations or reminders
        (the scheduler finds no contact and closes its open surveys). False if it had none."""
        async with self.uow.transaction() as work:
            return await work.stores.contacts.remove(organisation)
