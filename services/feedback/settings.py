"""Feedback configuration: the shared settings plus feedback's database, port and survey timing."""

from __future__ import annotations

from pydantic import Field

from services.feedback.domain import FeedbackRules
from shared.settings import MailSettings, default_sqlite_url

_DEFAULT_RULES = FeedbackRules()


class FeedbackSettings(MailSettings):
    service_name: str = "feedback"
    database_url: str = Field(
        default_factory=lambda: default_sqlite_url("feedback"),
        validation_alias="FEEDBACK_DATABASE_URL",
    )
    http_port: int = Field(8005, validation_alias="FEEDBACK_HTTP_PORT")
    # Where the survey pages are served: the links in invitations point here.
    feedback_public_url: str = Field(
        "http://localhost:8005", validation_alias="FEEDBACK_PUBLIC_URL"
    )
    # Survey timing; the reasons for each default are in services/feedback/domain/schedule.py
    # (FeedbackRules): none has an official source, so all are configurable.
    # docs/design.md §6: working days after closure, 0 allowed.
    invite_delay_working_days: int = Field(
        _DEFAULT_RULES.invite_delay_working_days,
        ge=0,
        validation_alias="FEEDBACK_INVITE_DELAY_DAYS",
    )
    reminder_after_days: int = Field(
        _DEFAULT_RULES.reminder_after_days, ge=1, validation_alias="FEEDBACK_REMINDER_AFTER_DAYS"
    )
    link_expires_after_days: int = Field(
        _DEFAULT_RULES.link_expires_after_days,
        ge=1,
        validation_alias="FEEDBACK_LINK_EXPIRES_AFTER_DAYS",
    )

    # Organisations investigated are invited by email from this service itself (see
    # services/feedback/mail.py for why), with the same SMTP settings notifications uses
    # (docs/design.md §6; the local mail server listens on 1025, §7).
    # SMTP_* and MAIL_FROM come from shared.settings.MailSettings.

    @property
    def rules(self) -> FeedbackRules:
        return FeedbackRules(
            invite_delay_working_days=self.invite_delay_working_days,
            reminder_after_days=self.reminder_after_days,
            link_expires_after_days=self.link_expires_after_days,
        )
