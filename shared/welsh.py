"""Who is written to in Welsh first (issue 14; docs/welsh.md "Who gets Welsh"): one rule for
every service that writes to people itself (notifications, intake's email replies, feedback's
mail to organisations).

A complaint about a Welsh body, or someone who asked for Welsh (`complainant.language` "cy" or
any "cy-*" tag), gets Welsh and English, Welsh first (Welsh Language Standards). Organisations
carry no nation of their own (shared/events Organisation: name and sector), so a Welsh body
is the deployment's `REDRESS_NATION`: an ombudsman run for Wales writes to everyone in Welsh
first.
"""

from __future__ import annotations

from typing import Final

WELSH: Final = "cy"
WELSH_NATION: Final = "wales"


def writes_in_welsh(language: str | None, nation: str) -> bool:
    """Welsh first for someone who asked for Welsh ("cy", "cy-GB") or a Welsh body."""
    asked = (language or "").strip().lower().replace("_", "-").split("-")[0] == WELSH
    return asked or nation == WELSH_NATION
