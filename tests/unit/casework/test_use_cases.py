"""Casework's use cases on in-memory stores: opening a case from a complaint, acting on it, the
deadline scheduler's pass, failed deliveries, the tracking view, staff accounts, the roster and
the access journal.

No database and no Kafka: the unit of work is tests/kit/work.py's fake, the stores are
tests/kit/fakes/casework.py. The same behaviour is proven on the real parts by
tests/integration/casework/.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.casework import views
from services.casework.cases import CaseNotFoundError, Casework
from services.casework.domain import (
    Accept,
    ActionNotAllowed,
    Actor,
    CaseworkRules,
    Decline,
    PostMessage,
    RequestEvidence,
)
from services.casework.domain.journal import StaffRead
from services.casework.journal import JournalStore, access_log, record_read
from services.casework.staff import Policy, StaffAccounts
from services.casework.staff.roster import seed_roster
from services.casework.stores import CaseworkStores
from shared.auth import hash_tracking_token
from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, Cipher
from shared.events import (
    CaseClosed,
    CaseOpened,
    Channel,
    Complainant,
    ComplaintReceived,
    ContactMethod,
    DeadlineMissed,
    DeclineReason,
    EligibilityFlags,
    EvidenceRequested,
    NotificationStatus,
    NotificationStatusChanged,
    Organisation,
    Sector,
    Stage,
    StageChanged,
)
from shared.topics import CASEWORK_CASES
from tests.kit.fakes.casework import FakeCaseworkStores, FakeJournalStore
from tests.kit.work import FakeUnitOfWork

RULES = CaseworkRules()
RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
ASSESSMENT_DUE = date(2026, 2, 2)  # 20 working days on (England)
REFERENCE = "RED-2026-000123"
TOKEN = "the-tracking-token"
ORGANISATION = Organisation(id="RNS01", name="Northshire NHS Trust", sector=Sector.HEALTH)
CASEWORKER = Actor(id="cw-1", name="Sam Patel", role="caseworker")


def a_complaint(reference: str = REFERENCE) -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id=str(uuid.uuid4()),
        reference=reference,
        received_at=RECEIVED,
        channel=Channel.WEB,
        complainant=Complainant(
            name="Alex Jones", email="alex@example.org", preferred_contact=ContactMethod.EMAIL
        ),
        organisation=ORGANISATION,
        summary="A cancelled operation.",
        desired_outcome="An apology.",
        first_aware_on=date(2025, 12, 1),
        eligibility=EligibilityFlags(eligible=True),
        tracking_token=TOKEN,
    )


class World:
    """The use cases over one set of fake stores."""

    def __init__(self) -> None:
        self.fakes = FakeCaseworkStores()
        self.uow: FakeUnitOfWork[CaseworkStores] = FakeUnitOfWork(self.fakes.as_stores())
        self.now = RECEIVED
        self.casework = Casework(self.uow, RULES, clock=lambda: self.now)

    async def opened(self, complaint: ComplaintReceived | None = None) -> None:
        async with self.uow.transaction() as work:
            await self.casework.open_from_complaint(work, complaint or a_complaint())

    async def roster(self, *people: tuple[str, str, list[str], bool]) -> None:
        for caseworker_id, name, sectors, active in people:
            await self.fakes.cases.put_caseworker(caseworker_id, name, sectors, active, RECEIVED)

    def kinds(self) -> list[str]:
        return [type(e.payload).__name__ for e in self.uow.emitted]


async def test_a_complaint_opens_a_case_assigned_to_the_least_loaded_skilled_caseworker() -> None:
    world = World()
    await world.roster(
        ("cw-1", "Sam Patel", ["health"], True),
        ("cw-2", "Jo Li", ["health"], True),
        ("cw-3", "Ash Bell", ["parliamentary"], True),
        ("cw-4", "Kim Roe", ["health"], False),
    )
    await world.opened(a_complaint("RED-2026-000001"))  # cw-1: the first of the equally loaded
    await world.opened()

    case, version, token_hash = await world.fakes.cases.load(REFERENCE)  # type: ignore[misc]
    assert case.stage is Stage.ASSESSMENT
    assert case.caseworker is not None
    assert case.caseworker.id == "cw-2"
    assert version == 1
    assert token_hash == hash_tracking_token(TOKEN)
    complaint = await world.fakes.cases.complaint(REFERENCE)
    assert complaint is not None
    assert "tracking_token" not in complaint
    assert world.kinds()[-2:] == ["CaseOpened", "CaseAssigned"]
    assert all(e.topic is CASEWORK_CASES for e in world.uow.emitted)
    [opened] = [p for p in world.uow.emitted_payloads(CaseOpened) if p.reference == REFERENCE]
    assert opened.next_milestone is not None


async def test_the_same_complaint_again_opens_nothing_more() -> None:
    world = World()
    await world.opened()
    await world.opened()
    assert world.kinds() == ["CaseOpened"]  # no one on the roster: left unassigned
    assert len(world.fakes.cases.rows) == 1


async def test_actions_are_saved_with_their_messages_and_comments_and_emitted() -> None:
    world = World()
    await world.opened()
    world.now = RECEIVED + timedelta(days=1)
    await world.casework.act(REFERENCE, Accept(), CASEWORKER)
    case = await world.casework.act(REFERENCE, RequestEvidence(description="GP notes"), CASEWORKER)
    assert case.stage is Stage.INVESTIGATION
    [requested] = world.uow.emitted_payloads(EvidenceRequested)
    assert requested.request_id == f"{REFERENCE}-E1"
    await world.casework.act(
        REFERENCE,
        PostMessage(direction="to_complainant", body="We have asked for them."),
        CASEWORKER,
    )
    [message] = await world.fakes.cases.messages(REFERENCE)
    assert (message["author"], message["body"]) == ("Sam Patel", "We have asked for them.")
    loaded = await world.casework.load(REFERENCE)
    assert loaded is not None
    assert loaded.stage is Stage.INVESTIGATION
    assert world.fakes.cases.rows[REFERENCE].version == 4


async def test_a_decision_closes_the_case_and_a_refused_action_changes_nothing() -> None:
    world = World()
    await world.opened()
    world.now = RECEIVED + timedelta(days=7)
    await world.casework.act(REFERENCE, Decline(reason=DeclineReason.PREMATURE), CASEWORKER)
    [closed] = world.uow.emitted_payloads(CaseClosed)
    assert closed.decline_reason is DeclineReason.PREMATURE
    assert world.uow.emitted_payloads(StageChanged)[-1].to_stage is Stage.CLOSED
    before = world.fakes.cases.rows[REFERENCE].version
    with pytest.raises(ActionNotAllowed):
        await world.casework.act(REFERENCE, Accept(), CASEWORKER)
    assert world.fakes.cases.rows[REFERENCE].version == before
    with pytest.raises(CaseNotFoundError):
        await world.casework.act("RED-2026-999999", Accept(), CASEWORKER)


async def test_the_scheduler_reports_a_missed_deadline_once() -> None:
    world = World()
    await world.opened()
    assert await world.casework.report_missed_deadlines(ASSESSMENT_DUE) == 0
    assert await world.casework.report_missed_deadlines(ASSESSMENT_DUE + timedelta(days=1)) == 1
    [missed] = world.uow.emitted_payloads(DeadlineMissed)
    assert missed.deadline == "assessment_decision"
    assert await world.casework.report_missed_deadlines(ASSESSMENT_DUE + timedelta(days=2)) == 0
    assert len(world.uow.emitted_payloads(DeadlineMissed)) == 1


async def test_a_lasting_delivery_failure_is_noted_once_and_an_unknown_case_is_not_ours() -> None:
    world = World()
    await world.opened()
    failed = NotificationStatusChanged(
        notification_id="n-1",
        request_id="r-1",
        reference=REFERENCE,
        channel="email",
        template="case_opened",
        template_version=1,
        status=NotificationStatus.PERMANENT_FAILURE,
        at=RECEIVED + timedelta(hours=1),
        attempts=1,
        failure_reason="mailbox unavailable",
    )
    for status in (failed, failed, failed.model_copy(update={"reference": "RED-NOT-OURS"})):
        async with world.uow.transaction() as work:
            await world.casework.note_failed_delivery(work, status)
    case = await world.casework.load(REFERENCE)
    assert case is not None
    assert len(case.contact_problems) == 1
    assert case.audit[-1].action == "contact_problem"
    assert world.kinds() == ["CaseOpened"]  # nothing about it on the public topic


async def test_the_tracking_view_needs_the_token_and_shows_messages_and_comments() -> None:
    world = World()
    await world.opened()
    assert await world.casework.load_for_complainant(REFERENCE, "not-the-token") is None
    assert await world.casework.load_for_complainant("RED-2026-999999", TOKEN) is None
    complainant = Actor(id=f"complainant:{REFERENCE}", name="You", role="complainant")
    await world.casework.act(
        REFERENCE, PostMessage(direction="to_caseworker", body="Any news?"), complainant
    )
    case = await world.casework.load_for_complainant(REFERENCE, TOKEN)
    assert case is not None
    view = await views.complainant_view(world.uow, case, RECEIVED + timedelta(days=1), RULES)
    assert view["reference"] == REFERENCE
    assert view["stage"] == "assessment"
    assert [m["body"] for m in view["messages"]] == ["Any news?"]
    assert view["draft_decision"] is None
    # Comments are shown only once there is a draft to comment on.
    await world.fakes.cases.add_draft_comment(
        comment_id="c-1", reference=REFERENCE, body="Too early", at=RECEIVED
    )
    view = await views.complainant_view(world.uow, case, RECEIVED + timedelta(days=1), RULES)
    assert view["draft_decision"] is None
    assert "submit_comments" not in view["you_can"]


POLICY = Policy(
    idle=timedelta(minutes=30),
    absolute=timedelta(hours=12),
    lockout_attempts=1,  # one wrong try locks: each try is an argon2 hash, slow on purpose
    lockout=timedelta(minutes=15),
)


async def test_staff_accounts_sign_in_lock_out_and_sessions_end() -> None:
    fakes = FakeCaseworkStores()
    accounts = StaffAccounts(
        FakeUnitOfWork(fakes.as_stores()), Cipher(DEVELOPMENT_ENCRYPTION_KEY), POLICY
    )
    account_id = await accounts.add(
        email="sam@staff.redress.test",
        name="Sam Patel",
        role="caseworker",
        skills=["health"],
        password="a long enough passphrase",
        now=RECEIVED,
    )
    signed_in = await accounts.sign_in(
        "Sam@staff.redress.test", "a long enough passphrase", RECEIVED
    )
    assert signed_in.outcome == "signed_in"
    assert signed_in.session is not None
    assert signed_in.session.account_id == account_id
    assert len(fakes.staff.sessions) == 1
    for _ in range(POLICY.lockout_attempts):
        refused = await accounts.sign_in("sam@staff.redress.test", "wrong", RECEIVED)
    assert refused.outcome == "locked"
    right = await accounts.sign_in("sam@staff.redress.test", "a long enough passphrase", RECEIVED)
    assert right.outcome == "locked"
    await accounts.set_active(account_id, False)
    assert fakes.staff.sessions == {}


async def test_the_roster_is_seeded_only_while_it_is_empty() -> None:
    fakes = FakeCaseworkStores()
    accounts = StaffAccounts(
        FakeUnitOfWork(fakes.as_stores()), Cipher(DEVELOPMENT_ENCRYPTION_KEY), POLICY
    )
    await seed_roster(accounts, "cw-1:Sam Patel:health+other,cw-2:Jo Li:parliamentary", RECEIVED)
    await seed_roster(accounts, "cw-9:Someone Else:health", RECEIVED)
    roster = await fakes.cases.roster()
    assert [(p["caseworker_id"], p["sectors"]) for p in roster] == [
        ("cw-1", ["health", "other"]),
        ("cw-2", ["parliamentary"]),
    ]


async def test_the_access_journal_chains_reads_and_reports_a_broken_chain() -> None:
    journal = FakeJournalStore()
    uow: FakeUnitOfWork[JournalStore] = FakeUnitOfWork(journal)  # type: ignore[arg-type]
    for minute in range(3):
        read = StaffRead(
            REFERENCE,
            "cw-1",
            "Sam Patel",
            "caseworker",
            RECEIVED + timedelta(minutes=minute),
            "GET /v1/cases/{reference}",
            ("case", "complaint"),
        )
        await record_read(uow, read)
    log = await access_log(uow, REFERENCE)
    assert [e["seq"] for e in log["entries"]] == [1, 2, 3]
    assert log["chain"]["intact"] is True
    journal.entries[REFERENCE][1] = replace(journal.entries[REFERENCE][1], entry_hash="0" * 64)
    log = await access_log(uow, REFERENCE)
    assert log["chain"]["intact"] is False
    assert log["chain"]["first_broken_seq"] in (2, 3)


async def test_a_staff_session_lasts_while_used_and_ends_when_idle_or_signed_out() -> None:
    fakes = FakeCaseworkStores()
    accounts = StaffAccounts(
        FakeUnitOfWork(fakes.as_stores()), Cipher(DEVELOPMENT_ENCRYPTION_KEY), POLICY
    )
    await accounts.add(
        email="jo@staff.redress.test",
        name="Jo Li",
        role="manager",
        skills=[],
        password=None,
        now=RECEIVED,
    )
    first = (await accounts.sign_in_by_email("jo@staff.redress.test", RECEIVED)).session
    second = (await accounts.sign_in_by_email("jo@staff.redress.test", RECEIVED)).session
    assert first is not None
    assert second is not None
    assert first.new_id is not None
    assert second.new_id is not None
    later = RECEIVED + POLICY.idle - timedelta(minutes=1)
    current = await accounts.current(first.new_id, later)
    assert current is not None
    assert current.is_manager
    await accounts.sign_out(first.new_id)
    assert await accounts.current(first.new_id, later) is None
    # The second session was not used: past the idle timeout the periodic job deletes it.
    assert await accounts.prune_sessions(RECEIVED + POLICY.idle + timedelta(minutes=1)) == 1
    assert fakes.staff.sessions == {}
