"""The projection's merges: one public case event into a case's read-model document (pure).

Each fact keeps the value of the event that is latest (or earliest) by its own `occurred_at`, ties
broken by the event id, so the merges do not depend on the order events arrive in: redelivery,
events crossing between topics, and a rebuild that reads the topics partition by partition all
give the same document, and the same figures.

Merge rules (what the figures mean is in domain/__init__.py):

- organisation and sector: from the latest case event;
- current stage: from the latest `redress.case.opened` or `redress.case.stage_changed` (at the
  same instant, the stage further along the lifecycle);
- channel, received and opened times: from `redress.case.opened`;
- closure: the first `redress.case.closed` (a review that confirms or changes a decision goes
  back to closed without a second CaseClosed, so a closure is counted once);
- assessment decision: the earliest move from assessment to investigation, or a closure at
  assessment (declined, resolved early); a withdrawal is not a decision of ours;
- recommendations: made at the earliest event that carries them; status from the latest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.reports.domain.facts import CaseFacts
from shared.events import (
    CaseClosed,
    CaseEvent,
    CaseOpened,
    ClosureReason,
    FinalDecisionIssued,
    RecommendationMade,
    RecommendationSummary,
    RecommendationUpdated,
    Stage,
    StageChanged,
    ThemesTagged,
)

# A case's read-model document: JSON, merged from its events.
FactsDocument = dict[str, Any]

# Closures at assessment that are decisions of ours (a withdrawal is the complainant's act).
ASSESSMENT_DECISION_CLOSURES = frozenset({ClosureReason.DECLINED, ClosureReason.RESOLVED_EARLY})
# Stages in the order a case moves through them (docs/design.md §5), for ties in time.
LIFECYCLE_ORDER = (
    Stage.ASSESSMENT,
    Stage.INVESTIGATION,
    Stage.DRAFT_DECISION,
    Stage.CLOSED,
    Stage.REVIEW,
)


def _stamp(occurred_at: datetime, event_id: str, rank: int = 0) -> list[Any]:
    """The sort key that decides which event's value wins: time, then kind, then event id."""
    return [occurred_at.astimezone(UTC).isoformat(), rank, event_id]


def _is_later(candidate: list[Any], current: list[Any] | None) -> bool:
    return current is None or candidate > current


def _is_earlier(candidate: list[Any], current: list[Any] | None) -> bool:
    return current is None or candidate < current


def _earliest(current: str | None, candidate: datetime) -> str:
    value = candidate.astimezone(UTC).isoformat()
    return value if current is None or value < current else current


def _merge_recommendation(
    facts: FactsDocument,
    summary: RecommendationSummary,
    stamp: list[Any],
    occurred_at: datetime,
    *,
    made: bool,
) -> None:
    recommendations: dict[str, Any] = facts.setdefault("recommendations", {})
    entry: dict[str, Any] = recommendations.setdefault(summary.recommendation_id, {})
    entry["type"] = summary.type.value
    entry["due_on"] = summary.due_on.isoformat()
    if made:
        entry["made_at"] = _earliest(entry.get("made_at"), occurred_at)
    if _is_later(stamp, entry.get("status_stamp")):
        entry["status"] = summary.status.value
        entry["status_stamp"] = stamp


def _merge_stage(merged: FactsDocument, payload: CaseOpened | StageChanged, event_id: str) -> None:
    """The current stage is set only by the events that move it. Casework stamps every event of
    one action with the same instant (a final decision and the closure it causes), so at equal
    times the stage further along the lifecycle wins."""
    stage = payload.to_stage if isinstance(payload, StageChanged) else payload.stage
    stamp = _stamp(payload.occurred_at, event_id, rank=LIFECYCLE_ORDER.index(stage))
    if _is_later(stamp, merged.get("stage_stamp")):
        merged["stage_stamp"] = stamp
        merged["stage"] = stage.value


def merge_case_event(facts: FactsDocument, event_id: str, payload: CaseEvent) -> FactsDocument:
    """`facts` with one public case event applied (a new dict; the input is not changed)."""
    merged: FactsDocument = {**facts, "reference": payload.reference}
    stamp = _stamp(payload.occurred_at, event_id)
    if _is_later(stamp, merged.get("latest_stamp")):
        merged["latest_stamp"] = stamp
        merged["organisation"] = payload.organisation.name
        merged["sector"] = payload.organisation.sector.value
    if isinstance(payload, CaseOpened | StageChanged):
        _merge_stage(merged, payload, event_id)
    if isinstance(payload, CaseOpened):
        merged["channel"] = payload.channel.value
        merged["received_at"] = payload.received_at.astimezone(UTC).isoformat()
        merged["opened_at"] = payload.occurred_at.astimezone(UTC).isoformat()
    elif isinstance(payload, StageChanged):
        if payload.from_stage == Stage.ASSESSMENT and payload.to_stage == Stage.INVESTIGATION:
            merged["assessment_decided_at"] = _earliest(
                merged.get("assessment_decided_at"), payload.occurred_at
            )
    elif isinstance(payload, CaseClosed):
        if _is_earlier(stamp, merged.get("closed_stamp")):
            merged["closed_stamp"] = stamp
            merged["closed_at"] = payload.occurred_at.astimezone(UTC).isoformat()
            merged["closure_reason"] = payload.closure_reason.value
        if payload.closure_reason in ASSESSMENT_DECISION_CLOSURES:
            merged["assessment_decided_at"] = _earliest(
                merged.get("assessment_decided_at"), payload.occurred_at
            )
    elif isinstance(payload, FinalDecisionIssued):
        for summary in payload.recommendations:
            _merge_recommendation(merged, summary, stamp, payload.occurred_at, made=True)
    elif isinstance(payload, RecommendationMade):
        _merge_recommendation(merged, payload.recommendation, stamp, payload.occurred_at, made=True)
    elif isinstance(payload, ThemesTagged):
        if _is_later(stamp, merged.get("themes_stamp")):
            merged["themes_stamp"] = stamp
            merged["themes"] = list(payload.themes)
    elif isinstance(payload, RecommendationUpdated):
        # An update outranks a "made" carrying the same instant: it happened after it.
        update_stamp = _stamp(payload.occurred_at, event_id, rank=1)
        _merge_recommendation(
            merged, payload.recommendation, update_stamp, payload.occurred_at, made=False
        )
    return merged


def facts_columns(facts: FactsDocument) -> dict[str, Any]:
    """The indexed copies of a document's fields."""
    return {
        "organisation": facts.get("organisation"),
        "sector": facts.get("sector"),
        "received_at": _datetime(facts.get("received_at")),
        "closed_at": _datetime(facts.get("closed_at")),
    }


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def to_case_facts(facts: FactsDocument, acknowledged_at: datetime | None) -> CaseFacts | None:
    """The domain row for a case, or None while its `redress.case.opened` has not been seen."""
    if "received_at" not in facts or "organisation" not in facts:
        return None
    return CaseFacts(
        reference=facts["reference"],
        organisation=facts["organisation"],
        sector=facts["sector"],
        channel=facts["channel"],
        received_at=facts["received_at"],
        opened_at=facts["opened_at"],
        acknowledged_at=acknowledged_at,
        assessment_decided_at=facts.get("assessment_decided_at"),
        closed_at=facts.get("closed_at"),
        closure_reason=facts.get("closure_reason"),
        stage=facts["stage"],
        themes=facts.get("themes", []),
        recommendations=[
            {
                "recommendation_id": recommendation_id,
                "type": entry["type"],
                "due_on": entry["due_on"],
                "status": entry["status"],
                "made_at": entry.get("made_at"),
            }
            for recommendation_id, entry in sorted(facts.get("recommendations", {}).items())
        ],
    )
