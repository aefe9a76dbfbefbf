"""The survey questions, answer validation, invitation timing and the scheduler's actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.feedback.domain import (
    ORGANISATION_QUESTIONS,
    SCALE,
    SURVEY_QUESTIONS,
    FeedbackRules,
    InvalidAnswersError,
    InvitationSchedule,
    SurveyState,
    due_actions,
    invitation_schedule,
    validate_answers,
)

QUESTION_IDS = [question.question_id for question in SURVEY_QUESTIONS]


def add_weekdays(start: date, n: int) -> date:
    """The n-th weekday after `start` (a stand-in for shared.working_days)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


# ------------------------------------------------------------------------------------------
# Questions
# ------------------------------------------------------------------------------------------


def test_survey_has_the_charter_and_phso_items_once_each() -> None:
    assert sorted(QUESTION_IDS) == sorted(
        [
            "easy_to_find",
            "listened_to",
            "kept_up_to_date",
            "messages_clear",
            "decision_explained",
            "know_how_to_review",
            "matter_closed",
            "no_effect_on_treatment",
            "explain_complaint",
            "info_taken_into_account",
            "overall_time",
            "overall_service",
        ]
    )


def test_phso_items_are_quoted_as_published() -> None:
    texts = dict(SURVEY_QUESTIONS)
    assert texts["explain_complaint"] == (
        "The caseworker gave me the opportunity to explain my complaint before making their "
        "decision."
    )
    assert texts["overall_service"] == (
        "Overall, I was satisfied with the service I received from the Ombudsman."
    )


def test_organisation_survey_uses_the_same_ids_reworded() -> None:
    organisation_ids = [question.question_id for question in ORGANISATION_QUESTIONS]
    assert len(set(organisation_ids)) == len(organisation_ids)
    assert set(organisation_ids) <= set(QUESTION_IDS)
    complainant_texts = dict(SURVEY_QUESTIONS)
    for question_id, text in ORGANISATION_QUESTIONS:
        assert text != complainant_texts[question_id]
        assert " I " not in f" {text} "  # worded for an organisation, not a person


def test_scale_is_five_points_with_agree_at_the_top() -> None:
    assert [score for score, _ in SCALE] == [1, 2, 3, 4, 5]
    assert dict(SCALE)[4] == "Agree"
    assert dict(SCALE)[5] == "Strongly agree"


# ------------------------------------------------------------------------------------------
# validate_answers
# ------------------------------------------------------------------------------------------


def test_valid_answers_come_back_as_ints_in_survey_order() -> None:
    answers = validate_answers({"overall_service": "4", "easy_to_find": 5, "listened_to": " 1 "})
    assert answers == {"easy_to_find": 5, "listened_to": 1, "overall_service": 4}
    assert list(answers) == ["easy_to_find", "listened_to", "overall_service"]


def test_skipped_questions_are_left_out() -> None:
    assert validate_answers({"easy_to_find": 3, "listened_to": "", "overall_time": None}) == {
        "easy_to_find": 3
    }


@pytest.mark.parametrize("bad", [0, 6, -1, "0", "6", "five", "4.0", 4.5, True, [4], "٤"])
def test_scores_outside_1_to_5_are_rejected_with_a_clear_message(bad: object) -> None:
    with pytest.raises(InvalidAnswersError) as caught:
        validate_answers({"overall_time": bad, "easy_to_find": 4})
    assert caught.value.errors == {
        "overall_time": "Choose an answer from 1 (strongly disagree) to 5 (strongly agree)."
    }


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidAnswersError) as caught:
        validate_answers({"favourite_colour": 3, "overall_time": 9, "easy_to_find": 2})
    assert set(caught.value.errors) == {"favourite_colour", "overall_time"}
    assert caught.value.errors["favourite_colour"] == "This is not a question in this survey."
    assert "favourite_colour" in str(caught.value)


def test_at_least_one_answer_is_needed() -> None:
    with pytest.raises(InvalidAnswersError) as caught:
        validate_answers({"easy_to_find": ""})
    assert caught.value.errors == {"answers": "Answer at least one question."}


def test_organisation_survey_has_no_treatment_question() -> None:
    with pytest.raises(InvalidAnswersError) as caught:
        validate_answers({"no_effect_on_treatment": 5}, ORGANISATION_QUESTIONS)
    assert "no_effect_on_treatment" in caught.value.errors


@given(
    st.dictionaries(
        st.sampled_from(QUESTION_IDS), st.integers(min_value=1, max_value=5), min_size=1
    )
)
def test_any_complete_set_of_scores_is_accepted_unchanged(answers: dict[str, int]) -> None:
    assert validate_answers(answers) == answers


# ------------------------------------------------------------------------------------------
# Rules and schedule
# ------------------------------------------------------------------------------------------


def test_rules_defaults() -> None:
    rules = FeedbackRules()
    assert (
        rules.invite_delay_working_days,
        rules.reminder_after_days,
        rules.link_expires_after_days,
    ) == (5, 7, 28)


def test_rules_reject_nonsense() -> None:
    with pytest.raises(ValidationError):
        FeedbackRules(invite_delay_working_days=-1)
    with pytest.raises(ValidationError, match="before the survey link expires"):
        FeedbackRules(reminder_after_days=28, link_expires_after_days=28)
    assert FeedbackRules(invite_delay_working_days=0).invite_delay_working_days == 0


def test_schedule_counts_working_days_then_calendar_days() -> None:
    closed_at = datetime(2025, 3, 7, 15, 30, tzinfo=UTC)  # a Friday
    schedule = invitation_schedule(closed_at, FeedbackRules(), add_weekdays)
    assert schedule == InvitationSchedule(
        invite_at=datetime(2025, 3, 14, 15, 30, tzinfo=UTC),
        reminder_at=datetime(2025, 3, 21, 15, 30, tzinfo=UTC),
        expires_at=datetime(2025, 4, 11, 15, 30, tzinfo=UTC),
    )


def test_no_delay_means_straight_away_even_at_a_weekend() -> None:
    closed_at = datetime(2025, 3, 8, 9, 0, tzinfo=UTC)  # a Saturday

    def must_not_be_called(start: date, n: int) -> date:
        raise AssertionError("a zero delay needs no calendar")

    schedule = invitation_schedule(
        closed_at, FeedbackRules(invite_delay_working_days=0), must_not_be_called
    )
    assert schedule.invite_at == closed_at
    assert schedule.expires_at == closed_at + timedelta(days=28)


# ------------------------------------------------------------------------------------------
# due_actions
# ------------------------------------------------------------------------------------------

SCHEDULE = InvitationSchedule(
    invite_at=datetime(2025, 3, 14, 10, tzinfo=UTC),
    reminder_at=datetime(2025, 3, 21, 10, tzinfo=UTC),
    expires_at=datetime(2025, 4, 11, 10, tzinfo=UTC),
)
INVITED = datetime(2025, 3, 14, 10, 5, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (SurveyState(SCHEDULE), SCHEDULE.invite_at - SECOND, []),
        (SurveyState(SCHEDULE), SCHEDULE.invite_at, ["invite"]),
        # a scheduler that was down past the reminder date invites, and does not remind yet
        (SurveyState(SCHEDULE), SCHEDULE.reminder_at + SECOND, ["invite"]),
        (SurveyState(SCHEDULE, invited_at=INVITED), SCHEDULE.reminder_at - SECOND, []),
        (SurveyState(SCHEDULE, invited_at=INVITED), INVITED + timedelta(days=7), ["remind"]),
        (
            SurveyState(SCHEDULE, invited_at=INVITED, reminded_at=SCHEDULE.reminder_at),
            SCHEDULE.reminder_at + timedelta(days=3),
            [],
        ),
        (SurveyState(SCHEDULE, invited_at=INVITED), SCHEDULE.expires_at, ["expire"]),
        (SurveyState(SCHEDULE), SCHEDULE.expires_at, ["expire"]),
        (
            SurveyState(SCHEDULE, invited_at=INVITED, answered_at=INVITED + SECOND),
            SCHEDULE.reminder_at,
            [],
        ),
        (
            SurveyState(SCHEDULE, invited_at=INVITED, answered_at=INVITED + SECOND),
            SCHEDULE.expires_at + timedelta(days=1),
            [],
        ),
        (
            SurveyState(SCHEDULE, invited_at=INVITED, opted_out_at=INVITED + SECOND),
            SCHEDULE.reminder_at,
            [],
        ),
        (
            SurveyState(SCHEDULE, invited_at=INVITED, expired_at=SCHEDULE.expires_at),
            SCHEDULE.expires_at + timedelta(days=1),
            [],
        ),
    ],
)
def test_due_actions(state: SurveyState, now: datetime, expected: list[str]) -> None:
    assert due_actions(state, now) == expected


def test_a_late_invitation_waits_a_full_interval_before_the_reminder() -> None:
    late = SCHEDULE.reminder_at + timedelta(days=1)
    state = SurveyState(SCHEDULE, invited_at=late)
    assert due_actions(state, late + timedelta(days=6)) == []
    assert due_actions(state, late + timedelta(days=7)) == ["remind"]


@given(
    ticks=st.lists(st.integers(min_value=0, max_value=40 * 24), min_size=1, max_size=80),
    answer_hour=st.none() | st.integers(min_value=0, max_value=40 * 24),
)
def test_simulated_scheduler_invites_once_reminds_at_most_once_and_stops_when_done(
    ticks: list[int], answer_hour: int | None
) -> None:
    start = SCHEDULE.invite_at - timedelta(days=2)
    answered_at = start + timedelta(hours=answer_hour) if answer_hour is not None else None
    state = SurveyState(SCHEDULE)
    done: list[tuple[str, datetime]] = []
    for hour in sorted(ticks):
        now = start + timedelta(hours=hour)
        if answered_at is not None and now >= answered_at and state.answered_at is None:
            state = replace(state, answered_at=answered_at)
        for action in due_actions(state, now):
            done.append((action, now))
            state = _record(state, action, now)
    actions = [action for action, _ in done]
    assert actions.count("invite") <= 1
    assert actions.count("remind") <= 1
    assert actions.count("expire") <= 1
    if "remind" in actions:
        assert actions.index("invite") < actions.index("remind")
    if answered_at is not None:
        assert all(moment < answered_at for _, moment in done)
    if "expire" in actions:
        assert actions[-1] == "expire"


def _record(state: SurveyState, action: str, now: datetime) -> SurveyState:
    if action == "invite":
        return replace(state, invited_at=now)
    if action == "remind":
        return replace(state, reminded_at=now)
    return replace(state, expired_at=now)
