"""Reading a mail: its text (plain, or HTML made plain), its sender, its subject, a key naming
it, and whether it is an automatic one that must never be answered.

Pure: no I/O, no clock reads.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage, Message, MIMEPart
from email.parser import BytesParser
from email.policy import default as default_policy
from html.parser import HTMLParser
from typing import Final

# Invisible characters the complaint schema refuses (domain/values.py); mail clients insert some
# of them (a BOM, zero-width spaces in pasted text), so they are dropped.
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
BLANK_RUN: Final = re.compile(r"\n{3,}")
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
    return BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def body_text(message: EmailMessage) -> str:
    """The plain-text body, or the HTML body as text when there is no plain part."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return clean_text(text)


def own_lines(body: str) -> list[str]:
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


def sender(message: EmailMessage, envelope_sender: str | None) -> tuple[str | None, str | None]:
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
    return sender(message, envelope_sender)[1]


def subject_without_prefixes(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject).strip()


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


def attachments(message: EmailMessage) -> list[tuple[str | None, bytes]]:
    """Each attachment's file name as sent (for display only) and its decoded bytes; a mail
    attached whole (message/rfc822) as its bytes. The body's own text and HTML parts are not
    attachments."""
    found: list[tuple[str | None, bytes]] = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) and part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            attached = inner[0] if isinstance(inner, list) and inner else None
            payload = attached.as_bytes() if isinstance(attached, Message) else None
        if isinstance(payload, bytes):
            try:
                name = part.get_filename()
            except (ValueError, IndexError, TypeError):  # a broken Content-Disposition
                name = None
            found.append((name, payload))
    return found
