"""Keeping personal data no longer than needed: the retention clock starts when the case closes
(casework's `redress.case.closed`), and a periodic job anonymises complaints, and forgets
incomplete email complaints nobody has added to, once their periods have passed
(docs/reference/domain-rules.md §5; the periods are settings)."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.intake.store import IntakeStores
from shared.events import CaseClosed
from shared.kit.work import UnitOfWork, Work


class Retention:
    def __init__(
        self,
        uow: UnitOfWork[IntakeStores],
        *,
        after_closure: timedelta,
        incomplete_email: timedelta,
    ) -> None:
        self.uow = uow
        self.after_closure = after_closure
        self.incomplete_email = incomplete_email

    async def note_case_closed(self, work: Work[IntakeStores], closed: CaseClosed) -> None:
        """Start the complaint's retention clock (inside the consumer's transaction)."""
        await work.stores.complaints.mark_case_closed(closed.reference, closed.occurred_at)

    async def apply(self, now: datetime) -> tuple[int, int]:
        """Anonymise complaints whose case closed a retention period ago, then forget incomplete
        email complaints untouched for theirs; returns how many of each."""
        async with self.uow.transaction() as work:
            anonymised = await work.stores.complaints.anonymise_closed_before(
                now - self.after_closure, now
            )
        async with self.uow.transaction() as work:
            forgotten = await work.stores.emails.delete_untouched_since(now - self.incomplete_email)
        return anonymised, forgotten
