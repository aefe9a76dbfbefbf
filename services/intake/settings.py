"""Intake configuration: the shared settings plus intake's own database, port and rules."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings, default_sqlite_url


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("intake"), validation_alias="INTAKE_DATABASE_URL"
    )
    http_port: int = Field(8001, validation_alias="INTAKE_HTTP_PORT")
    # DR section 1.1: while Parliament is dissolved parliamentary complaints cannot be accepted.
    parliament_dissolved: bool = Field(False, validation_alias="INTAKE_PARLIAMENT_DISSOLVED")
    # How long personal data is kept after the case closes. LGSCO keeps case documents 12 months
    # from the last substantive action (domain-rules.md section 5); the PHSO figure is UNCONFIRMED.
    retention_days_after_closure: int = Field(
        365, validation_alias="INTAKE_RETENTION_DAYS_AFTER_CLOSURE"
    )
    # Where the confirmation page and API point people for tracking (the casework service).
    tracking_url: str = Field("http://localhost:8002", validation_alias="REDRESS_PUBLIC_URL")
