"""Webhook knobs, read from `REDRESS_WEBHOOK_*` (docs/design.md §6); defaults and their sources
are in services/notifications/domain/webhooks.py."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notifications.domain.retry import RetryPolicy
from services.notifications.domain.webhooks import (
    DEFAULT_DISABLE_AFTER_FAILURES,
    DEFAULT_WEBHOOK_BASE_DELAY_SECONDS,
    DEFAULT_WEBHOOK_MAX_ATTEMPTS,
    DEFAULT_WEBHOOK_MAX_DELAY_SECONDS,
    webhook_retry_policy,
)

# Standard Webhooks (spec.md "Timeouts") advises short timeouts: a receiver should answer at
# once and do its work later. 15 s, like the SMS provider's.
DEFAULT_HTTP_TIMEOUT_SECONDS = 15.0
# The worker wakes at once when a delivery is stored; this poll is the safety net and the pace
# of retries (the shortest default wait is 5 s).
DEFAULT_POLL_INTERVAL_SECONDS = 0.5
# Deliveries claimed per pass and sent side by side: one slow endpoint does not hold up the rest.
DEFAULT_BATCH_SIZE = 20
# A claimed attempt with no outcome after this long belongs to an instance that died mid-send;
# it becomes due again. Far above the HTTP timeout.
DEFAULT_CLAIM_TIMEOUT_SECONDS = 120.0


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    max_attempts: int = Field(
        DEFAULT_WEBHOOK_MAX_ATTEMPTS, ge=1, validation_alias="REDRESS_WEBHOOK_MAX_ATTEMPTS"
    )
    backoff_base_seconds: float = Field(
        DEFAULT_WEBHOOK_BASE_DELAY_SECONDS, ge=0, validation_alias="REDRESS_WEBHOOK_BACKOFF_BASE"
    )
    backoff_cap_seconds: float = Field(
        DEFAULT_WEBHOOK_MAX_DELAY_SECONDS, ge=0, validation_alias="REDRESS_WEBHOOK_BACKOFF_CAP"
    )
    disable_after_failures: int = Field(
        DEFAULT_DISABLE_AFTER_FAILURES, ge=1, validation_alias="REDRESS_WEBHOOK_DISABLE_AFTER"
    )
    http_timeout_seconds: float = Field(
        DEFAULT_HTTP_TIMEOUT_SECONDS, gt=0, validation_alias="REDRESS_WEBHOOK_HTTP_TIMEOUT"
    )
    poll_interval_seconds: float = Field(
        DEFAULT_POLL_INTERVAL_SECONDS, gt=0, validation_alias="REDRESS_WEBHOOK_POLL_SECONDS"
    )
    batch_size: int = Field(DEFAULT_BATCH_SIZE, ge=1, validation_alias="REDRESS_WEBHOOK_BATCH")
    claim_timeout_seconds: float = Field(
        DEFAULT_CLAIM_TIMEOUT_SECONDS, gt=0, validation_alias="REDRESS_WEBHOOK_CLAIM_TIMEOUT"
    )

    def retry_policy(self) -> RetryPolicy:
        return webhook_retry_policy(
            max_attempts=self.max_attempts,
            base_delay_seconds=self.backoff_base_seconds,
            max_delay_seconds=self.backoff_cap_seconds,
        )
