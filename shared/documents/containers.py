"""Word (.docx) and OpenDocument (.odt) files: ZIP containers checked inside, not trusted outside.

A ZIP is accepted only as a word-processing document: an ODT's first entry is `mimetype` holding
the ODT media type (OASIS OpenDocument 1.3 part 2 §3.3), a DOCX's `[Content_Types].xml` names the
WordprocessingML main part (ECMA-376 part 2 §10.1.2.1) and no macro project. Every entry is
decompressed (sizes in the ZIP headers can lie) against a total and a ratio limit, so a ZIP bomb
is refused before it expands.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Final

from shared.documents.refusals import DamagedFileError, TooLargeError, UnacceptedTypeError

ODT_MEDIA_TYPE: Final = b"application/vnd.oasis.opendocument.text"
DOCX_MAIN_PART: Final = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_MACRO_MARKERS: Final = (b"macroEnabled", b"vbaProject")
_READ_SIZE: Final = 64 * 1024


@dataclass(frozen=True)
class ContainerLimits:
    # Apache POI's ZipSecureFile defaults: entries may expand at most 100 times (min inflate
    # ratio 0.01), checked once an entry passes 100 KiB (its grace size), so small, highly
    # compressible XML parts are not refused.
    max_ratio: float = 100.0
    ratio_grace_bytes: int = 100 * 1024
    # Our assumption: a long report with photos is tens of MiB unpacked; 256 MiB leaves room and
    # stops a bomb long before memory runs out.
    max_expanded_bytes: int = 256 * 1024 * 1024
    # Our assumption, not a standard: a Word or ODT file has tens of parts (one per image, style
    # sheet, header); 1000 leaves room and stops a ZIP that is mostly entry headers.
    max_entries: int = 1000


def _expand_all(archive: zipfile.ZipFile, limits: ContainerLimits) -> dict[str, bytes]:
    """The small marker parts, after decompressing every entry within the limits."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise TooLargeError("too_many_parts", "This document has too many parts to be accepted.")
    wanted = {"mimetype", "[Content_Types].xml"}
    found: dict[str, bytes] = {}
    total = 0
    for info in infos:
        expanded = 0
        parts: list[bytes] = []
        with archive.open(info) as entry:
            while chunk := entry.read(_READ_SIZE):
                expanded += len(chunk)
                total += len(chunk)
                ratio = expanded / max(info.compress_size, 1)
                if total > limits.max_expanded_bytes or (
                    expanded > limits.ratio_grace_bytes and ratio > limits.max_ratio
                ):
                    raise TooLargeError(
                        "expands_too_far", "This document expands too far when opened."
                    )
                if info.filename in wanted:
                    parts.append(chunk)
        if info.filename in wanted:
            found[info.filename] = b"".join(parts)
    return found


def check_word_processing(content: bytes, limits: ContainerLimits) -> tuple[str, str]:
    """(media type, extension) of an accepted DOCX or ODT, else a refusal."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            first = archive.infolist()[0].filename if archive.infolist() else ""
            names = set(archive.namelist())
            parts = _expand_all(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as error:
        raise DamagedFileError("damaged", "This document is damaged and cannot be opened.") from (
            error
        )
    if first == "mimetype" and parts.get("mimetype", b"").strip() == ODT_MEDIA_TYPE:
        return ODT_MEDIA_TYPE.decode(), "odt"
    types = parts.get("[Content_Types].xml", b"")
    if DOCX_MAIN_PART in types and "word/document.xml" in names:
        if any(marker in types for marker in _MACRO_MARKERS) or any(
            "vbaproject" in name.casefold() for name in names
        ):
            raise UnacceptedTypeError(
                "macros", "Documents with macros are not accepted. Save it without macros."
            )
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
    raise UnacceptedTypeError("type_not_accepted", "This type of file is not accepted.")
