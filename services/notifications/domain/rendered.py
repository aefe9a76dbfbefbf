"""What rendering makes: a message ready for any channel, a letter ready to print, and who a
letter is addressed to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who a letter goes to: the name and the postal address, one line per list item."""

    name: str
    address_lines: tuple[str, ...]

    @classmethod
    def of(cls, name: str, postal_address: str) -> Addressee:
        """Address lines from a stored address: split at line breaks, or at commas if one line."""
        lines = (
            postal_address.splitlines()
            if "\n" in postal_address.strip()
            else (postal_address.split(","))
        )
        return cls(name=name.strip(), address_lines=tuple(p.strip() for p in lines if p.strip()))


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    """One letter, ready to print: a standalone HTML page and its plain-text body."""

    template: str
    version: int
    subject: str
    html: str
    text: str
    large_print: bool = False


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One message, ready for any channel: email (HTML and plain text) and SMS."""

    template: str
    version: int
    subject: str
    html: str
    text: str
    sms: str
    large_print: bool = False
