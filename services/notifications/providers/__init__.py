"""Outbound provider adapters for the notifications service, one module per external service:
SMTP for email (smtp.py), Twilio (twilio.py) and GOV.UK Notify (notify.py) for texts, the
configured SMS provider (sms.py), and what they share (base.py).

Thin real-I/O adapters with no business rules. Also here: parsing the delivery receipts the SMS
providers post back to `POST /v1/providers/sms/status` (docs/design.md §5) into one
provider-neutral `Receipt`.
"""

from services.notifications.providers.base import (
    PermanentProviderError,
    ProviderError,
    Receipt,
    ReceiptError,
    ReceiptStatus,
    SmsProvider,
    TemporaryProviderError,
)
from services.notifications.providers.notify import (
    NotifyApiKey,
    NotifySmsProvider,
    bearer_token_is_valid,
    parse_notify_receipt,
)
from services.notifications.providers.sms import SmsSettings, make_sms_provider
from services.notifications.providers.smtp import (
    EmailSender,
    TlsMode,
    build_email,
    classify_smtp_failure,
    message_id_for,
)
from services.notifications.providers.twilio import (
    TWILIO_REFERENCE_PARAMETER,
    TWILIO_SIGNATURE_HEADER,
    TwilioSmsProvider,
    parse_twilio_receipt,
    twilio_signature,
    twilio_signature_is_valid,
)

__all__ = [
    "TWILIO_REFERENCE_PARAMETER",
    "TWILIO_SIGNATURE_HEADER",
    "EmailSender",
    "NotifyApiKey",
    "NotifySmsProvider",
    "PermanentProviderError",
    "ProviderError",
    "Receipt",
    "ReceiptError",
    "ReceiptStatus",
    "SmsProvider",
    "SmsSettings",
    "TemporaryProviderError",
    "TlsMode",
    "TwilioSmsProvider",
    "bearer_token_is_valid",
    "build_email",
    "classify_smtp_failure",
    "make_sms_provider",
    "message_id_for",
    "parse_notify_receipt",
    "parse_twilio_receipt",
    "twilio_signature",
    "twilio_signature_is_valid",
]
