"""Notifications configuration: the shared settings plus mail, SMS, retries and retention.

Environment names for SMTP and SMS are the contract of docs/design.md §6; the rest are this
service's own knobs, each with the source of its default.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from services.notifications.domain import channels, retry
from shared.settings import MailSettings, default_sqlite_url

# docs/design.md §5 (notifications): delivery receipts from the SMS provider.
SMS_STATUS_CALLBACK_PATH = "/v1/providers/sms/status"

# docs/reference/notify-anchor.md §1 "Data retention": content and recipient are kept 7 days by
# default.
DEFAULT_RETENTION_DAYS = 7
# docs/reference/notify-anchor.md §1 "Status lifecycle": a message still `sending` after 72 h is
# given up on.
DEFAULT_SENDING_TIMEOUT_HOURS = 72.0
# A claimed message with no outcome after this long belongs to an instance that died mid-send;
# it goes back to the retry queue. Far longer than any SMTP or HTTP timeout (30 s).
DEFAULT_CLAIM_TIMEOUT_SECONDS = 600.0
# Each running instance writes a heartbeat this often (services/notifications/recovery.py), so
# the others can tell a live instance's claims from a dead one's. Short next to the timeout
# below; one indexed UPDATE per beat.
DEFAULT_INSTANCE_HEARTBEAT_SECONDS = 5.0
# An instance whose heartbeat is older than this is gone: its unfinished sends are recovered
# (sent again, with the same Message-ID) instead of waiting for the claim timeout. Six missed
# beats, so a busy event loop or a slow database moment is not taken for a death; far below
# the claim timeout (600 s), which stays as the backstop.
DEFAULT_INSTANCE_TIMEOUT_SECONDS = 30.0
# The fewest heartbeats one timeout may span (the settings refuse less).
MIN_BEATS_PER_TIMEOUT = 3
# The sender wakes at once when a message is stored; this poll is the safety net (and the
# pace of retries). Notify's SLO is 95% handed to the provider within 10 s
# (docs/reference/notify-anchor.md §1 "SLO published"), so half a second leaves ample room.
DEFAULT_SENDER_INTERVAL_SECONDS = 0.5
# Messages claimed per pass, for first attempts and for retries separately
# (docs/reference/notify-anchor.md §1 "Provider retries": retries go on their own queue so they
# cannot starve first attempts).
DEFAULT_SENDER_BATCH_SIZE = 50
# Retention is due on a scale of days; hourly is plenty.
DEFAULT_RETENTION_INTERVAL_SECONDS = 3600.0

SmsProviderName = Literal["twilio", "notify"]


class NotificationsSettings(MailSettings):
    service_name: str = "notifications"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("notifications"),
        validation_alias="NOTIFICATIONS_DATABASE_URL",
    )
    http_port: int = Field(8003, validation_alias="NOTIFICATIONS_HTTP_PORT")
    # Where this service itself is reachable from the SMS provider (the Twilio status callback);
    # REDRESS_PUBLIC_URL is the complainant-facing site the tracking links point to.
    callback_base_url: str = Field(
        "http://localhost:8003", validation_alias="NOTIFICATIONS_CALLBACK_BASE_URL"
    )

    # Email over SMTP (docs/design.md §6; the local mail server listens on 1025, §7).
    # SMTP_* and MAIL_FROM come from shared.settings.MailSettings.

    # SMS over HTTP (docs/design.md §6; the local gateway listens on 8025, §7).
    sms_provider: SmsProviderName = Field("twilio", validation_alias="SMS_PROVIDER")
    sms_api_url: str = Field("http://127.0.0.1:8025", validation_alias="SMS_API_URL")
    sms_account_sid: str = Field(
        "AC00000000000000000000000000000000", validation_alias="SMS_ACCOUNT_SID"
    )
    sms_auth_token: SecretStr = Field(
        SecretStr("local-auth-token"), validation_alias="SMS_AUTH_TOKEN"
    )
    sms_from: str = Field("Redress", validation_alias="SMS_FROM")
    # Notify-style receipts must carry `Authorization: Bearer <this>`: GOV.UK Notify sends the
    # bearer token the service configured with its callback URL
    # (docs/reference/notify-anchor.md §1 "Callbacks to services"). Unset, every Notify-style
    # receipt is refused (Twilio-style receipts are checked against SMS_AUTH_TOKEN instead).
    callback_bearer_token: SecretStr | None = Field(
        None, validation_alias="NOTIFICATIONS_CALLBACK_BEARER_TOKEN"
    )

    retention_days: int = Field(
        DEFAULT_RETENTION_DAYS, ge=1, validation_alias="NOTIFICATIONS_RETENTION_DAYS"
    )
    # Contact details are deleted this long after the case closes: long enough for the survey,
    # its reminder and a review (one month). The same period intake keeps complaints for, after
    # LGSCO's 12 months from the last substantive action (docs/reference/domain-rules.md §5).
    contact_retention_days_after_closure: int = Field(
        365, ge=1, validation_alias="NOTIFICATIONS_CONTACT_RETENTION_DAYS_AFTER_CLOSURE"
    )
    retention_interval_seconds: float = Field(
        DEFAULT_RETENTION_INTERVAL_SECONDS, gt=0, validation_alias="NOTIFICATIONS_RETENTION_SECONDS"
    )
    # Retries: exponential backoff with full jitter (domain/retry.py cites its sources).
    max_attempts: int = Field(
        retry.DEFAULT_MAX_ATTEMPTS, ge=1, validation_alias="NOTIFICATIONS_MAX_ATTEMPTS"
    )
    backoff_base_seconds: float = Field(
        retry.DEFAULT_BASE_DELAY_SECONDS,
        ge=0,
        validation_alias="NOTIFICATIONS_BACKOFF_BASE_SECONDS",
    )
    backoff_cap_seconds: float = Field(
        retry.DEFAULT_MAX_DELAY_SECONDS, ge=0, validation_alias="NOTIFICATIONS_BACKOFF_CAP_SECONDS"
    )
    # No texts in the quiet hours (domain/channels.py gives the policy).
    quiet_hours_start: time = Field(
        channels.DEFAULT_QUIET_START, validation_alias="NOTIFICATIONS_QUIET_HOURS_START"
    )
    quiet_hours_end: time = Field(
        channels.DEFAULT_QUIET_END, validation_alias="NOTIFICATIONS_QUIET_HOURS_END"
    )
    quiet_hours_timezone: str = Field(
        channels.DEFAULT_TIMEZONE, validation_alias="NOTIFICATIONS_QUIET_HOURS_TIMEZONE"
    )
    # Notify's simulated recipients are never handed to a provider
    # (docs/reference/notify-anchor.md §1 "Simulated / research"); the outcome is decided here.
    simulate_test_recipients: bool = Field(
        True, validation_alias="NOTIFICATIONS_SIMULATE_TEST_RECIPIENTS"
    )

    sender_interval_seconds: float = Field(
        DEFAULT_SENDER_INTERVAL_SECONDS, gt=0, validation_alias="NOTIFICATIONS_SENDER_SECONDS"
    )
    sender_batch_size: int = Field(
        DEFAULT_SENDER_BATCH_SIZE, ge=1, validation_alias="NOTIFICATIONS_SENDER_BATCH_SIZE"
    )
    sending_timeout_hours: float = Field(
        DEFAULT_SENDING_TIMEOUT_HOURS, gt=0, validation_alias="NOTIFICATIONS_SENDING_TIMEOUT_HOURS"
    )
    claim_timeout_seconds: float = Field(
        DEFAULT_CLAIM_TIMEOUT_SECONDS, gt=0, validation_alias="NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS"
    )

    instance_heartbeat_seconds: float = Field(
        DEFAULT_INSTANCE_HEARTBEAT_SECONDS,
        gt=0,
        validation_alias="NOTIFICATIONS_INSTANCE_HEARTBEAT_SECONDS",
    )
    instance_timeout_seconds: float = Field(
        DEFAULT_INSTANCE_TIMEOUT_SECONDS,
        gt=0,
        validation_alias="NOTIFICATIONS_INSTANCE_TIMEOUT_SECONDS",
    )
    # The slot this process fills (a StatefulSet pod name, a systemd instance name): at most
    # one live process per slot. Set, a restarted process recovers the sends its predecessor in
    # the slot left unfinished at once, without waiting for the instance timeout. Unset
    # (the default), only the heartbeat timeout says an instance is gone.
    instance_slot: str | None = Field(
        None, max_length=100, validation_alias="NOTIFICATIONS_INSTANCE_SLOT"
    )

    @model_validator(mode="after")
    def _timeout_outlasts_heartbeats(self) -> NotificationsSettings:
        # A timeout shorter than a few beats would take live instances for dead ones, and two
        # live instances would then send the same message.
        if self.instance_timeout_seconds < MIN_BEATS_PER_TIMEOUT * self.instance_heartbeat_seconds:
            raise ValueError(
                "NOTIFICATIONS_INSTANCE_TIMEOUT_SECONDS must be at least "
                f"{MIN_BEATS_PER_TIMEOUT} times NOTIFICATIONS_INSTANCE_HEARTBEAT_SECONDS"
            )
        return self

    @property
    def sms_status_callback_url(self) -> str:
        """Where SMS receipts are posted; Twilio signs this exact URL."""
        return f"{self.callback_base_url.rstrip('/')}{SMS_STATUS_CALLBACK_PATH}"

    @property
    def retry_policy(self) -> retry.RetryPolicy:
        return retry.RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay_seconds=self.backoff_base_seconds,
            max_delay_seconds=max(self.backoff_cap_seconds, self.backoff_base_seconds),
        )
