"""Themes tagged by caseworkers reach the reports read model; the latest set wins."""

from __future__ import annotations

from datetime import UTC, datetime

from services.reports.domain.merging import merge_case_event, to_case_facts
from shared.events import CaseOpened, Channel, Organisation, Sector, Stage, ThemesTagged

ORGANISATION = Organisation(name="Northshire NHS Trust", sector=Sector.HEALTH)
OPENED_AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _themes(at: datetime, themes: list[str]) -> ThemesTagged:
    return ThemesTagged(
        reference="RDR-1",
        occurred_at=at,
        organisation=ORGANISATION,
        stage=Stage.INVESTIGATION,
        themes=themes,
    )


def test_the_latest_tagged_themes_win_whatever_the_arrival_order() -> None:
    opened = CaseOpened(
        reference="RDR-1",
        occurred_at=OPENED_AT,
        organisation=ORGANISATION,
        stage=Stage.ASSESSMENT,
        channel=Channel.WEB,
        received_at=OPENED_AT,
    )
    early = _themes(datetime(2026, 3, 3, tzinfo=UTC), ["delay"])
    late = _themes(datetime(2026, 3, 4, tzinfo=UTC), ["communication", "delay"])

    in_order = merge_case_event(
        merge_case_event(merge_case_event({}, "e1", opened), "e2", early), "e3", late
    )
    reversed_ = merge_case_event(
        merge_case_event(merge_case_event({}, "e3", late), "e2", early), "e1", opened
    )

    for facts in (in_order, reversed_):
        case = to_case_facts(facts, acknowledged_at=None)
        assert case is not None
        assert case.themes == ["communication", "delay"]
