"""UK calendar days for deadlines: shared by every service, re-exported for the domain."""

from shared.timekeeping import UK_TIME, start_of_uk_day, uk_date

__all__ = ["UK_TIME", "start_of_uk_day", "uk_date"]
