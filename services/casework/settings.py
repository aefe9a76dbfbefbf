"""Casework configuration: shared settings, casework's database and port, and the case rules."""

from __future__ import annotations

from pydantic import Field, SecretStr

from services.casework.domain import CaseworkRules
from shared.settings import ServiceSettings, default_sqlite_url


class CaseworkSettings(ServiceSettings):
    service_name: str = "casework"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("casework"),
        validation_alias="CASEWORK_DATABASE_URL",
    )
    http_port: int = Field(8002, validation_alias="CASEWORK_HTTP_PORT")
    # Intake's staff API, which the console calls for the needs-a-person queue and for
    # complaints staff take by phone or letter (docs/design.md section 8).
    intake_url: str = Field("http://localhost:8001", validation_alias="CASEWORK_INTAKE_URL")
    # Design choice: intake answers these calls in well under a second; ten leaves room for a
    # busy machine before the console says intake is unavailable.
    intake_timeout_seconds: float = Field(10.0, gt=0, validation_alias="CASEWORK_INTAKE_TIMEOUT")
    # Numbers with their sources live in CaseworkRules; these override them per deployment.
    assessment_decision_target_working_days: int = Field(
        20, validation_alias="CASEWORK_ASSESSMENT_TARGET_DAYS"
    )
    draft_comment_window_working_days: int = Field(
        10, validation_alias="CASEWORK_COMMENT_WINDOW_DAYS"
    )
    review_request_window_months: int = Field(1, validation_alias="CASEWORK_REVIEW_WINDOW_MONTHS")
    evidence_due_working_days: int = Field(15, validation_alias="CASEWORK_EVIDENCE_DUE_DAYS")
    draft_send_date_max_working_days: int = Field(
        20, validation_alias="CASEWORK_DRAFT_DATE_MAX_DAYS"
    )
    # How often the deadline scheduler looks for missed deadlines. Deadlines are whole days, so
    # a minute is prompt enough; tests shorten it.
    deadline_check_seconds: float = Field(60.0, validation_alias="CASEWORK_DEADLINE_CHECK_SECONDS")
    # The roster a fresh installation starts with, so `make run` assigns cases at once:
    # "id:name:sector+sector" entries separated by commas. Managers change it through the API.
    initial_roster: str = Field(
        "cw-1:Sam Patel:health+parliamentary+other,"
        "cw-2:Alex Morgan:health,"
        "cw-3:Jo Evans:parliamentary+other",
        validation_alias="CASEWORK_INITIAL_ROSTER",
    )

    # ---- the staff console (issue 10; numbers sourced in docs/reference/staff-security.md) ----
    # Idle timeout and absolute lifetime of a console session (OWASP ASVS 4.0.3 V3.3.2, level 2).
    staff_session_idle_minutes: int = Field(
        30, ge=1, validation_alias="CASEWORK_STAFF_SESSION_IDLE_MINUTES"
    )
    staff_session_absolute_hours: int = Field(
        12, ge=1, validation_alias="CASEWORK_STAFF_SESSION_ABSOLUTE_HOURS"
    )
    # Failed sign-ins before the account locks (NCSC password guidance: about 10 attempts) and
    # how long it stays locked (OWASP Authentication Cheat Sheet: a lockout period, not forever).
    staff_lockout_attempts: int = Field(
        10, ge=1, validation_alias="CASEWORK_STAFF_LOCKOUT_ATTEMPTS"
    )
    staff_lockout_minutes: int = Field(15, ge=1, validation_alias="CASEWORK_STAFF_LOCKOUT_MINUTES")
    # The session cookie's Secure flag; unset means Secure everywhere but development.
    staff_cookie_secure: bool | None = Field(None, validation_alias="CASEWORK_STAFF_COOKIE_SECURE")
    # `make run` only: the password of the two development accounts (random when unset).
    dev_staff_password: SecretStr | None = Field(
        None, validation_alias="REDRESS_DEV_STAFF_PASSWORD"
    )
    # Where the console links managers to the reports dashboard.
    reports_public_url: str = Field("http://localhost:8004", validation_alias="REPORTS_PUBLIC_URL")
    # Sign-in with the organisation's identity provider (OpenID Connect); off unless all are set.
    oidc_issuer: str | None = Field(None, validation_alias="REDRESS_OIDC_ISSUER")
    oidc_client_id: str | None = Field(None, validation_alias="REDRESS_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(
        None, validation_alias="REDRESS_OIDC_CLIENT_SECRET"
    )
    oidc_redirect_url: str | None = Field(None, validation_alias="REDRESS_OIDC_REDIRECT_URL")

    @property
    def staff_cookie_is_secure(self) -> bool:
        if self.staff_cookie_secure is not None:
            return self.staff_cookie_secure
        return self.environment != "development"

    @property
    def oidc_enabled(self) -> bool:
        return bool(
            self.oidc_issuer
            and self.oidc_client_id
            and self.oidc_client_secret
            and self.oidc_redirect_url
        )

    def rules(self) -> CaseworkRules:
        return CaseworkRules(
            nation=self.nation,
            assessment_decision_target_working_days=self.assessment_decision_target_working_days,
            draft_comment_window_working_days=self.draft_comment_window_working_days,
            review_request_window_months=self.review_request_window_months,
            evidence_due_working_days=self.evidence_due_working_days,
            draft_send_date_max_working_days=self.draft_send_date_max_working_days,
        )
