"""Every public page string has its Welsh (issue 14; docs/welsh.md).

Fails when a template gains a string the service's Welsh catalog lacks (run
`python -m shared.kit.i18n services/<name>` to add it, then write the Welsh), when an entry's
Welsh is empty or loses a placeholder, and when an entry claims neither a review nor that it
awaits one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.casework import api as casework_api
from services.casework.domain import tracking
from services.casework.domain.explaining import format_day
from services.feedback.domain import (
    CHARTER_QUESTIONS,
    COMMENTS_MAX_CHARS,
    ORGANISATION_QUESTIONS,
    SCALE,
    SURVEY_QUESTIONS,
    InvalidAnswersError,
    check_comments,
    validate_answers,
)
from services.intake import field_errors
from services.intake.domain import (
    DEFAULT_RULES,
    EligibilityQuestion,
    advocacy_services,
    check_eligibility,
    next_steps_after_submission,
)
from services.intake.email.facts import FACT_BY_FIELD, NAME
from services.intake.email.questions import UNREADABLE_DATE, EmailComplaint, reply_text
from services.intake.field_errors import FIELD_TEXT
from services.intake.forms import form_to_complaint_payload
from services.intake.schemas import ComplaintRequest
from shared.events import Sector
from shared.kit.i18n import (
    AWAITING_REVIEW,
    catalog_path,
    read_catalog,
    sentence_translator,
    template_messages,
)
from shared.kit.sentences import SentenceTranslator

ROOT = Path(__file__).resolve().parents[3]
# Services with public pages, each with its templates/ and locale/ (docs/welsh.md).
PUBLIC_PAGE_SERVICES = ("intake", "casework", "feedback")
# Template placeholders (`_("... %(date)s")`) and sentence-pattern ones ("{label} must ...").
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
SAME_IN_WELSH = frozenset({"Braille"})
# Organisations' own names, the same in both languages (not catalog entries).
PROPER_NAMES = frozenset({"POhWER", "Healthwatch"})
REVIEWED = re.compile(r"^reviewed by .+ on \d{4}-\d{2}-\d{2}$")


def _catalog(service: str):  # type: ignore[no-untyped-def]
    return read_catalog(catalog_path(ROOT / "services" / service / "locale", "cy"))


@pytest.mark.parametrize("service", PUBLIC_PAGE_SERVICES)
def test_every_template_string_is_in_the_welsh_catalog(service: str) -> None:
    catalog = _catalog(service)
    used = template_messages(ROOT / "services" / service / "templates")
    missing = {msgid: places for msgid, places in used.items() if msgid not in catalog}
    assert not missing, f"run python -m shared.kit.i18n services/{service}: {missing}"


@pytest.mark.parametrize("service", PUBLIC_PAGE_SERVICES)
def test_every_entry_has_welsh_with_the_same_placeholders(service: str) -> None:
    for message in _catalog(service):
        if not message.id:
            continue  # the header
        assert isinstance(message.string, str), message.id
        assert message.string.strip(), f"no Welsh for {message.id!r}"
        # Only names that are the same in both languages may stay as they are.
        assert message.string != message.id or message.id in SAME_IN_WELSH, message.id
        assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id


@pytest.mark.parametrize("service", PUBLIC_PAGE_SERVICES)
def test_no_review_is_claimed_that_did_not_happen(service: str) -> None:
    for message in _catalog(service):
        if not message.id:
            continue
        comments = [comment.strip() for comment in message.user_comments]
        assert AWAITING_REVIEW in comments or any(REVIEWED.match(c) for c in comments), (
            f"{message.id!r}: mark it '{AWAITING_REVIEW}' or 'reviewed by NAME on YYYY-MM-DD'"
        )


def test_the_survey_questions_and_answers_have_their_welsh() -> None:
    """The survey page shows these from feedback's domain (`| translated`), not the templates."""
    catalog = _catalog("feedback")
    texts = [label for _score, label in SCALE]
    texts += [question.text for question in (*SURVEY_QUESTIONS, *ORGANISATION_QUESTIONS)]
    missing = [text for text in texts if text not in catalog or not catalog[text].string]
    assert not missing, (
        f"add them to services/feedback/locale/cy/LC_MESSAGES/messages.po: {missing}"
    )


def test_the_tracking_page_descriptions_have_their_welsh() -> None:
    """The tracking page shows these from casework's domain (`| translated`)."""
    catalog = _catalog("casework")
    texts = [
        *tracking.STAGE_DESCRIPTIONS.values(),
        *tracking.CLOSED_DESCRIPTIONS.values(),
        tracking.PAUSED_DESCRIPTION,
        *tracking.MILESTONE_NAMES.values(),
        tracking.EVIDENCE_GAP_INTRO,
    ]
    missing = [text for text in texts if text not in catalog or not catalog[text].string]
    assert not missing, (
        f"add them to services/casework/locale/cy/LC_MESSAGES/messages.po: {missing}"
    )


def test_the_form_error_messages_for_missing_answers_have_their_welsh() -> None:
    """The form's error summary shows field_errors.py's messages (`| translated`): each
    "missing" message, and the two fixed ones people meet most, must have Welsh."""
    catalog = _catalog("intake")
    texts = [text.missing for text in FIELD_TEXT.values()]
    texts += [
        "Enter at least one way to contact you: an email address, a phone number or a postal "
        "address",
        "Enter an email address in the correct format, like name@example.com",
    ]
    missing = [text for text in texts if text not in catalog or not catalog[text].string]
    assert not missing, f"add them to services/intake/locale/cy/LC_MESSAGES/messages.po: {missing}"


# --------------------------------------------------------------------------------------------
# Sentences intake's code writes and its pages show (shared/kit/sentences.py): every one the
# code can produce must have Welsh, so each is produced here rather than listed.
# --------------------------------------------------------------------------------------------

TODAY = date(2027, 3, 1)


def _welsh(service: str) -> SentenceTranslator:
    return sentence_translator(ROOT / "services" / service / "locale", "cy")


def _lacking(texts: list[str], translator: SentenceTranslator) -> list[str]:
    """Texts the translator has no Welsh for."""
    return [text for text in texts if not translator.knows(text)]


def test_every_field_error_pattern_and_label_has_its_welsh() -> None:
    welsh = _welsh("intake")
    texts = [text.label for text in FIELD_TEXT.values()]
    texts += [
        template.format(
            label=FIELD_TEXT["summary"].label,
            **dict.fromkeys(("min_length", "max_length", "expected", "codepoint"), "7"),
        )
        for template in field_errors.ERROR_TEMPLATES.values()
    ]
    assert not _lacking(texts, welsh), _lacking(texts, welsh)
    # A label inside a pattern is put in Welsh too.
    assert welsh("Your full name must be 200 characters or fewer") == (
        "Eich enw llawn: rhaid iddo fod yn 200 nod neu lai"
    )


def _form(**changes: str) -> dict[str, str]:
    form = {
        "complainant.name": "Siân Jones",
        "complainant.email": "sian@example.com",
        "complainant.preferred_contact": "email",
        "organisation.name": "Bwrdd Iechyd",
        "organisation.sector": "health",
        "summary": "Gohiriwyd fy llawdriniaeth.",
        "desired_outcome": "Ymddiheuriad.",
        "first_aware_on.day": "1",
        "first_aware_on.month": "2",
        "first_aware_on.year": "2027",
    }
    form.update(changes)
    return form


BAD_FORMS = [
    {"complainant.name": "x" * 300, "summary": "y" * 20_000},  # lengths
    {"first_aware_on.day": "31", "first_aware_on.month": "2"},  # not a real date
    {"first_aware_on.year": "2099"},  # in the future
    {"first_aware_on.year": "1850"},  # too far back
    {
        "complained_to_organisation_on.day": "1",
        "complained_to_organisation_on.month": "1",
        "complained_to_organisation_on.year": "2027",
    },  # before they found out
    {
        "organisation_response_on.day": "1",
        "organisation_response_on.month": "2",
        "organisation_response_on.year": "2027",
    },  # a reply without a complaint date
    {"complainant.email": "", "complainant.phone": "", "complainant.address": ""},
    {"complainant.email": "", "complainant.phone": "01632 960 001"},  # email asked, none given
    {"complainant.preferred_contact": "sms", "complainant.phone": "01632 960 001"},
    {"complainant.preferred_contact": "sms"},
    {"complainant.preferred_contact": "phone"},
    {"complainant.preferred_contact": "letter"},
    {"complainant.phone": "12"},
    {"complainant.email": "not an address"},
    {"complainant.language": "not a language"},
    {"complainant.name": "two\nlines"},
    {"complainant.name": "hidden\u200bspace"},
    {"organisation.sector": "space"},
]


@pytest.mark.parametrize("changes", BAD_FORMS)
def test_the_complaint_forms_errors_have_their_welsh(changes: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as raised:
        ComplaintRequest.model_validate(
            form_to_complaint_payload(_form(**changes)), context={"today": TODAY}
        )
    messages = [error.message for error in field_errors.errors_by_field(raised.value)]
    assert messages
    assert not _lacking(messages, _welsh("intake")), messages


ELIGIBILITY_CASES = [
    EligibilityQuestion(Sector.HEALTH, date(2025, 1, 1)),  # out of time, premature
    EligibilityQuestion(Sector.HEALTH, date(2027, 1, 1), date(2027, 2, 1)),  # no reply yet
    EligibilityQuestion(Sector.PARLIAMENTARY, date(2027, 1, 1), representative_has_authority=False),
]


@pytest.mark.parametrize("dissolved", [False, True])
def test_the_eligibility_reasons_and_next_steps_have_their_welsh(dissolved: bool) -> None:
    rules = replace(DEFAULT_RULES, parliament_dissolved=dissolved)
    texts: list[str] = []
    for facts in ELIGIBILITY_CASES:
        result = check_eligibility(facts, TODAY, rules)
        texts += [*result.reasons, *result.next_steps, *next_steps_after_submission(result, rules)]
    texts += next_steps_after_submission(check_eligibility(ELIGIBILITY_CASES[1], date(2027, 9, 1)))
    assert not _lacking(texts, _welsh("intake")), texts
    assert "erbyn 1 Ionawr 2026." in _welsh("intake")(
        check_eligibility(ELIGIBILITY_CASES[0], TODAY).reasons[0]
    )


def test_the_advocacy_services_have_their_welsh() -> None:
    services = {s for sector in Sector for s in advocacy_services(sector, needs_support=True)}
    texts = [service.description for service in services]
    texts += [service.name for service in services if service.name not in PROPER_NAMES]
    assert not _lacking(texts, _welsh("intake")), texts


def test_every_line_of_intakes_question_mail_has_its_welsh() -> None:
    """The mail asking for missing details (services/intake/email), in Welsh: every line it can
    write, asked for every fact, with a problem for each, goes through the catalog."""
    welsh = _welsh("intake")
    lacking: list[str] = []

    def translate(text: str) -> str:
        if not welsh.knows(text):
            lacking.append(text)
        return welsh(text)

    missing = [*FACT_BY_FIELD, "complainant.email"]
    problems = dict.fromkeys(missing, UNREADABLE_DATE)
    problems[NAME] = "Your full name must be 200 characters or fewer"
    complaint = EmailComplaint({}, missing, problems)
    for to_name in ("Siân", None):
        reply_text(complaint, "ENQ-ABCDEFGH", to_name, translate, welsh_labels=True)
    assert not lacking, f"add them to services/intake/locale/cy/LC_MESSAGES/messages.po: {lacking}"


def test_the_survey_and_consultation_errors_have_their_welsh() -> None:
    """Every error feedback's forms can show (domain.py's checks), made here, has Welsh."""
    messages: list[str] = []
    for answers in ({"q9": "4"}, {"q1": "9"}, {}):
        with pytest.raises(InvalidAnswersError) as raised:
            validate_answers(answers, CHARTER_QUESTIONS[:1])
        messages += raised.value.errors.values()
    with pytest.raises(InvalidAnswersError) as too_long:
        check_comments("x" * (COMMENTS_MAX_CHARS + 1))
    messages += too_long.value.errors.values()
    welsh = _welsh("feedback")
    assert not _lacking(messages, welsh), messages
    assert welsh(messages[-1]) == f"Ysgrifennwch ddim mwy na {COMMENTS_MAX_CHARS} nod."


MAIL_TEMPLATES = ROOT / "services" / "feedback" / "templates" / "mail"
WELSH_TEMPLATE_MARK = re.compile(
    r"Welsh, (awaiting review by a Welsh speaker|reviewed by .+ on \d{4}-\d{2}-\d{2})\."
)


def test_every_mail_template_feedback_sends_has_a_welsh_version_marked_for_review() -> None:
    english = [p for p in sorted(MAIL_TEMPLATES.glob("*.txt")) if not p.name.endswith(".cy.txt")]
    assert english
    for path in english:
        welsh = path.with_name(path.name.removesuffix(".txt") + ".cy.txt")
        assert welsh.is_file(), f"write {welsh.name}, the Welsh of {path.name}"
        first_line = welsh.read_text(encoding="utf-8").splitlines()[0]
        assert WELSH_TEMPLATE_MARK.search(first_line), f"{welsh.name}: say who reviewed it"


def test_the_tracking_page_notices_have_their_welsh() -> None:
    """What the tracking page's forms answer with (`?notice=`, shown `| translated`): the page's
    own notices, and the domain's refusals a complainant can meet, worded as the domain words
    them (lifecycle.py, permissions.py; dates by explaining.format_day)."""
    welsh = _welsh("casework")
    notices = [
        casework_api.FORM_DATE_HINT,
        casework_api.FORM_EMPTY_HINT,
        casework_api.FORM_GROUNDS_HINT,
        casework_api.RECEIVED_NOTICE,
        "The case changed while you were acting on it. Try again.",
        f"{format_day(date(2027, 3, 1))} has already passed. Please choose today or a later date.",
        "We can hold your draft decision for up to 20 working days. Please choose a date no "
        f"later than {format_day(date(2027, 3, 29))}.",
        "A review needs at least one ground (new_evidence, factual_error); a review is not a "
        "reinvestigation.",
        "The window to ask for a review closed on 2027-03-01: a review must be asked for within "
        "1 month of the decision.",
    ]
    assert not _lacking(notices, welsh), _lacking(notices, welsh)
    assert (
        welsh(notices[5])
        == "Mae 1 Mawrth 2027 wedi mynd heibio. Dewiswch heddiw neu ddyddiad diweddarach."
    )
