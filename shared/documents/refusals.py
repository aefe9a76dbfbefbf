"""Why a file is refused: typed errors that carry the HTTP status a route answers with.

The reason is a fixed code and a sentence for the person who sent the file; neither ever echoes
the file's content or name (docs/architecture.md "Personal data").
"""

from __future__ import annotations

from typing import ClassVar


class RefusedDocumentError(Exception):
    status: ClassVar[int] = 422

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # a stable code, e.g. "type_not_accepted"
        self.message = message


class UnacceptedTypeError(RefusedDocumentError):
    """415: the content is not one of the accepted types, whatever its name or Content-Type."""

    status = 415


class TooLargeError(RefusedDocumentError):
    """413: over the per-file or per-case limit, or it would expand past its limit."""

    status = 413


class DamagedFileError(RefusedDocumentError):
    """422: the type is accepted but the file does not open as one (or is empty)."""

    status = 422


class InfectedFileError(RefusedDocumentError):
    """422: the malware scanner found something."""

    status = 422


class ScanUnavailableError(RefusedDocumentError):
    """503: scanning is configured but the scanner did not answer; the file is not kept unscanned,
    and the sender can try again."""

    status = 503
