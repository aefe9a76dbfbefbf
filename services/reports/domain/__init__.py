"""Reports domain: key performance indicators and the learning report, computed from read models.

A pure package: `facts` (read-model rows, rules, periods), `kpis`, `suppression` (publishable
figures and CSV), `learning` and `charts` (SVG strings).

Everything here is pure: the read-model rows are built by `projection.py` from events only
(never from another service's database), and every function takes `today` and a working-day
counter as parameters instead of reading the clock or a holiday calendar.

Definitions (they are what the published figures mean, so they are spelt out here and in
docs/adr):

- A case is *received* in a period when its `received_at` (UK local date) falls in the period,
  and *closed* in a period when its `closed_at` does. Periods are inclusive at both ends.
- *Acknowledged within target*: acknowledged no more than the channel's target number of working
  days after receipt (docs/reference/domain-rules.md §1.6). The receipt day is day 0
  (docs/reference/domain-rules.md §6).
  A case not yet acknowledged counts as a miss once its target has passed, and is left out while
  it is still within target.
- *Working days to decision*: receipt to closure, for cases closed in the period by a decision of
  ours (everything except a withdrawal, which is the complainant's act, not a decision).
- *Working days to assessment decision*: receipt to the decision whether to investigate, for
  cases with that decision in the period.
- *Uphold rate*: (upheld + partly upheld) / (upheld + partly upheld + not upheld): investigated
  decisions only, as the KO41a definitions count them (docs/reference/domain-rules.md §1.3).
- *p90* uses the nearest-rank method: the smallest value with at least 90% of values at or below
  it, so it is always an observed number of working days.
- *Agree* on a survey answer means a score of 4 or 5 on the five-point scale (top-2-box,
  docs/reference/domain-rules.md §3: PHSO publishes only "% agree").
- Recommendations are counted for the cohort *made* in the period; *implemented* and *overdue* say
  where that cohort stands today.
- *Satisfaction* is the complainants' survey; *organisation satisfaction* is the parallel survey
  of the organisations investigated (PHSO's "OWI" figures, docs/reference/domain-rules.md §1.10
  and §3), always reported apart: the two groups answer differently worded questions about
  opposite sides of the same case.
- *You said, we did*: themes raised in the period, by complaints (the caseworkers' themes) and by
  survey feedback (a question that at least one answer disagreed with, a score of 1 or 2),
  beside what was done about them: recommendations made in the period and implemented, and the
  service changes staff recorded against the theme, made in the period.
"""

from __future__ import annotations

from services.reports.domain.charts import (
    BAR_COLOUR,
    CHART_BAR_HEIGHT,
    CHART_LABEL_WIDTH,
    CHART_ROW_HEIGHT,
    CHART_TOP_MARGIN,
    CHART_VALUE_WIDTH,
    CHART_WIDTH,
    TEXT_COLOUR,
    TREND_BOTTOM,
    TREND_GRID_STEPS,
    TREND_HEIGHT,
    TREND_LEFT,
    TREND_RIGHT,
    TREND_TOP,
    BarValue,
    PointValue,
    TrendChart,
    bar_chart_svg,
    dashboard_charts,
    month_label,
    trend_chart_svg,
    trend_charts,
)
from services.reports.domain.facts import (
    AGREE_MIN_SCORE,
    DISAGREE_MAX_SCORE,
    INVESTIGATED_OUTCOMES,
    OPEN_RECOMMENDATION_STATUSES,
    P90,
    SUPPRESSION_THRESHOLD,
    UK_TIME,
    UPHELD_OUTCOMES,
    CaseFacts,
    ReadModelRow,
    RecommendationFacts,
    ReportingPeriod,
    ReportRules,
    Respondent,
    SatisfactionResponse,
    ServiceChange,
    WorkingDaysBetween,
    uk_date,
)
from services.reports.domain.kpis import (
    Distribution,
    Kpis,
    RecommendationCounts,
    Satisfaction,
    Share,
    acknowledged_within_target,
    agree_share,
    cases_by_stage,
    compute_kpis,
    is_overdue,
    nearest_rank,
    of_respondent,
    outcome_counts,
    percentage,
    recommendation_counts,
    recommendation_made_in,
    recommendations_by_organisation,
    satisfaction,
    theme_counts,
    uphold_rate,
)
from services.reports.domain.learning import (
    LearningReport,
    OrganisationRow,
    ThemeRow,
    YouSaidWeDid,
    feedback_themes,
    learning_report,
)
from services.reports.domain.monthly import (
    ASSESSMENT_DECISION_TARGET_WORKING_DAYS,
    MAX_MONTHS,
    TREND_MONTHS,
    BreakdownRow,
    MonthFigures,
    Published,
    Publisher,
    breakdown,
    compliance_by_organisation,
    last_months,
    monthly_figures,
    months_between,
)
from services.reports.domain.suppression import (
    Count,
    kpis_to_csv,
    monthly_to_csv,
    suppress,
    unsuppressed,
)

__all__ = [
    "AGREE_MIN_SCORE",
    "ASSESSMENT_DECISION_TARGET_WORKING_DAYS",
    "BAR_COLOUR",
    "CHART_BAR_HEIGHT",
    "CHART_LABEL_WIDTH",
    "CHART_ROW_HEIGHT",
    "CHART_TOP_MARGIN",
    "CHART_VALUE_WIDTH",
    "CHART_WIDTH",
    "DISAGREE_MAX_SCORE",
    "INVESTIGATED_OUTCOMES",
    "MAX_MONTHS",
    "OPEN_RECOMMENDATION_STATUSES",
    "P90",
    "SUPPRESSION_THRESHOLD",
    "TEXT_COLOUR",
    "TREND_BOTTOM",
    "TREND_GRID_STEPS",
    "TREND_HEIGHT",
    "TREND_LEFT",
    "TREND_MONTHS",
    "TREND_RIGHT",
    "TREND_TOP",
    "UK_TIME",
    "UPHELD_OUTCOMES",
    "BarValue",
    "BreakdownRow",
    "CaseFacts",
    "Count",
    "Distribution",
    "Kpis",
    "LearningReport",
    "MonthFigures",
    "OrganisationRow",
    "PointValue",
    "Published",
    "Publisher",
    "ReadModelRow",
    "RecommendationCounts",
    "RecommendationFacts",
    "ReportRules",
    "ReportingPeriod",
    "Respondent",
    "Satisfaction",
    "SatisfactionResponse",
    "ServiceChange",
    "Share",
    "ThemeRow",
    "TrendChart",
    "WorkingDaysBetween",
    "YouSaidWeDid",
    "acknowledged_within_target",
    "agree_share",
    "bar_chart_svg",
    "breakdown",
    "cases_by_stage",
    "compliance_by_organisation",
    "compute_kpis",
    "dashboard_charts",
    "feedback_themes",
    "is_overdue",
    "kpis_to_csv",
    "last_months",
    "learning_report",
    "month_label",
    "monthly_figures",
    "monthly_to_csv",
    "months_between",
    "nearest_rank",
    "of_respondent",
    "outcome_counts",
    "percentage",
    "recommendation_counts",
    "recommendation_made_in",
    "recommendations_by_organisation",
    "satisfaction",
    "suppress",
    "theme_counts",
    "trend_chart_svg",
    "trend_charts",
    "uk_date",
    "unsuppressed",
    "uphold_rate",
]
