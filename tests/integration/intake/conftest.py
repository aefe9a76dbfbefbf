"""Intake's integration fixtures (email_kit.py)."""

from tests.integration.intake.email_kit import intake

__all__ = ["intake"]
