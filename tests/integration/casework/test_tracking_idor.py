"""One complainant's tracking token opens their own case only: on another complainant's
reference, every tracking route (JSON and HTML, reading and acting) answers 404 as if the case
did not exist, and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.casework.casework_kit import new_reference, opened_case, public_events

# Each complainant action, with a body that would be valid for the right token.
ACTIONS: dict[str, dict[str, Any]] = {
    "comments": {"comments": "These are not my comments to make."},
    "review-request": {"grounds": ["new_information"], "reason": "Not my case."},
    "messages": {"message": "Writing on someone else's case."},
    "draft-date": {"send_on": "2030-01-15"},
}
FORM_ACTIONS = ("comments", "review-request", "messages", "draft-date")
FORM_FIELDS = {"text": "Not my case.", "send_on": "2030-01-15", "grounds": "new_information"}


async def answers_for(
    client: httpx.AsyncClient, reference: str, token: str
) -> dict[str, tuple[int, str]]:
    """Every tracking route's status and body for `reference`, the reference itself blanked (the
    caller typed it, so echoing it back tells them nothing)."""
    params = {"token": token}
    responses = {
        "GET /v1/track": await client.get(f"/v1/track/{reference}", params=params),
        "GET /track (page)": await client.get(f"/track/{reference}", params=params),
    }
    for action, body in ACTIONS.items():
        responses[f"POST /v1/track/{action}"] = await client.post(
            f"/v1/track/{reference}/{action}", params=params, json=body
        )
    for action in FORM_ACTIONS:
        responses[f"POST /track/{action} (form)"] = await client.post(
            f"/track/{reference}/{action}",
            data={**params, **FORM_FIELDS},
        )
    return {
        name: (r.status_code, r.text.replace(reference, "REFERENCE"))
        for name, r in responses.items()
    }


async def test_a_token_opens_its_own_case_and_no_other(
    casework: tuple[httpx.AsyncClient, Any], kafka_bootstrap: str
) -> None:
    client, app = casework
    mine, theirs = new_reference(), new_reference()
    await opened_case(client, kafka_bootstrap, mine)
    await opened_case(client, kafka_bootstrap, theirs)
    my_token = f"token-{mine}"
    before = await public_events(app, theirs)

    assert (await client.get(f"/v1/track/{mine}", params={"token": my_token})).status_code == 200
    on_theirs = await answers_for(client, theirs, my_token)

    wrong = {name: status for name, (status, _) in on_theirs.items() if status != 404}
    assert not wrong, f"another complainant's token was not refused with 404: {wrong}"
    assert on_theirs == await answers_for(client, new_reference(), my_token), (
        "another complainant's case answers differently from a case that does not exist"
    )
    assert await public_events(app, theirs) == before, "the other case changed"
