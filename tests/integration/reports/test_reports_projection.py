"""The read-model projection gives the same facts whatever order the events arrive in, and
applying an event twice changes nothing: what lets the live consumers (three topics, no order
between them) and the rebuild (partition by partition) agree. Pure: no broker needed."""

from __future__ import annotations

import uuid
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reports.domain.merging import merge_case_event, to_case_facts
from shared.events import CaseEvent, RecommendationStatus, Stage
from tests.integration.reports.golden_cases import march_cases

STORIES = march_cases("PRJ", "Projection Trust")
EVENTS: list[list[tuple[str, CaseEvent]]] = [
    [
        (str(uuid.UUID(int=index + 1000 * n)), payload)
        for index, (_, payload) in enumerate(story.events)
    ]
    for n, story in enumerate(STORIES)
]


def project(events: list[tuple[str, CaseEvent]]) -> dict[str, object]:
    facts: dict[str, object] = {}
    for event_id, payload in events:
        facts = merge_case_event(facts, event_id, payload)
    return facts


@settings(max_examples=200, deadline=None)
@given(data=st.data(), case=st.integers(min_value=0, max_value=len(STORIES) - 1))
def test_any_order_and_any_redelivery_gives_the_same_facts(data: st.DataObject, case: int) -> None:
    events = EVENTS[case]
    shuffled = data.draw(st.permutations(events))
    repeated = data.draw(st.lists(st.sampled_from(events), max_size=4))
    assert project([*shuffled, *repeated]) == project(events)


def test_decision_and_closure_at_the_same_instant_leave_the_case_closed() -> None:
    c1 = EVENTS[0]
    facts = to_case_facts(project(list(reversed(c1))), acknowledged_at=None)
    assert facts is not None
    assert facts.stage == Stage.CLOSED
    assert facts.closed_at is not None
    assert facts.closed_at.date() == date(2024, 3, 25)
    [recommendation] = facts.recommendations
    assert recommendation.status == RecommendationStatus.IMPLEMENTED
    assert recommendation.made_at is not None
    assert recommendation.made_at.date() == date(2024, 3, 25)


def test_a_case_not_yet_opened_is_left_out() -> None:
    without_opened = [
        (event_id, p) for event_id, p in EVENTS[1] if p.__class__.__name__ != "CaseOpened"
    ]
    assert to_case_facts(project(without_opened), acknowledged_at=None) is None
