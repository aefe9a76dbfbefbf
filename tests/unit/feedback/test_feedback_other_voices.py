"""Organisations' survey contacts, their invitation mail, and open consultations: the pure parts
and the pages."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import StrictUndefined

from services.feedback.domain import (
    CHARTER_QUESTIONS,
    COMMENTS_MAX_CHARS,
    CONSULTATION_MAX_QUESTIONS,
    ORGANISATION_QUESTIONS,
    SCALE,
    SURVEY_QUESTIONS,
    ConsultationAnswer,
    InvalidAnswersError,
    InvalidConsultationError,
    InvalidContactError,
    Question,
    check_consultation,
    consultation_open,
    consultation_questions,
    consultation_results,
    contact_email,
    organisation_key,
    questions_for,
    results_json,
    validate_answers,
)
from services.feedback.mail import OrganisationInvitation, invitation_email
from shared.kit.i18n import LocalisedTemplates

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "feedback" / "templates"


def render(template: str, **context: object) -> str:
    # The service's English pages (gettext, the shared language switch), made strict.
    english = LocalisedTemplates.load(TEMPLATES, TEMPLATES.parent / "locale").env("en")
    environment = english.overlay(undefined=StrictUndefined)
    return environment.get_template(template).render(**context)


class _Tags(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


# ------------------------------------------------------------------------------------------
# Organisations
# ------------------------------------------------------------------------------------------


def test_organisation_key_ignores_case_and_spacing() -> None:
    assert organisation_key("  Leeds   City council ") == organisation_key("LEEDS CITY COUNCIL")
    assert organisation_key("Leeds City Council") != organisation_key("Leeds County Council")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_organisation_key_refuses_empty_or_overlong_names(name: str) -> None:
    with pytest.raises(ValueError, match="organisation"):
        organisation_key(name)


def test_contact_email_is_normalised() -> None:
    assert contact_email(" Complaints@LEEDS.gov.uk ") == "Complaints@leeds.gov.uk"


@pytest.mark.parametrize("address", ["", "no-at-sign", "two@@signs.gov.uk", "x@localhost"])
def test_contact_email_refuses_unusable_addresses(address: str) -> None:
    with pytest.raises(InvalidContactError):
        contact_email(address)


def test_organisations_are_asked_their_own_questions() -> None:
    assert questions_for("organisation") == ORGANISATION_QUESTIONS
    assert questions_for("complainant") == SURVEY_QUESTIONS
    with pytest.raises(InvalidAnswersError) as raised:
        validate_answers({"no_effect_on_treatment": 4}, questions_for("organisation"))
    assert set(raised.value.errors) == {"no_effect_on_treatment"}


def invitation(*, reminder: bool) -> OrganisationInvitation:
    return OrganisationInvitation(
        to="complaints@leeds.gov.uk",
        organisation="Leeds City Council",
        reference="RDR-2027-ABC123",
        survey_url="https://feedback.example/survey/tok",
        closes_on="5 January 2027",
        reminder=reminder,
    )


def test_invitation_mail_carries_the_link_reference_and_closing_date() -> None:
    mail = invitation_email(invitation(reminder=False), "Ombudsman <feedback@ombudsman.gov.uk>")
    assert mail["To"] == "complaints@leeds.gov.uk"
    assert mail["From"] == "Ombudsman <feedback@ombudsman.gov.uk>"
    assert mail["Subject"].startswith("How did we do?")
    assert "RDR-2027-ABC123" in mail["Subject"]
    assert mail["Message-ID"].endswith("@ombudsman.gov.uk>")
    body = mail.get_content()
    assert "https://feedback.example/survey/tok" in body
    assert "5 January 2027" in body
    assert f"{len(ORGANISATION_QUESTIONS)} short questions" in body


def test_reminder_mail_says_it_is_a_reminder() -> None:
    mail = invitation_email(invitation(reminder=True), "feedback@ombudsman.gov.uk")
    assert mail["Subject"].startswith("Reminder: ")
    assert "there is still time" in mail.get_content()


def test_organisation_survey_page_speaks_to_the_organisation() -> None:
    common = {
        "scale": SCALE,
        "answers": {},
        "comments": "",
        "errors": {},
        "comments_max_chars": COMMENTS_MAX_CHARS,
    }
    page = render(
        "survey.html", questions=ORGANISATION_QUESTIONS, respondent="organisation", **common
    )
    assert "concerned your organisation" in page
    assert "Send our answers" in page
    assert "organisation you complained about" not in page
    complainant = render("survey.html", questions=SURVEY_QUESTIONS, **common)
    assert "organisation you complained about" in complainant


# ------------------------------------------------------------------------------------------
# Consultations
# ------------------------------------------------------------------------------------------


def test_default_consultation_asks_one_question_per_charter_commitment() -> None:
    assert consultation_questions(None) == CHARTER_QUESTIONS
    assert len(CHARTER_QUESTIONS) == 18  # docs/reference/domain-rules.md §1.9
    assert len({q.question_id for q in CHARTER_QUESTIONS}) == 18


def test_custom_questions_are_tidied_and_numbered_in_order() -> None:
    asked = consultation_questions(["  Our letters   are clear. ", "Our website works."])
    assert asked == (
        Question("q1", "Our letters are clear."),
        Question("q2", "Our website works."),
    )


@pytest.mark.parametrize(
    ("texts", "field"),
    [
        ([], "questions"),
        (["fine", "  "], "questions.1"),
        (["Same question", "same  QUESTION"], "questions.1"),
        (["x" * 301], "questions.0"),
        (["q"] * (CONSULTATION_MAX_QUESTIONS + 1), "questions"),
    ],
)
def test_bad_questions_are_named(texts: list[str], field: str) -> None:
    with pytest.raises(InvalidConsultationError) as raised:
        consultation_questions(texts)
    assert field in raised.value.errors


def test_consultation_needs_a_title_and_a_closing_date_not_past() -> None:
    today = date(2027, 3, 10)
    assert check_consultation("  Our   service ", today, today) == "Our service"
    with pytest.raises(InvalidConsultationError) as raised:
        check_consultation(" ", date(2027, 3, 9), today)
    assert set(raised.value.errors) == {"title", "closes_on"}


def test_consultation_is_open_through_its_closing_day_until_published() -> None:
    closes_on = date(2027, 3, 10)
    assert consultation_open(closes_on, date(2027, 3, 10), published=False)
    assert not consultation_open(closes_on, date(2027, 3, 11), published=False)
    assert not consultation_open(closes_on, date(2027, 3, 1), published=True)


QUESTIONS = (Question("q1", "One"), Question("q2", "Two"))


def test_results_count_each_answer_and_the_share_agreeing() -> None:
    results = consultation_results(
        QUESTIONS,
        [
            ConsultationAnswer({"q1": 5, "q2": 1}, "[removed] was helpful"),
            ConsultationAnswer({"q1": 3}, None),
            ConsultationAnswer({"q1": 4}, "Quicker please"),
        ],
    )
    assert results.responses == 3
    q1, q2 = results.questions
    assert dict(q1.counts) == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert (q1.answered, q1.agree, q1.agree_pct) == (3, 2, 66.7)
    assert (q2.answered, q2.agree, q2.agree_pct) == (1, 0, 0.0)
    assert results.comments == ("[removed] was helpful", "Quicker please")
    as_json = results_json(results)
    assert as_json["questions"][0]["counts"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}  # type: ignore[index]


def test_results_with_no_answers_have_no_percentage() -> None:
    results = consultation_results(QUESTIONS, [])
    assert results.responses == 0
    assert all(q.agree_pct is None and q.answered == 0 for q in results.questions)


answer_sets = st.lists(
    st.dictionaries(st.sampled_from(["q1", "q2"]), st.integers(1, 5), min_size=1), max_size=30
)


@given(answer_sets)
def test_counts_add_up_to_the_answers_given(answers: list[dict[str, int]]) -> None:
    results = consultation_results(QUESTIONS, [ConsultationAnswer(a, None) for a in answers])
    for question in results.questions:
        given_answers = [a[question.question_id] for a in answers if question.question_id in a]
        assert sum(question.counts.values()) == question.answered == len(given_answers)
        assert question.agree == sum(score >= 4 for score in given_answers)
        if question.agree_pct is not None:
            assert 0.0 <= question.agree_pct <= 100.0


def consultation_page(**overrides: object) -> str:
    context: dict[str, object] = {
        "title": "How we write to you",
        "closes_on": date(2027, 1, 5),
        "questions": QUESTIONS,
        "scale": SCALE,
        "answers": {},
        "comments": "",
        "errors": {},
        "comments_max_chars": COMMENTS_MAX_CHARS,
    }
    context.update(overrides)
    return render("consultation.html", **context)


def test_consultation_page_is_a_script_free_form_with_a_fieldset_per_question() -> None:
    page = consultation_page()
    tags = _Tags(page).tags
    assert "script" not in tags
    assert tags.count("fieldset") == len(QUESTIONS)
    assert tags.count("input") == len(QUESTIONS) * len(SCALE)
    assert '<form method="post"' in page
    assert "5 January 2027" in page


def test_consultation_page_shows_errors_and_keeps_answers() -> None:
    page = consultation_page(answers={"q1": 4}, errors={"q2": "Choose an answer"})
    assert "There is a problem" in page
    assert 'value="4" checked' in page


def test_published_results_page_escapes_comments() -> None:
    results = results_json(
        consultation_results(QUESTIONS, [ConsultationAnswer({"q1": 5}, "<b>bold</b> claim")])
    )
    page = render(
        "consultation_results.html",
        title="<i>Title</i>",
        published_on=date(2027, 1, 5),
        results=results,
        scale=SCALE,
    )
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in page
    assert "&lt;i&gt;Title&lt;/i&gt;" in page
    assert "1 response." in page
    assert "100.0%" in page
