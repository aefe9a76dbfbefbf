"""The questions feedback asks: the complainant's survey, the organisation's, and the scale."""

from __future__ import annotations

from typing import Literal, NamedTuple

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


def questions_for(respondent: Respondent) -> tuple[Question, ...]:
    """The survey a respondent is asked: complainants and organisations have their own wording."""
    return ORGANISATION_QUESTIONS if respondent == "organisation" else SURVEY_QUESTIONS
