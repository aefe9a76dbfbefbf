"""Safe input: whether a file sent to Redress is kept, judged by its content alone.

The type is found from the bytes (`filetype`'s signatures, then the container or text rules
below), never from the file's name or the Content-Type the sender claimed. Accepted: PDF; JPEG,
PNG, GIF and WebP images; Word (.docx) and OpenDocument (.odt) text; plain text (UTF-8); email
(.eml). Everything else, including HTML, SVG, executables, spreadsheets and other ZIPs, is refused
with 415. The checks run cheapest first: size (413), type (415), the malware scan when configured
(422), then opening the file as its type (422 damaged, 413 if it expands too far), and images are
re-encoded without their metadata. A refusal is a `RefusedDocumentError` with its HTTP status.

Routes should also stop reading an upload once it passes `max_file_bytes`, before calling this.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from typing import Final

import filetype

from shared.documents.containers import ContainerLimits, check_word_processing
from shared.documents.media import IMAGE_FORMATS, ImageLimits, check_pdf, reencode_image
from shared.documents.names import display_name
from shared.documents.refusals import (
    DamagedFileError,
    TooLargeError,
    UnacceptedTypeError,
)
from shared.documents.scanning import ClamdScanner


@dataclass(frozen=True)
class AcceptedType:
    kind: str  # the broad type events and lists show: pdf, image, word_processing, text, email
    extensions: frozenset[str]  # the extensions a name may keep as they are
    extension: str  # the one added when a name has none of them


ACCEPTED_TYPES: Final = {
    "application/pdf": AcceptedType("pdf", frozenset({"pdf"}), "pdf"),
    "image/jpeg": AcceptedType("image", frozenset({"jpg", "jpeg", "jpe"}), "jpg"),
    "image/png": AcceptedType("image", frozenset({"png"}), "png"),
    "image/gif": AcceptedType("image", frozenset({"gif"}), "gif"),
    "image/webp": AcceptedType("image", frozenset({"webp"}), "webp"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": AcceptedType(
        "word_processing", frozenset({"docx"}), "docx"
    ),
    "application/vnd.oasis.opendocument.text": AcceptedType(
        "word_processing", frozenset({"odt"}), "odt"
    ),
    "text/plain": AcceptedType("text", frozenset({"txt", "text", "log", "csv", "md"}), "txt"),
    "message/rfc822": AcceptedType("email", frozenset({"eml"}), "eml"),
}
# Signatures `filetype` reports for ZIP-based files: checked inside as DOCX or ODT.
_ZIP_SIGNATURES: Final = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    }
)
# An animated PNG is a PNG to every reader; filetype names it apart.
_SIGNATURE_ALIASES: Final = {"image/apng": "image/png"}
# Controls a plain text file may hold: tab, line feed, form feed, carriage return.
_TEXT_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A header line (RFC 5322 §2.2: a field name of printable characters but ':'), or an mbox "From ".
_HEADER_LINE: Final = re.compile(rb"^(?:[!-9;-~]+:[ \t]?|From )")
_EMAIL_FIELDS: Final = ("date", "subject", "message-id", "received", "to")


@dataclass(frozen=True)
class DocumentLimits:
    max_file_bytes: int
    max_case_bytes: int
    containers: ContainerLimits = field(default_factory=ContainerLimits)
    images: ImageLimits = field(default_factory=ImageLimits)


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes  # what to keep: the file as sent, or the image re-encoded
    media_type: str
    kind: str
    name: str  # safe for display and for Content-Disposition, with the extension of the type


def _not_accepted() -> UnacceptedTypeError:
    return UnacceptedTypeError("type_not_accepted", "This type of file is not accepted.")


def _check_size(size: int, case_bytes: int, limits: DocumentLimits) -> None:
    if size > limits.max_file_bytes:
        raise TooLargeError("file_too_large", "This file is larger than the limit for one file.")
    if case_bytes + size > limits.max_case_bytes:
        raise TooLargeError(
            "case_too_large", "This file would take the case past its limit for documents."
        )
    if size == 0:
        raise DamagedFileError("empty", "This file is empty.")


def _looks_like_email(content: bytes) -> bool:
    if not _HEADER_LINE.match(content):
        return False
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(content)
    return "from" in headers and any(name in headers for name in _EMAIL_FIELDS)


def _text_type(content: bytes) -> str:
    """The media type of a file no signature matched: email, plain text, or a refusal."""
    if b"\0" in content:
        raise _not_accepted()
    if _looks_like_email(content):
        try:
            email.parser.BytesParser(policy=email.policy.default).parsebytes(content)
        except Exception as error:  # the stdlib parser raises many types on malformed input
            raise DamagedFileError("damaged", "This email cannot be read.") from error
        return "message/rfc822"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_accepted() from error
    # Markup (HTML, SVG, XML) is refused even though it is text: a browser would run it.
    if text.lstrip().startswith("<") or _TEXT_CONTROLS.search(text):
        raise _not_accepted()
    return "text/plain"


def sniff(content: bytes, limits: DocumentLimits) -> str:
    """The accepted media type of `content` by its bytes, or `UnacceptedTypeError`."""
    signature = filetype.guess(content)
    if signature is None:
        return _text_type(content)
    found: str = signature.mime
    mime = _SIGNATURE_ALIASES.get(found, found)
    if mime in _ZIP_SIGNATURES:
        media_type, _ = check_word_processing(content, limits.containers)
        return media_type
    if mime == "application/pdf" or mime in IMAGE_FORMATS:
        return mime
    raise _not_accepted()


def _open_as(content: bytes, media_type: str, limits: DocumentLimits) -> bytes:
    """The content to keep, after checking it opens as its type."""
    if media_type == "application/pdf":
        check_pdf(content)
    elif media_type in IMAGE_FORMATS:
        return reencode_image(content, media_type, limits.images)
    return content


async def check_document(
    content: bytes,
    *,
    name: str | None,
    case_bytes: int,
    limits: DocumentLimits,
    scanner: ClamdScanner | None = None,
) -> CheckedDocument:
    """The document to keep, or a `RefusedDocumentError`. `case_bytes` is what the case (or the
    complaint) already holds; `name` is the name the sender's computer gave, for display only."""
    _check_size(len(content), case_bytes, limits)
    # Expanding ZIPs and decoding images is CPU work of up to a second: off the event loop.
    media_type = await asyncio.to_thread(sniff, content, limits)
    if scanner is not None:
        await scanner.scan(content)
    kept = await asyncio.to_thread(_open_as, content, media_type, limits)
    accepted = ACCEPTED_TYPES[media_type]
    return CheckedDocument(
        content=kept,
        media_type=media_type,
        kind=accepted.kind,
        name=display_name(name, accepted.extension, accepted.extensions),
    )
