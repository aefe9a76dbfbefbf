"""Intake configuration: the shared settings plus intake's own database, port and rules."""

from __future__ import annotations

from pydantic import Field

from shared.settings import MailSettings, default_sqlite_url

# Largest mail the listener accepts (answered 552 above it: RFC 5321 §4.5.3.1.9, RFC 1870).
# Attachments are kept (documents.py) up to the per-file limit, 25 MiB by default
# (REDRESS_DOCUMENT_MAX_FILE_BYTES, shared/documents/settings.py); base64 makes that 4/3 larger
# in the mail (RFC 2045 §6.8), about 33.4 MiB, so 36 MiB takes one such file with its text.
MAX_EMAIL_BYTES = 36 * 1024 * 1024


class IntakeSettings(MailSettings):
    service_name: str = "intake"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("intake"), validation_alias="INTAKE_DATABASE_URL"
    )
    http_port: int = Field(8001, validation_alias="INTAKE_HTTP_PORT")
    # docs/reference/domain-rules.md §1.1: while Parliament is dissolved parliamentary complaints
    # cannot be accepted.
    parliament_dissolved: bool = Field(False, validation_alias="INTAKE_PARLIAMENT_DISSOLVED")
    # How long personal data is kept after the case closes. LGSCO keeps case documents 12 months
    # from the last substantive action (docs/reference/domain-rules.md §5); the PHSO figure is
    # UNCONFIRMED.
    retention_days_after_closure: int = Field(
        365, validation_alias="INTAKE_RETENTION_DAYS_AFTER_CLOSURE"
    )
    # Where the confirmation page and API point people for tracking (the casework service).
    tracking_url: str = Field("http://localhost:8002", validation_alias="REDRESS_PUBLIC_URL")

    # ---------------------------------------------------------------- the inbound email channel
    # The SMTP listener that turns mail to the complaints address into complaints (port 0: off).
    smtp_listen_host: str = Field("127.0.0.1", validation_alias="INTAKE_SMTP_LISTEN_HOST")
    smtp_listen_port: int = Field(2525, ge=0, le=65535, validation_alias="INTAKE_SMTP_LISTEN_PORT")
    complaints_address: str = Field(
        "complaints@redress.localhost", validation_alias="INTAKE_COMPLAINTS_ADDRESS"
    )
    # Where replies asking for missing facts are sent from and through (docs/design.md §6: the
    # same names notifications uses; the local mail server listens on 1025, §7).
    # SMTP_* and MAIL_FROM come from shared.settings.MailSettings.
    # Largest mail the listener takes; larger ones are answered 552.
    email_max_bytes: int = Field(
        MAX_EMAIL_BYTES, ge=1024, validation_alias="INTAKE_EMAIL_MAX_BYTES"
    )
    # Replies that could not be sent at once are retried this often. docs/reference/domain-rules.md
    # §1.6: emails are acknowledged within one working day, so a few minutes' delay is well inside
    # the promise.
    email_reply_retry_seconds: float = Field(
        60.0, gt=0, validation_alias="INTAKE_EMAIL_REPLY_RETRY_SECONDS"
    )
    # At most this many question mails per incomplete complaint, so two robots can never keep
    # answering each other (RFC 3834 section 2 asks responders to limit their replies).
    email_max_replies: int = Field(5, ge=1, validation_alias="INTAKE_EMAIL_MAX_REPLIES")
    # Incomplete email complaints nobody has added to are forgotten after this long: the LGSCO
    # model keeps casework 12 months from the last substantive action
    # (docs/reference/domain-rules.md §5).
    incomplete_email_retention_days: int = Field(
        365, ge=1, validation_alias="INTAKE_INCOMPLETE_EMAIL_RETENTION_DAYS"
    )
