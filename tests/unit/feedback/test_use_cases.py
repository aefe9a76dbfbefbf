"""Feedback's use cases on the in-memory unit of work: opening surveys at closure, the invitation
scheduler, answering and opting out, the staff summary, organisations' contacts and open
consultations (the real stores, Kafka and SMTP are proved in tests/integration/feedback)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from services.feedback.consultations import (
    AlreadyPublishedError,
    ConsultationClosedError,
    ConsultationDesk,
)
from services.feedback.contacts import OrganisationContacts
from services.feedback.domain import (
    CHARTER_QUESTIONS,
    REMOVED,
    ConsultationStatus,
    FeedbackRules,
    InvalidAnswersError,
    InvalidConsultationError,
    OrganisationContact,
    SurveyStatus,
)
from services.feedback.invitations import INVITATION_TEMPLATE, REMINDER_TEMPLATE, Scheduler
from services.feedback.store import FeedbackStores
from services.feedback.summary import FeedbackSummary
from services.feedback.surveys import SurveyClosedError, SurveyDesk, SurveyOpening
from shared.events import (
    CaseClosed,
    ClosureReason,
    ConsultationPublished,
    FeedbackSubmitted,
    NotificationRequested,
    Organisation,
    Sector,
    Stage,
    SurveyInvited,
)
from shared.topics import FEEDBACK_RESPONSES, NOTIFICATION_REQUESTS
from tests.kit.fakes.feedback import FakeFeedbackStores, RecordingMailer
from tests.kit.work import FakeUnitOfWork

# A Monday: with no bank holiday near, working days are weekdays.
CLOSED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
RULES = FeedbackRules(
    invite_delay_working_days=5, reminder_after_days=7, link_expires_after_days=28
)
COUNCIL = "Northshire County Council"
PUBLIC_URL = "https://feedback.example/"


def add_weekdays(start: date, n: int) -> date:
    """A stand-in for shared.working_days with no bank holidays."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


@dataclass
class Feedback:
    fakes: FakeFeedbackStores
    uow: FakeUnitOfWork[FeedbackStores]
    mailer: RecordingMailer

    @property
    def opening(self) -> SurveyOpening:
        return SurveyOpening(RULES, add_weekdays)

    @property
    def scheduler(self) -> Scheduler:
        return Scheduler(self.uow, RULES, PUBLIC_URL, self.mailer, "Redress <surveys@x.example>")

    @property
    def desk(self) -> SurveyDesk:
        return SurveyDesk(self.uow)

    @property
    def consultations(self) -> ConsultationDesk:
        return ConsultationDesk(self.uow, PUBLIC_URL)

    async def close_case(self, reference: str = "RD-2026-000001") -> None:
        async with self.uow.transaction() as work:
            await self.opening.case_closed(work, closure(reference))

    async def add_contact(self, email: str = "surveys@northshire.example") -> None:
        contact = OrganisationContact(COUNCIL, email, CLOSED_AT, "manager-1")
        await OrganisationContacts(self.uow).put(contact)


@pytest.fixture
def feedback() -> Feedback:
    fakes = FakeFeedbackStores()
    return Feedback(fakes, FakeUnitOfWork(fakes.as_stores()), RecordingMailer())


def closure(reference: str) -> CaseClosed:
    return CaseClosed(
        reference=reference,
        organisation=Organisation(name=COUNCIL, sector=Sector.OTHER),
        occurred_at=CLOSED_AT,
        stage=Stage.CLOSED,
        closure_reason=ClosureReason.UPHELD,
        opened_at=CLOSED_AT - timedelta(days=60),
        working_days_open=40,
    )


# ------------------------------------------------------------------------------ opening surveys


async def test_a_closed_case_gets_one_complainant_survey_scheduled_by_the_rules(
    feedback: Feedback,
) -> None:
    await feedback.close_case()
    await feedback.close_case()  # a second closure (a redelivery under a new id) opens nothing
    survey = feedback.fakes.surveys.only("complainant")
    assert survey.state.schedule.invite_at == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    assert survey.expires_at == datetime(2026, 4, 6, 10, 0, tzinfo=UTC)
    assert (survey.sector, survey.outcome) == ("other", "upheld")
    assert len(survey.token) >= 43
    assert len(feedback.fakes.surveys.by_id) == 1


async def test_an_organisation_with_a_contact_gets_its_own_survey(feedback: Feedback) -> None:
    await feedback.add_contact()
    await feedback.close_case()
    complainant = feedback.fakes.surveys.only("complainant")
    organisation = feedback.fakes.surveys.only("organisation")
    assert complainant.token != organisation.token


# ------------------------------------------------------------------------------ the scheduler


async def test_complainants_are_invited_reminded_once_then_the_survey_expires(
    feedback: Feedback,
) -> None:
    await feedback.close_case()
    survey = feedback.fakes.surveys.only()
    invite_at = survey.state.schedule.invite_at
    assert await feedback.scheduler.run_due_surveys(invite_at - timedelta(minutes=1)) == []
    assert await feedback.scheduler.run_due_surveys(invite_at) == [(survey.survey_id, "invite")]
    assert await feedback.scheduler.run_due_surveys(invite_at + timedelta(days=1)) == []
    reminder_at = invite_at + timedelta(days=RULES.reminder_after_days)
    assert await feedback.scheduler.run_due_surveys(reminder_at) == [(survey.survey_id, "remind")]
    assert await feedback.scheduler.run_due_surveys(survey.expires_at) == [
        (survey.survey_id, "expire")
    ]
    assert await feedback.scheduler.run_due_surveys(survey.expires_at + timedelta(days=9)) == []

    requests = feedback.uow.emitted_payloads(NotificationRequested)
    assert [r.template for r in requests] == [INVITATION_TEMPLATE, REMINDER_TEMPLATE]
    assert requests[0].personalisation == {
        "survey_url": f"https://feedback.example/survey/{survey.token}",
        "expires_on": "2026-04-06",
        "survey_closes_on": "6 April 2026",
    }
    invited = feedback.uow.emitted_payloads(SurveyInvited)
    assert [(i.reminder, i.respondent) for i in invited] == [
        (False, "complainant"),
        (True, "complainant"),
    ]
    assert {e.topic for e in feedback.uow.emitted} == {NOTIFICATION_REQUESTS, FEEDBACK_RESPONSES}
    assert feedback.mailer.sent == []


async def test_organisations_are_mailed_and_a_failed_mail_is_tried_again(
    feedback: Feedback,
) -> None:
    await feedback.add_contact()
    await feedback.close_case()
    organisation = feedback.fakes.surveys.only("organisation")
    invite_at = organisation.state.schedule.invite_at
    feedback.mailer.failing = True
    done = await feedback.scheduler.run_due_surveys(invite_at)
    assert (organisation.survey_id, "invite") not in done
    assert feedback.fakes.surveys.only("organisation").state.invited_at is None

    feedback.mailer.failing = False
    assert (organisation.survey_id, "invite") in await feedback.scheduler.run_due_surveys(invite_at)
    [mail] = feedback.mailer.sent
    assert mail["To"] == "surveys@northshire.example"
    assert organisation.token in mail.get_content()
    # The organisation's address never goes on a topic: only the complainant's request does.
    assert len(feedback.uow.emitted_payloads(NotificationRequested)) == 1


async def test_an_organisation_whose_contact_was_removed_is_not_surveyed(
    feedback: Feedback,
) -> None:
    await feedback.add_contact()
    await feedback.close_case()
    assert await OrganisationContacts(feedback.uow).remove(COUNCIL)
    organisation = feedback.fakes.surveys.only("organisation")
    done = await feedback.scheduler.run_due_surveys(organisation.state.schedule.invite_at)
    assert [action for survey_id, action in done if survey_id == organisation.survey_id] == []
    assert feedback.fakes.surveys.only("organisation").state.opted_out_at is not None
    assert feedback.mailer.sent == []


async def test_a_survey_another_instance_holds_is_left_to_it(feedback: Feedback) -> None:
    await feedback.close_case()
    survey = feedback.fakes.surveys.only()
    feedback.fakes.surveys.locked.add(survey.survey_id)
    assert await feedback.scheduler.run_due_surveys(survey.state.schedule.invite_at) == []
    assert feedback.uow.emitted == []


# ------------------------------------------------------------------------------ answering


async def test_answers_are_stored_and_announced_without_the_case_or_personal_details(
    feedback: Feedback,
) -> None:
    await feedback.close_case()
    survey = feedback.fakes.surveys.only()
    now = survey.state.schedule.invite_at + timedelta(days=1)
    assert await feedback.desk.lookup(survey.token, now) == (SurveyStatus.OPEN, "complainant")
    submitted = await feedback.desk.submit(
        survey.token, {"overall_service": "5"}, "  Call me on 07700 900123. ", now
    )
    [response] = feedback.fakes.responses.rows
    assert response.response_id == submitted.response_id
    assert response.answers == {"overall_service": 5}
    assert response.comments == f"Call me on {REMOVED}."
    [event] = feedback.uow.emitted
    assert isinstance(event.payload, FeedbackSubmitted)
    assert event.subject == submitted.response_id  # never the case reference
    assert survey.reference not in event.payload.model_dump_json()
    assert await feedback.desk.status(survey.token, now) is SurveyStatus.ANSWERED
    with pytest.raises(SurveyClosedError) as closed:
        await feedback.desk.submit(survey.token, {"overall_service": "4"}, None, now)
    assert closed.value.status is SurveyStatus.ANSWERED


async def test_bad_answers_name_every_problem_and_change_nothing(feedback: Feedback) -> None:
    await feedback.close_case()
    survey = feedback.fakes.surveys.only()
    now = survey.state.schedule.invite_at
    with pytest.raises(InvalidAnswersError) as invalid:
        await feedback.desk.submit(survey.token, {"overall_service": "9"}, "x" * 5001, now)
    assert set(invalid.value.errors) == {"overall_service", "comments"}
    assert feedback.fakes.responses.rows == []
    assert await feedback.desk.status(survey.token, now) is SurveyStatus.OPEN


async def test_unknown_and_expired_links_cannot_be_answered(feedback: Feedback) -> None:
    await feedback.close_case()
    survey = feedback.fakes.surveys.only()
    assert await feedback.desk.status("no-such-token", CLOSED_AT) is SurveyStatus.UNKNOWN
    assert await feedback.desk.status(survey.token, survey.expires_at) is SurveyStatus.EXPIRED
    with pytest.raises(SurveyClosedError) as closed:
        await feedback.desk.submit(survey.token, {"overall_service": 5}, None, survey.expires_at)
    assert closed.value.status is SurveyStatus.EXPIRED


async def test_opting_out_stops_messages_but_the_link_can_still_be_answered(
    feedback: Feedback,
) -> None:
    await feedback.close_case()
    survey = feedback.fakes.surveys.only()
    now = survey.state.schedule.invite_at - timedelta(hours=1)
    assert await feedback.desk.opt_out("no-such-token", now) is SurveyStatus.UNKNOWN
    assert await feedback.desk.opt_out(survey.token, now) is SurveyStatus.OPEN
    assert await feedback.desk.opt_out(survey.token, now + timedelta(hours=1)) is SurveyStatus.OPEN
    assert feedback.fakes.surveys.only().state.opted_out_at == now  # the first opt-out counts
    assert await feedback.scheduler.run_due_surveys(survey.state.schedule.invite_at) == []
    await feedback.desk.submit(survey.token, {"overall_service": 4}, None, now)
    assert len(feedback.fakes.responses.rows) == 1


# ------------------------------------------------------------------------------ staff summary


async def test_the_summary_counts_answers_in_the_period_by_outcome(feedback: Feedback) -> None:
    for number in (1, 2):
        await feedback.close_case(f"RD-2026-00000{number}")
    tokens = [s.token for s in feedback.fakes.surveys.by_id.values()]
    day = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    await feedback.desk.submit(tokens[0], {"overall_service": 5}, None, day)
    await feedback.desk.submit(tokens[1], {"overall_service": 2}, None, day + timedelta(days=1))
    summary = FeedbackSummary(feedback.uow)
    one_day = await summary.summary(date(2026, 3, 10), date(2026, 3, 10), "complainant")
    assert one_day["responses"] == 1
    assert one_day["period"] == {"from": "2026-03-10", "to": "2026-03-10"}
    both = await summary.summary(None, date(2026, 3, 11), "complainant")
    assert both["by_question"] == {
        "overall_service": {
            "text": "Overall, I was satisfied with the service I received from the Ombudsman.",
            "answered": 2,
            "agree": 1,
            "agree_pct": 50.0,
        }
    }
    assert list(both["by_outcome"]) == ["upheld"]  # type: ignore[call-overload]
    assert (await summary.summary(None, date(2026, 3, 11), "organisation"))["responses"] == 0


# ------------------------------------------------------------------------------ contacts


async def test_a_contact_is_kept_under_its_tidied_name_and_replaced(feedback: Feedback) -> None:
    contacts = OrganisationContacts(feedback.uow)
    await contacts.put(
        OrganisationContact(" Northshire  county council ", "a@x.example", CLOSED_AT, "m")
    )
    await contacts.put(OrganisationContact(COUNCIL, "b@x.example", CLOSED_AT, "m"))
    found = await contacts.get("northshire county COUNCIL")
    assert found is not None
    assert (found.organisation, found.email) == (COUNCIL, "b@x.example")
    assert await contacts.remove(COUNCIL)
    assert await contacts.get(COUNCIL) is None
    assert not await contacts.remove(COUNCIL)


# ------------------------------------------------------------------------------ consultations

TODAY = date(2026, 3, 2)
NOW = CLOSED_AT


async def test_a_consultation_asks_the_charter_by_default_and_refuses_bad_fields(
    feedback: Feedback,
) -> None:
    desk = feedback.consultations
    created = await desk.create(
        title="  Our  charter ", questions=None, closes_on=TODAY, created_by="staff-1", now=NOW
    )
    assert created.title == "Our charter"
    assert created.questions == CHARTER_QUESTIONS
    assert await desk.find(created.consultation_id) == created
    with pytest.raises(InvalidConsultationError) as invalid:
        await desk.create(
            title=" ", questions=[], closes_on=TODAY - timedelta(days=1), created_by="s", now=NOW
        )
    assert set(invalid.value.errors) == {"title", "questions", "closes_on"}
    assert await desk.listing() == [created]


async def test_consultations_are_listed_newest_first(feedback: Feedback) -> None:
    desk = feedback.consultations
    older = await desk.create(title="A", questions=["Q?"], closes_on=TODAY, created_by="s", now=NOW)
    newer = await desk.create(
        title="B", questions=["Q?"], closes_on=TODAY, created_by="s", now=NOW + timedelta(hours=1)
    )
    assert [c.consultation_id for c in await desk.listing()] == [
        newer.consultation_id,
        older.consultation_id,
    ]


async def test_a_consultation_takes_answers_until_its_closing_day_ends(feedback: Feedback) -> None:
    desk = feedback.consultations
    created = await desk.create(
        title="Access", questions=["Easy to reach?"], closes_on=TODAY, created_by="s", now=NOW
    )
    consultation_id = created.consultation_id
    assert await desk.taking_answers(consultation_id, NOW) == created
    assert await desk.taking_answers("unknown", NOW) is None
    submitted = await desk.answer(consultation_id, {"q1": "4"}, "My name is Sam Jones", NOW)
    [event] = feedback.uow.emitted_payloads(FeedbackSubmitted)
    assert (event.respondent, event.consultation_id) == ("consultation", consultation_id)
    assert event.comments == f"My name is {REMOVED}"
    assert event.response_id == submitted.response_id
    # 2 March is in GMT, so just after UTC midnight is the next UK day.
    next_day = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    assert await desk.taking_answers(consultation_id, next_day) is None
    with pytest.raises(ConsultationClosedError) as closed:
        await desk.answer(consultation_id, {"q1": "4"}, None, next_day)
    assert closed.value.status is ConsultationStatus.CLOSED
    with pytest.raises(ConsultationClosedError) as unknown:
        await desk.answer("unknown", {"q1": "4"}, None, NOW)
    assert unknown.value.status is ConsultationStatus.UNKNOWN
    with pytest.raises(InvalidAnswersError):
        await desk.answer(consultation_id, {"q9": "4"}, None, NOW)


async def test_results_are_published_once_and_final(feedback: Feedback) -> None:
    desk = feedback.consultations
    created = await desk.create(
        title="Access", questions=["Easy to reach?"], closes_on=TODAY, created_by="s", now=NOW
    )
    consultation_id = created.consultation_id
    for score in ("5", "4", "1"):
        await desk.answer(consultation_id, {"q1": score}, None, NOW)
    found = await desk.results(consultation_id)
    assert found is not None
    _, results = found
    assert (results.responses, results.questions[0].agree_pct) == (3, 66.7)
    assert await desk.results("unknown") is None
    assert await desk.published(consultation_id) is None

    published = await desk.publish(consultation_id, NOW + timedelta(hours=1))
    assert published is not None
    assert published.published_results is not None
    assert published.published_results["responses"] == 3
    [announced] = feedback.uow.emitted_payloads(ConsultationPublished)
    assert announced.url == f"https://feedback.example/consultations/{consultation_id}/results"
    assert announced.questions[0].counts == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert await desk.published(consultation_id) == published
    # Published results are final: no more answers, no second publication.
    assert await desk.taking_answers(consultation_id, NOW) is None
    with pytest.raises(AlreadyPublishedError):
        await desk.publish(consultation_id, NOW + timedelta(hours=2))
    assert await desk.publish("unknown", NOW) is None
