"""Casework's use cases: open a case from a complaint, act on a case, run the deadline scheduler
(send drafts held for their day, report missed deadlines), note failed deliveries.

Each runs in one transaction of the unit of work it is handed (shared/kit/work.py): load the
case, let the pure domain decide, save it with a version check, and queue the resulting public
events in the outbox.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from services.casework.domain import (
    SYSTEM_ACTOR,
    Actor,
    Assign,
    Case,
    CaseworkRules,
    Command,
    ContactProblem,
    PostMessage,
    SubmitComments,
    TagThemes,
    handle,
    missed_deadlines,
    note_contact_problem,
    open_case,
    release_held_draft,
)
from services.casework.domain.publication import published
from services.casework.store import CaseStore, StaleCaseError
from services.casework.stores import CaseworkStores
from shared.auth import hash_tracking_token, tracking_token_matches
from shared.events import CaseEvent, ComplaintReceived, NotificationStatusChanged
from shared.kit.work import UnitOfWork, Work
from shared.timekeeping import Clock, utc_now
from shared.topics import CASEWORK_CASES

# Reasonable adjustments that mean "more time than usual" (docs/reference/domain-rules.md §4).
EXTRA_TIME_ADJUSTMENTS = frozenset({"more_time"})
# Cases looked at per scheduler run; the rest wait for the next run.
DEADLINE_BATCH = 200


class CaseNotFoundError(Exception):
    pass


class Casework:
    def __init__(
        self,
        uow: UnitOfWork[CaseworkStores],
        rules: CaseworkRules,
        clock: Clock = utc_now,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.rules = rules

    # ------------------------------------------------------------------ from intake

    async def open_from_complaint(
        self, work: Work[CaseworkStores], complaint: ComplaintReceived
    ) -> None:
        """Runs in the inbox transaction of the consumer (`work`)."""
        store = work.stores.cases
        if await store.exists(complaint.reference):
            return  # the same complaint under a new event id: nothing more to open
        case, events = open_case(
            complaint.reference,
            complaint.organisation,
            complaint.channel,
            complaint.received_at,
            complaint.eligibility,
            extra_time=bool(
                EXTRA_TIME_ADJUSTMENTS & set(complaint.complainant.reasonable_adjustments)
            ),
            rules=self.rules,
        )
        caseworker = await self._least_loaded_caseworker(store, complaint.organisation.sector.value)
        if caseworker is not None:
            events += handle(
                case,
                Assign(
                    caseworker_id=caseworker["caseworker_id"], caseworker_name=caseworker["name"]
                ),
                SYSTEM_ACTOR,
                complaint.received_at,
                self.rules,
            )
        await store.add(
            case,
            tracking_token_hash=hash_tracking_token(complaint.tracking_token),
            complaint=complaint.model_dump(mode="json", exclude={"tracking_token"}),
        )
        await _emit(work, events)

    async def _least_loaded_caseworker(
        self, store: CaseStore, sector: str
    ) -> dict[str, Any] | None:
        workload = await store.open_workload()
        skilled = [c for c in await store.roster() if c["active"] and sector in c["sectors"]]
        if not skilled:
            return None
        return min(skilled, key=lambda c: (workload.get(c["caseworker_id"], 0), c["caseworker_id"]))

    # ------------------------------------------------------------------ actions

    async def act(
        self, reference: str, command: Command, actor: Actor, now: datetime | None = None
    ) -> Case:
        """Apply one command.

        Raises CaseNotFoundError, ActionNotAllowed, DomainRuleBroken or StaleCaseError.
        """
        now = now or self.clock()
        async with self.uow.transaction() as work:
            store = work.stores.cases
            loaded = await store.load(reference)
            if loaded is None:
                raise CaseNotFoundError(reference)
            case, version, _ = loaded
            events = handle(case, command, actor, now, self.rules)
            await store.save(case, version)
            if isinstance(command, TagThemes):
                await store.replace_themes(reference, case.themes)
            if isinstance(command, PostMessage) and command.body:
                await store.add_message(
                    message_id=str(uuid.uuid4()),
                    reference=reference,
                    direction=command.direction,
                    author=actor.name,
                    body=command.body,
                    at=now,
                )
            if isinstance(command, SubmitComments) and command.comments.strip():
                # Kept for the caseworker beside the draft; never in an event (issue 14).
                await store.add_draft_comment(
                    comment_id=str(uuid.uuid4()),
                    reference=reference,
                    body=command.comments.strip(),
                    at=now,
                )
            await _emit(work, events)
        return case

    async def load_for_complainant(self, reference: str, token: str | None) -> Case | None:
        """The case if `token` is its tracking token; None for a wrong token or an unknown
        reference alike, so the answer reveals nothing."""
        async with self.uow.reading() as stores:
            loaded = await stores.cases.load(reference)
        if loaded is None or not tracking_token_matches(token, loaded[2]):
            return None
        return loaded[0]

    async def load(self, reference: str) -> Case | None:
        async with self.uow.reading() as stores:
            loaded = await stores.cases.load(reference)
        return None if loaded is None else loaded[0]

    # ------------------------------------------------------------------ deadlines

    async def report_missed_deadlines(self, today: date) -> int:
        """The scheduler's run: send drafts whose arranged day has come, and emit
        `redress.case.deadline_missed` once per missed deadline, across instances.

        Returns how many events it queued.
        """
        async with self.uow.reading() as stores:
            due = await stores.cases.due_for_deadline_check(today, DEADLINE_BATCH)
        reported = 0
        for reference in due:
            try:
                reported += await self._report_for_case(reference, today)
            except StaleCaseError:
                continue  # another instance (or an action) got there first; next run re-checks
        return reported

    async def _report_for_case(self, reference: str, today: date) -> int:
        async with self.uow.transaction() as work:
            store = work.stores.cases
            loaded = await store.load(reference)
            if loaded is None:
                return 0
            case, version, _ = loaded
            events = release_held_draft(case, today, self.rules)
            events += missed_deadlines(case, today)
            await store.save(case, version)
            await _emit(work, events)
        return len(events)

    # ------------------------------------------------------------------ from notifications

    async def note_failed_delivery(
        self, work: Work[CaseworkStores], status: NotificationStatusChanged
    ) -> None:
        """Note a lasting delivery failure on its case; unknown references are not ours to note.

        Runs in the inbox transaction; a concurrent change raises StaleCaseError and the
        consumer retries the event.
        """
        store = work.stores.cases
        loaded = await store.load(status.reference)
        if loaded is None:
            return
        case, version, _ = loaded
        problem = ContactProblem(
            notification_id=status.notification_id,
            channel=status.channel,
            template=status.template,
            status=status.status.value,
            at=status.at,
            reason=status.failure_reason,
        )
        if note_contact_problem(case, problem):
            await store.save(case, version)


async def _emit(work: Work[CaseworkStores], events: list[CaseEvent]) -> None:
    for event in events:
        # The public topic names bodies by directory entry only (domain/publication.py).
        await work.emit(CASEWORK_CASES, published(event), subject=event.reference)
