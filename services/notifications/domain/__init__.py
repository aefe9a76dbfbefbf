"""Pure rules of the notifications service: templates, routing, channels, SMS, statuses, retries.

Nothing here does I/O or reads the clock; callers pass `now` in.
"""

from pathlib import Path
from typing import Final

from services.notifications.domain.channels import (
    choose_channels,
    needs_large_print,
    sms_send_time,
)
from services.notifications.domain.rendered import RenderedMessage
from services.notifications.domain.retry import RetryPolicy, backoff_delay
from services.notifications.domain.routing import (
    SERVICE_SUPPLIED_FIELDS,
    TemplateRequest,
    format_date,
    templates_for_event,
    tracking_url,
)
from services.notifications.domain.simulated import is_simulated, simulated_outcome
from services.notifications.domain.sms import (
    InvalidPhoneNumber,
    SmsFragments,
    count_fragments,
    normalise_uk_or_international_phone,
)
from services.notifications.domain.statuses import can_move, is_final
from services.notifications.domain.templates import (
    MissingPersonalisation,
    TemplateCatalogue,
    TemplateFileError,
    UnknownTemplateError,
)

# The message templates shipped with the service (reading them is the caller's job).
TEMPLATES_DIRECTORY: Final = Path(__file__).resolve().parent.parent / "templates"

__all__ = [
    "SERVICE_SUPPLIED_FIELDS",
    "TEMPLATES_DIRECTORY",
    "InvalidPhoneNumber",
    "MissingPersonalisation",
    "RenderedMessage",
    "RetryPolicy",
    "SmsFragments",
    "TemplateCatalogue",
    "TemplateFileError",
    "TemplateRequest",
    "UnknownTemplateError",
    "backoff_delay",
    "can_move",
    "choose_channels",
    "count_fragments",
    "format_date",
    "is_final",
    "is_simulated",
    "needs_large_print",
    "normalise_uk_or_international_phone",
    "simulated_outcome",
    "sms_send_time",
    "templates_for_event",
    "tracking_url",
]
