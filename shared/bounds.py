"""Bounds on query parameters every service shares, so that a value a client may send is refused
with a 422 naming the field instead of overflowing date arithmetic or a database integer."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import HTTPException, status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

# The earliest date anyone can ask about: 1 April 1967, when the Parliamentary Commissioner Act
# 1967 came into force and the first UK ombudsman began taking complaints; nothing before it can
# be in any service's records. The latest: the end of 2199, far enough for any planning period
# (clients ask for "to 2030" today) and far from the calendar's end (9999-12-31 cannot be moved
# past, so it would fail, not 4xx). The reports service bounds its periods with them too
# (docs/design.md section 5).
EARLIEST_QUERY_DATE = date(1967, 4, 1)
LATEST_QUERY_DATE = date(2199, 12, 31)

# The largest paging offset accepted: 2**31 - 1, the largest signed 32-bit integer, which every
# database driver binds without overflow (an offset of 2**63 overflows PostgreSQL's BIGINT and
# SQLite's INTEGER); no list of the ombudsman's comes near it.
MAX_PAGE_OFFSET = 2**31 - 1


def field_error(
    field: str, message: str, status_code: int = status.HTTP_422_UNPROCESSABLE_CONTENT
) -> HTTPException:
    """A 4xx (422 unless told) in the services' error shape, naming `field`; the shared
    HTTPException handler renders it."""
    return HTTPException(
        status_code,
        detail={
            "error": "The request has problems; see fields.",
            "fields": [{"field": field, "message": message}],
        },
    )


def bounded_date(field: str, day: date | None) -> date | None:
    """`day` if it is None or within the bounds above; otherwise a 422 naming `field`."""
    if day is not None and not EARLIEST_QUERY_DATE <= day <= LATEST_QUERY_DATE:
        raise field_error(
            field, f"Give a date from {EARLIEST_QUERY_DATE} to {LATEST_QUERY_DATE} (YYYY-MM-DD)."
        )
    return day


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Refuse what lax pydantic would take as a date: `0` (a timestamp), `2025-03-27T10:00`."""
    if (
        value is None
        or isinstance(value, date)
        or (isinstance(value, str) and _ISO_DATE.fullmatch(value))
    ):
        return value
    raise PydanticCustomError("date_format", "Give a date as YYYY-MM-DD, like 2025-03-27.")


# A date in a query, written YYYY-MM-DD and nothing else (as the OpenAPI document says).
QueryDate = Annotated[date, BeforeValidator(_iso_date_only)]
