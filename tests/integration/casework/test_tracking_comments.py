"""The complainant sees their own comments beside the draft on the tracking page (issue 14 part
1): through the real app, on the real broker and database, in the JSON and the HTML page, for
their own tracking token only, and never on a public event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from shared.timekeeping import uk_date
from tests.integration.casework.casework_kit import (
    act,
    day,
    new_reference,
    opened_case,
    public_events,
    track,
    track_page,
)

pytestmark = pytest.mark.integration

Casework = tuple[httpx.AsyncClient, Any]
FIRST = "The dates in paragraph two are wrong: I wrote on 5 September."
SECOND = "I also have the letter from the practice, if you need it."


async def _comment(client: httpx.AsyncClient, reference: str, text: str) -> dict[str, Any]:
    response = await client.post(
        f"/v1/track/{reference}/comments",
        params={"token": f"token-{reference}"},
        json={"comments": text},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_complainant_sees_their_own_comments_beside_the_draft(
    casework: Casework, kafka_bootstrap: str
) -> None:
    client, app = casework
    mine, theirs = new_reference(), new_reference()
    await opened_case(client, kafka_bootstrap, mine)
    await opened_case(client, kafka_bootstrap, theirs)
    for reference in (mine, theirs):
        await act(client, reference, {"action": "accept"})
        await act(client, reference, {"action": "issue_draft"})

    # Before any comment: an empty list, and the page says so with the deadline.
    assert (await track(client, mine))["draft_decision"]["comments"] == []
    page = await track_page(client, mine)
    assert "You have not sent comments yet." in page
    assert "You can comment on it until" in page

    answered = await _comment(client, mine, FIRST)
    assert [c["body"] for c in answered["draft_decision"]["comments"]] == [FIRST]
    await _comment(client, mine, SECOND)

    comments = (await track(client, mine))["draft_decision"]["comments"]
    assert [c["body"] for c in comments] == [FIRST, SECOND], "oldest first, as written"
    assert all(datetime.fromisoformat(c["at"]) for c in comments)
    page = await track_page(client, mine)
    received = day(uk_date(datetime.fromisoformat(comments[0]["at"])))
    assert f"Your comments We received these on {received}: {FIRST}" in page
    assert f"We received these on {received}: {SECOND}" in page
    assert "You have not sent comments yet." not in page

    # Another complainant's token still opens nothing, and their page shows none of mine.
    for path in (f"/v1/track/{theirs}", f"/track/{theirs}"):
        refused = await client.get(path, params={"token": f"token-{mine}"})
        assert refused.status_code == 404
        assert FIRST not in refused.text
    assert (await track(client, theirs))["draft_decision"]["comments"] == []
    assert FIRST not in await track_page(client, theirs)

    # The complainant's words never go on a public event.
    assert FIRST not in str(await public_events(app, mine))
