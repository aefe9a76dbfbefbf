"""What a case event may say on the public topic about the bodies it concerns (issue 13 item 6).

The complainant types the organisation's name, and what they type may be anything: a doctor's
name, an email address, a phone number. The case keeps it (staff and the complainant see it),
but a public event names a body only by its directory entry (`id` and official name), or as
"unlisted" until staff confirm which body it is. Every `Organisation` anywhere in an event (the
lead body, an added one, findings, recommendations) passes through here on the way out.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from shared.directory import UNLISTED
from shared.events import Organisation

M = TypeVar("M", bound=BaseModel)


def public_organisation(organisation: Organisation) -> Organisation:
    """The directory entry as it is, or "unlisted" (the sector kept) for a body without one."""
    if organisation.id is not None:
        return organisation
    return Organisation(name=UNLISTED, sector=organisation.sector)


def published(event: M) -> M:
    """`event` with every organisation in it as `public_organisation` names it."""
    changes = {name: _public(value) for name, value in event if _public(value) is not value}
    return event.model_copy(update=changes) if changes else event


def _public(value: Any) -> Any:
    if isinstance(value, Organisation):
        public = public_organisation(value)
        return value if public == value else public
    if isinstance(value, BaseModel):
        return published(value)
    if isinstance(value, list):
        items = [_public(item) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value
    return value
