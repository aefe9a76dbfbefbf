"""The draft decision on the console's case page (issue 14 part 1): the caseworker sees what the
draft proposes and the complainant's comments beside it, the read is journalled with the
comments, and the final-decision form starts from the draft, so a decision sent as drafted says
that nothing changed. Casework in-process on the real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from services.casework.domain.deciding import NOTHING_CHANGED_SINCE_DRAFT
from services.casework.journal import access_log
from services.casework.tables import draft_comments
from shared.timekeeping import uk_date
from tests.integration.casework.casework_kit import (
    STAFF,
    act,
    day,
    track,
    visible_text,
)
from tests.integration.casework.console_kit import Console, Visitor, console_app
from tests.integration.casework.test_console_worklists import ROSTER, open_cases

pytestmark = pytest.mark.integration

SUMMARY = "The trust delayed the referral by six weeks."
CLINIC_FINDING = "The clinic passed the referral on the day it came."
ACTION = "Apologise in writing for the delay."
COMMENT = "The delay was seven weeks, not six: the letter is dated 3 March."
CLINIC = "Eastgate Clinic"


@pytest.fixture
async def console(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Console]:
    async with console_app(database_url, kafka_bootstrap, initial_roster=ROSTER) as running:
        yield running


class _FinalForm(HTMLParser):
    """The fields of the final-decision form as a browser would send them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").endswith("/actions/issue_final")
        if not self.inside:
            return
        if tag == "input" and (a.get("type") not in ("radio", "checkbox") or "checked" in a):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def final_form(html: str) -> dict[str, str]:
    parser = _FinalForm()
    parser.feed(html)
    return {k: unescape(v).strip("\n") for k, v in parser.fields.items()}


def draft_section(html: str) -> str:
    after = html.split('id="draft">', 1)[1]
    return visible_text(after.split('<h2 class="govuk-heading-m" id="recommendations"')[0])


async def manager(console: Console) -> Visitor:
    visitor = console.visitor()
    await visitor.sign_in(await console.add_staff("manager", name="Morgan Lee"))
    return visitor


async def test_the_case_page_shows_the_draft_and_the_comments_and_starts_the_final_from_it(
    console: Console, kafka_bootstrap: str
) -> None:
    (reference,) = await open_cases(console, kafka_bootstrap, datetime.now(UTC))
    client = console.client
    due_on = uk_date(datetime.now(UTC)) + timedelta(days=120)
    await act(client, reference, {"action": "add_organisation", "name": CLINIC, "sector": "health"})
    await act(client, reference, {"action": "accept"})
    await act(
        client,
        reference,
        {
            "action": "issue_draft",
            "outcome": "partly_upheld",
            "summary": SUMMARY,
            "findings": [
                {"organisation": CLINIC, "outcome": "not_upheld", "summary": CLINIC_FINDING}
            ],
            "recommendations": [
                {"type": "apology", "description": ACTION, "due_on": due_on.isoformat()}
            ],
        },
    )
    comments_due = (await track(client, reference))["draft_decision"]["comments_due_by"]
    staff = await manager(console)
    path = f"/staff/cases/{reference}"

    before = (await staff.get(path)).text
    deadline = day(date.fromisoformat(comments_due))
    assert f"No comments received yet. They can comment until {deadline}." in draft_section(before)

    posted = await client.post(
        f"/track/{reference}/comments", data={"token": f"token-{reference}", "text": COMMENT}
    )
    assert posted.status_code == 303
    db = console.app.state.service.db
    journal = console.app.state.journal
    journalled = len((await access_log(journal, reference))["entries"])
    page = await staff.get(path)
    assert page.status_code == 200
    shown = draft_section(page.text)
    for words in (
        "Proposed outcome Partly upheld",
        SUMMARY,
        f"{CLINIC}: Not upheld. {CLINIC_FINDING}",
        f"Apology (Northshire NHS Trust): {ACTION} Due by {day(due_on)}.",
        "How we reached it",
        COMMENT,
        "Received ",
    ):
        assert words in shown, words
    assert "No comments received yet" not in shown
    [entry] = (await access_log(journal, reference))["entries"][journalled:]
    assert entry["seen"] == ["case", "complaint", "contact_details", "messages", "draft_comments"]

    # Kept encrypted at rest, as messages are.
    async with db.sessions() as session:
        stored = (await session.scalars(select(draft_comments.c.body))).all()
    assert stored
    assert not any(COMMENT.encode() in body for body in stored)

    form = final_form(page.text)
    assert form["outcome"] == "partly_upheld"
    assert form["summary"] == SUMMARY
    assert form["how_we_reached_it"]
    assert form["findings-0-organisation"] == CLINIC
    assert form["findings-0-outcome"] == "not_upheld"
    assert form["findings-0-summary"] == CLINIC_FINDING
    assert form["recommendations-0-type"] == "apology"
    assert form["recommendations-0-description"] == ACTION
    assert form["recommendations-0-due_on"] == due_on.isoformat()
    assert form["recommendations-0-organisation"] == "Northshire NHS Trust"
    assert form["changes_since_draft"] == ""

    # Sent as drafted: the decision says nothing changed, and carries the draft's content.
    sent = await staff.post(f"/staff/cases/{reference}/actions/issue_final", form)
    assert sent.status_code == 303, visible_text(sent.text)
    decision = (await track(client, reference))["decision"]
    assert decision["changes_since_draft"] == NOTHING_CHANGED_SINCE_DRAFT
    assert decision["summary"] == SUMMARY
    assert [(f["organisation"], f["outcome"]) for f in decision["findings"]] == [
        ("Northshire NHS Trust", "partly_upheld"),
        (CLINIC, "not_upheld"),
    ]
    read_before = len((await access_log(journal, reference))["entries"])
    staff_view = (await client.get(f"/v1/cases/{reference}", headers=STAFF)).json()
    [kept] = staff_view["draft_comments"]  # the staff API shows them too, and journals it
    assert kept["body"] == COMMENT
    [api_read] = (await access_log(journal, reference))["entries"][read_before:]
    assert api_read["seen"][-1] == "draft_comments"
    [made] = staff_view["case"]["recommendations"]
    assert (made["type"], made["description"], made["due_on"]) == (
        "apology",
        ACTION,
        due_on.isoformat(),
    )
    closed = visible_text((await staff.get(path)).text)
    assert f"Since the draft: {NOTHING_CHANGED_SINCE_DRAFT}" in closed
    assert re.search(r"Draft decision Issued", closed)


async def test_a_draft_held_for_its_day_is_shown_with_that_day(
    console: Console, kafka_bootstrap: str
) -> None:
    (reference,) = await open_cases(console, kafka_bootstrap, datetime.now(UTC))
    send_on = uk_date(datetime.now(UTC)) + timedelta(days=14)
    await act(console.client, reference, {"action": "accept"})
    draft = {"action": "issue_draft", "outcome": "upheld", "summary": SUMMARY}
    await act(console.client, reference, {**draft, "scheduled_for": send_on.isoformat()})
    page = await (await manager(console)).get(f"/staff/cases/{reference}")
    shown = draft_section(page.text)
    assert "Draft decision, waiting for the day arranged" in shown
    assert f"Sent on {day(send_on)}, the day the complainant arranged" in shown
    assert SUMMARY in shown
    assert f"The complainant can comment once the draft is sent on {day(send_on)}." in shown
