"""The staff summary of survey answers: counts and % agree per question, overall and by outcome,
for complainants or organisations, over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.feedback.domain import Respondent, questions_for, summarise
from services.feedback.store import FeedbackStores
from shared.kit.work import UnitOfWork


@dataclass(frozen=True)
class FeedbackSummary:
    uow: UnitOfWork[FeedbackStores]

    async def summary(
        self, period_from: date | None, period_to: date, respondent: Respondent
    ) -> dict[str, object]:
        """Answers submitted from the start of `period_from` (None: everything so far) to the end
        of `period_to` (UTC days), unsuppressed: for staff only."""
        start = datetime.combine(period_from or date.min, datetime.min.time(), tzinfo=UTC)
        end = datetime.combine(period_to, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
        async with self.uow.reading() as stores:
            responses = await stores.responses.between(start, end, respondent)
        summary = summarise(responses, questions_for(respondent))
        summary["respondent"] = respondent
        summary["period"] = {
            "from": period_from.isoformat() if period_from else None,
            "to": period_to.isoformat(),
        }
        return summary
