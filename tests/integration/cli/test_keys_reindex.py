"""Rotating the look-up key (issue 13 item 8): during the transition (new key first, old key in
REDRESS_PREVIOUS_LOOKUP_KEYS) duplicate detection, inbound-mail de-duplication and the
suppression list still match rows written under the old key; `redress keys reindex` moves every
digest to the new key; after the old key is dropped they still match. Real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from services.casework.case_queries import search_filter, work_list
from services.casework.domain import CaseworkRules, open_case
from services.casework.store import CaseStore
from services.intake.domain import DEFAULT_RULES
from services.intake.retention import MIGRATIONS_DIR as INTAKE_MIGRATIONS
from services.intake.schemas import ComplaintRequest
from services.intake.settings import IntakeSettings
from services.intake.store import complaints, handled_emails, intake_stores
from services.intake.store import metadata as intake_metadata
from services.intake.submissions import ComplaintIntake
from services.notifications.domain.records import Contact
from services.notifications.retention_job import MIGRATIONS_DIR as NOTIFICATIONS_MIGRATIONS
from services.notifications.store import ContactStore, SuppressionList, suppressions
from shared.crypto import Cipher
from shared.db import Database
from shared.events import Channel, EligibilityFlags, Organisation, Sector
from shared.kit.work import SqlUnitOfWork
from shared.messaging import Messaging
from shared.migrations import upgrade_to_head
from tests.integration.cli.cli_kit import redress, text
from tests.unit.intake.hostile_requests import TODAY, valid_complaint

pytestmark = pytest.mark.integration

CASEWORK_MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "casework" / "migrations"

ENCRYPTION_KEY = Fernet.generate_key().decode()
OLD_LOOKUP_KEY = "old-lookup-key-for-rotation-tests"
NEW_LOOKUP_KEY = "new-lookup-key-for-rotation-tests"
OLD = Cipher(ENCRYPTION_KEY, OLD_LOOKUP_KEY)
TRANSITION = Cipher(ENCRYPTION_KEY, NEW_LOOKUP_KEY, OLD_LOOKUP_KEY)
NEW = Cipher(ENCRYPTION_KEY, NEW_LOOKUP_KEY)
ROTATED_ENV = {
    "REDRESS_ENCRYPTION_KEYS": ENCRYPTION_KEY,
    "REDRESS_LOOKUP_KEY": NEW_LOOKUP_KEY,
    "REDRESS_PREVIOUS_LOOKUP_KEYS": OLD_LOOKUP_KEY,
}
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
FIRST_MAIL = "<first-mail@mail.example>"
UNKNOWN_MAIL = "<a-reply-never-stored@mail.example>"
SENDER = "Jane.Doe@Example.org"
BOUNCED = "bounced@example.org"


async def _submit(db: Database, url: str, cipher: Cipher, key: str, at: datetime) -> str | None:
    """One complaint, the same person each time, through intake's use case; its duplicate_of."""
    messaging = Messaging("intake", IntakeSettings(database_url=url), db, intake_metadata)
    uow = SqlUnitOfWork(db, messaging, intake_stores(cipher))
    complaint = ComplaintRequest.model_validate(
        valid_complaint(), context={"today": TODAY}
    ).to_complaint()
    submitted = await ComplaintIntake(uow, DEFAULT_RULES).submit(
        complaint, idempotency_key=key, now=at
    )
    async with db.sessions() as session:
        return await session.scalar(
            sa.select(complaints.c.duplicate_of).where(
                complaints.c.reference == submitted.accepted.reference
            )
        )


async def _mails(db: Database, cipher: Cipher) -> tuple[bool, bool, bool]:
    """Whether the first mail and the unknown one are recognised as handled, and whether the
    enquiry's sender is recognised as its sender."""
    async with db.sessions() as session:
        emails = intake_stores(cipher)(session).emails
        enquiry = await emails.get("ENQ-ROTATE1")
        assert enquiry is not None
        return (
            await emails.was_handled(FIRST_MAIL),
            await emails.was_handled(UNKNOWN_MAIL),
            emails.sent_by(enquiry, SENDER.lower()),
        )


async def test_intake_matches_through_a_lookup_key_rotation(database_url: str) -> None:
    url = database_url
    await asyncio.to_thread(upgrade_to_head, url, INTAKE_MIGRATIONS)
    db = Database(url)
    try:
        first = await _submit(db, url, OLD, "web-1", NOW - timedelta(days=2))
        assert first is None
        async with db.transaction() as session:
            emails = intake_stores(OLD)(session).emails
            await emails.add(
                enquiry_reference="ENQ-ROTATE1",
                source_message_key=FIRST_MAIL,
                sender=SENDER,
                personal={"sender": SENDER, "complaint": {}},
                now=NOW,
            )
            await emails.mark_handled(FIRST_MAIL, NOW, "ENQ-ROTATE1")
            await emails.mark_handled(UNKNOWN_MAIL, NOW, "ENQ-ROTATE1")

        # Transition: the new key first, the old one listed; old rows still match.
        assert await _submit(db, url, TRANSITION, "web-2", NOW - timedelta(days=1)) is not None
        assert await _mails(db, TRANSITION) == (True, True, True)

        result = await redress("keys", "reindex", "--database-url", url, env=ROTATED_ENV)
        assert result.exit_code == 0, text(result)
        # The first complaint's three digests and the enquiry's sender were under the old key
        # (the second complaint was written under the new one), and the first mail's key is
        # known from its enquiry; the other mail's key is stored nowhere, so it is kept.
        assert "reindexed 3 rows; 1 kept (no stored source); 0 unreadable" in text(result)
        again = await redress("keys", "reindex", "--database-url", url, env=ROTATED_ENV)
        assert "reindexed 0 rows; 1 kept" in text(again), text(again)

        async with db.sessions() as session:
            rows = (await session.execute(sa.select(complaints))).all()
            handled = set(await session.scalars(sa.select(handled_emails.c.message_digest)))
        person = valid_complaint()["complainant"]
        assert {row.name_digest for row in rows} == {NEW.lookup_digest(person["name"])}
        assert {row.email_digest for row in rows} == {NEW.lookup_digest(person["email"])}
        # One person, so one phone digest: the old row's now equals the new row's.
        assert len({row.phone_digest for row in rows}) == 1
        assert NEW.lookup_digest(FIRST_MAIL) in handled
        assert OLD.lookup_digest(FIRST_MAIL) not in handled

        # The old key dropped: the re-indexed rows match under the new key alone.
        assert await _submit(db, url, NEW, "web-3", NOW) is not None
        assert await _mails(db, NEW) == (True, False, True)
    finally:
        await db.dispose()


def _contact(email: str) -> Contact:
    return Contact(
        reference="RDR-2026-ROTATE",
        name="Jane Doe",
        email=email,
        phone=None,
        address=None,
        preferred_contact="email",
        reasonable_adjustments=(),
        language=None,
        tracking_token="token",
    )


async def _suppressed(db: Database, cipher: Cipher, *addresses: str) -> set[str]:
    async with db.sessions() as session:
        return await SuppressionList(session, cipher).suppressed(list(addresses))


async def test_the_suppression_list_matches_through_a_lookup_key_rotation(
    database_url: str,
) -> None:
    url = database_url
    await asyncio.to_thread(upgrade_to_head, url, NOTIFICATIONS_MIGRATIONS)
    db = Database(url)
    forgotten = "forgotten@example.org"
    try:
        async with db.transaction() as session:
            await ContactStore(session, OLD).upsert(_contact(BOUNCED), NOW)
            await SuppressionList(session, OLD).add(BOUNCED, "email", "hard bounce", NOW)
            await SuppressionList(session, OLD).add(forgotten, "email", "hard bounce", NOW)
        both = {BOUNCED, forgotten}
        assert await _suppressed(db, TRANSITION, BOUNCED, forgotten, "ok@example.org") == both

        result = await redress("keys", "reindex", "--database-url", url, env=ROTATED_ENV)
        assert result.exit_code == 0, text(result)
        # The bounced address is known from its contact; the other is stored nowhere any more.
        assert "reindexed 1 rows; 1 kept (no stored source); 0 unreadable" in text(result)
        async with db.sessions() as session:
            stored = set(await session.scalars(sa.select(suppressions.c.address_digest)))
        assert NEW.lookup_digest(BOUNCED) in stored
        assert OLD.lookup_digest(BOUNCED) not in stored

        assert await _suppressed(db, NEW, BOUNCED, "ok@example.org") == {BOUNCED}
        # An entry with no stored source matches only while its key is listed (runbook).
        assert await _suppressed(db, NEW, forgotten) == set()
        assert await _suppressed(db, TRANSITION, forgotten) == {forgotten}
    finally:
        await db.dispose()


async def _found(db: Database, cipher: Cipher, query: str) -> list[str]:
    """The references staff search finds for `query` (a name, or an email)."""
    async with db.sessions() as session:
        page = await work_list(
            session, search_filter(cipher, query), today=NOW.date(), soon=NOW.date(), page=1
        )
    return [row["reference"] for row in page.rows]


async def test_staff_search_finds_cases_through_a_lookup_key_rotation(database_url: str) -> None:
    url = database_url
    await asyncio.to_thread(upgrade_to_head, url, CASEWORK_MIGRATIONS)
    db = Database(url)
    organisation = Organisation(name="Eastfield Council", sector=Sector.OTHER)
    rules = CaseworkRules()
    case, _ = open_case(
        "RDR-2026-ROTAT1", organisation, Channel.WEB, NOW, EligibilityFlags(eligible=True),
        extra_time=False, rules=rules,
    )  # fmt: skip
    complaint = {"complainant": {"name": "Ada  Lovelace", "email": "Ada@Example.org"}}
    try:
        async with db.transaction() as session:
            await CaseStore(session, OLD).add(
                case, tracking_token_hash="0" * 64, complaint=complaint
            )
        assert await _found(db, TRANSITION, "ada lovelace") == [case.reference]
        assert await _found(db, TRANSITION, "ada@example.org") == [case.reference]

        result = await redress("keys", "reindex", "--database-url", url, env=ROTATED_ENV)
        assert result.exit_code == 0, text(result)
        assert "reindexed 1 rows; 0 kept (no stored source); 0 unreadable" in text(result)

        assert await _found(db, NEW, "Ada Lovelace") == [case.reference]
        assert await _found(db, NEW, "ADA@example.org") == [case.reference]
        assert await _found(db, NEW, "Grace Hopper") == []
    finally:
        await db.dispose()


async def test_a_source_no_key_opens_is_named_and_fails_the_job(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}"
    await asyncio.to_thread(upgrade_to_head, url, NOTIFICATIONS_MIGRATIONS)
    db = Database(url)
    stranger = Cipher(Fernet.generate_key().decode(), OLD_LOOKUP_KEY)
    try:
        async with db.transaction() as session:
            await ContactStore(session, stranger).upsert(_contact(BOUNCED), NOW)
        result = await redress("keys", "reindex", "--database-url", url, env=ROTATED_ENV)
        assert result.exit_code == 1, text(result)
        assert "unreadable: contacts (reference=RDR-2026-ROTATE)" in text(result)
        assert BOUNCED not in text(result)
    finally:
        await db.dispose()
