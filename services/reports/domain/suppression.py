"""Rendering figures to the contract JSON, with or without small-number suppression, and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from services.reports.domain.facts import SUPPRESSION_THRESHOLD
from services.reports.domain.kpis import (
    Distribution,
    Kpis,
    RecommendationCounts,
    Satisfaction,
    Share,
)

# --------------------------------------------------------------------------------------------
# Rendering to the contract JSON, with or without small-number suppression.
# --------------------------------------------------------------------------------------------

Count = int | str


class _Unsuppressed:
    def count(self, value: int, metric: str) -> Count:
        return value

    def share(self, value: Share, metric: str) -> float | None:
        return value.pct

    def distribution(self, value: Distribution, metric: str) -> dict[str, object]:
        return {"median": value.median, "p90": value.p90, "cases": len(value.values)}

    def notes(self) -> list[str]:
        return []


class _Suppressed(_Unsuppressed):
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.suppressed: list[str] = []

    def _too_few(self, n: int) -> bool:
        return 0 < n < self.threshold

    def count(self, value: int, metric: str) -> Count:
        return f"fewer than {self.threshold}" if self._too_few(value) else value

    def share(self, value: Share, metric: str) -> float | None:
        # A percentage of a suppressed count would give the count away (30% of 10 is 3).
        if self._too_few(value.based_on) or self._too_few(value.numerator):
            self.suppressed.append(metric)
            return None
        return value.pct

    def distribution(self, value: Distribution, metric: str) -> dict[str, object]:
        n = len(value.values)
        if self._too_few(n):
            self.suppressed.append(metric)
            return {"median": None, "p90": None, "cases": self.count(n, metric)}
        return {"median": value.median, "p90": value.p90, "cases": n}

    def notes(self) -> list[str]:
        notes = [
            f"Counts from 1 to {self.threshold - 1} are shown as 'fewer than {self.threshold}' "
            "so that no complainant can be identified."
        ]
        if self.suppressed:
            notes.append(
                f"Not published because based on, or giving away, fewer than {self.threshold} "
                "cases: " + ", ".join(self.suppressed) + "."
            )
        return notes


def _render_recommendations(
    counts: RecommendationCounts, renderer: _Unsuppressed, metric: str
) -> dict[str, object]:
    return {
        "made": renderer.count(counts.made, f"{metric}.made"),
        "implemented": renderer.count(counts.implemented, f"{metric}.implemented"),
        "overdue": renderer.count(counts.overdue, f"{metric}.overdue"),
        "not_complied": renderer.count(counts.not_complied, f"{metric}.not_complied"),
    }


def _render_counts(
    counts: Mapping[str, int], renderer: _Unsuppressed, metric: str
) -> dict[str, object]:
    return {key: renderer.count(value, f"{metric}.{key}") for key, value in counts.items()}


def _render_satisfaction(
    satisfaction: Satisfaction, renderer: _Unsuppressed, metric: str
) -> dict[str, object]:
    return {
        "responses": renderer.count(satisfaction.responses, f"{metric}.responses"),
        "by_question": {
            question: renderer.share(share, f"{metric}.by_question.{question}")
            for question, share in satisfaction.by_question.items()
        },
        "by_outcome": {
            outcome: renderer.share(share, f"{metric}.by_outcome.{outcome}")
            for outcome, share in satisfaction.by_outcome.items()
        },
        "impartiality_pct": renderer.share(satisfaction.impartiality, f"{metric}.impartiality_pct"),
    }


def _render(kpis: Kpis, renderer: _Unsuppressed) -> dict[str, object]:
    figures: dict[str, object] = {
        "period": {"from": kpis.period.start.isoformat(), "to": kpis.period.end.isoformat()},
        "filters": {
            "organisation": kpis.organisation,
            "sector": kpis.sector.value if kpis.sector else None,
        },
        "complaints_received": renderer.count(kpis.complaints_received, "complaints_received"),
        "cases_closed": renderer.count(kpis.cases_closed, "cases_closed"),
        "cases_by_stage": _render_counts(kpis.cases_by_stage, renderer, "cases_by_stage"),
        "acknowledged_within_target_pct": renderer.share(
            kpis.acknowledged_within_target, "acknowledged_within_target_pct"
        ),
        "working_days_to_decision": renderer.distribution(
            kpis.working_days_to_decision, "working_days_to_decision"
        ),
        "working_days_to_assessment_decision": renderer.distribution(
            kpis.working_days_to_assessment_decision, "working_days_to_assessment_decision"
        ),
        "outcomes": _render_counts(kpis.outcomes, renderer, "outcomes"),
        "uphold_rate_pct": renderer.share(kpis.uphold_rate, "uphold_rate_pct"),
        "recommendations": _render_recommendations(
            kpis.recommendations, renderer, "recommendations"
        ),
        "recommendations_by_organisation": {
            organisation: _render_recommendations(
                counts, renderer, f"recommendations_by_organisation.{organisation}"
            )
            for organisation, counts in kpis.recommendations_by_organisation.items()
        },
        "themes": _render_counts(kpis.themes, renderer, "themes"),
        "satisfaction": _render_satisfaction(kpis.satisfaction, renderer, "satisfaction"),
        "organisation_satisfaction": _render_satisfaction(
            kpis.organisation_satisfaction, renderer, "organisation_satisfaction"
        ),
    }
    figures["notes"] = [*kpis.notes, *renderer.notes()]
    return figures


def unsuppressed(kpis: Kpis) -> dict[str, object]:
    """The figures as computed (staff only)."""
    return _render(kpis, _Unsuppressed())


def suppress(kpis: Kpis, threshold: int = SUPPRESSION_THRESHOLD) -> dict[str, object]:
    """The figures fit for publication: counts from 1 to threshold-1 become the text
    "fewer than <threshold>", and percentages, medians and p90s based on that few cases or
    people become null, listed in `notes`. Zero stays 0: an empty category identifies nobody."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    return _render(kpis, _Suppressed(threshold))


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

# Spreadsheet programs run a cell that starts with one of these as a formula; organisation names
# and themes come from outside, so such cells get a leading apostrophe (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _flatten(value: object, prefix: str) -> Iterable[tuple[str, object]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}")
    else:
        yield prefix, value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def kpis_to_csv(figures: Kpis | Mapping[str, object]) -> str:
    """One `metric,value` row per figure, in the order of the JSON; nested keys are joined with
    dots (`outcomes.upheld`). Pass `suppress(kpis)` to get the published version."""
    flat = figures.as_json() if isinstance(figures, Kpis) else figures
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["metric", "value"])
    for metric, value in _flatten(flat, ""):
        writer.writerow([_csv_cell(metric), _csv_cell(value)])
    return buffer.getvalue()


def monthly_to_csv(months: Sequence[Mapping[str, object]]) -> str:
    """One row per month, one column per figure (the keys of the first month, in order)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(months[0]) if months else ["month"]
    writer.writerow(columns)
    for month in months:
        writer.writerow([_csv_cell(month.get(column)) for column in columns])
    return buffer.getvalue()
