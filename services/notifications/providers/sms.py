"""The configured SMS provider (docs/design.md §6): Twilio or GOV.UK Notify."""

from __future__ import annotations

from typing import Protocol

import httpx

from services.notifications.providers.base import SmsProvider
from services.notifications.providers.notify import NotifySmsProvider
from services.notifications.providers.twilio import TwilioSmsProvider


class SmsSettings(Protocol):
    """The configuration `make_sms_provider` reads (docs/design.md §6)."""

    @property
    def sms_provider(self) -> str: ...
    @property
    def sms_api_url(self) -> str: ...
    @property
    def sms_account_sid(self) -> str: ...
    @property
    def sms_auth_token(self) -> str: ...
    @property
    def sms_from(self) -> str: ...
    @property
    def status_callback_url(self) -> str: ...


def make_sms_provider(settings: SmsSettings, client: httpx.AsyncClient) -> SmsProvider:
    """The configured provider. For Notify, `sms_auth_token` is the API key and `sms_from` the
    template id; its receipt callback is configured on the Notify side, not per message."""
    if settings.sms_provider == "twilio":
        return TwilioSmsProvider(
            api_url=settings.sms_api_url,
            account_sid=settings.sms_account_sid,
            auth_token=settings.sms_auth_token,
            sender=settings.sms_from,
            status_callback_url=settings.status_callback_url,
            client=client,
        )
    if settings.sms_provider == "notify":
        return NotifySmsProvider(
            api_url=settings.sms_api_url,
            api_key=settings.sms_auth_token,
            template_id=settings.sms_from,
            client=client,
        )
    raise ValueError(f"unknown SMS provider {settings.sms_provider!r}: use twilio or notify")
