"""Casework configuration: shared settings, casework's database and port, and the case rules."""

from __future__ import annotations

from pydantic import Field

from services.casework.domain import CaseworkRules
from shared.settings import ServiceSettings, default_sqlite_url


class CaseworkSettings(ServiceSettings):
    service_name: str = "casework"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("casework"),
        validation_alias="CASEWORK_DATABASE_URL",
    )
    http_port: int = Field(8002, validation_alias="CASEWORK_HTTP_PORT")
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

    def rules(self) -> CaseworkRules:
        return CaseworkRules(
            nation=self.nation,
            assessment_decision_target_working_days=self.assessment_decision_target_working_days,
            draft_comment_window_working_days=self.draft_comment_window_working_days,
            review_request_window_months=self.review_request_window_months,
            evidence_due_working_days=self.evidence_due_working_days,
            draft_send_date_max_working_days=self.draft_send_date_max_working_days,
        )
