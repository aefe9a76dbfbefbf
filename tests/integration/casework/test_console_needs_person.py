"""The console's needs-a-person queue and phone or letter form, end to end on the real broker:
intake (its SMTP listener on a real port, its staff API served over real HTTP) and casework (the
console calling intake with a staff token, and opening cases from intake's topic)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.intake.email.questions import enquiry_reference_in
from services.intake.store import complaints
from tests.integration.casework.console_kit import Console, console_app, csrf_of, error_summary
from tests.integration.intake import email_kit
from tests.integration.intake.email_kit import Intake, a_mail, count, mails_in, send
from tests.kit.apps import free_port, serve_on_port, staff_headers
from tests.kit.waiting import wait_until

pytestmark = pytest.mark.integration

intake = email_kit.intake  # the fixture: intake with its SMTP listener and a mail server


@pytest.fixture
async def both(
    intake: Intake, kafka_bootstrap: str, tmp_path: Path
) -> AsyncIterator[tuple[Intake, Console]]:
    async with (
        serve_on_port(intake.app, free_port()) as intake_url,
        console_app(
            f"sqlite+aiosqlite:///{tmp_path / 'casework.db'}",
            kafka_bootstrap,
            intake_url=intake_url,
        ) as console,
    ):
        yield intake, console


def facts(organisation: str) -> dict[str, str]:
    return {
        "complainant.name": "Jo Bloggs",
        "complainant.email": "jo@example.com",
        "complainant.preferred_contact": "email",
        "organisation.name": organisation,
        "organisation.sector": "health",
        "summary": "My operation was cancelled three times without notice.",
        "desired_outcome": "An apology and a new date.",
        "first_aware_on": "2026-06-01",
    }


async def case_opens(console: Console, reference: str) -> None:
    async def opened() -> bool:
        answer = await console.client.get(f"/v1/cases/{reference}", headers=staff_headers())
        return answer.status_code == 200

    await wait_until(opened, within=60)


async def test_an_emailed_enquiry_is_completed_from_the_queue_and_opens_one_case(
    both: tuple[Intake, Console],
) -> None:
    intake, console = both
    await send(intake, a_mail(None, body_extra="They said to wait another year.\n"))
    [question] = await mails_in(intake.mail_dir, 1)
    enquiry = enquiry_reference_in(str(question["Subject"]))
    assert enquiry is not None

    visitor = console.visitor()
    signed_out = await visitor.get("/staff/enquiries")
    assert signed_out.status_code == 303
    await visitor.sign_in(await console.add_staff("caseworker"))
    queue = await visitor.get("/staff/enquiries")
    assert queue.status_code == 200
    assert enquiry in queue.text
    assert 'href="/staff/enquiries"' in queue.text  # in the navigation
    page = await visitor.get(f"/staff/enquiries/{enquiry}")
    assert "They said to wait another year." in page.text
    assert "Enter the name of the organisation" in page.text
    assert 'value="Jo Bloggs"' in page.text  # prefilled from what intake read

    path = f"/staff/enquiries/{enquiry}/register"
    organisation = email_kit.unique_organisation()
    forged = await visitor.post(path, {**facts(organisation), "csrf_token": "forged"})
    assert forged.status_code == 403
    missing = await visitor.form_post(
        f"/staff/enquiries/{enquiry}", path, {**facts(organisation), "organisation.name": ""}
    )
    assert missing.status_code == 422
    assert error_summary(missing.text) == ["Enter the name of the organisation"]
    assert 'href="#complaint-organisation-name"' in missing.text
    assert await count(intake.app, complaints) == 0

    csrf = csrf_of(page.text)
    first = await visitor.post(path, {**facts(organisation), "csrf_token": csrf})
    again = await visitor.post(path, {**facts(organisation), "csrf_token": csrf})
    assert first.status_code == again.status_code == 303
    assert await count(intake.app, complaints) == 1
    done = await visitor.get(f"/staff/enquiries/{enquiry}")
    found = re.search(r"/staff/cases/([A-Z0-9-]+)", done.text)
    assert found, done.text
    await case_opens(console, found.group(1))
    assert enquiry not in (await visitor.get("/staff/enquiries")).text


async def test_an_enquiry_is_closed_with_a_reason(both: tuple[Intake, Console]) -> None:
    intake, console = both
    await send(intake, a_mail(None))
    [question] = await mails_in(intake.mail_dir, 1)
    enquiry = enquiry_reference_in(str(question["Subject"]))
    assert enquiry is not None
    visitor = console.visitor()
    await visitor.sign_in(await console.add_staff("manager"))
    page_path = f"/staff/enquiries/{enquiry}"
    no_reason = await visitor.form_post(page_path, f"{page_path}/close", {})
    assert no_reason.status_code == 422
    assert error_summary(no_reason.text) == ["Choose why you are closing the enquiry"]
    closed = await visitor.form_post(
        page_path, f"{page_path}/close", {"reason": "answered_by_phone"}
    )
    assert closed.status_code == 303
    assert enquiry not in (await visitor.get("/staff/enquiries")).text
    assert "Answered by phone" in (await visitor.get(page_path)).text


async def test_a_phone_complaint_entered_in_the_console_appears_in_the_work_lists(
    both: tuple[Intake, Console],
) -> None:
    intake, console = both
    visitor = console.visitor()
    await visitor.sign_in(await console.add_staff("manager"))
    form = await visitor.get("/staff/complaints/new")
    assert form.status_code == 200
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.text)
    assert key
    organisation = email_kit.unique_organisation()
    fields: dict[str, Any] = {
        **facts(organisation),
        "channel": "phone",
        "complainant.preferred_contact": "phone",
        "complainant.phone": "07911 123456",
        "csrf_token": csrf_of(form.text),
        "idempotency_key": key.group(1),
    }
    bad = await visitor.post("/staff/complaints/new", {**fields, "complainant.name": ""})
    assert bad.status_code == 422
    assert error_summary(bad.text) == ["Enter your full name"]
    assert 'href="#complaint-complainant-name"' in bad.text
    first = await visitor.post("/staff/complaints/new", fields)
    twice = await visitor.post("/staff/complaints/new", fields)  # the double submit
    assert first.status_code == 201, first.text
    found = re.search(r"Reference <strong>([A-Z0-9-]+)</strong>", first.text)
    assert found
    assert found.group(1) in twice.text
    assert await count(intake.app, complaints) == 1
    await case_opens(console, found.group(1))
    all_cases = await visitor.get("/staff/all")
    assert found.group(1) in all_cases.text
