"""Configuration read from the environment (docs/design.md §6, a contract).

Every service's settings class extends `ServiceSettings` and adds its own `<SERVICE>_DATABASE_URL`
and `<SERVICE>_HTTP_PORT` through `service_fields`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_LOOKUP_KEY, Cipher
from shared.observability import LAG_SAMPLE_INTERVAL_SECONDS

# The values of REDRESS_NATION: which UK bank holidays count (shared.working_days).
Nation = Literal["england", "wales", "scotland", "northern_ireland"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DATA_DIR = PROJECT_ROOT / ".local" / "data"

# A development-only secret so `make run` works out of the box; deployments must set their own
# (the app factory refuses this value when REDRESS_ENVIRONMENT=production).
DEVELOPMENT_AUTH_SECRET = "redress-development-secret-change-me-0123456789"  # noqa: S105


def default_sqlite_url(service: str) -> str:
    return f"sqlite+aiosqlite:///{LOCAL_DATA_DIR / f'{service}.db'}"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    service_name: str = "redress"
    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="REDRESS_ENVIRONMENT"
    )
    # One broker or a cluster's list, comma-separated ("kafka-0:9092,kafka-1:9092").
    kafka_bootstrap_servers: str = Field(
        "localhost:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS"
    )
    auth_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_AUTH_SECRET), validation_alias="REDRESS_AUTH_SECRET"
    )
    public_url: str = Field("http://localhost:8002", validation_alias="REDRESS_PUBLIC_URL")
    nation: Nation = Field("england", validation_alias="REDRESS_NATION")
    log_level: str = Field("INFO", validation_alias="REDRESS_LOG_LEVEL")
    encryption_keys: SecretStr = Field(
        SecretStr(DEVELOPMENT_ENCRYPTION_KEY), validation_alias="REDRESS_ENCRYPTION_KEYS"
    )
    # The key of the look-up digests, separate from the encryption keys (shared/crypto.py).
    lookup_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_LOOKUP_KEY), validation_alias="REDRESS_LOOKUP_KEY"
    )
    # The look-up keys it replaced (comma separated), listed until `shared.reindex` has run.
    previous_lookup_keys: SecretStr = Field(
        SecretStr(""), validation_alias="REDRESS_PREVIOUS_LOOKUP_KEYS"
    )

    # Consumer groups are `<prefix>-<service>-<consumer>`; a second, separate deployment on the
    # same cluster (or a test suite) sets its own prefix so the two never split partitions.
    consumer_group_prefix: str = Field("redress", validation_alias="REDRESS_CONSUMER_GROUP_PREFIX")
    # Messaging reliability knobs (not domain numbers; tuned for a 2-core box).
    # How often the outbox relay looks for rows when nothing woke it.
    outbox_poll_interval_seconds: float = Field(0.5, validation_alias="REDRESS_OUTBOX_POLL_SECONDS")
    outbox_batch_size: int = Field(200, validation_alias="REDRESS_OUTBOX_BATCH_SIZE")
    # In-process attempts before a failing message goes to the DLQ (docs/reference/stack-notes.md
    # §2: Kafka has no redelivery counter, so attempts are counted in process).
    consumer_max_attempts: int = Field(3, validation_alias="REDRESS_CONSUMER_MAX_ATTEMPTS")
    consumer_retry_backoff_seconds: float = Field(
        0.2, validation_alias="REDRESS_CONSUMER_BACKOFF_SECONDS"
    )
    # Period of the in-service schedulers (deadlines, survey invitations, retries).
    scheduler_interval_seconds: float = Field(5.0, validation_alias="REDRESS_SCHEDULER_SECONDS")
    # Published outbox rows are kept this long for diagnosis, then deleted.
    outbox_retention_days: int = Field(7, validation_alias="REDRESS_OUTBOX_RETENTION_DAYS")
    # How often consumer lag is sampled for /metrics (shared/observability.py has the default's
    # reason); tests scraping every second sample as often.
    lag_sample_interval_seconds: float = Field(
        LAG_SAMPLE_INTERVAL_SECONDS, gt=0, validation_alias="REDRESS_LAG_SAMPLE_SECONDS"
    )

    # Per service, overridden with the service's own env names (see service_fields).
    database_url: str = "sqlite+aiosqlite:///:memory:"
    http_port: int = 8000

    @property
    def auth_secret_value(self) -> str:
        return self.auth_secret.get_secret_value()

    @property
    def kafka_servers(self) -> list[str]:
        """The bootstrap list as clients take it: FastStream hands a string to aiokafka whole, so
        "a:9092,b:9092" would be read as one host."""
        servers = (server.strip() for server in self.kafka_bootstrap_servers.split(","))
        return [server for server in servers if server]

    def cipher(self) -> Cipher:
        """The service's cipher: its encryption keys and its own look-up key."""
        return Cipher(
            self.encryption_keys.get_secret_value(),
            self.lookup_key.get_secret_value(),
            self.previous_lookup_keys.get_secret_value(),
        )


SmtpTls = Literal["none", "starttls", "tls"]


class MailSettings(ServiceSettings):
    """For services that send mail: the SMTP server (docs/design.md §6; the local mail server
    listens on 1025, §7)."""

    smtp_host: str = Field("127.0.0.1", validation_alias="SMTP_HOST")
    smtp_port: int = Field(1025, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(None, validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, validation_alias="SMTP_PASSWORD")
    smtp_tls: SmtpTls = Field("none", validation_alias="SMTP_TLS")
    mail_from: str = Field("Redress <no-reply@redress.localhost>", validation_alias="MAIL_FROM")
