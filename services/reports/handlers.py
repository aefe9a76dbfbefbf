"""Kafka subscribers: build the read model from events only, and the monthly publication job.

The projection is a set of merges that do not depend on the order events arrive in: each fact
keeps the value of the event that is latest (or earliest) by its own `occurred_at`, ties broken
by the event id. So redelivery, events crossing between topics, and a rebuild that reads the
topics partition by partition all give the same read model, and the same figures.

Merge rules (what the figures mean is in services/reports/domain.py):

- organisation and sector: from the latest case event;
- current stage: from the latest `redress.case.opened` or `redress.case.stage_changed` (at the
  same instant, the stage further along the lifecycle);
- channel, received and opened times: from `redress.case.opened`;
- closure: the first `redress.case.closed` (a review that confirms or changes a decision goes
  back to closed without a second CaseClosed, so a closure is counted once);
- assessment decision: the earliest move from assessment to investigation, or a closure at
  assessment (declined, resolved early); a withdrawal is not a decision of ours;
- recommendations: made at the earliest event that carries them; status from the latest;
- acknowledged: the first `acknowledgement` message sent or delivered;
- satisfaction: one row per FeedbackSubmitted `response_id`.
"""

from __future__ import annotations

import logging
import uuid
from calendar import month_name
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.domain import (
    SUPPRESSION_THRESHOLD,
    CaseFacts,
    ReportingPeriod,
    SatisfactionResponse,
    ServiceChange,
    WorkingDaysBetween,
    learning_report,
    uk_date,
)
from services.reports.settings import ReportsSettings
from services.reports.store import (
    FactsDocument,
    Publications,
    PublishedReport,
    ReadModel,
    ServiceChanges,
)
from shared.db import Database
from shared.envelope import CloudEvent
from shared.events import (
    CASE_EVENT_TYPES,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    ClosureReason,
    FeedbackSubmitted,
    FinalDecisionIssued,
    NotificationStatusChanged,
    RecommendationMade,
    RecommendationSummary,
    RecommendationUpdated,
    ReportPublished,
    Stage,
    StageChanged,
    ThemesTagged,
)
from shared.messaging import Messaging, PermanentEventError
from shared.topics import REPORT_PUBLICATIONS
from shared.working_days import working_days_between

log = logging.getLogger("redress.reports")

# The notification template whose delivery counts as the acknowledgement
# (docs/reference/domain-rules.md §1.6).
ACKNOWLEDGEMENT_TEMPLATE = "acknowledgement"
ACKNOWLEDGEMENT_EVENT_TYPES = frozenset(
    {"redress.notification.sent", "redress.notification.delivered"}
)
FEEDBACK_SUBMITTED = "redress.feedback.submitted"
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
LEARNING_REPORT = "learning_from_complaints"
# Fixed namespace: a month's report has the same id in every database, so publishing is
# idempotent even across a rebuild or a second instance.
REPORT_ID_NAMESPACE = uuid.UUID("6f1c2a57-5b0e-4d5f-9a86-0f3c7f2d9e41")

TEMPLATES = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
)


# --------------------------------------------------------------------------------------------
# The projection: pure merges of one event into a case's document.
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Applying events (shared by the live consumers and the rebuild).
# --------------------------------------------------------------------------------------------


def _payload(event: CloudEvent) -> Any:
    try:
        return event.payload()
    except ValueError as error:
        raise PermanentEventError(str(error)) from error


CASE_EVENTS = frozenset(CASE_EVENT_TYPES.values())


async def apply_event(session: AsyncSession, event: CloudEvent) -> bool:
    """Apply one event from any of the three source topics; False if the model does not use it."""
    if event.type in CASE_EVENTS:
        await on_case_event(session, event)
    elif event.type in ACKNOWLEDGEMENT_EVENT_TYPES:
        await on_delivery(session, event)
    elif event.type == FEEDBACK_SUBMITTED:
        await on_feedback(session, event)
    else:
        return False
    return True


async def on_case_event(session: AsyncSession, event: CloudEvent) -> None:
    payload = _payload(event)
    if not isinstance(payload, CaseEvent):
        raise PermanentEventError(f"{event.type} is not a case event")
    await ReadModel(session).merge_case(
        payload.reference,
        lambda facts: merge_case_event(facts, event.id, payload),
        facts_columns,
    )


async def on_delivery(session: AsyncSession, event: CloudEvent) -> None:
    payload = _payload(event)
    if not isinstance(payload, NotificationStatusChanged):
        raise PermanentEventError(f"{event.type} is not a delivery status")
    if (
        payload.template != ACKNOWLEDGEMENT_TEMPLATE
        or event.type not in ACKNOWLEDGEMENT_EVENT_TYPES
    ):
        return
    await ReadModel(session).record_acknowledgement(payload.reference, payload.at)


async def on_feedback(session: AsyncSession, event: CloudEvent) -> None:
    payload = _payload(event)
    if not isinstance(payload, FeedbackSubmitted):
        raise PermanentEventError(f"{event.type} is not a survey response")
    await ReadModel(session).add_response(
        SatisfactionResponse(
            response_id=payload.response_id,
            submitted_at=payload.submitted_at,
            respondent=payload.respondent,
            sector=payload.sector,
            outcome=payload.outcome,
            answers=dict(payload.answers),
        )
    )


# --------------------------------------------------------------------------------------------
# Queries the API and the publication job share.
# --------------------------------------------------------------------------------------------


def working_days_for(settings: ReportsSettings) -> WorkingDaysBetween:
    return partial(working_days_between, nation=settings.nation)


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class ReadModelSlice:
    cases: list[CaseFacts]
    responses: list[SatisfactionResponse]
    service_changes: list[ServiceChange] = field(default_factory=list)


async def read_model_for(
    session: AsyncSession,
    period: ReportingPeriod,
    *,
    organisation: str | None = None,
    sector: str | None = None,
) -> ReadModelSlice:
    """Every row the figures for `period` can depend on. The bounds are a day wider than the
    period on each side: the domain filters by UK date, which can be a day off the UTC date."""
    margin = timedelta(days=2)
    model = ReadModel(session)
    cases = await model.cases(
        to_case_facts,
        received_before=_utc_midnight(period.end) + margin,
        organisation=organisation,
        sector=sector,
    )
    responses = await model.responses(
        submitted_from=_utc_midnight(period.start) - margin,
        submitted_before=_utc_midnight(period.end) + margin,
    )
    changes = await ServiceChanges(session).made_between(period.start, period.end)
    return ReadModelSlice(cases, responses, changes)


# --------------------------------------------------------------------------------------------
# The monthly "learning from complaints" report.
# --------------------------------------------------------------------------------------------


def previous_month(today: date) -> ReportingPeriod:
    last_day = today.replace(day=1) - timedelta(days=1)
    return ReportingPeriod(last_day.replace(day=1), last_day)


def report_id_for(kind: str, period: ReportingPeriod) -> str:
    return str(uuid.uuid5(REPORT_ID_NAMESPACE, f"{kind}:{period.start}:{period.end}"))


def render_learning_report(
    slice_: ReadModelSlice,
    period: ReportingPeriod,
    *,
    working_days: WorkingDaysBetween,
    today: date,
) -> str:
    report = learning_report(
        slice_.cases,
        slice_.responses,
        period,
        working_days_between=working_days,
        today=today,
        service_changes=slice_.service_changes,
    )
    return TEMPLATES.get_template("learning_report.html").render(
        report=report, published=True, threshold=SUPPRESSION_THRESHOLD
    )


async def publish_previous_month(
    db: Database, messaging: Messaging, settings: ReportsSettings, now: datetime
) -> str | None:
    """Publish last month's learning report once; the id of the report published, or None."""
    today = uk_date(now)
    if today.day <= settings.publication_delay_days:
        return None
    period = previous_month(today)
    report_id = report_id_for(LEARNING_REPORT, period)
    try:
        async with db.transaction() as session:
            publications = Publications(session)
            if await publications.exists(LEARNING_REPORT, period.start, period.end):
                return None
            slice_ = await read_model_for(session, period)
            html = render_learning_report(
                slice_, period, working_days=working_days_for(settings), today=today
            )
            title = (
                f"Learning from complaints: {month_name[period.start.month]} {period.start.year}"
            )
            published = PublishedReport(
                report_id, LEARNING_REPORT, title, period.start, period.end, now
            )
            await publications.add(published, html)
            await messaging.emit(
                session,
                REPORT_PUBLICATIONS,
                ReportPublished(
                    report_id=report_id,
                    title=title,
                    period_from=period.start,
                    period_to=period.end,
                    url=f"{settings.reports_public_url.rstrip('/')}/reports/{report_id}",
                    published_at=now,
                ),
                subject=report_id,
            )
    except IntegrityError:
        # Another instance published it between our check and our insert: nothing to do.
        return None
    messaging.committed()
    log.info("published report %s", report_id, extra={"report_id": report_id})
    return report_id
