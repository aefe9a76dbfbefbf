"""The draft decision carries what it proposes (issue 14 part 1), through the API, the tracking
JSON and page, and the public event, on the real broker and both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.timekeeping import uk_date
from tests.integration.casework.casework_kit import (
    act,
    new_reference,
    opened_case,
    public_events,
    track,
    track_page,
)

pytestmark = pytest.mark.integration

Casework = tuple[httpx.AsyncClient, Any]
SUMMARY = "The trust delayed the referral by six weeks."
ACTION = "Apologise in writing for the delay."


async def test_the_draft_shows_what_it_proposes_and_the_event_has_no_free_text(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, app = casework
    reference = new_reference()
    due_on = (uk_date(datetime.now(UTC)) + timedelta(days=90)).isoformat()
    await opened_case(client, kafka_bootstrap, reference)
    await act(client, reference, {"action": "accept"})
    # Content the final decision could not carry is refused, naming what is wrong.
    refused = await act(
        client, reference, {"action": "issue_draft", "summary": SUMMARY}, expect=422
    )
    assert "needs its proposed outcome" in str(refused)
    bad = await act(client, reference, {"action": "issue_draft", "outcome": "maybe"}, expect=422)
    assert "outcome" in str(bad)

    await act(
        client,
        reference,
        {
            "action": "issue_draft",
            "outcome": "upheld",
            "summary": SUMMARY,
            "recommendations": [{"type": "apology", "description": ACTION, "due_on": due_on}],
        },
    )
    draft = (await track(client, reference))["draft_decision"]
    assert draft["proposed_outcome"] == "upheld"
    assert draft["summary"] == SUMMARY
    assert draft["how_we_reached_it"]
    assert draft["findings"][0]["outcome"] == "upheld"
    assert draft["proposed_recommendations"] == [
        {
            "type": "apology",
            "description": ACTION,
            "due_on": due_on,
            "organisation": "Northshire NHS Trust",
        }
    ]
    page = await track_page(client, reference)
    assert "We propose to uphold your complaint." in page
    assert SUMMARY in page
    assert ACTION in page
    assert "You can comment on it until" in page

    issued = [
        d for t, d in await public_events(app, reference) if t.endswith("draft_decision_issued")
    ]
    assert len(issued) == 1
    assert issued[0]["proposed_outcome"] == "upheld"
    assert issued[0]["recommendation_types"] == ["apology"]
    assert SUMMARY not in str(issued[0])
    assert ACTION not in str(issued[0])

    # After the comments, a final decision that differs from the draft must say why.
    posted = await client.post(
        f"/track/{reference}/comments",
        data={"token": f"token-{reference}", "text": "I already had an apology."},
    )
    assert posted.status_code == 303
    final = {"action": "issue_final", "outcome": "upheld", "summary": SUMMARY}
    unexplained = await act(client, reference, final, expect=422)
    assert "changes_since_draft" in str(unexplained)
    because = "After your comments we no longer recommend an apology, as one was sent."
    await act(client, reference, {**final, "changes_since_draft": because})
    assert (await track(client, reference))["decision"]["changes_since_draft"] == because
    assert because in await track_page(client, reference)
