"""The console's work lists and case page (issue 10): filters on indexed columns, deadline
states, bounded pagination, the search by reference, and the case page's actions going through
the domain (a refusal is its reason in an error summary). Casework in-process on the real broker,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.integration.casework.casework_kit import STAFF, a_complaint, publish_complaint
from tests.integration.casework.console_kit import Console, Visitor, console_app, error_summary

pytestmark = pytest.mark.integration

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
ROSTER = "cw-1:Sam Patel:health+other,cw-9:Jo Evans:parliamentary"


def a_reference() -> str:
    digits = uuid.uuid4().int
    return "RDR-2026-" + "".join(ALPHABET[(digits >> (5 * i)) % 30] for i in range(6))


@pytest.fixture
async def console(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Console]:
    async with console_app(database_url, kafka_bootstrap, initial_roster=ROSTER) as running:
        yield running


async def open_cases(console: Console, bootstrap: str, *received: datetime) -> list[str]:
    references = []
    for at in received:
        reference = a_reference()
        await publish_complaint(bootstrap, a_complaint(reference, received_at=at))
        references.append(reference)
    for reference in references:
        for _ in range(300):
            got = await console.client.get(f"/v1/cases/{reference}", headers=STAFF)
            if got.status_code == 200:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"{reference} never opened")
    return references


def listed(html: str) -> list[str]:
    return re.findall(r'href="/staff/cases/([A-Z0-9-]+)"', html)


async def manager(console: Console) -> Visitor:
    visitor = console.visitor()
    await visitor.sign_in(await console.add_staff("manager"))
    return visitor


async def test_work_lists_filter_sort_and_page(console: Console, kafka_bootstrap: str) -> None:
    now = datetime.now(UTC)
    # Received 60 days ago: its 20-working-day assessment decision is overdue.
    late, fresh = await open_cases(console, kafka_bootstrap, now - timedelta(days=60), now)
    visitor = await manager(console)

    everything = await visitor.get("/staff/all")
    assert everything.status_code == 200
    assert listed(everything.text) == [late, fresh], "soonest deadline first"
    assert "Overdue by" in everything.text
    assert "govuk-tag--red" in everything.text

    overdue = await visitor.get("/staff/all?deadline=overdue")
    assert listed(overdue.text) == [late]
    soon = await visitor.get("/staff/all?deadline=due_soon")
    assert late not in listed(soon.text)

    await visitor.form_post(f"/staff/cases/{fresh}", f"/staff/cases/{fresh}/actions/pause", {})
    assert listed((await visitor.get("/staff/all?paused=yes")).text) == [fresh]
    assert listed((await visitor.get("/staff/all?paused=no")).text) == [late]
    await visitor.form_post(
        f"/staff/cases/{late}",
        f"/staff/cases/{late}/actions/tag_themes",
        {"themes": "delay, communication"},
    )
    assert listed((await visitor.get("/staff/all?theme=delay")).text) == [late]
    assert listed((await visitor.get("/staff/all?sector=parliamentary")).text) == []
    by_org = await visitor.get("/staff/all?organisation=Northshire+NHS+Trust&stage=assessment")
    assert sorted(listed(by_org.text)) == sorted([late, fresh])
    assert listed((await visitor.get("/staff/all?caseworker=cw-9")).text) == []
    assert sorted(listed((await visitor.get("/staff/all?caseworker=cw-1")).text)) == sorted(
        [late, fresh]
    )

    unknown = await visitor.get("/staff/all?stage=nonsense&page=99999999999")
    assert unknown.status_code == 200
    assert "There is no stage called" in unknown.text
    assert (await visitor.get("/staff/all?page=-3")).status_code == 200
    # Past Python's 4,300-digit int limit, and a digit int() reads but isdigit() lets by.
    for page in ("9" * 5000, "\u00b2", "0"):
        assert (await visitor.get(f"/staff/all?page={quote(page)}")).status_code == 200

    found = await visitor.get(f"/staff/?q={late}")
    assert listed(found.text) == [late]


async def test_saved_views_belong_to_their_owner(console: Console, kafka_bootstrap: str) -> None:
    visitor = await manager(console)
    saved = await visitor.form_post(
        "/staff/all",
        "/staff/views",
        {"list": "all", "name": "Overdue health", "deadline": "overdue", "sector": "health"},
    )
    assert saved.status_code == 303
    page = await visitor.get("/staff/")
    assert "Overdue health" in page.text
    assert "/staff/all?sector=health&amp;deadline=overdue" in page.text
    other = await manager(console)
    assert "Overdue health" not in (await other.get("/staff/")).text


async def test_case_actions_go_through_the_domain(console: Console, kafka_bootstrap: str) -> None:
    (reference,) = await open_cases(console, kafka_bootstrap, datetime.now(UTC))
    visitor = await manager(console)
    page = await visitor.get(f"/staff/cases/{reference}")
    offered = set(re.findall(r'id="action-([a-z_]+)"', page.text))
    assert {"accept", "decline", "pause", "post_message"} <= offered
    assert "issue_final" not in offered, "only what the stage allows is offered"

    declined_blank = await visitor.form_post(
        f"/staff/cases/{reference}", f"/staff/cases/{reference}/actions/decline", {}
    )
    assert declined_blank.status_code == 422
    assert error_summary(declined_blank.text) == [
        "Why we cannot look into it: enter or choose a value"
    ]
    assert 'href="#decline-reason"' in declined_blank.text
    assert 'id="decline-reason"' in declined_blank.text

    refused = await visitor.form_post(
        f"/staff/cases/{reference}",
        f"/staff/cases/{reference}/actions/issue_final",
        {"outcome": "upheld", "summary": "Too early."},
    )
    assert refused.status_code == 409
    (reason,) = error_summary(refused.text)
    assert reason.startswith("You cannot issue final while the case is at the assessment stage")
    assert "{" not in refused.text.split("govuk-error-summary")[1][:400], "no raw JSON"

    accepted = await visitor.form_post(
        f"/staff/cases/{reference}", f"/staff/cases/{reference}/actions/accept", {}
    )
    assert accepted.headers["location"] == f"/staff/cases/{reference}?done=accept"
    sent = await visitor.form_post(
        f"/staff/cases/{reference}",
        f"/staff/cases/{reference}/actions/post_message",
        {"body": "We have started looking into your complaint."},
    )
    assert sent.status_code == 303
    case = (await console.client.get(f"/v1/cases/{reference}", headers=STAFF)).json()
    assert case["case"]["stage"] == "investigation"
    assert case["messages"][0]["body"] == "We have started looking into your complaint."
    timeline = (await visitor.get(f"/staff/cases/{reference}")).text
    assert "Message to the complainant" in timeline


async def test_templates_start_a_message(console: Console, kafka_bootstrap: str) -> None:
    (reference,) = await open_cases(console, kafka_bootstrap, datetime.now(UTC))
    visitor = await manager(console)
    await visitor.form_post(
        "/staff/templates",
        "/staff/templates",
        {"kind": "message", "name": "Evidence chaser", "body": "We are still waiting for X."},
    )
    page = await visitor.get("/staff/templates")
    template_id = re.search(r"/staff/templates/([0-9a-f-]{36})/delete", page.text)
    assert template_id
    started = await visitor.get(
        f"/staff/cases/{reference}?for=post_message&template={template_id.group(1)}"
    )
    assert "We are still waiting for X.</textarea>" in started.text

    caseworker = console.visitor()
    await caseworker.sign_in(await console.add_staff("caseworker"))
    refused = await caseworker.form_post(
        "/staff/templates", "/staff/templates", {"kind": "message", "name": "x", "body": "y"}
    )
    assert refused.status_code == 403


async def test_the_roster_api_validates_and_the_console_shows_it(console: Console) -> None:
    put = "/v1/caseworkers/cw-5"
    good = {"name": "Ali Khan", "sectors": ["health"], "active": True}
    assert (await console.client.put(put, json=good, headers=STAFF)).status_code == 200
    for bad, field in (
        ({**good, "name": "Ali\x07Khan"}, "name"),
        # A lone surrogate, escaped as JSON allows (it cannot be encoded as UTF-8 at all).
        ({**good, "name": "Ali \ud800"}, "name"),
        ({**good, "sectors": ["pets"]}, "sectors.0"),
        ({**good, "active": "yes"}, "active"),
        ({**good, "active": 1}, "active"),
    ):
        body = json.dumps(bad).encode()  # ensure_ascii: the surrogate travels as \ud800
        headers = {**STAFF, "content-type": "application/json"}
        refused = await console.client.put(put, content=body, headers=headers)
        assert refused.status_code == 422, bad
        assert field in [f["field"] for f in refused.json()["fields"]], refused.json()
    roster = (await console.client.get("/v1/caseworkers", headers=STAFF)).json()
    assert {
        "caseworker_id": "cw-5",
        "name": "Ali Khan",
        "sectors": ["health"],
        "active": True,
        "open_cases": 0,
    } in roster
    visitor = await manager(console)
    assert "Ali Khan" in (await visitor.get("/staff/roster")).text
    assert "Ali Khan" in (await visitor.get("/staff/workload")).text
