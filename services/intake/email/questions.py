"""A mail (and any replies) becomes a complaint, or a list of questions, and the reply that asks
them: exactly what is missing, in plain English, threaded on the original mail.

Pure: no I/O, no clock reads: callers pass `today`, Message-IDs and `Date`s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Final

from pydantic import ValidationError

from services.intake.domain import REFERENCE_ALPHABET, IntakeChannel
from services.intake.domain.values import SUMMARY_MAX
from services.intake.email.facts import (
    ASKING_ORDER,
    COMPLAINED_ON,
    DESIRED_OUTCOME,
    FACT_BY_FIELD,
    FIRST_AWARE_ON,
    FIRST_MAIL_FIELDS,
    LANGUAGE,
    LANGUAGE_WORDS,
    NAME,
    ORGANISATION,
    SECTOR,
    SECTOR_WORDS,
    SUMMARY,
    outcome_in_account,
    parse_written_date,
    read_body,
)
from services.intake.email.reading import body_text, header_text, sender, subject_without_prefixes
from services.intake.field_errors import errors_by_field
from services.intake.schemas import ComplaintRequest
from shared.events import ContactMethod

# Facts without which a complaint cannot be registered (the schema requires them); these are
# the ones we ask for when a mail does not give them.
REQUIRED_FIELDS: Final = (NAME, ORGANISATION, SECTOR, DESIRED_OUTCOME, FIRST_AWARE_ON, SUMMARY)


@dataclass(frozen=True)
class EmailComplaint:
    """What a mail (and any replies) told us.

    `missing` lists the fields to ask for, in asking order: those not given at all and those
    given in a form we could not accept; `problems` says why for the latter. `request` is the
    validated complaint once nothing is missing.
    """

    request_payload: dict[str, Any]
    missing: list[str]
    problems: dict[str, str] = field(default_factory=dict)
    request: ComplaintRequest | None = None

    @property
    def complete(self) -> bool:
        return self.request is not None

    def to_json(self) -> dict[str, Any]:
        """What is kept (encrypted) while we wait for a reply."""
        return {"request_payload": self.request_payload}

    @classmethod
    def from_json(cls, data: dict[str, Any], today: date) -> EmailComplaint:
        return assess(dict(data["request_payload"]), today)


def _date_value(text: str) -> str:
    """ISO form of a date we can read; otherwise the text, for the schema to refuse clearly."""
    parsed = parse_written_date(text)
    return parsed.isoformat() if parsed else text


def _sector_value(text: str) -> str:
    words = text.casefold().replace(".", " ").split()
    for word in words:
        if word in SECTOR_WORDS:
            return SECTOR_WORDS[word]
    return text


def _set(payload: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = payload
    for parent in parents:
        node = node.setdefault(parent, {})
    node[leaf] = value


def _get(payload: dict[str, Any], dotted: str) -> Any:
    node: Any = payload
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _apply_facts(payload: dict[str, Any], facts: dict[str, str]) -> None:
    for dotted, text in facts.items():
        if dotted in (FIRST_AWARE_ON, COMPLAINED_ON):
            _set(payload, dotted, _date_value(text))
        elif dotted == SECTOR:
            _set(payload, dotted, _sector_value(text))
        elif dotted == LANGUAGE:
            _set(payload, dotted, LANGUAGE_WORDS.get(text.strip().casefold(), text))
        else:
            _set(payload, dotted, text)


# Said at the end of an account cut to the schema's limit, so the caseworker knows to ask.
CUT_SHORT_NOTE: Final = "\n\n[Cut short: the email was longer than we can keep in one complaint.]"


def _summary(subject: str, account: str) -> str:
    subject = subject_without_prefixes(subject)
    text = "\n\n".join(part for part in (subject, account) if part)
    if len(text) <= SUMMARY_MAX:
        return text
    return text[: SUMMARY_MAX - len(CUT_SHORT_NOTE)].rstrip() + CUT_SHORT_NOTE


def assess(payload: dict[str, Any], today: date) -> EmailComplaint:
    """Validate a payload built from mail: a complaint, or what to ask for and why."""
    try:
        request = ComplaintRequest.model_validate(payload, context={"today": today})
    except ValidationError as error:
        missing: list[str] = []
        problems: dict[str, str] = {}
        for problem in errors_by_field(error):
            missing.append(problem.field)
            written = _get(payload, problem.field)
            if written is None:
                continue
            unreadable_date = problem.field in (FIRST_AWARE_ON, COMPLAINED_ON) and (
                parse_written_date(str(written)) is None
            )
            problems[problem.field] = UNREADABLE_DATE if unreadable_date else problem.message
        missing.sort(key=lambda name: ASKING_ORDER.get(name, len(ASKING_ORDER)))
        return EmailComplaint(payload, missing, problems)
    return EmailComplaint(payload, [], {}, request)


def complaint_from_email(
    message: EmailMessage, today: date, *, envelope_sender: str | None = None
) -> EmailComplaint:
    """A first mail to the complaints address as a complaint (channel `email`), or what is missing.

    The sender's address is their contact (preferred contact: email); the subject and the body's
    unlabelled lines are the account of what happened; labelled lines give the other facts.
    """
    name, address = sender(message, envelope_sender)
    read = read_body(body_text(message), FIRST_MAIL_FIELDS)
    payload: dict[str, Any] = {
        "complainant": {"preferred_contact": ContactMethod.EMAIL.value},
        # Present though empty, so a missing name or sector is reported field by field.
        "organisation": {},
        "channel": IntakeChannel.EMAIL.value,
    }
    if name:
        _set(payload, NAME, name)
    if address:
        _set(payload, "complainant.email", address)
    summary = _summary(header_text(message, "Subject"), read.account)
    if summary:
        _set(payload, SUMMARY, summary)
    _apply_facts(payload, read.facts)
    if DESIRED_OUTCOME not in read.facts and (said := outcome_in_account(read.account)):
        # They said what they want in their own words: we do not ask them to say it again.
        _set(payload, DESIRED_OUTCOME, said)
    return assess(payload, today)


def complete_with_reply(
    earlier: EmailComplaint, reply: EmailMessage, today: date
) -> EmailComplaint:
    """Add what a reply to our question mail gives; labelled facts in it replace earlier ones.

    "What happened:" replaces the account only when we asked for it; otherwise it is added to it.
    """
    payload = _deep_copy(earlier.request_payload)
    read = read_body(body_text(reply), FACT_BY_FIELD)
    facts = dict(read.facts)
    more = facts.pop(SUMMARY, None)
    if more:
        existing = _get(payload, SUMMARY)
        asked = SUMMARY in earlier.missing
        _set(payload, SUMMARY, more if asked or not existing else f"{existing}\n\n{more}")
    _apply_facts(payload, facts)
    return assess(payload, today)


def _deep_copy(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _deep_copy(value) if isinstance(value, dict) else value
        for key, value in payload.items()
    }


# --------------------------------------------------------------------------------------------
# Enquiry references, message keys, automatic mail
# --------------------------------------------------------------------------------------------

ENQUIRY_PREFIX: Final = "ENQ"
# 30**8 (about 6.6e11) references: guessing one is hopeless, and the sender must match too.
ENQUIRY_RANDOM_LENGTH: Final = 8
_ENQUIRY_REFERENCE: Final = re.compile(
    rf"\b{ENQUIRY_PREFIX}-[{REFERENCE_ALPHABET}]{{{ENQUIRY_RANDOM_LENGTH}}}\b", re.IGNORECASE
)


def new_enquiry_reference(choose: Callable[[Sequence[str]], str]) -> str:
    """A short reference like `ENQ-7K3M9Q2A` for an incomplete mail; pass `secrets.choice`."""
    suffix = "".join(choose(REFERENCE_ALPHABET) for _ in range(ENQUIRY_RANDOM_LENGTH))
    return f"{ENQUIRY_PREFIX}-{suffix}"


def enquiry_reference_in(subject: str) -> str | None:
    match = _ENQUIRY_REFERENCE.search(subject)
    return match[0].upper() if match else None


# --------------------------------------------------------------------------------------------
# The reply asking for what is missing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplyContext:
    enquiry_reference: str
    to_address: str
    to_name: str | None
    original_subject: str
    original_message_id: str | None
    mail_from: str
    message_id: str  # ours, e.g. from email.utils.make_msgid
    sent_at: datetime


def reply_subject(original_subject: str, enquiry_reference: str, *, welsh: bool = False) -> str:
    subject = subject_without_prefixes(original_subject)
    if welsh:
        subject = subject or "Eich cwyn / Your complaint"
        return f"Re: {subject} [Ymholiad / Enquiry {enquiry_reference}]"
    return f"Re: {subject or 'Your complaint'} [Enquiry {enquiry_reference}]"


# The reply's sentences with values in them, as patterns: the Welsh reply finds its Welsh by
# them in intake's catalog (shared/kit/sentences.py), as the Welsh pages do.
GREETING: Final = "Dear {name},"
REFERENCE_LINE: Final = (
    "Your enquiry reference is {reference}. Please keep it in the subject line when you reply."
)
PROBLEM_LINE: Final = "(We could not use what you wrote: {problem}.)"
UNREADABLE_DATE: Final = "we could not read it as a date"


def _english(text: str) -> str:
    return text


def reply_text(
    complaint: EmailComplaint,
    enquiry_reference: str,
    to_name: str | None,
    translate: Callable[[str], str] = _english,
    *,
    welsh_labels: bool = False,
) -> str:
    """The plain-English body of the mail asking for exactly what is missing; with `translate`
    (intake's Welsh catalog) and `welsh_labels`, the same mail in Welsh."""
    t = translate
    greeting = GREETING.format(name=to_name) if to_name else "Hello,"
    askable = [name for name in complaint.missing if name in FACT_BY_FIELD]
    other = [name for name in complaint.missing if name not in FACT_BY_FIELD]
    lines = [
        t(greeting),
        "",
        t(
            "Thank you for your email. We have kept it safe, but we need a little more "
            "information before we can register your complaint."
        ),
        "",
        t(REFERENCE_LINE.format(reference=enquiry_reference)),
        "",
    ]
    if askable:
        lines += [t("Please reply to this email and fill in these lines after the colon:"), ""]
        for name in askable:
            fact = FACT_BY_FIELD[name]
            lines.append(f"({t(fact.hint)})")
            if name in complaint.problems:
                lines.append(t(PROBLEM_LINE.format(problem=complaint.problems[name])))
            lines += [f"{fact.welsh_label if welsh_labels else fact.label}: ", ""]
    if other:
        lines += [t("We also could not accept this part of your email:"), ""]
        lines += [f"- {t(complaint.problems.get(name, name))}" for name in other]
        lines += [
            "",
            t("You can also complain using our online form, or call us and we will help."),
            "",
        ]
    lines += [
        t(
            "Complaining will not affect the service you get from the organisation. "
            "We keep what you tell us confidential."
        ),
        "",
        t("The Ombudsman's complaints team"),
    ]
    return "\n".join(lines) + "\n"


# Between the Welsh and the English of a bilingual reply (the rule notifications' mail uses).
BILINGUAL_TEXT_RULE: Final = "-" * 65


def reply_asking_for(
    complaint: EmailComplaint,
    context: ReplyContext,
    welsh: Callable[[str], str] | None = None,
) -> EmailMessage:
    """The reply mail: threaded on the original and marked as an automatic reply. With `welsh`
    (intake's Welsh catalog), Welsh and English in one mail, Welsh first (docs/welsh.md)."""
    reply = EmailMessage()
    reply["From"] = context.mail_from
    reply["To"] = Address(display_name=context.to_name or "", addr_spec=context.to_address)
    reply["Subject"] = reply_subject(
        context.original_subject, context.enquiry_reference, welsh=welsh is not None
    )
    reply["Date"] = format_datetime(context.sent_at)
    reply["Message-ID"] = context.message_id
    if context.original_message_id:
        reply["In-Reply-To"] = context.original_message_id
        reply["References"] = context.original_message_id
    # RFC 3834 §5: mark it, so the sender's auto-responder does not answer it.
    reply["Auto-Submitted"] = "auto-replied"
    text = reply_text(complaint, context.enquiry_reference, context.to_name)
    if welsh is not None:
        in_welsh = reply_text(
            complaint, context.enquiry_reference, context.to_name, welsh, welsh_labels=True
        )
        text = f"{in_welsh}\n{BILINGUAL_TEXT_RULE}\n\n{text}"
    reply.set_content(text)
    if welsh is not None:  # after set_content, which replaces every Content-* header
        reply["Content-Language"] = "cy, en"  # RFC 3282
    return reply
