"""The inbound email channel's pure rules: a mail becomes a complaint, or a list of questions.

No I/O, no clock reads: callers pass `today`, Message-IDs and `Date`s. What a complainant can write
in a mail (documented here and in the reply we send):

    Subject: Cancelled operation at Northshire Hospital      <- the start of "what happened"
    From: Jo Bloggs <jo@example.com>                         <- name and email (we reply by email)

    Organisation: Northshire NHS Trust
    Sector: health                      (health, parliamentary or other; "NHS" means health)
    Outcome wanted: An apology and a new date for the operation.
    When did you find out: 1 June 2026 (or 2026-06-01, 01/06/2026, June 1, 2026)
    When did you complain to them: 3 June 2026               (optional)
    Phone: 07700 900 982                                     (optional)
    Name: Jo Bloggs                 (only needed when the From header has no name)

    Everything else in the body (plain text, or HTML turned into text) is the account of what
    happened; quoted text ("> ...") and a signature after "-- " are left out.

Each labelled fact is one line, `Label: value`, case-insensitive. A reply to our question mail
(whose subject carries the enquiry reference, e.g. "[Enquiry ENQ-7K3M9Q2A]") may give any of the
labelled facts; the latest answer wins.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime
from html.parser import HTMLParser
from typing import Any, Final

from pydantic import ValidationError

from services.intake.domain import REFERENCE_ALPHABET
from services.intake.schemas import (
    SUMMARY_MAX,
    ComplaintRequest,
    IntakeChannel,
    errors_by_field,
)
from shared.events import ContactMethod

# --------------------------------------------------------------------------------------------
# Labelled facts
# --------------------------------------------------------------------------------------------

NAME: Final = "complainant.name"
PHONE: Final = "complainant.phone"
ORGANISATION: Final = "organisation.name"
SECTOR: Final = "organisation.sector"
SUMMARY: Final = "summary"
DESIRED_OUTCOME: Final = "desired_outcome"
FIRST_AWARE_ON: Final = "first_aware_on"
COMPLAINED_ON: Final = "complained_to_organisation_on"


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact a mail can give on a labelled line, and how we ask for it."""

    field: str
    label: str  # the label we ask people to use
    aliases: tuple[str, ...]  # other labels people naturally write
    hint: str  # what to write, in plain English


FACTS: Final[tuple[Fact, ...]] = (
    Fact(NAME, "Name", ("your name", "full name"), "your full name"),
    Fact(
        ORGANISATION,
        "Organisation",
        ("organization", "organisation name", "organization name", "complaint about"),
        "the name of the organisation you are complaining about, for example "
        "Northshire NHS Trust or HM Revenue and Customs",
    ),
    Fact(
        SECTOR,
        "Sector",
        ("type of organisation", "type of organization"),
        "health (the NHS in England) or parliamentary (a UK government department or agency)",
    ),
    Fact(
        DESIRED_OUTCOME,
        "Outcome wanted",
        ("desired outcome", "outcome", "what i want", "what would put it right"),
        "what you would like to happen to put things right, for example an apology",
    ),
    Fact(
        FIRST_AWARE_ON,
        "When did you find out",
        ("when did you first find out", "date you found out", "first aware", "first aware on"),
        "the date you first found out about the problem, for example 1 June 2026",
    ),
    Fact(
        COMPLAINED_ON,
        "When did you complain to them",
        ("date you complained", "complained to organisation on", "complained on"),
        "the date you complained to the organisation itself, for example 3 June 2026",
    ),
    Fact(PHONE, "Phone", ("phone number", "telephone", "mobile"), "a phone number we can call"),
    Fact(
        SUMMARY,
        "What happened",
        ("what went wrong",),
        "what happened, in your own words, on one line",
    ),
)
FACT_BY_FIELD: Final = {fact.field: fact for fact in FACTS}
_FACT_BY_LABEL: Final = {
    label: fact for fact in FACTS for label in (fact.label.casefold(), *fact.aliases)
}
# Facts read from the first mail's body; "What happened" there is just part of the account.
_FIRST_MAIL_FIELDS: Final = frozenset(FACT_BY_FIELD) - {SUMMARY}
# The order questions are asked in: the order of FACTS, then anything else the schema refused.
_ASKING_ORDER: Final = {fact.field: index for index, fact in enumerate(FACTS)}

# `Label: value`, with an optional bullet; the label is matched against _FACT_BY_LABEL.
_LABELLED_LINE: Final = re.compile(r"^\s*(?:[-*\u2022]\s*)?([A-Za-z' ]{2,40}?)\s*[:\uff1a]\s*(.*)$")
_SECTOR_WORDS: Final[dict[str, str]] = {
    "health": "health",
    "nhs": "health",
    "parliamentary": "parliamentary",
    "parliament": "parliamentary",
    "government": "parliamentary",
    "other": "other",
}

# --------------------------------------------------------------------------------------------
# Dates people write
# --------------------------------------------------------------------------------------------

_MONTH_NAMES: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS: Final[dict[str, int]] = {
    **{full: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    **{full[:3]: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# UK order: day first (01/06/2026 is 1 June).
_NUMERIC_DATE: Final = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_DAY_MONTH_YEAR: Final = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+),? (\d{4})$")
_MONTH_DAY_YEAR: Final = re.compile(r"^([a-z]+) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")


def parse_written_date(text: str) -> date | None:
    """A date as people write it in a mail: 2026-06-01, 1 June 2026, 1st June 2026, 01/06/2026.

    Month names are matched here rather than with `strptime("%B")`, whose names follow the
    process locale; ambiguous or impossible dates give None.
    """
    cleaned = " ".join(text.strip().rstrip(".").casefold().split())
    year: int
    month: int | None
    day: int
    if match := _ISO_DATE.fullmatch(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC_DATE.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_MONTH_YEAR.fullmatch(cleaned):
        day, month, year = int(match[1]), _MONTHS.get(match[2]), int(match[3])
    elif match := _MONTH_DAY_YEAR.fullmatch(cleaned):
        month, day, year = _MONTHS.get(match[1]), int(match[2]), int(match[3])
    else:
        return None
    if month is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Reading a mail
# --------------------------------------------------------------------------------------------

# Largest mail the listener accepts (answered 552 above it: RFC 5321 §4.5.3.1.9, RFC 1870). Design
# choice: attachments are not kept yet, and a written account is a few kilobytes; 10 MiB leaves
# room for the usual HTML-and-text alternative parts and a signature image or two.
MAX_EMAIL_BYTES: Final = 10 * 1024 * 1024
# Invisible characters the complaint schema refuses (schemas._INVISIBLE_FORMATTING); mail
# clients insert some of them (a BOM, zero-width spaces in pasted text), so they are dropped.
_DROPPED_CHARACTERS: Final = frozenset(
    "\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
    "\ufffe\uffff"
)
_QUOTED_LINE: Final = re.compile(r"^\s*>")
# Where a reply's quoted original begins when the client does not use "> " quoting.
_QUOTE_HEADER: Final = re.compile(
    r"^\s*(?:On .{1,200} wrote:|-{2,}\s*Original Message\s*-{2,}|_{10,}|From: .+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE_SEPARATOR: Final = "-- "
_BLANK_RUN: Final = re.compile(r"\n{3,}")
# "Re:", "Fwd:" and the like at the start of a subject, repeated.
_REPLY_PREFIX: Final = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv)\s*:\s*)+", re.IGNORECASE)


def parse_email(raw: bytes) -> EmailMessage:
    """The message as the stdlib reads it with the modern policy (headers decoded, RFC 2047)."""
    message = BytesParser(policy=default_policy).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return message


def clean_text(text: str) -> str:
    """Text the complaint schema will accept: one line-ending style, no hidden characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = (
        character
        for character in text
        if character not in _DROPPED_CHARACTERS
        and (unicodedata.category(character) not in ("Cc", "Cs") or character in "\n\t")
    )
    return unicodedata.normalize("NFC", "".join(kept))


def header_text(message: EmailMessage, name: str) -> str:
    """A header's decoded text, on one line; malformed headers give what could be read."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # the header parser gave up on a broken value
        return ""
    return " ".join(clean_text(str(value or "")).split())


def _part_text(part: MIMEPart) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: UTF-8 is the likeliest truth
        return raw.decode("utf-8", errors="replace")


class _TextFromHtml(HTMLParser):
    """Visible text of an HTML mail, with line breaks where blocks end."""

    _BLOCKS: Final = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}
    )
    _HIDDEN: Final = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0
        self._quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag == "blockquote":  # a quoted earlier mail in a reply
            self._quote_depth += 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden_depth == 0 and self._quote_depth == 0:
            self.parts.append(" ".join(data.split()) if data.strip() else " ")


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def body_text(message: EmailMessage) -> str:
    """The plain-text body, or the HTML body as text when there is no plain part."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return clean_text(text)


def _own_lines(body: str) -> list[str]:
    """The lines the sender wrote: no quoted earlier mail, no signature."""
    lines: list[str] = []
    for line in body.split("\n"):
        if line.rstrip() == _SIGNATURE_SEPARATOR.rstrip() and line.startswith("--"):
            break
        if _QUOTE_HEADER.match(line):
            break
        if _QUOTED_LINE.match(line):
            continue
        lines.append(line.rstrip())
    return lines


def _labelled(line: str) -> tuple[Fact, str] | None:
    match = _LABELLED_LINE.match(line)
    if match is None:
        return None
    fact = _FACT_BY_LABEL.get(" ".join(match[1].casefold().split()))
    if fact is None:
        return None
    return fact, match[2].strip()


@dataclass(frozen=True, slots=True)
class _ReadBody:
    facts: dict[str, str]  # field -> the text written after its label
    account: str  # every other line


def _read_body(body: str, fields: Iterable[str]) -> _ReadBody:
    wanted = frozenset(fields)
    facts: dict[str, str] = {}
    account: list[str] = []
    for line in _own_lines(body):
        found = _labelled(line)
        if found is not None and found[0].field in wanted:
            fact, value = found
            if value:  # "Organisation:" left empty from our template is no answer
                facts[fact.field] = value
            continue
        account.append(line)
    return _ReadBody(facts, _BLANK_RUN.sub("\n\n", "\n".join(account)).strip())


def _sender(message: EmailMessage, envelope_sender: str | None) -> tuple[str | None, str | None]:
    """(display name, address) from From, falling back to the SMTP envelope sender."""
    try:
        from_header = message.get("From")
        addresses: Sequence[Address] = getattr(from_header, "addresses", ())
    except (ValueError, IndexError, TypeError):
        addresses = ()
    for address in addresses:
        if address.addr_spec and "@" in address.addr_spec:
            name = " ".join(clean_text(address.display_name).split()) or None
            return name, address.addr_spec
    if envelope_sender and "@" in envelope_sender:
        return None, envelope_sender.strip("<> ")
    return None, None


def sender_address(message: EmailMessage, envelope_sender: str | None = None) -> str | None:
    return _sender(message, envelope_sender)[1]


def subject_without_prefixes(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject).strip()


# --------------------------------------------------------------------------------------------
# A mail -> a complaint, or what is still missing
# --------------------------------------------------------------------------------------------

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
        if word in _SECTOR_WORDS:
            return _SECTOR_WORDS[word]
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
            problems[problem.field] = (
                "we could not read it as a date" if unreadable_date else problem.message
            )
        missing.sort(key=lambda name: _ASKING_ORDER.get(name, len(_ASKING_ORDER)))
        return EmailComplaint(payload, missing, problems)
    return EmailComplaint(payload, [], {}, request)


def complaint_from_email(
    message: EmailMessage, today: date, *, envelope_sender: str | None = None
) -> EmailComplaint:
    """A first mail to the complaints address as a complaint (channel `email`), or what is missing.

    The sender's address is their contact (preferred contact: email); the subject and the body's
    unlabelled lines are the account of what happened; labelled lines give the other facts.
    """
    name, address = _sender(message, envelope_sender)
    read = _read_body(body_text(message), _FIRST_MAIL_FIELDS)
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
    return assess(payload, today)


def complete_with_reply(
    earlier: EmailComplaint, reply: EmailMessage, today: date
) -> EmailComplaint:
    """Add what a reply to our question mail gives; labelled facts in it replace earlier ones.

    "What happened:" replaces the account only when we asked for it; otherwise it is added to it.
    """
    payload = _deep_copy(earlier.request_payload)
    read = _read_body(body_text(reply), FACT_BY_FIELD)
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


def message_key(message: EmailMessage, raw: bytes) -> str:
    """A bounded key naming this mail: its Message-ID, or its content when it has none.

    Hashed, so the key has a fixed length and does not carry the sender's domain; used as the
    complaint's Idempotency-Key, so a re-delivered mail never makes a second complaint.
    """
    message_id = header_text(message, "Message-ID")
    source = message_id.encode() if message_id else raw
    kind = "id" if message_id else "content"
    return f"email-{kind}-{hashlib.sha256(source).hexdigest()}"


def is_automatic(message: EmailMessage, envelope_sender: str | None) -> bool:
    """Bounces and auto-replies, which must never be answered (RFC 3834 §2, RFC 5321 §4.5.5)."""
    if envelope_sender is not None and envelope_sender.strip("<> ") == "":
        return True
    auto_submitted = header_text(message, "Auto-Submitted").casefold()
    if auto_submitted and auto_submitted != "no":
        return True
    precedence = header_text(message, "Precedence").casefold()
    return precedence in ("bulk", "junk", "list", "auto_reply")


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


def reply_subject(original_subject: str, enquiry_reference: str) -> str:
    subject = subject_without_prefixes(original_subject) or "Your complaint"
    return f"Re: {subject} [Enquiry {enquiry_reference}]"


def reply_text(complaint: EmailComplaint, enquiry_reference: str, to_name: str | None) -> str:
    """The plain-English body of the mail asking for exactly what is missing."""
    greeting = f"Dear {to_name}," if to_name else "Hello,"
    askable = [name for name in complaint.missing if name in FACT_BY_FIELD]
    other = [name for name in complaint.missing if name not in FACT_BY_FIELD]
    lines = [
        greeting,
        "",
        "Thank you for your email. We have kept it safe, but we need a little more "
        "information before we can register your complaint.",
        "",
        f"Your enquiry reference is {enquiry_reference}. Please keep it in the subject line "
        "when you reply.",
        "",
    ]
    if askable:
        lines += [
            "Please reply to this email and fill in these lines after the colon:",
            "",
        ]
        for name in askable:
            fact = FACT_BY_FIELD[name]
            lines.append(f"({fact.hint})")
            if name in complaint.problems:
                lines.append(f"(We could not use what you wrote: {complaint.problems[name]}.)")
            lines += [f"{fact.label}: ", ""]
    if other:
        lines += ["We also could not accept this part of your email:", ""]
        lines += [f"- {complaint.problems.get(name, name)}" for name in other]
        lines += [
            "",
            "You can also complain using our online form, or call us and we will help.",
            "",
        ]
    lines += [
        "Complaining will not affect the service you get from the organisation. "
        "We keep what you tell us confidential.",
        "",
        "The Ombudsman's complaints team",
    ]
    return "\n".join(lines) + "\n"


def reply_asking_for(complaint: EmailComplaint, context: ReplyContext) -> EmailMessage:
    """The reply mail: threaded on the original and marked as an automatic reply."""
    reply = EmailMessage()
    reply["From"] = context.mail_from
    reply["To"] = Address(display_name=context.to_name or "", addr_spec=context.to_address)
    reply["Subject"] = reply_subject(context.original_subject, context.enquiry_reference)
    reply["Date"] = format_datetime(context.sent_at)
    reply["Message-ID"] = context.message_id
    if context.original_message_id:
        reply["In-Reply-To"] = context.original_message_id
        reply["References"] = context.original_message_id
    # RFC 3834 §5: mark it, so the sender's auto-responder does not answer it.
    reply["Auto-Submitted"] = "auto-replied"
    reply.set_content(reply_text(complaint, context.enquiry_reference, context.to_name))
    return reply
