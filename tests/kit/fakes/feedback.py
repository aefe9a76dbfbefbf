"""In-memory stores for feedback's use cases (services/feedback/store.py is the real one).

They keep the real stores' rules that the use cases lean on: a survey is found by its token,
one survey per case and respondent, contacts are keyed by `organisation_key`, consultations list
newest first, consultation answers come back in the order submitted. `locked` stands for surveys
another instance holds (the real `lock` skips them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from typing import Any, cast

from services.feedback.domain import (
    Consultation,
    ConsultationAnswer,
    InvitationSchedule,
    OrganisationContact,
    Respondent,
    StoredResponse,
    Survey,
    SurveyState,
    organisation_key,
)
from services.feedback.store import (
    ConsultationStore,
    ContactStore,
    FeedbackStores,
    ResponseStore,
    SurveyStore,
)
from shared.mail import MailError


@dataclass
class FakeSurveyStore:
    by_id: dict[str, Survey] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)

    async def exists_for(self, reference: str, respondent: Respondent = "complainant") -> bool:
        return any(
            s.reference == reference and s.respondent == respondent for s in self.by_id.values()
        )

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
        if await self.exists_for(reference, respondent):
            raise AssertionError(f"a second {respondent} survey for {reference}")
        self.by_id[survey_id] = Survey(
            survey_id, reference, token, organisation, sector, outcome, closed_at,
            SurveyState(schedule), respondent,
        )  # fmt: skip

    async def due_ids(self, now: datetime) -> list[str]:
        def due(state: SurveyState) -> bool:
            schedule = state.schedule
            return (
                (state.invited_at is None and schedule.invite_at <= now)
                or (
                    state.invited_at is not None
                    and state.reminded_at is None
                    and schedule.reminder_at <= now
                )
                or schedule.expires_at <= now
            )

        found = [s for s in self.by_id.values() if not s.state.finished and due(s.state)]
        return [s.survey_id for s in sorted(found, key=lambda s: s.state.schedule.invite_at)]

    async def lock(self, survey_id: str) -> Survey | None:
        return None if survey_id in self.locked else self.by_id.get(survey_id)

    async def by_token(self, token: str, *, for_update: bool = False) -> Survey | None:
        return next((s for s in self.by_id.values() if s.token == token), None)

    async def mark(self, survey_id: str, **moments: datetime) -> None:
        survey = self.by_id[survey_id]
        self.by_id[survey_id] = replace(
            survey, state=replace(survey.state, **cast(dict[str, Any], moments))
        )

    def only(self, respondent: Respondent = "complainant") -> Survey:
        [survey] = [s for s in self.by_id.values() if s.respondent == respondent]
        return survey


@dataclass
class FakeResponseStore:
    rows: list[StoredResponse] = field(default_factory=list)

    async def add(self, response: StoredResponse) -> None:
        self.rows.append(response)

    async def between(
        self, submitted_from: datetime, submitted_before: datetime, respondent: str
    ) -> Sequence[StoredResponse]:
        found = [
            r
            for r in self.rows
            if submitted_from <= r.submitted_at < submitted_before and r.respondent == respondent
        ]
        return sorted(found, key=lambda r: r.submitted_at)

    async def for_consultation(self, consultation_id: str) -> list[ConsultationAnswer]:
        found = [r for r in self.rows if r.consultation_id == consultation_id]
        found.sort(key=lambda r: (r.submitted_at, r.response_id))
        return [ConsultationAnswer(r.answers, r.comments) for r in found]


@dataclass
class FakeContactStore:
    by_key: dict[str, OrganisationContact] = field(default_factory=dict)

    async def put(self, contact: OrganisationContact) -> None:
        tidy = replace(contact, organisation=" ".join(contact.organisation.split()))
        self.by_key[organisation_key(contact.organisation)] = tidy

    async def get(self, organisation: str) -> OrganisationContact | None:
        return self.by_key.get(organisation_key(organisation))

    async def remove(self, organisation: str) -> bool:
        return self.by_key.pop(organisation_key(organisation), None) is not None


@dataclass
class FakeConsultationStore:
    by_id: dict[str, Consultation] = field(default_factory=dict)

    async def add(self, consultation: Consultation) -> None:
        self.by_id[consultation.consultation_id] = consultation

    async def get(self, consultation_id: str, *, for_update: bool = False) -> Consultation | None:
        return self.by_id.get(consultation_id)

    async def listing(self) -> list[Consultation]:
        return sorted(self.by_id.values(), key=lambda c: c.created_at, reverse=True)

    async def mark_published(
        self, consultation_id: str, published_at: datetime, results: dict[str, Any]
    ) -> None:
        self.by_id[consultation_id] = replace(
            self.by_id[consultation_id], published_at=published_at, published_results=results
        )


@dataclass
class FakeFeedbackStores:
    surveys: FakeSurveyStore = field(default_factory=FakeSurveyStore)
    responses: FakeResponseStore = field(default_factory=FakeResponseStore)
    contacts: FakeContactStore = field(default_factory=FakeContactStore)
    consultations: FakeConsultationStore = field(default_factory=FakeConsultationStore)

    def as_stores(self) -> FeedbackStores:
        """The fakes where the use cases expect the real stores (they share their methods)."""
        return FeedbackStores(
            cast(SurveyStore, self.surveys),
            cast(ResponseStore, self.responses),
            cast(ContactStore, self.contacts),
            cast(ConsultationStore, self.consultations),
        )


@dataclass
class RecordingMailer:
    """Keeps what it is asked to send; `failing` makes every send fail as an SMTP outage does."""

    sent: list[EmailMessage] = field(default_factory=list)
    failing: bool = False

    async def send(self, message: EmailMessage) -> None:
        if self.failing:
            raise MailError("the mail server is down")
        self.sent.append(message)
