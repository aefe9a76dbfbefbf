"""The letter print queue: letters wait rendered in `created`, become `sending` when staff
fetch them for printing, and `delivered` when staff confirm they were posted."""

from __future__ import annotations

import dataclasses

from services.notifications.domain.delivery import PostingResult
from services.notifications.domain.records import Message, Status
from services.notifications.sender import Sender
from services.notifications.store import MessageStore


async def take_print_queue(sender: Sender, limit: int) -> list[Message]:
    """Letters waiting to be printed, now `sending`: whoever fetches them prints them.

    Compare-and-set per letter, so two people fetching at once never get the same one.
    """
    now = sender.clock()
    taken: list[Message] = []
    async with sender.db.transaction() as session:
        for letter in await MessageStore(session, sender.cipher).letters(Status.CREATED, limit):
            values = {"attempts": letter.attempts + 1, "last_attempt_at": now, "sent_at": now}
            if await sender.move(session, letter, Status.SENDING, values, now):
                taken.append(
                    dataclasses.replace(
                        letter, status=Status.SENDING, attempts=letter.attempts + 1, sent_at=now
                    )
                )
    sender.messaging.committed()
    return taken


async def unposted_letters(sender: Sender, limit: int) -> list[Message]:
    """Letters fetched for printing that nobody has confirmed as posted yet."""
    async with sender.db.transaction() as session:
        return await MessageStore(session, sender.cipher).letters(Status.SENDING, limit)


async def confirm_posted(sender: Sender, letter_id: str) -> tuple[PostingResult, Message | None]:
    """Staff posted the letter: `sending` -> `delivered` (as far as we will ever know)."""
    now = sender.clock()
    async with sender.db.transaction() as session:
        letter = await MessageStore(session, sender.cipher).get(letter_id)
        if letter is None or letter.channel != "letter":
            return PostingResult.UNKNOWN, None
        if letter.status is Status.DELIVERED:
            return PostingResult.ALREADY_POSTED, letter
        if letter.status is not Status.SENDING:
            return PostingResult.NOT_PRINTED, letter
        values = {"delivered_at": now}
        if not await sender.move(session, letter, Status.DELIVERED, values, now):
            return PostingResult.ALREADY_POSTED, letter  # someone confirmed it just now
    sender.messaging.committed()
    return PostingResult.POSTED, dataclasses.replace(
        letter, status=Status.DELIVERED, delivered_at=now
    )
