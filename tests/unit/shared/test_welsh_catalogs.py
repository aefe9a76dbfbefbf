"""Every public page string has its Welsh (issue 14; docs/welsh.md).

Fails when a template gains a string the service's Welsh catalog lacks (run
`python -m shared.kit.i18n services/<name>` to add it, then write the Welsh), when an entry's
Welsh is empty or loses a placeholder, and when an entry claims neither a review nor that it
awaits one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.casework.domain import tracking
from services.feedback.domain import ORGANISATION_QUESTIONS, SCALE, SURVEY_QUESTIONS
from services.intake.field_errors import FIELD_TEXT
from shared.kit.i18n import AWAITING_REVIEW, catalog_path, read_catalog, template_messages

ROOT = Path(__file__).resolve().parents[3]
# Services with public pages, each with its templates/ and locale/ (docs/welsh.md).
PUBLIC_PAGE_SERVICES = ("intake", "casework", "feedback")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")
SAME_IN_WELSH = frozenset({"Braille"})
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
