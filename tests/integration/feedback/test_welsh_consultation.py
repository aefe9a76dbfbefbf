"""Feedback's consultation pages in Welsh on the real service and database (issue 14;
docs/welsh.md): chosen by `?lang=cy` (then the cookie) or `Accept-Language`, with the language
switch; what staff wrote (the title and questions) is shown as written."""

# ruff: noqa: RUF001  (Welsh is written with the typographic apostrophe, as the catalog is)
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.feedback.app import create_app as create_feedback_app
from shared.auth import Role
from tests.integration.feedback.test_other_voices import feedback_settings
from tests.kit.apps import running, staff_headers
from tests.kit.clock import ManualClock

pytestmark = pytest.mark.integration


async def test_the_consultation_pages_in_welsh(database_url: str, kafka_bootstrap: str) -> None:
    clock = ManualClock(datetime(2027, 1, 4, 10, 0, tzinfo=UTC))
    feedback = create_feedback_app(
        await feedback_settings(database_url, kafka_bootstrap), clock=clock
    )
    closes_on = (clock.now + timedelta(days=14)).date().isoformat()
    async with running(feedback) as client:
        created = await client.post(
            "/v1/consultations",
            json={
                "title": "Sut rydym yn ysgrifennu atoch",
                "questions": ["Mae ein llythyrau’n hawdd eu deall."],
                "closes_on": closes_on,
            },
            headers=staff_headers(Role.CASEWORKER),
        )
        assert created.status_code == 201, created.text
        address = f"/consultations/{created.json()['id']}"

        page = await client.get(f"{address}?lang=cy")
        assert page.status_code == 200
        assert '<html lang="cy">' in page.text
        assert "Mae’r ymgynghoriad hwn yn cau ar ddiwedd 18 Ionawr 2027." in page.text
        assert "Mae ein llythyrau’n hawdd eu deall." in page.text  # as staff wrote it
        assert "Anghytuno’n gryf" in page.text
        assert "Anfon fy atebion" in page.text
        assert f'href="{address}?lang=en"' in page.text  # the switch, back to English
        assert "We want to hear from anyone" not in page.text
        assert page.cookies.get("redress_lang") == "cy"

        welsh = {"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}
        invalid = await client.post(address, data={"q1": "9"}, headers=welsh)
        assert invalid.status_code == 422
        assert "Dewiswch ateb o 1 (anghytuno’n gryf) i 5 (cytuno’n gryf)." in invalid.text
        assert "Choose an answer" not in invalid.text
        too_long = await client.post(
            address, data={"q1": "4", "comments": "x" * 5001}, headers=welsh
        )
        assert "Ysgrifennwch ddim mwy na 5000 nod." in too_long.text
        thanks = await client.post(address, data={"q1": "4"}, headers=welsh)
        assert thanks.status_code == 200
        assert "Diolch am eich barn" in thanks.text

        # The cookie keeps Welsh for the next page; the switch link goes back to English.
        assert '<html lang="cy">' in (await client.get(address)).text
        english = await client.get(f"{address}?lang=en")
        assert '<html lang="en-GB">' in english.text
        assert "This consultation closes at the end of 18 January 2027." in english.text
