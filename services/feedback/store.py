"""Feedback's stores over its own database (tables.py): surveys (one per case and respondent),
organisations' survey contacts, open consultations, anonymised responses.

A survey row knows the case reference (to address the invitation); a response row does not:
answers are stored apart from the survey that collected them, so the table of answers cannot be
joined back to a case. The survey link's token is kept encrypted (the invitation and reminder
need it) beside its digest (to look a token up without decrypting every row). An organisation's
contact address is personal data of a member of its staff, so it is encrypted too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback.domain import (
    Consultation,
    ConsultationAnswer,
    InvitationSchedule,
    OrganisationContact,
    Question,
    Respondent,
    StoredResponse,
    Survey,
    SurveyState,
    organisation_key,
)
from services.feedback.tables import (
    consultations,
    metadata,
    organisation_contacts,
    responses,
    surveys,
)
from shared.auth import hash_tracking_token
from shared.crypto import Cipher

__all__ = [
    "Consultation",
    "ConsultationStore",
    "ContactStore",
    "FeedbackStores",
    "OrganisationContact",
    "ResponseStore",
    "StoredResponse",
    "Survey",
    "SurveyStore",
    "feedback_stores",
    "metadata",
    "surveys",
]


class SurveyStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def exists_for(self, reference: str, respondent: Respondent = "complainant") -> bool:
        found = await self.session.scalar(
            select(surveys.c.survey_id).where(
                surveys.c.reference == reference, surveys.c.respondent == respondent
            )
        )
        return found is not None

    async def add(
        self,
        *,
        survey_id: str,
        reference: str,
        token: str,
        organisation: str,
        sector: str,
        outcome: str,
        closed_at: datetime,
        schedule: InvitationSchedule,
        respondent: Respondent = "complainant",
    ) -> None:
        await self.session.execute(
            surveys.insert().values(
                survey_id=survey_id,
                reference=reference,
                respondent=respondent,
                token_digest=hash_tracking_token(token),
                token=self.cipher.encrypt(token),
                organisation=organisation,
                sector=sector,
                outcome=outcome,
                closed_at=closed_at,
                invite_at=schedule.invite_at,
                reminder_at=schedule.reminder_at,
                expires_at=schedule.expires_at,
            )
        )

    async def due_ids(self, now: datetime) -> list[str]:
        """Surveys that may have something to do now (the domain decides exactly what)."""
        unfinished = and_(
            surveys.c.answered_at.is_(None),
            surveys.c.opted_out_at.is_(None),
            surveys.c.expired_at.is_(None),
        )
        due = or_(
            and_(surveys.c.invited_at.is_(None), surveys.c.invite_at <= now),
            # The domain may wait longer after a late invitation; never less than reminder_at.
            and_(
                surveys.c.invited_at.is_not(None),
                surveys.c.reminded_at.is_(None),
                surveys.c.reminder_at <= now,
            ),
            surveys.c.expires_at <= now,
        )
        rows = await self.session.scalars(
            select(surveys.c.survey_id).where(unfinished, due).order_by(surveys.c.invite_at)
        )
        return list(rows)

    async def lock(self, survey_id: str) -> Survey | None:
        """The survey, locked for this transaction; None if another instance holds it."""
        row = (
            await self.session.execute(
                select(surveys)
                .where(surveys.c.survey_id == survey_id)
                .with_for_update(skip_locked=True)
            )
        ).first()
        return None if row is None else self._survey(row)

    async def by_token(self, token: str, *, for_update: bool = False) -> Survey | None:
        query = select(surveys).where(surveys.c.token_digest == hash_tracking_token(token))
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return None if row is None else self._survey(row)

    async def mark(self, survey_id: str, **moments: datetime) -> None:
        """Set `invited_at`, `reminded_at`, `answered_at`, `opted_out_at` or `expired_at`."""
        await self.session.execute(
            update(surveys).where(surveys.c.survey_id == survey_id).values(**moments)
        )

    def _survey(self, row: Any) -> Survey:
        return Survey(
            survey_id=row.survey_id,
            reference=row.reference,
            token=self.cipher.decrypt(row.token),
            organisation=row.organisation,
            sector=row.sector,
            outcome=row.outcome,
            closed_at=row.closed_at,
            respondent="organisation" if row.respondent == "organisation" else "complainant",
            state=SurveyState(
                schedule=InvitationSchedule(row.invite_at, row.reminder_at, row.expires_at),
                invited_at=row.invited_at,
                reminded_at=row.reminded_at,
                answered_at=row.answered_at,
                opted_out_at=row.opted_out_at,
                expired_at=row.expired_at,
            ),
        )


class ResponseStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, response: StoredResponse) -> None:
        await self.session.execute(
            responses.insert().values(
                response_id=response.response_id,
                submitted_at=response.submitted_at,
                respondent=response.respondent,
                sector=response.sector,
                outcome=response.outcome,
                answers=response.answers,
                comments=response.comments,
                consultation_id=response.consultation_id,
            )
        )

    async def between(
        self, submitted_from: datetime, submitted_before: datetime, respondent: str
    ) -> Sequence[StoredResponse]:
        rows = (
            await self.session.execute(
                select(responses)
                .where(
                    responses.c.submitted_at >= submitted_from,
                    responses.c.submitted_at < submitted_before,
                    responses.c.respondent == respondent,
                )
                .order_by(responses.c.submitted_at)
            )
        ).all()
        return [
            StoredResponse(
                response_id=row.response_id,
                submitted_at=row.submitted_at,
                respondent=row.respondent,
                sector=row.sector,
                outcome=row.outcome,
                answers=row.answers,
                comments=row.comments,
                consultation_id=row.consultation_id,
            )
            for row in rows
        ]

    async def for_consultation(self, consultation_id: str) -> list[ConsultationAnswer]:
        rows = (
            await self.session.execute(
                select(responses.c.answers, responses.c.comments)
                .where(responses.c.consultation_id == consultation_id)
                .order_by(responses.c.submitted_at, responses.c.response_id)
            )
        ).all()
        return [ConsultationAnswer(row.answers, row.comments) for row in rows]


class ContactStore:
    """Organisations' survey contacts, kept by staff; the address is encrypted at rest."""

    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def put(self, contact: OrganisationContact) -> None:
        key = organisation_key(contact.organisation)
        values = {
            "organisation": " ".join(contact.organisation.split()),
            "email": self.cipher.encrypt(contact.email),
            "updated_at": contact.updated_at,
            "updated_by": contact.updated_by,
        }
        changed = await self.session.execute(
            update(organisation_contacts)
            .where(organisation_contacts.c.organisation_key == key)
            .values(**values)
        )
        if not getattr(changed, "rowcount", 0):
            await self.session.execute(
                organisation_contacts.insert().values(organisation_key=key, **values)
            )

    async def get(self, organisation: str) -> OrganisationContact | None:
        row = (
            await self.session.execute(
                select(organisation_contacts).where(
                    organisation_contacts.c.organisation_key == organisation_key(organisation)
                )
            )
        ).first()
        if row is None:
            return None
        return OrganisationContact(
            organisation=row.organisation,
            email=self.cipher.decrypt(row.email),
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )

    async def remove(self, organisation: str) -> bool:
        removed = await self.session.execute(
            delete(organisation_contacts).where(
                organisation_contacts.c.organisation_key == organisation_key(organisation)
            )
        )
        return bool(getattr(removed, "rowcount", 0))


class ConsultationStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, consultation: Consultation) -> None:
        await self.session.execute(
            consultations.insert().values(
                consultation_id=consultation.consultation_id,
                title=consultation.title,
                questions=[[q.question_id, q.text] for q in consultation.questions],
                closes_on=consultation.closes_on,
                created_at=consultation.created_at,
                created_by=consultation.created_by,
            )
        )

    async def get(self, consultation_id: str, *, for_update: bool = False) -> Consultation | None:
        query = select(consultations).where(consultations.c.consultation_id == consultation_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return Consultation(
            consultation_id=row.consultation_id,
            title=row.title,
            questions=tuple(Question(str(qid), str(text)) for qid, text in row.questions),
            closes_on=row.closes_on,
            created_at=row.created_at,
            created_by=row.created_by,
            published_at=row.published_at,
            published_results=row.published_results,
        )

    async def listing(self) -> list[Consultation]:
        ids = await self.session.scalars(
            select(consultations.c.consultation_id).order_by(consultations.c.created_at.desc())
        )
        found = [await self.get(consultation_id) for consultation_id in list(ids)]
        return [consultation for consultation in found if consultation is not None]

    async def mark_published(
        self, consultation_id: str, published_at: datetime, results: dict[str, Any]
    ) -> None:
        await self.session.execute(
            update(consultations)
            .where(consultations.c.consultation_id == consultation_id)
            .values(published_at=published_at, published_results=results)
        )


@dataclass(frozen=True)
class FeedbackStores:
    """What feedback's use cases are handed, bound to one session (shared/kit/work.py)."""

    surveys: SurveyStore
    responses: ResponseStore
    contacts: ContactStore
    consultations: ConsultationStore


def feedback_stores(cipher: Cipher) -> Callable[[AsyncSession], FeedbackStores]:
    """The stores on one session; survey tokens and contact addresses go through `cipher`."""

    def bind(session: AsyncSession) -> FeedbackStores:
        return FeedbackStores(
            SurveyStore(session, cipher),
            ResponseStore(session),
            ContactStore(session, cipher),
            ConsultationStore(session),
        )

    return bind
