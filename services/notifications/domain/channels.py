"""Which channel to use for a complainant, and when a text message may go out.

The complainant chose how they want to hear from us (docs/design.md §5, `preferred_contact`) and
may have asked for reasonable adjustments; we honour both and fall back when a channel fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

MessageChannel = Literal["email", "sms", "letter"]
PreferredContact = Literal["email", "sms", "letter", "phone"]

# Our own policy, not Notify's (Notify sends at any hour): no texts between 21:00 and 08:00 UK
# time, so news about a complaint never wakes someone up. Email and letters are not held back.
DEFAULT_QUIET_START: Final = time(21, 0)
DEFAULT_QUIET_END: Final = time(8, 0)
DEFAULT_TIMEZONE: Final = "Europe/London"

LARGE_PRINT_ADJUSTMENTS: Final = frozenset({"large_print", "large_text", "larger_print"})

# A letter is the last resort for everyone: it needs no email address or mobile, and staff can
# print it (we cannot phone people, so a 'phone' preference is served in writing).
_LAST_RESORT: Final[MessageChannel] = "letter"


def choose_channels(
    preferred: PreferredContact,
    reasonable_adjustments: Iterable[str],
    has_email: bool,
    has_phone: bool,
) -> list[MessageChannel]:
    """Channels to try in order: the preferred one first, then the next that can reach them.

    `reasonable_adjustments` is accepted so every adjustment that changes the channel lives here;
    large print changes the format instead (see `needs_large_print`).
    """
    del reasonable_adjustments  # none of the adjustments we know of changes the channel yet
    order: list[MessageChannel | None]
    if preferred == "email":
        order = ["email" if has_email else None, "sms" if has_phone else None, _LAST_RESORT]
    elif preferred == "sms":
        order = ["sms" if has_phone else None, "email" if has_email else None, _LAST_RESORT]
    elif preferred in ("letter", "phone"):
        order = [_LAST_RESORT, "email" if has_email else None]
    else:
        raise ValueError(f"unknown contact preference {preferred!r}")
    return [channel for channel in order if channel is not None]


def normalise_adjustment(adjustment: str) -> str:
    """'Large print', 'large-print' and 'LARGE_PRINT' are the same request."""
    return "_".join(adjustment.strip().lower().replace("-", " ").split())


def needs_large_print(reasonable_adjustments: Iterable[str]) -> bool:
    """Whether emails and letters should use the large-print layout."""
    return any(
        normalise_adjustment(adjustment) in LARGE_PRINT_ADJUSTMENTS
        for adjustment in reasonable_adjustments
    )


def sms_send_time(
    now: datetime,
    quiet_start: time = DEFAULT_QUIET_START,
    quiet_end: time = DEFAULT_QUIET_END,
    tz: str = DEFAULT_TIMEZONE,
) -> datetime:
    """`now` if a text may be sent now, else the end of the quiet hours in local time.

    Works on local wall-clock time in `tz`, so it stays right across the clock changes; the
    answer is in `now`'s time zone.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if not _in_quiet_hours(local.time(), quiet_start, quiet_end):
        return now
    send_date = local.date()
    if local.time() >= quiet_end:
        send_date += timedelta(days=1)
    wall_clock = datetime.combine(send_date, quiet_end, tzinfo=zone)
    # Round-trip through UTC so a wall-clock time skipped by a clock change moves forward.
    return wall_clock.astimezone(ZoneInfo("UTC")).astimezone(now.tzinfo)


def _in_quiet_hours(local: time, quiet_start: time, quiet_end: time) -> bool:
    if quiet_start == quiet_end:
        return False
    if quiet_start > quiet_end:  # the quiet period wraps past midnight, e.g. 21:00-08:00
        return local >= quiet_start or local < quiet_end
    return quiet_start <= local < quiet_end
