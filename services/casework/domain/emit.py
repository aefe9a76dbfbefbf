"""The fields every public case event shares, taken from the case (never personal data)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from shared.events import Organisation, Stage

from .model import Case


class CommonFields(TypedDict):
    reference: str
    occurred_at: datetime
    organisation: Organisation
    stage: Stage


def common_fields(case: Case, occurred_at: datetime) -> CommonFields:
    return CommonFields(
        reference=case.reference,
        occurred_at=occurred_at,
        organisation=case.organisation,
        stage=case.stage,
    )
