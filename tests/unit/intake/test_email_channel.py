"""The email channel's pure rules: a mail read into a complaint, or what to ask for."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain import IntakeChannel
from services.intake.domain.values import SUMMARY_MAX
from services.intake.email.facts import (
    DESIRED_OUTCOME,
    FIRST_AWARE_ON,
    NAME,
    ORGANISATION,
    SECTOR,
    SUMMARY,
    parse_written_date,
)
from services.intake.email.questions import (
    CUT_SHORT_NOTE,
    EmailComplaint,
    ReplyContext,
    complaint_from_email,
    complete_with_reply,
    enquiry_reference_in,
    new_enquiry_reference,
    reply_asking_for,
    reply_subject,
    reply_text,
)
from services.intake.email.reading import is_automatic, message_key, parse_email, sender_address
from shared.events import ContactMethod, Sector

TODAY = date(2026, 7, 1)

FACTS = (
    "Organisation: Northshire NHS Trust\n"
    "Sector: health\n"
    "Outcome wanted: An apology and a new date for the operation.\n"
    "When did you find out: 1 June 2026\n"
)
ACCOUNT = "My operation was cancelled three times, each time on the day, without any notice."


def mail(
    body: str = f"{ACCOUNT}\n\n{FACTS}",
    *,
    sender: str = "Jo Bloggs <jo@example.com>",
    subject: str = "Cancelled operation",
    message_id: str | None = "<first@example.com>",
) -> EmailMessage:
    lines = [f"From: {sender}", "To: complaints@redress.localhost", f"Subject: {subject}"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return parse_email("\n".join(lines).encode())


def read(message: EmailMessage) -> EmailComplaint:
    return complaint_from_email(message, TODAY)


# -------------------------------------------------------------------------- complete mail


def test_a_complete_mail_is_a_valid_email_complaint_from_the_sender() -> None:
    complaint = read(mail())
    assert complaint.complete
    assert complaint.missing == []
    request = complaint.request
    assert request is not None
    assert request.channel is IntakeChannel.EMAIL
    assert request.complainant.name == "Jo Bloggs"
    assert request.complainant.email == "jo@example.com"
    assert request.complainant.preferred_contact is ContactMethod.EMAIL
    assert request.organisation.name == "Northshire NHS Trust"
    assert request.organisation.sector is Sector.HEALTH
    assert request.desired_outcome == "An apology and a new date for the operation."
    assert request.first_aware_on == date(2026, 6, 1)


def test_the_summary_is_the_subject_and_the_account_without_the_labelled_lines() -> None:
    request = read(mail(f"{ACCOUNT}\n\n{FACTS}\n-- \nJo Bloggs\n07700 900 982")).request
    assert request is not None
    assert request.summary == f"Cancelled operation\n\n{ACCOUNT}"
    assert "Organisation" not in request.summary
    assert "07700" not in request.summary  # the signature is left out


def test_labels_are_case_insensitive_take_bullets_and_aliases() -> None:
    body = (
        f"{ACCOUNT}\n\n"
        "- ORGANIZATION: Northshire NHS Trust\n"
        "* type of organisation: NHS\n"
        "Desired outcome: An apology\n"
        "first aware: 2026-06-01\n"
        "Phone: 07911 123456\n"
    )
    request = read(mail(body)).request
    assert request is not None
    assert request.organisation.sector is Sector.HEALTH
    assert request.complainant.phone == "+447911123456"


# -------------------------------------------------------------------------- missing facts


def test_a_mail_without_the_organisation_misses_exactly_that() -> None:
    complaint = read(
        mail(f"{ACCOUNT}\n\n{FACTS.replace('Organisation: Northshire NHS Trust', '')}")
    )
    assert not complaint.complete
    assert complaint.missing == [ORGANISATION]
    assert complaint.problems == {}


def test_what_they_want_said_in_their_own_words_is_not_asked_for_again() -> None:
    facts = FACTS.replace("Outcome wanted: An apology and a new date for the operation.\n", "")
    said = "I would like an apology and a new date for my operation."
    complaint = read(mail(f"{ACCOUNT} {said}\n\n{facts}"))
    assert complaint.complete
    assert complaint.request is not None
    assert complaint.request.desired_outcome == said
    assert said in complaint.request.summary  # still part of their account
    partly = read(mail(f"{ACCOUNT} {said}\n\n{facts.replace('Sector: health', '')}"))
    assert partly.missing == [SECTOR]
    assert "Outcome wanted" not in reply_text(partly, "ENQ-7K3M9Q2A", "Jo")


def test_wanting_to_complain_is_not_an_outcome() -> None:
    facts = FACTS.replace("Outcome wanted: An apology and a new date for the operation.\n", "")
    complaint = read(mail(f"I want to complain about the hospital. {ACCOUNT}\n\n{facts}"))
    assert complaint.missing == [DESIRED_OUTCOME]
    assert "Outcome wanted: " in reply_text(complaint, "ENQ-7K3M9Q2A", "Jo")


def test_a_bare_mail_misses_every_required_fact_in_asking_order() -> None:
    complaint = read(mail(ACCOUNT, sender="jo@example.com"))
    assert complaint.missing == [NAME, ORGANISATION, SECTOR, DESIRED_OUTCOME, FIRST_AWARE_ON]


def test_a_mail_with_no_account_asks_what_happened() -> None:
    complaint = read(mail(FACTS, subject=""))
    assert complaint.missing == [SUMMARY]


def test_facts_we_cannot_use_are_missing_with_the_reason() -> None:
    body = (
        FACTS.replace("1 June 2026", "sometime last spring")
        .replace("Sector: health", "Sector: council")
        .replace("Organisation: Northshire NHS Trust", "Organisation: ")
    )
    complaint = read(mail(f"{ACCOUNT}\n\n{body}"))
    assert complaint.missing == [ORGANISATION, SECTOR, FIRST_AWARE_ON]
    assert ORGANISATION not in complaint.problems  # left empty: simply missing
    assert complaint.problems[FIRST_AWARE_ON] == "we could not read it as a date"
    assert "health" in complaint.problems[SECTOR]


def test_a_date_in_the_future_is_a_problem_not_a_complaint() -> None:
    complaint = read(mail(f"{ACCOUNT}\n\n{FACTS.replace('1 June 2026', '2 July 2026')}"))
    assert complaint.missing == [FIRST_AWARE_ON]
    assert "today or in the past" in complaint.problems[FIRST_AWARE_ON]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-06-01", date(2026, 6, 1)),
        ("1 June 2026", date(2026, 6, 1)),
        ("1st June 2026", date(2026, 6, 1)),
        ("22nd of Sept 2025", date(2025, 9, 22)),
        ("01/06/2026", date(2026, 6, 1)),  # UK order: day first
        ("June 1, 2026", date(2026, 6, 1)),
        ("  3 MAR 2024. ", date(2024, 3, 3)),
        ("31 June 2026", None),
        ("June 2026", None),
        ("yesterday", None),
        ("2026-13-01", None),
        ("1 Juneteenth 2026", None),
    ],
)
def test_dates_are_read_as_people_write_them(written: str, expected: date | None) -> None:
    assert parse_written_date(written) == expected


# -------------------------------------------------------------------------- HTML and encodings


def test_an_html_only_mail_is_read_as_text() -> None:
    html = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        f"<p>{ACCOUNT}</p><script>alert('x')</script>"
        "<div>Organisation: Northshire NHS Trust</div><div>Sector: health</div>"
        "<p>Outcome wanted: An apology &amp; a new date</p>"
        "<p>When did you find out: 1 June 2026</p>"
        "<blockquote>Organisation: Quoted Trust</blockquote></body></html>"
    )
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo@example.com>"
    message["Subject"] = "Cancelled operation"
    message.set_content(html, subtype="html")
    request = read(parse_email(message.as_bytes())).request
    assert request is not None
    assert request.summary == f"Cancelled operation\n\n{ACCOUNT}"
    assert request.organisation.name == "Northshire NHS Trust"
    assert request.desired_outcome == "An apology & a new date"


def test_the_plain_part_is_preferred_to_the_html_part() -> None:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo@example.com>"
    message["Subject"] = "Cancelled operation"
    message.set_content(f"{ACCOUNT}\n\n{FACTS}")
    message.add_alternative("<p>Organisation: From the HTML part</p>", subtype="html")
    request = read(parse_email(message.as_bytes())).request
    assert request is not None
    assert request.organisation.name == "Northshire NHS Trust"


def test_encoded_headers_and_a_latin_1_quoted_printable_body_are_decoded() -> None:
    raw = (
        b"From: =?utf-8?b?WsO2ZSBCasO2cms=?= <zoe@example.com>\r\n"
        b"Subject: =?iso-8859-1?q?Op=E9ration_annul=E9e?=\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Mon op=E9ration a =E9t=E9 annul=E9e trois fois sans pr=E9avis.\r\n\r\n"
        + FACTS.replace("\n", "\r\n").encode()
    )
    request = read(parse_email(raw)).request
    assert request is not None
    assert request.complainant.name == "Zöe Björk"
    assert request.summary.startswith("Opération annulée\n\nMon opération a été annulée")


def test_an_unknown_charset_and_hidden_characters_do_not_stop_a_complaint() -> None:
    raw = (
        b"From: Jo Bloggs <jo@example.com>\r\nSubject: Cancelled\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + "\ufeffMy operation\u200b was cancelled\x07 three times.\r\n\r\n".encode()
        + FACTS.encode()
    )
    request = read(parse_email(raw)).request
    assert request is not None
    assert request.summary == "Cancelled\n\nMy operation was cancelled three times."


def test_a_very_long_mail_keeps_its_opening_and_says_it_was_cut() -> None:
    request = read(mail(f"{'a' * 20_000}\n\n{FACTS}")).request
    assert request is not None
    assert len(request.summary) == SUMMARY_MAX
    assert request.summary.endswith(CUT_SHORT_NOTE.strip())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000))
def test_any_bytes_at_all_give_a_complaint_or_questions_never_an_error(raw: bytes) -> None:
    complaint = complaint_from_email(parse_email(raw), TODAY, envelope_sender="x@example.com")
    assert complaint.complete or complaint.missing


# -------------------------------------------------------------------------- replies


def incomplete() -> EmailComplaint:
    body = FACTS.replace("Organisation: Northshire NHS Trust\n", "").replace(
        "1 June 2026", "who knows"
    )
    complaint = read(mail(f"{ACCOUNT}\n\n{body}"))
    assert complaint.missing == [ORGANISATION, FIRST_AWARE_ON]
    return complaint


def test_a_reply_with_the_missing_facts_completes_the_complaint() -> None:
    reply = mail(
        "Organisation: Northshire NHS Trust\nWhen did you find out: 2026-06-01\n\n"
        "Thanks,\nJo\n\nOn 1 July 2026, Redress wrote:\n"
        "Organisation: \n> When did you find out: \n",
        subject="Re: Cancelled operation [Enquiry ENQ-ABCDEFGH]",
        message_id="<reply@example.com>",
    )
    complaint = complete_with_reply(incomplete(), reply, TODAY)
    assert complaint.request is not None
    assert complaint.request.organisation.name == "Northshire NHS Trust"
    assert complaint.request.first_aware_on == date(2026, 6, 1)
    # The reply's chit-chat is not added to the account.
    assert complaint.request.summary == f"Cancelled operation\n\n{ACCOUNT}"


def test_a_reply_that_fills_in_only_part_still_misses_the_rest() -> None:
    reply = mail("Organisation: Northshire NHS Trust\n> When did you find out: 2026-06-01\n")
    complaint = complete_with_reply(incomplete(), reply, TODAY)
    assert complaint.missing == [FIRST_AWARE_ON]


def test_what_happened_in_a_reply_is_added_to_the_account() -> None:
    reply = mail(
        "Organisation: Northshire NHS Trust\nWhen did you find out: 2026-06-01\n"
        "What happened: They also lost my notes."
    )
    request = complete_with_reply(incomplete(), reply, TODAY).request
    assert request is not None
    assert request.summary.endswith(f"{ACCOUNT}\n\nThey also lost my notes.")


def test_the_question_mail_asks_for_exactly_what_is_missing() -> None:
    context = ReplyContext(
        enquiry_reference="ENQ-ABCDEFGH",
        to_address="jo@example.com",
        to_name="Jo Bloggs",
        original_subject="Re: Cancelled operation",
        original_message_id="<first@example.com>",
        mail_from="Redress <no-reply@redress.localhost>",
        message_id="<ours@redress.localhost>",
        sent_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
    )
    reply = reply_asking_for(incomplete(), context)
    assert reply["To"] == "Jo Bloggs <jo@example.com>"
    assert reply["Subject"] == "Re: Cancelled operation [Enquiry ENQ-ABCDEFGH]"
    assert reply["In-Reply-To"] == "<first@example.com>"
    assert reply["Auto-Submitted"] == "auto-replied"
    text = reply.get_content()
    assert "Dear Jo Bloggs," in text
    assert "ENQ-ABCDEFGH" in text
    assert "\nOrganisation: \n" in text
    assert "\nWhen did you find out: \n" in text
    assert "we could not read it as a date" in text
    assert "Sector:" not in text
    assert "Outcome wanted:" not in text
    # Answering our own question mail by filling in the lines completes the complaint.
    filled = text.replace("Organisation: ", "Organisation: Northshire NHS Trust").replace(
        "When did you find out: ", "When did you find out: 1 June 2026"
    )
    answer = mail(filled, subject=reply["Subject"])
    assert complete_with_reply(incomplete(), answer, TODAY).complete


# -------------------------------------------------------------------------- references and keys


@given(st.randoms(use_true_random=False), st.text(max_size=80))
def test_an_enquiry_reference_is_found_again_in_the_reply_subject(
    chooser: random.Random, subject: str
) -> None:
    reference = new_enquiry_reference(chooser.choice)
    assert enquiry_reference_in(f"RE: {reply_subject(subject, reference)}") == reference
    assert enquiry_reference_in(reply_subject(subject, reference).lower()) == reference


def test_no_enquiry_reference_in_an_ordinary_subject() -> None:
    assert enquiry_reference_in("Complaint about ENQ-12 and ENQ-ABCDEFGHIJ") is None


def test_the_message_key_follows_the_message_id_and_else_the_content() -> None:
    first = mail(message_id="<a@example.com>")
    again = mail(ACCOUNT, message_id="<a@example.com>")
    other = mail(message_id="<b@example.com>")
    assert message_key(first, b"x") == message_key(again, b"y")
    assert message_key(first, b"x") != message_key(other, b"x")
    anonymous = mail(message_id=None)
    assert message_key(anonymous, b"x") != message_key(anonymous, b"y")
    assert message_key(anonymous, b"x") == message_key(anonymous, b"x")
    assert len(message_key(first, b"x")) <= 100  # fits the idempotency and store columns


@pytest.mark.parametrize(
    ("headers", "envelope_sender", "automatic"),
    [
        ({}, "jo@example.com", False),
        ({}, "", True),  # a bounce: null reverse-path
        ({}, "<>", True),
        ({"Auto-Submitted": "auto-replied"}, "jo@example.com", True),
        ({"Auto-Submitted": "no"}, "jo@example.com", False),
        ({"Precedence": "bulk"}, "jo@example.com", True),
    ],
)
def test_bounces_and_auto_replies_are_recognised(
    headers: dict[str, str], envelope_sender: str, automatic: bool
) -> None:
    message = mail()
    for name, value in headers.items():
        message[name] = value
    assert is_automatic(message, envelope_sender) is automatic


def test_the_sender_falls_back_to_the_envelope_when_from_is_unusable() -> None:
    assert sender_address(mail(sender="Jo Bloggs"), "jo@example.com") == "jo@example.com"
    assert sender_address(mail(sender="Jo Bloggs"), None) is None
    assert sender_address(mail(), "other@example.com") == "jo@example.com"
