"""The staff console's security (issue 10): no session, idle and absolute expiry, session
fixation, cookie flags, CSRF on every form, lockout, roles, sign-out, and personal data kept out
of URLs and logs. Casework runs in-process on the real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from services.casework.staff_store import StaffStore
from services.casework.tables import cases
from tests.integration.casework.casework_kit import SECRET_WORDS, opened_case
from tests.integration.casework.console_kit import (
    PASSWORD,
    Console,
    console_app,
    csrf_of,
    error_summary,
)

pytestmark = pytest.mark.integration

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
ONE_ROSTER = "cw-1:Sam Patel:health,cw-9:Jo Evans:other"


def a_reference() -> str:
    digits = uuid.uuid4().int
    suffix = "".join(REFERENCE_ALPHABET[(digits >> (5 * i)) % 30] for i in range(6))
    return f"RDR-2026-{suffix}"


@pytest.fixture
async def console(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Console]:
    async with console_app(database_url, kafka_bootstrap, initial_roster=ONE_ROSTER) as running:
        yield running


async def test_without_a_session_every_page_sends_you_to_sign_in(console: Console) -> None:
    visitor = console.visitor()
    for path in ("/staff/", "/staff/all", "/staff/cases/RDR-2026-AAAAAA", "/staff/roster"):
        response = await visitor.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/staff/sign-in?next=")
    posted = await visitor.post("/staff/cases/RDR-2026-AAAAAA/actions/accept", {})
    assert posted.status_code == 303
    assert posted.headers["location"].startswith("/staff/sign-in")


async def test_sign_in_issues_a_new_session_id_and_flags_the_cookie(console: Console) -> None:
    email = await console.add_staff("manager")
    visitor = console.visitor()
    # An attacker plants a session id before the victim signs in (fixation).
    visitor.cookies["redress_staff_session"] = "planted-by-an-attacker"
    response = await visitor.sign_in(email)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/"
    issued = visitor.cookies["redress_staff_session"]
    assert issued != "planted-by-an-attacker"
    header = next(h for h in visitor.set_cookie_headers if h.startswith("redress_staff_session="))
    flags = header.lower()
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" in flags  # outside development
    assert "path=/staff" in flags
    # The database keeps only a digest of the id.
    async with console.app.state.service.db.sessions() as session:
        assert await StaffStore(session).session_with_account(issued) is None
    # Signing in again gives yet another id, and the planted one opens nothing.
    again = console.visitor()
    await again.sign_in(email)
    assert again.cookies["redress_staff_session"] != issued
    planted = console.visitor()
    planted.cookies["redress_staff_session"] = "planted-by-an-attacker"
    assert (await planted.get("/staff/")).status_code == 303


async def test_idle_and_absolute_timeouts_end_the_session(console: Console) -> None:
    email = await console.add_staff("caseworker")
    visitor = console.visitor()
    await visitor.sign_in(email)
    assert (await visitor.get("/staff/")).status_code == 200
    console.clock.advance(timedelta(minutes=31))  # idle longer than 30 minutes
    assert (await visitor.get("/staff/")).status_code == 303
    console.clock.advance(-timedelta(minutes=31))
    assert (await visitor.get("/staff/")).status_code == 303, "an expired session is deleted"

    await visitor.sign_in(email)
    for _ in range(12 * 3):  # busy all day: a page every 20 minutes for 12 hours
        console.clock.advance(timedelta(minutes=20))
        if (await visitor.get("/staff/")).status_code != 200:
            break
    else:
        pytest.fail("a session outlived its absolute lifetime")
    assert console.clock.offset > timedelta(hours=11, minutes=59)


async def test_forms_without_the_right_csrf_token_change_nothing(
    console: Console, kafka_bootstrap: str
) -> None:
    reference = a_reference()
    await opened_case(console.client, kafka_bootstrap, reference)
    email = await console.add_staff("manager")
    visitor = console.visitor()
    await visitor.sign_in(email)
    for token in (None, "", "not-the-token"):
        data = {} if token is None else {"csrf_token": token}
        refused = await visitor.post(f"/staff/cases/{reference}/actions/accept", data)
        assert refused.status_code == 403
        assert "Nothing was changed" in refused.text
    page = await visitor.get(f"/staff/cases/{reference}")
    assert "Assessment" in page.text
    assert "Accept for investigation" in page.text  # still on offer: nothing happened

    # The sign-in form needs its token too, and a sign-out without one does not sign out.
    fresh = console.visitor()
    await fresh.get("/staff/sign-in")
    refused = await fresh.post("/staff/sign-in", {"email": email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "redress_staff_session" not in fresh.cookies
    assert (await visitor.post("/staff/sign-out", {})).status_code == 403
    assert (await visitor.get("/staff/")).status_code == 200

    accepted = await visitor.post(
        f"/staff/cases/{reference}/actions/accept", {"csrf_token": csrf_of(page.text)}
    )
    assert accepted.status_code == 303


async def test_repeated_failures_lock_the_account_for_a_while(console: Console) -> None:
    email = await console.add_staff("caseworker")
    visitor = console.visitor()
    for _ in range(10):
        wrong = await visitor.sign_in(email, "not the password")
        assert wrong.status_code == 200
        assert "redress_staff_session" not in visitor.cookies
    locked = await visitor.sign_in(email)
    assert "redress_staff_session" not in visitor.cookies
    assert any("too many attempts" in e for e in error_summary(locked.text))
    console.clock.advance(timedelta(minutes=16))
    assert (await visitor.sign_in(email)).headers["location"] == "/staff/"


async def test_a_caseworker_sees_contact_details_of_their_own_cases_only(
    console: Console, kafka_bootstrap: str
) -> None:
    mine = a_reference()
    await opened_case(console.client, kafka_bootstrap, mine)  # assigned to cw-1
    owner = await console.add_staff("caseworker", account_id="cw-1", name="Sam Patel")
    other = await console.add_staff("caseworker", account_id="cw-9", skills=["other"])
    boss = await console.add_staff("manager")
    name, email = SECRET_WORDS[0], SECRET_WORDS[1]

    for who, sees in ((owner, True), (other, False), (boss, True)):
        visitor = console.visitor()
        await visitor.sign_in(who)
        page = await visitor.get(f"/staff/cases/{mine}")
        assert page.status_code == 200
        assert (email in page.text) is sees, who
        assert (name in page.text) is sees, who

    visitor = console.visitor()
    await visitor.sign_in(other)
    for path in ("/staff/roster", "/staff/all", "/staff/workload"):
        assert (await visitor.get(path)).status_code == 403, path
    added = await visitor.form_post(
        "/staff/", "/staff/roster", {"name": "Intruder", "role": "manager", "skills": "health"}
    )
    assert added.status_code == 403
    async with console.app.state.service.db.sessions() as session:
        assert all(a["name"] != "Intruder" for a in await StaffStore(session).accounts())


async def test_sign_out_destroys_the_session(console: Console) -> None:
    email = await console.add_staff("caseworker")
    visitor = console.visitor()
    await visitor.sign_in(email)
    cookie = visitor.cookies["redress_staff_session"]
    out = await visitor.form_post("/staff/", "/staff/sign-out", {})
    assert out.status_code == 303
    assert "redress_staff_session" not in visitor.cookies
    replay = console.visitor()
    replay.cookies["redress_staff_session"] = cookie
    assert (await replay.get("/staff/")).status_code == 303


async def test_search_by_name_keeps_it_out_of_urls_and_logs(
    console: Console, kafka_bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reference = a_reference()
    await opened_case(console.client, kafka_bootstrap, reference)
    visitor = console.visitor()
    await visitor.sign_in(await console.add_staff("manager"))
    name, email = SECRET_WORDS[0], SECRET_WORDS[1]
    for query in (name, f"  {name.upper()} ", email.upper()):
        found = await visitor.form_post("/staff/", "/staff/search", {"q": query})
        assert found.status_code == 200, "answered in place: no redirect carrying the name"
        assert reference in found.text
    nobody = await visitor.form_post("/staff/", "/staff/search", {"q": "Someone Else"})
    assert reference not in nobody.text
    by_reference = await visitor.form_post("/staff/", "/staff/search", {"q": reference.lower()})
    assert by_reference.headers["location"] == f"/staff/?q={reference}"
    listed = await visitor.get(by_reference.headers["location"])
    assert f'href="/staff/cases/{reference}"' in listed.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in SECRET_WORDS:
        assert secret not in logged
    async with console.app.state.service.db.sessions() as session:
        row = (await session.execute(select(cases).where(cases.c.reference == reference))).one()
    stored = " ".join(str(value) for value in row._mapping.values())
    assert name not in stored
    assert email not in stored


async def test_the_second_factor_is_asked_for_once_enrolled(console: Console) -> None:
    email = await console.add_staff("manager")
    visitor = console.visitor()
    await visitor.sign_in(email)
    started = await visitor.form_post("/staff/account", "/staff/account/second-factor", {})
    secret = started.text.split('govuk-!-font-size-24">', 1)[1].split("<", 1)[0]
    wrong = await visitor.post(
        "/staff/account/second-factor/confirm",
        {"csrf_token": csrf_of(started.text), "code": "000000"},
    )
    assert wrong.status_code == 422
    again = await visitor.form_post("/staff/account", "/staff/account/second-factor", {})
    secret = again.text.split('govuk-!-font-size-24">', 1)[1].split("<", 1)[0]
    confirmed = await visitor.post(
        "/staff/account/second-factor/confirm",
        {"csrf_token": csrf_of(again.text), "code": pyotp.TOTP(secret).now()},
    )
    assert confirmed.headers["location"] == "/staff/account?enrolled=yes"

    later = console.visitor()
    step = await later.sign_in(email)
    assert step.headers["location"].startswith("/staff/sign-in/code")
    pending = later.cookies["redress_staff_session"]
    assert (await later.get("/staff/")).status_code == 303, "half signed in opens nothing"
    code_page = await later.get(step.headers["location"])
    # The enrolment used this window's code, and a code is accepted once only: the next one.
    totp = pyotp.TOTP(secret)
    next_code = totp.at(time.time() + totp.interval)
    done = await later.post(
        "/staff/sign-in/code", {"csrf_token": csrf_of(code_page.text), "code": next_code}
    )
    assert done.headers["location"] == "/staff/"
    assert later.cookies["redress_staff_session"] != pending
    assert (await later.get("/staff/")).status_code == 200

    replayer = console.visitor()
    await replayer.sign_in(email)
    code_page = await replayer.get("/staff/sign-in/code")
    replayed = await replayer.post(
        "/staff/sign-in/code", {"csrf_token": csrf_of(code_page.text), "code": next_code}
    )
    assert "The code was not right" in replayed.text, "a used code is never accepted again"
    assert (await replayer.get("/staff/")).status_code == 303

    guesser = console.visitor()
    await guesser.sign_in(email)
    code_page = await guesser.get("/staff/sign-in/code")
    refused = await guesser.post(
        "/staff/sign-in/code", {"csrf_token": csrf_of(code_page.text), "code": "123456"}
    )
    assert "The code was not right" in refused.text
    assert (await guesser.get("/staff/")).status_code == 303
