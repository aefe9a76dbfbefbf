"""File names for display and download: never trusted, never used as a storage key.

A name a person's computer sent is reduced to its last path part, NFC-normalised, stripped of
control, formatting (bidi overrides, zero-width: Trojan Source, CVE-2021-42574), surrogate,
private-use and unassigned characters and of the characters Windows refuses in a file name, and
cut to a length every common filesystem can save. Unlike `shared.text`, which refuses such
characters in what people type, a file name is cleaned rather than refused: the person did not
type it for us, and their file should not be lost over it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# 255 is NAME_MAX on ext4 and the limit of NTFS and APFS: a longer name cannot be saved as is.
# Counted in characters and kept well under, since a UTF-8 character can take up to 4 bytes.
MAX_NAME_CHARACTERS: Final = 120
FALLBACK_STEM: Final = "document"
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Refused in file names by Windows (Microsoft, "Naming Files, Paths, and Namespaces").
_WINDOWS_RESERVED: Final = re.compile(r'[<>:"/\\|?*]')
_SPACES: Final = re.compile(r"\s+")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    kept = "".join(c for c in text if unicodedata.category(c) not in _REFUSED_CATEGORIES)
    kept = _WINDOWS_RESERVED.sub("_", kept)
    return _SPACES.sub(" ", kept).strip(" .")


def display_name(raw: str | None, extension: str, accepted_extensions: frozenset[str]) -> str:
    """A safe name for the file, ending in an extension of the type found by content: a PNG sent
    as `photo.exe` is shown and downloaded as `photo.exe.png`."""
    last_part = re.split(r"[/\\]", raw or "")[-1]
    name = _clean(last_part)
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.casefold() not in accepted_extensions:
        stem = name
    stem = stem.strip(" .") or FALLBACK_STEM
    room = MAX_NAME_CHARACTERS - len(extension) - 1
    return f"{stem[:room].rstrip(' .') or FALLBACK_STEM}.{extension}"


def refused_name(raw: str | None) -> str:
    """A safe name to show for a file that was refused (so it has no type to name it by): the
    same cleaning, no extension added."""
    name = _clean(re.split(r"[/\\]", raw or "")[-1])
    return name[:MAX_NAME_CHARACTERS].rstrip(" .") or FALLBACK_STEM
