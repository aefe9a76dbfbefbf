"""Feedback domain: the satisfaction survey, when to invite and remind, and anonymising answers.

Pure: no clock reads (every function takes `now` or a date), no I/O. Working-day arithmetic is
passed in (`add_working_days`), so the bank-holiday calendar stays in `shared/`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, NamedTuple

import email_validator
import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, model_validator

AddWorkingDays = Callable[[date, int], date]
"""`add_working_days(start, n)`: the n-th working day after `start` (shared/working_days.py)."""

Action = Literal["invite", "remind", "expire"]
Respondent = Literal["complainant", "organisation"]


class Question(NamedTuple):
    question_id: str
    text: str


# --------------------------------------------------------------------------------------------
# The survey (docs/reference/domain-rules.md §3, and the service charter in §1.9).
# --------------------------------------------------------------------------------------------

# Ordered as the complainant lived it: finding us, making the complaint, keeping up to date, the
# decision, and afterwards. Items marked "PHSO Qn" are the PHSO revised survey (2023/24 on),
# quoted as published; the others map onto a charter commitment or a docs/design.md §1 expectation.
SURVEY_QUESTIONS: tuple[Question, ...] = (
    # Charter 1 and 14: explain our role; an easily accessible service.
    Question("easy_to_find", "It was easy to find out how to complain to the Ombudsman."),
    # PHSO Q1 (part of the impartiality indicator).
    Question(
        "explain_complaint",
        "The caseworker gave me the opportunity to explain my complaint before making their "
        "decision.",
    ),
    # Charter 5: listen to make sure we understand your complaint.
    Question("listened_to", "The Ombudsman listened to me and understood my complaint."),
    # PHSO Q2 (part of the impartiality indicator).
    Question(
        "info_taken_into_account",
        "My caseworker took the information I provided into account when making their decision.",
    ),
    # Charter 4: keep you regularly updated.
    Question("kept_up_to_date", "I was kept up to date about the progress of my complaint."),
    # Charter 14 and the UKCG expectation of plain-language messages in the person's format.
    Question(
        "messages_clear",
        "The letters, emails and text messages I received were clear and easy to understand.",
    ),
    # PHSO Q4 (part of the impartiality indicator); charter 11: explain our decision.
    Question(
        "decision_explained",
        "My caseworker clearly explained the information they used in making their decision.",
    ),
    # SPSO customer service standards: explain how to ask for a review
    # (docs/reference/domain-rules.md §3).
    Question("know_how_to_review", "I was told what I could do if I disagreed with the decision."),
    # PHSO Q6.
    Question(
        "overall_time",
        "I was satisfied with the overall time it took to reach a decision on my complaint.",
    ),
    # PHSO Q7.
    Question(
        "overall_service",
        "Overall, I was satisfied with the service I received from the Ombudsman.",
    ),
    # docs/design.md §1, "reflecting back": a sense of closure.
    Question("matter_closed", "I feel my complaint has now been dealt with."),
    # UKCG expectation: reassure people that complaining will not compromise their service;
    # almost a third fear it would (docs/reference/domain-rules.md §2.3).
    Question(
        "no_effect_on_treatment",
        "Complaining has not affected how I am treated by the organisation I complained about.",
    ),
)

# The PHSO surveys organisations investigated with "the same 7 questions reworded"
# (docs/reference/domain-rules.md §3). The complainant-only item about being treated worse for
# complaining has no counterpart for an organisation and is left out.
ORGANISATION_QUESTIONS: tuple[Question, ...] = (
    Question(
        "easy_to_find", "It was easy to find out what the Ombudsman needed from our organisation."
    ),
    Question(
        "explain_complaint",
        "The caseworker gave our organisation the opportunity to explain our position before "
        "making their decision.",
    ),
    Question("listened_to", "The Ombudsman listened to us and understood our position."),
    Question(
        "info_taken_into_account",
        "The caseworker took the information we provided into account when making their decision.",
    ),
    Question("kept_up_to_date", "We were kept up to date about the progress of the investigation."),
    Question(
        "messages_clear", "The letters and emails we received were clear and easy to understand."
    ),
    Question(
        "decision_explained",
        "The caseworker clearly explained the information they used in making their decision.",
    ),
    Question(
        "know_how_to_review", "We were told what we could do if we disagreed with the decision."
    ),
    Question(
        "overall_time",
        "We were satisfied with the overall time it took to reach a decision on the complaint.",
    ),
    Question(
        "overall_service",
        "Overall, we were satisfied with the service we received from the Ombudsman.",
    ),
    Question("matter_closed", "We understand what the decision asks of our organisation."),
)

# A five-point agree/disagree scale. The PHSO's own wording is UNCONFIRMED
# (docs/reference/domain-rules.md §3, and §7 item 10); it publishes "% agree", which reports read
# as 4 or 5.
SCALE: tuple[tuple[int, str], ...] = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
)
SCALE_MIN = SCALE[0][0]
SCALE_MAX = SCALE[-1][0]

# Comments are read by people and published in excerpts; a cap keeps them to what a person
# would write about one experience (a design choice, not a sourced figure).
COMMENTS_MAX_CHARS = 5000
# A sentence pattern: the Welsh page finds its Welsh by it (shared/kit/sentences.py).
COMMENTS_TOO_LONG = "Write no more than {count} characters."


# --------------------------------------------------------------------------------------------
# Invitation timing.
# --------------------------------------------------------------------------------------------


class FeedbackRules(BaseModel):
    """When to ask. None of these numbers has an official source, so all are settings.

    - `invite_delay_working_days`: `FEEDBACK_INVITE_DELAY_DAYS` (docs/design.md §6; 0 allowed).
      Default 5 working days after closure [UNCONFIRMED design choice]: the decision letter has
      time to arrive by post, and the person is asked about the service while it is fresh,
      not in the same breath as the decision (PSOW found satisfaction tracks the outcome,
      docs/reference/domain-rules.md §3).
    - `reminder_after_days`: one reminder 7 calendar days after the invitation
      [UNCONFIRMED]: PSOW's self-selecting web survey got only 75 responses a year
      (docs/reference/domain-rules.md §3), so a single nudge is worth it; more would pester.
    - `link_expires_after_days`: 28 calendar days after the invitation [UNCONFIRMED]: answers
      from later describe memory more than the service, and the quarterly results
      (docs/reference/domain-rules.md §1.10) need responses to settle within the quarter.
    """

    model_config = ConfigDict(frozen=True)

    invite_delay_working_days: int = Field(default=5, ge=0)
    reminder_after_days: int = Field(default=7, ge=1)
    link_expires_after_days: int = Field(default=28, ge=1)

    @model_validator(mode="after")
    def _reminder_before_expiry(self) -> FeedbackRules:
        if self.reminder_after_days >= self.link_expires_after_days:
            raise ValueError("the reminder must go out before the survey link expires")
        return self


class InvitationSchedule(NamedTuple):
    invite_at: datetime
    reminder_at: datetime
    expires_at: datetime


def invitation_schedule(
    closed_at: datetime, rules: FeedbackRules, add_working_days: AddWorkingDays
) -> InvitationSchedule:
    """When to invite, remind and let the link lapse, for a case closed at `closed_at`.

    The invitation keeps the time of day of the closure, on the working day the delay lands on;
    with no delay it goes at once (not rolled to a working day: 0 means "straight away")."""
    if rules.invite_delay_working_days == 0:
        invite_at = closed_at
    else:
        invite_on = add_working_days(closed_at.date(), rules.invite_delay_working_days)
        invite_at = datetime.combine(invite_on, closed_at.timetz())
    return InvitationSchedule(
        invite_at=invite_at,
        reminder_at=invite_at + timedelta(days=rules.reminder_after_days),
        expires_at=invite_at + timedelta(days=rules.link_expires_after_days),
    )


@dataclass(frozen=True, slots=True)
class SurveyState:
    """What the scheduler knows about one survey."""

    schedule: InvitationSchedule
    invited_at: datetime | None = None
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    opted_out_at: datetime | None = None
    expired_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return any((self.answered_at, self.opted_out_at, self.expired_at))


def due_actions(
    state: SurveyState, now: datetime, rules: FeedbackRules | None = None
) -> list[Action]:
    """What the scheduler should do now: at most one action per call.

    Nothing after an answer, an opt-out or expiry. One reminder only, never in the same run as
    the invitation, and never sooner than `reminder_after_days` after an invitation that went out
    late (say, after an outage), so a person is not invited and reminded on the same day."""
    rules = rules or FeedbackRules()
    if state.finished:
        return []
    if now >= state.schedule.expires_at:
        return ["expire"]
    if state.invited_at is None:
        return ["invite"] if now >= state.schedule.invite_at else []
    reminder_due = max(
        state.schedule.reminder_at, state.invited_at + timedelta(days=rules.reminder_after_days)
    )
    if state.reminded_at is None and now >= reminder_due:
        return ["remind"]
    return []


# --------------------------------------------------------------------------------------------
# Answers.
# --------------------------------------------------------------------------------------------


class InvalidAnswersError(ValueError):
    """The answers could not be accepted; `errors` maps each question id to a clear message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


_SKIPPED = (None, "")
_ANSWERS_KEY = "answers"


def _score(value: object) -> int | None:
    """An integer score from JSON (int) or a form post (a string of digits); None if neither."""
    if isinstance(value, bool):
        return None  # True == 1 in Python, but it is not an answer on the scale
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii():
        return int(value.strip())
    return None


def validate_answers(
    answers: Mapping[str, object], questions: Sequence[Question] = SURVEY_QUESTIONS
) -> dict[str, int]:
    """Checked scores keyed by question id, in survey order. Every question is optional (a
    person may skip any), but at least one must be answered. Raises InvalidAnswersError."""
    known = {question.question_id for question in questions}
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    for question_id, value in answers.items():
        if question_id not in known:
            errors[question_id] = "This is not a question in this survey."
            continue
        if value in _SKIPPED:
            continue
        score = _score(value)
        if score is None or not SCALE_MIN <= score <= SCALE_MAX:
            errors[question_id] = (
                f"Choose an answer from {SCALE_MIN} ({SCALE[0][1].lower()}) to "
                f"{SCALE_MAX} ({SCALE[-1][1].lower()})."
            )
            continue
        scores[question_id] = score
    if not errors and not scores:
        errors[_ANSWERS_KEY] = "Answer at least one question."
    if errors:
        raise InvalidAnswersError(errors)
    order = {question.question_id: index for index, question in enumerate(questions)}
    return dict(sorted(scores.items(), key=lambda item: order[item[0]]))


# --------------------------------------------------------------------------------------------
# Scrubbing free text before it leaves this service (FeedbackSubmitted is anonymised).
# --------------------------------------------------------------------------------------------

REMOVED = "[removed]"

# Any run of non-space characters with an "@" inside: wider than RFC 5322 on purpose, so that an
# address glued to other text ("me:jo@x.org,") or an odd local part still goes. Removing too much
# of a comment costs little; publishing an address costs a lot.
_EMAIL = re.compile(r"\S+@\S+")

# NHS numbers are 10 digits, usually written 3-3-4 (NHS Data Dictionary); any 10-digit run is
# removed, valid check digit or not, since a mistyped number can still identify someone.
_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")

# UK postcodes (the Royal Mail format: outward code, optional space, inward code), any case.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Long digit runs that phonenumbers will not call a number (too long, odd grouping): any run of
# 9 or more digits, spaces, dots, dashes or brackets. Sums of money have a pound sign or commas.
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\d ().-]{7,}\d)")
_MIN_DIGITS_IN_RUN = 9

# The shortest phone numbers people write: a UK local number without its area code has 6 to 8
# digits (Ofcom national numbering plan). Sums written with commas ("£1,250,000") stay; an
# unbroken run of 7 or more digits goes, since it may well be a number.
_MIN_PHONE_DIGITS = 7

# "My name is Sam Jones", "I'm called sam": the first word whatever its case, then up to two
# more capitalised words. Sign-offs ("Kind regards, Sam Jones") only take capitalised words, as
# "regards" is followed by ordinary words often enough.
_APOSTROPHE = "['\u2019]"  # typed or typographic
_WORD = r"[^\W\d_][\w'\u2019-]*"
_CAPITALISED_WORD = r"[A-Z][\w'\u2019-]*"
_SELF_NAMED = re.compile(
    r"(?P<prefix>(?i:\b(?:my name is|"
    rf"my name{_APOSTROPHE}s|i am called|i{_APOSTROPHE}m called)\s+))"
    rf"{_WORD}(?:\s+{_CAPITALISED_WORD}){{0,2}}"
)
_SIGNED_OFF = re.compile(
    rf"(?P<prefix>(?i:\b(?:regards|sincerely|signed)),?\s+)"
    rf"{_CAPITALISED_WORD}(?:\s+{_CAPITALISED_WORD}){{0,2}}"
)

# Honorifics stay: "Dr [removed]" still reads well and identifies nobody.
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"})


def _remove_phone_numbers(text: str) -> str:
    # Leniency.POSSIBLE: a number need not be allocated to be personal (a typo of one still
    # points at someone), but at that leniency a year or a sum ("2024", "12500") also matches, so
    # a match needs as many digits as the shortest real numbers have. Numbers without a "+" are
    # read as UK numbers, the service's home region.
    matches = [
        match
        for match in phonenumbers.PhoneNumberMatcher(
            text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
        )
        if sum(character.isdigit() for character in match.raw_string) >= _MIN_PHONE_DIGITS
    ]
    for match in reversed(matches):
        text = text[: match.start] + REMOVED + text[match.end :]
    return text


def _remove_digit_runs(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        digits = sum(character.isdigit() for character in match.group())
        return REMOVED if digits >= _MIN_DIGITS_IN_RUN else match.group()

    return _DIGIT_RUN.sub(replace, text)


def _name_patterns(known_names: Iterable[str]) -> list[re.Pattern[str]]:
    """Each full name, then each of its parts (longest first, so "Jo Ann" goes before "Jo")."""
    variants: set[str] = set()
    for name in known_names:
        words = name.split()
        if not words:
            continue
        variants.add(" ".join(words))
        variants.update(
            word.strip(".,") for word in words if word.strip(".,").lower() not in _TITLES
        )
    return [
        re.compile(
            r"(?<!\w)" + r"\s+".join(map(re.escape, variant.split())) + r"(?!\w)", re.IGNORECASE
        )
        for variant in sorted(variants, key=lambda v: (-len(v), v))
        if len(variant) >= 2
    ]


def scrub_free_text(text: str, known_names: Iterable[str] = ()) -> str:
    """`text` with personal details replaced by "[removed]": email addresses, phone numbers (UK
    and international), NHS numbers, UK postcodes, the `known_names` (whole or in part, any
    case, whole words only) and names given as "my name is ...". A safety net, not a guarantee:
    the survey page also asks people not to include personal details."""
    text = _EMAIL.sub(REMOVED, text)
    # Phone numbers before NHS numbers: "+1 202-555-0143" ends in a 3-3-4 group.
    text = _remove_phone_numbers(text)
    text = _NHS_NUMBER.sub(REMOVED, text)
    text = _remove_digit_runs(text)
    text = _POSTCODE.sub(REMOVED, text)
    for pattern in _name_patterns(known_names):
        text = pattern.sub(REMOVED, text)
    text = _SELF_NAMED.sub(rf"\g<prefix>{REMOVED}", text)
    return _SIGNED_OFF.sub(rf"\g<prefix>{REMOVED}", text)


def questions_for(respondent: Respondent) -> tuple[Question, ...]:
    """The survey a respondent is asked: complainants and organisations have their own wording."""
    return ORGANISATION_QUESTIONS if respondent == "organisation" else SURVEY_QUESTIONS


# --------------------------------------------------------------------------------------------
# Organisations investigated: their survey contact (docs/reference/domain-rules.md §3, the OWI
# survey).
# --------------------------------------------------------------------------------------------

# Organisation names reach us as typed into the complaint form, so the contact is looked up by
# a normalised key: "Leeds  City council " and "Leeds City Council" are one organisation.
ORGANISATION_NAME_MAX_CHARS = 200


def organisation_key(name: str) -> str:
    """The lookup key for an organisation's name: words casefolded, whitespace collapsed."""
    key = " ".join(name.split()).casefold()
    if not key:
        raise ValueError("An organisation needs a name.")
    if len(key) > ORGANISATION_NAME_MAX_CHARS:
        raise ValueError(
            f"An organisation name has at most {ORGANISATION_NAME_MAX_CHARS} characters."
        )
    return key


class InvalidContactError(ValueError):
    """The organisation's contact address cannot be used; the message says why."""


def contact_email(address: str) -> str:
    """The address in its normalised form (domain lower-cased, Unicode normalised). Syntax only:
    no DNS look-up here (pure), a bounce tells us later that a well-formed address is wrong."""
    try:
        checked = email_validator.validate_email(address.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise InvalidContactError(str(error)) from error
    return str(checked.normalized)


# --------------------------------------------------------------------------------------------
# Open consultations with a public link.
# --------------------------------------------------------------------------------------------

# The default questions: one statement per commitment of the PHSO service charter
# (docs/reference/domain-rules.md §1.9, numbered as in its performance reports), worded for anyone
# who has used or looked at the service, so people can say which commitments we live up to.
CHARTER_QUESTIONS: tuple[Question, ...] = (
    Question("charter_01", "The Ombudsman explains its role and what it can and cannot do."),
    Question("charter_02", "The Ombudsman explains how it handles complaints and what it needs."),
    Question("charter_03", "If the Ombudsman cannot help, it points people to someone who can."),
    Question("charter_04", "The Ombudsman keeps people regularly updated."),
    Question("charter_05", "The Ombudsman listens to make sure it understands a complaint."),
    Question("charter_06", "The Ombudsman explains the specific concerns it will look into."),
    Question("charter_07", "The Ombudsman explains how it will do its work."),
    Question(
        "charter_08",
        "The Ombudsman gathers all the information it needs, from the complainant and the "
        "organisation, before deciding.",
    ),
    Question("charter_09", "The Ombudsman shares facts and discusses what it is seeing."),
    Question("charter_10", "The Ombudsman makes impartial decisions."),
    Question(
        "charter_11",
        "The Ombudsman explains its decisions and recommendations, and how it reached them.",
    ),
    Question("charter_12", "The Ombudsman treats people with courtesy and respect."),
    Question("charter_13", "The Ombudsman reaches a final decision as soon as it can."),
    Question(
        "charter_14",
        "The Ombudsman's service is easy to access, with support and help for those who need it.",
    ),
    Question("charter_15", "The Ombudsman looks after the information people give it."),
    Question("charter_16", "The Ombudsman listens to feedback and uses it to improve."),
    Question(
        "charter_17", "The Ombudsman apologises when it makes mistakes and puts things right."
    ),
    Question(
        "charter_18",
        "The Ombudsman publishes its performance regularly and reports to Parliament.",
    ),
)

# A consultation is a short questionnaire, not a research instrument: the charter's 18
# commitments are the longest set we offer, and a question is a sentence or two. Design
# choices, not sourced figures.
CONSULTATION_MAX_QUESTIONS = len(CHARTER_QUESTIONS)
QUESTION_MAX_CHARS = 300
CONSULTATION_TITLE_MAX_CHARS = 200


class InvalidConsultationError(ValueError):
    """The consultation cannot be set up; `errors` maps each field to a clear message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


def consultation_questions(texts: Sequence[str] | None) -> tuple[Question, ...]:
    """The questions of a new consultation: the charter's when none are given, else the texts in
    order, numbered `q1`, `q2`... Raises InvalidConsultationError naming the problem."""
    if texts is None:
        return CHARTER_QUESTIONS
    cleaned = [" ".join(text.split()) for text in texts]
    errors: dict[str, str] = {}
    if not cleaned:
        errors["questions"] = "Ask at least one question, or leave questions out for the charter's."
    elif len(cleaned) > CONSULTATION_MAX_QUESTIONS:
        errors["questions"] = f"Ask at most {CONSULTATION_MAX_QUESTIONS} questions."
    for index, text in enumerate(cleaned):
        if not text:
            errors[f"questions.{index}"] = "A question cannot be empty."
        elif len(text) > QUESTION_MAX_CHARS:
            errors[f"questions.{index}"] = f"Write no more than {QUESTION_MAX_CHARS} characters."
        elif text.casefold() in (earlier.casefold() for earlier in cleaned[:index]):
            errors[f"questions.{index}"] = "This question is already asked."
    if errors:
        raise InvalidConsultationError(errors)
    return tuple(Question(f"q{number}", text) for number, text in enumerate(cleaned, start=1))


def check_consultation(title: str, closes_on: date, today: date) -> str:
    """The title, tidied; raises InvalidConsultationError for an empty title or a closing date
    already past (a consultation closes at the end of its UK closing day)."""
    tidy = " ".join(title.split())
    errors: dict[str, str] = {}
    if not tidy:
        errors["title"] = "Give the consultation a title."
    elif len(tidy) > CONSULTATION_TITLE_MAX_CHARS:
        errors["title"] = f"Write no more than {CONSULTATION_TITLE_MAX_CHARS} characters."
    if closes_on < today:
        errors["closes_on"] = "The closing date cannot be in the past."
    if errors:
        raise InvalidConsultationError(errors)
    return tidy


def consultation_open(closes_on: date, today: date, *, published: bool) -> bool:
    """Whether answers are taken: up to the end of the closing day, and never once the results
    are published (published results are final)."""
    return not published and today <= closes_on


def agree_percentage(numerator: int, denominator: int) -> float | None:
    """To one decimal place, halves rounded up (as the reports service publishes them)."""
    if denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# "Agree" is a score of 4 or 5 on the five-point scale: top-2-box
# (docs/reference/domain-rules.md §3).
AGREE_MIN_SCORE = 4


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    text: str
    counts: Mapping[int, int]  # every score on the scale, zeros included
    answered: int
    agree: int
    agree_pct: float | None


@dataclass(frozen=True, slots=True)
class ConsultationResults:
    responses: int
    questions: tuple[QuestionResult, ...]
    comments: tuple[str, ...]


class ConsultationAnswer(NamedTuple):
    answers: Mapping[str, int]
    comments: str | None


def consultation_results(
    questions: Sequence[Question], answers: Iterable[ConsultationAnswer]
) -> ConsultationResults:
    """Counts per score, how many answered and % agreeing for each question, in the order asked,
    and the comments (already scrubbed when stored) in the order given."""
    collected = list(answers)
    results = []
    for question in questions:
        scores = [
            a.answers[question.question_id] for a in collected if question.question_id in a.answers
        ]
        counts = Counter(scores)
        agree = sum(score >= AGREE_MIN_SCORE for score in scores)
        results.append(
            QuestionResult(
                question_id=question.question_id,
                text=question.text,
                counts={score: counts[score] for score, _label in SCALE},
                answered=len(scores),
                agree=agree,
                agree_pct=agree_percentage(agree, len(scores)),
            )
        )
    return ConsultationResults(
        responses=len(collected),
        questions=tuple(results),
        comments=tuple(a.comments for a in collected if a.comments),
    )
