"""The public pages in Welsh in headless Chromium (issue 14): the complaint form, the tracking
page and the survey with `?lang=cy`, each with `<html lang="cy">`, axe-core clean, and a language
switch that works with the keyboard alone; the acknowledgement mail Welsh first."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from tests.browser.kit import Recorder, link_in
from tests.e2e.suite import Suite
from tests.kit.mail import text_of
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

HTTP_TIMEOUT_SECONDS = 10.0
# As tests/browser/test_tracking_and_survey.py: the invitation crosses two Kafka hops.
INVITATION_TIMEOUT_SECONDS = 120.0
# Tabs from the top of a page to its language switch: skip link, header link, then the switch.
MAX_TABS_TO_SWITCH = 6
# ... and to the error summary's first link, past the switch's links.
MAX_TABS_TO_SUMMARY = 10


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element is the link called `name` (keyboard only)."""
    for _ in range(MAX_TABS_TO_SWITCH):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached the {name!r} link")


def switch_by_keyboard(page: Page, name: str) -> None:
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def expect_language_switch(page: Page, other: str, other_name: str) -> None:
    link = page.get_by_role("navigation").get_by_role("link", name=other_name, exact=True)
    expect(link).to_have_attribute("hreflang", other)
    expect(link).to_have_attribute("lang", other)


def test_the_complaint_form_in_welsh_and_back(suite: Suite, page: Page, recorder: Recorder) -> None:
    page.goto(f"{suite.url('intake')}/?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page).to_have_title("Gwneud cwyn - Redress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gwneud cwyn am wasanaeth cyhoeddus")
    expect(page.get_by_label("Enw llawn", exact=True)).to_be_visible()
    # Someone reading the form in Welsh is offered Welsh for everything we send.
    expect(page.locator("#complainant-language")).to_have_value("cy")
    expect_language_switch(page, "en", "English")
    expect(page.locator('[aria-current="true"]')).to_have_attribute("lang", "cy")
    recorder.screenshot(page, "welsh-form")
    recorder.accessible(page, "welsh-form")

    # Sent empty: the error summary, and each field's error, in Welsh.
    with page.expect_navigation():
        page.get_by_role("button", name="Anfon y gwyn").click()
    expect(page).to_have_title(re.compile(r"^Gwall: Gwneud cwyn"))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="Mae problem wedi codi")).to_be_visible()
    expect(summary.get_by_role("link", name="Dywedwch wrthym beth ddigwyddodd")).to_be_visible()
    expect(page.locator("#summary-error")).to_contain_text("Dywedwch wrthym beth ddigwyddodd")
    recorder.accessible(page, "welsh-form-errors")

    # The switch, by keyboard alone, to English; the choice is remembered for the next page.
    switch_by_keyboard(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page).to_have_title("Make a complaint - Redress")
    page.goto(f"{suite.url('intake')}/eligibility")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check whether we can help")
    switch_by_keyboard(page, "Cymraeg")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gwirio a allwn helpu")
    page.goto(f"{suite.url('intake')}/")  # no ?lang=: the cookie keeps it Welsh
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    recorder.accessible(page, "welsh-form-again")


def a_welsh_complaint(email: str) -> dict[str, Any]:
    return {
        "complainant": {
            "name": "Siân Jones",
            "email": email,
            "preferred_contact": "email",
            "language": "cy",
        },
        "organisation": {"name": f"Meddygfa Glan y Môr {uuid.uuid4().hex[:6]}", "sector": "health"},
        "summary": "The practice lost my referral letter twice and nobody told me.",
        "desired_outcome": "An apology and a new referral.",
        "first_aware_on": "2026-09-01",
        "complained_to_organisation_on": "2026-09-05",
        "organisation_response_on": "2026-10-01",
    }


def test_tracking_and_survey_in_welsh(suite: Suite, page: Page, recorder: Recorder) -> None:
    client = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)
    email = f"sian.{uuid.uuid4().hex[:8]}@example.org"
    submitted = client.post(f"{suite.url('intake')}/v1/complaints", json=a_welsh_complaint(email))
    assert submitted.status_code == 201, submitted.text
    reference, token = submitted.json()["reference"], submitted.json()["tracking_token"]

    acknowledgement = eventually(
        lambda: suite.mail_to(email, "Rydym wedi cael eich cwyn"), "the Welsh acknowledgement"
    )
    assert str(acknowledgement["Subject"]).endswith(f"We have received your complaint: {reference}")
    body = text_of(acknowledgement)
    assert body.index("Cawsom eich cwyn ar") < body.index("We received your complaint on")

    tracking_url = link_in(body, "/track/")
    page.goto(f"{tracking_url}&lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Eich cwyn {reference}")
    expect(page.locator(".tag")).to_have_text("Asesu")
    expect_language_switch(page, "en", "English")
    recorder.screenshot(page, "welsh-track")
    recorder.accessible(page, "welsh-track")
    switch_by_keyboard(page, "English")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your complaint {reference}")
    assert f"token={token}" in page.url  # the switch keeps the page's own query

    # Withdrawn: the case closes and the survey invitation follows.
    withdrawn = client.post(
        f"{suite.url('casework')}/v1/cases/{reference}/actions",
        json={"action": "withdraw"},
        headers=suite.staff_headers(Role.MANAGER),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    invitation = eventually(
        lambda: suite.mail_to(email, "Dywedwch wrthym sut y gwnaethom"),
        "the Welsh survey invitation",
        timeout=INVITATION_TIMEOUT_SECONDS,
    )
    survey_url = link_in(text_of(invitation), "/survey/")
    page.goto(f"{survey_url}?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page).to_have_title("Dywedwch wrthym sut y gwnaethom - Adborth i\u2019r Ombwdsmon")
    expect(page.get_by_label("Cytuno\u2019n gryf").first).to_be_visible()
    expect_language_switch(page, "en", "English")
    recorder.screenshot(page, "welsh-survey")
    recorder.accessible(page, "welsh-survey")
    # Sending nothing: the error page stays Welsh (the cookie) and stays accessible.
    with page.expect_navigation():
        page.get_by_role("button", name="Anfon fy atebion").click()
    expect(page).to_have_title(re.compile(r"^Gwall: "))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("alert")).to_contain_text("Atebwch o leiaf un cwestiwn.")
    recorder.accessible(page, "welsh-survey-errors")
    switch_by_keyboard(page, "English")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how we did")


def test_the_forms_errors_in_welsh_lengths_dates_and_contact_details(
    suite: Suite, page: Page, recorder: Recorder
) -> None:
    """The errors built in code (field_errors.py, the schema's checks) in Welsh, axe-core clean,
    and the error summary's links followed with the keyboard alone. The schema checks fields
    first and what they say together after, so the form is sent three times."""
    page.goto(f"{suite.url('intake')}/?lang=cy")
    page.locator("#organisation-name").fill("Meddygfa Glan y Môr")
    page.locator("#organisation-sector").check()
    page.locator("#summary").fill("Collwyd fy llythyr atgyfeirio ddwywaith.")
    page.locator("#desired_outcome").fill("Ymddiheuriad.")
    page.locator("#complainant-email").fill("sian@example.org")
    page.locator("#complainant-name").fill("S" * 201)  # over the 200 characters a name has
    fill_date(page, "first_aware_on", "1", "2", "2099")  # in the future
    name_error = "Eich enw llawn: rhaid iddo fod yn 200 nod neu lai"
    future_error = (
        "Y dyddiad y daethoch i wybod am y broblem: rhaid iddo fod heddiw neu yn y gorffennol"
    )
    send(page)
    summary = page.get_by_role("alert")
    for message in (name_error, future_error):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(page.locator("#complainant-name-error")).to_contain_text(name_error)
    expect(page.locator("#first_aware_on-error")).to_contain_text(future_error)
    recorder.screenshot(page, "welsh-form-code-errors")
    recorder.accessible(page, "welsh-form-code-errors")

    # Keyboard alone: Tab from the top reaches the summary's first link; Enter follows it.
    for _ in range(MAX_TABS_TO_SUMMARY):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name_error:
            break
    else:
        raise AssertionError("Tab never reached the error summary's first link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#complainant-name$"))

    # Contact details: a text message asked for, with no mobile number.
    page.locator("#complainant-name").fill("Siân Jones")
    fill_date(page, "first_aware_on", "1", "2", "2026")
    fill_date(page, "complained_to_organisation_on", "1", "1", "2026")  # before they found out
    page.get_by_label("Neges destun", exact=True).check()
    send(page)
    contact_error = (
        "Rhowch rif ffôn symudol, oherwydd eich bod wedi gofyn i ni gysylltu â chi drwy "
        "neges destun"
    )
    expect(page.locator("#complainant-phone-error")).to_contain_text(contact_error)
    recorder.accessible(page, "welsh-form-contact-error")

    # Dates that cannot both be right.
    page.locator("#complainant-phone").fill("07700 900 982")
    send(page)
    date_error = (
        "Rhaid i\u2019r dyddiad y gwnaethoch gwyno i\u2019r sefydliad fod ar neu ar \u00f4l y "
        "dyddiad y daethoch i wybod am y broblem"
    )
    expect(page.get_by_role("alert").get_by_role("link", name=date_error)).to_be_visible()
    expect(page.locator("#complained_to_organisation_on-error")).to_contain_text(date_error)
    for english in ("characters or fewer", "must be on or after", "because you asked us"):
        expect(page.locator("main")).not_to_contain_text(english)
    recorder.accessible(page, "welsh-form-date-error")


def test_a_consultation_in_welsh(suite: Suite, page: Page, recorder: Recorder) -> None:
    """Feedback's consultation page by `?lang=cy`: its own words in Welsh, what staff wrote as
    written, its errors in Welsh; axe-core clean; the switch by keyboard."""
    closes_on = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    created = httpx.post(
        f"{suite.url('feedback')}/v1/consultations",
        json={
            "title": "Ein llythyrau",
            "questions": ["Our letters are clear."],
            "closes_on": closes_on,
        },
        headers=suite.staff_headers(Role.CASEWORKER),
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    assert created.status_code == 201, created.text
    page.goto(f"{created.json()['public_url']}?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ein llythyrau")
    expect(page.locator("main")).to_contain_text("Mae\u2019r ymgynghoriad hwn yn cau ar ddiwedd")
    expect(page.get_by_role("group", name="1. Our letters are clear.")).to_be_visible()
    expect_language_switch(page, "en", "English")
    recorder.accessible(page, "welsh-consultation")
    with page.expect_navigation():
        page.get_by_role("button", name="Anfon fy atebion").click()
    expect(page).to_have_title(re.compile(r"^Gwall: Ein llythyrau"))
    expect(page.get_by_role("alert")).to_contain_text("Atebwch o leiaf un cwestiwn.")
    recorder.accessible(page, "welsh-consultation-errors")
    switch_by_keyboard(page, "English")
    expect(page.locator("main")).to_contain_text("This consultation closes at the end of")


def fill_date(page: Page, name: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{name}").fill(day)
    page.locator(f"#{name}-month").fill(month)
    page.locator(f"#{name}-year").fill(year)


def send(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Anfon y gwyn").click()
    expect(page).to_have_title(re.compile(r"^Gwall: Gwneud cwyn"))
