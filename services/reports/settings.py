"""Reports configuration: the shared settings plus reports' own database, port and schedule."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings, default_sqlite_url


class ReportsSettings(ServiceSettings):
    service_name: str = "reports"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("reports"),
        validation_alias="REPORTS_DATABASE_URL",
    )
    http_port: int = Field(8004, validation_alias="REPORTS_HTTP_PORT")
    # Where published reports are served from, for the `url` of ReportPublished.
    reports_public_url: str = Field("http://localhost:8004", validation_alias="REPORTS_PUBLIC_URL")
    # How often the publication job looks for a month to publish. Reports are monthly, so an
    # hourly look is prompt enough and costs nothing.
    publication_interval_seconds: float = Field(
        3600.0, validation_alias="REPORTS_PUBLICATION_INTERVAL_SECONDS"
    )
    # Days into the new month before last month's report is published: acknowledgement receipts
    # and survey answers about last month keep arriving for a while after it ends. A design
    # choice (no sourced figure); 0 publishes as soon as the month is over.
    publication_delay_days: int = Field(1, ge=0, validation_alias="REPORTS_PUBLICATION_DELAY_DAYS")
