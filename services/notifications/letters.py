"""The letter print queue: letters wait rendered in `created`, become `sending` when staff
fetch them for printing, and `delivered` when staff confirm they were posted."""

from __future__ import annotations

import dataclasses

from services.notifications.domain.delivery import PostingResult
from services.notifications.domain.records import Message, Status
from services.notifications.store import NotificationsStores
from services.notifications.transitions import move
from shared.kit.work import UnitOfWork
from shared.timekeeping import Clock


class PrintQueue:
    def __init__(self, uow: UnitOfWork[NotificationsStores], clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def take(self, limit: int) -> list[Message]:
        """Letters waiting to be printed, now `sending`: whoever fetches them prints them.

        Compare-and-set per letter, so two people fetching at once never get the same one.
        """
        now = self.clock()
        taken: list[Message] = []
        async with self.uow.transaction() as work:
            for letter in await work.stores.messages.letters(Status.CREATED, limit):
                values = {"attempts": letter.attempts + 1, "last_attempt_at": now, "sent_at": now}
                if await move(work, letter, Status.SENDING, values, now):
                    taken.append(
                        dataclasses.replace(
                            letter,
                            status=Status.SENDING,
                            attempts=letter.attempts + 1,
                            sent_at=now,
                        )
                    )
        return taken

    async def unposted(self, limit: int) -> list[Message]:
        """Letters fetched for printing that nobody has confirmed as posted yet."""
        async with self.uow.transaction() as work:
            return await work.stores.messages.letters(Status.SENDING, limit)

    async def confirm_posted(self, letter_id: str) -> tuple[PostingResult, Message | None]:
        """Staff posted the letter: `sending` -> `delivered` (as far as we will ever know)."""
        now = self.clock()
        async with self.uow.transaction() as work:
            letter = await work.stores.messages.get(letter_id)
            if letter is None or letter.channel != "letter":
                return PostingResult.UNKNOWN, None
            if letter.status is Status.DELIVERED:
                return PostingResult.ALREADY_POSTED, letter
            if letter.status is not Status.SENDING:
                return PostingResult.NOT_PRINTED, letter
            values = {"delivered_at": now}
            if not await move(work, letter, Status.DELIVERED, values, now):
                return PostingResult.ALREADY_POSTED, letter  # someone confirmed it just now
        return PostingResult.POSTED, dataclasses.replace(
            letter, status=Status.DELIVERED, delivered_at=now
        )
