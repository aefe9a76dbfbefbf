"""The needs-a-person queue through intake's staff API, on the real broker and both databases
with real SMTP: a mail intake could not complete is listed, read, registered by staff exactly
once (however often submitted, and whether or not the complainant's reply came first) or closed
with a reason."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from services.intake.email.questions import enquiry_reference_in
from services.intake.store import complaints
from shared.auth import Role
from shared.topics import INTAKE_COMPLAINTS
from tests.integration.intake.email_kit import (
    COMPLAINTS_ADDRESS,
    STAFF,
    Intake,
    a_mail,
    about,
    count,
    mails_in,
    send,
    unique_organisation,
)
from tests.integration.intake.topic_reading import first_event, reading_from_now
from tests.kit.apps import staff_headers

pytestmark = pytest.mark.integration


def completed_facts(read: dict[str, Any], organisation: str) -> dict[str, Any]:
    """What a caseworker fills in on the phone: the facts read from the mail, plus the missing."""
    return {
        **read,
        "organisation": {"name": organisation, "sector": "health"},
        "desired_outcome": read.get("desired_outcome") or "An apology.",
    }


async def open_enquiry(intake: Intake) -> tuple[str, EmailMessage]:
    await send(intake, a_mail(None, body_extra="I was told to wait another year.\n"))
    [question] = await mails_in(intake.mail_dir, 1)
    enquiry = enquiry_reference_in(str(question["Subject"]))
    assert enquiry is not None
    return enquiry, question


def reply_to(question: EmailMessage, body: str) -> EmailMessage:
    answer = EmailMessage()
    answer["From"] = "Jo Bloggs <jo@example.com>"
    answer["To"] = COMPLAINTS_ADDRESS
    answer["Subject"] = f"Re: {question['Subject']}"
    answer["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    answer.set_content(body)
    return answer


async def register(client: httpx.AsyncClient, enquiry: str, body: Any) -> httpx.Response:
    return await client.post(f"/v1/staff/enquiries/{enquiry}/complaint", json=body, headers=STAFF)


async def test_staff_see_the_mail_as_received_and_register_it_exactly_once(
    intake: Intake, kafka_bootstrap: str
) -> None:
    enquiry, _ = await open_enquiry(intake)
    queue = (await intake.client.get("/v1/staff/enquiries", headers=STAFF)).json()["enquiries"]
    [row] = [r for r in queue if r["enquiry_reference"] == enquiry]
    assert row["status"] == "open"
    assert row["complainant_name"] == "Jo Bloggs"
    assert "organisation.name" in row["missing"]

    detail = (await intake.client.get(f"/v1/staff/enquiries/{enquiry}", headers=STAFF)).json()
    assert detail["sender"] == "jo@example.com"
    [mail] = detail["mails"]
    assert "I was told to wait another year." in mail["text"]
    assert "Sector: health" in mail["text"]  # the text as received, labels and all
    assert detail["read"]["organisation"] == {"sector": "health"}
    assert [m["field"] for m in detail["missing"]] == ["organisation.name"]
    assert detail["missing"][0]["message"] == "Enter the name of the organisation"

    organisation = unique_organisation()
    facts = completed_facts(detail["read"], organisation)
    async with reading_from_now(kafka_bootstrap, INTAKE_COMPLAINTS) as topic:
        first = await register(intake.client, enquiry, facts)
        assert first.status_code == 201, first.text
        _, data = await first_event(topic, about(organisation))
        again = await register(intake.client, enquiry, facts)  # the double submit
        other = await register(intake.client, enquiry, {**facts, "desired_outcome": "Money."})
        # Nothing more reaches the topic for this organisation.
        later = [r for batch in (await topic.getmany(timeout_ms=3000)).values() for r in batch]
    assert data["reference"] == first.json()["reference"]
    assert data["channel"] == "email"
    assert data["complainant"]["email"] == "jo@example.com"
    assert again.status_code == other.status_code == 200
    assert again.json()["reference"] == other.json()["reference"] == data["reference"]
    assert not [r for r in later if organisation.encode() in r.value]
    assert await count(intake.app, complaints) == 1

    queue = (await intake.client.get("/v1/staff/enquiries", headers=STAFF)).json()["enquiries"]
    assert enquiry not in [r["enquiry_reference"] for r in queue]
    done = (await intake.client.get(f"/v1/staff/enquiries/{enquiry}", headers=STAFF)).json()
    assert done["status"] == "completed"
    assert done["completed_by"] == "m1"
    assert done["sender"] is None  # the personal data now lives with the complaint only


async def test_a_reply_that_comes_first_completes_it_and_staff_get_that_complaint(
    intake: Intake,
) -> None:
    enquiry, question = await open_enquiry(intake)
    detail = (await intake.client.get(f"/v1/staff/enquiries/{enquiry}", headers=STAFF)).json()
    organisation = unique_organisation()
    await send(intake, reply_to(question, f"Organisation: {organisation}\n"))
    assert await count(intake.app, complaints) == 1

    late = await register(intake.client, enquiry, completed_facts(detail["read"], "Other Trust"))
    assert late.status_code == 200, late.text
    assert late.json()["registered_now"] is False
    assert await count(intake.app, complaints) == 1
    done = (await intake.client.get(f"/v1/staff/enquiries/{enquiry}", headers=STAFF)).json()
    assert done["completed_reference"] == late.json()["reference"]
    assert done["completed_by"] is None  # the reply completed it, not staff


async def test_staff_first_then_the_reply_adds_no_second_complaint(intake: Intake) -> None:
    enquiry, question = await open_enquiry(intake)
    detail = (await intake.client.get(f"/v1/staff/enquiries/{enquiry}", headers=STAFF)).json()
    answer = await register(
        intake.client, enquiry, completed_facts(detail["read"], unique_organisation())
    )
    assert answer.status_code == 201
    await send(intake, reply_to(question, f"Organisation: {unique_organisation()}\n"))
    assert await count(intake.app, complaints) == 1
    assert len(await mails_in(intake.mail_dir, 1)) == 1  # and no further question mail


async def test_closing_with_a_reason_takes_it_off_the_queue_until_the_complainant_replies(
    intake: Intake,
) -> None:
    enquiry, question = await open_enquiry(intake)
    path = f"/v1/staff/enquiries/{enquiry}/close"
    refused = await intake.client.post(path, json={"reason": "bored"}, headers=STAFF)
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["field"] == "reason"
    closed = await intake.client.post(path, json={"reason": "answered_by_phone"}, headers=STAFF)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_reason"] == "answered_by_phone"
    queue = (await intake.client.get("/v1/staff/enquiries", headers=STAFF)).json()["enquiries"]
    assert enquiry not in [r["enquiry_reference"] for r in queue]
    blocked = await register(intake.client, enquiry, {"summary": "x"})
    assert blocked.status_code in (409, 422)

    # The complainant writes back with more (still incomplete): the enquiry is open again.
    await send(intake, reply_to(question, "Outcome wanted: A new date.\n"))
    queue = (await intake.client.get("/v1/staff/enquiries", headers=STAFF)).json()["enquiries"]
    assert enquiry in [r["enquiry_reference"] for r in queue]
    detail = (await intake.client.get(f"/v1/staff/enquiries/{enquiry}", headers=STAFF)).json()
    assert len(detail["mails"]) == 2
    assert detail["mails"][1]["text"] == "Outcome wanted: A new date."


async def test_the_queue_needs_a_staff_token_and_refuses_bad_input_by_field(
    intake: Intake,
) -> None:
    enquiry, _ = await open_enquiry(intake)
    assert (await intake.client.get("/v1/staff/enquiries")).status_code == 401
    forged = staff_headers(Role.MANAGER, secret="not-the-secret-" * 3)
    assert (await intake.client.get("/v1/staff/enquiries", headers=forged)).status_code == 401
    unknown = await intake.client.get("/v1/staff/enquiries/ENQ-ZZZZZZZZ", headers=STAFF)
    assert unknown.status_code == 404
    bad_json = await intake.client.post(
        f"/v1/staff/enquiries/{enquiry}/complaint",
        content=b"{not json",
        headers={**STAFF, "content-type": "application/json"},
    )
    assert bad_json.status_code == 400
    incomplete = await register(intake.client, enquiry, {"summary": "Something"})
    assert incomplete.status_code == 422
    assert "organisation" in {f["field"].split(".")[0] for f in incomplete.json()["fields"]}
    phone = await register(intake.client, enquiry, {"summary": "Something", "channel": "phone"})
    assert phone.status_code == 422
    assert await count(intake.app, complaints) == 0
