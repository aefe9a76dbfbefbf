"""The needs-a-person queue and the phone or letter form in headless Chromium (issue 10 item 8):
a mail intake could not complete reaches the queue; a caseworker opens it, fills in the missing
organisation with the keyboard alone and registers it; then enters a phone complaint, first
with nothing filled in (a linked error summary), then properly. axe-core runs on every page
visited, and any violation of any impact fails the test."""

from __future__ import annotations

import re
import shutil
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.kit import Recorder, broken_anchors
from tests.browser.test_staff_console import PASSWORD, sign_in_by_keyboard, tab_to
from tests.e2e.suite import Suite
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

CASEWORKER = "alex.casework@staff.redress.test"
# Where the lead's note picks up the screenshots of the new pages (when that folder exists).
NOTES = Path("/work/notes")


def incomplete_mail(suite: Suite) -> None:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@example.org>"
    message["To"] = "complaints@redress.localhost"
    message["Subject"] = "My operation keeps being cancelled"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    message.set_content(
        "My operation was cancelled three times without notice.\n\n"
        "I would like an apology and a new date.\n\n"
        "Sector: health\nWhen did you find out: 1 June 2026\n"
    )
    with smtplib.SMTP("127.0.0.1", suite.ports["intake-mail"], timeout=30) as smtp:
        smtp.send_message(message)


def keep(recorder: Recorder, page: Page, name: str) -> None:
    shot = recorder.screenshot(page, name)
    if NOTES.is_dir():
        shutil.copyfile(shot, NOTES / f"{name}.png")


def test_an_enquiry_and_a_phone_complaint_through_the_console(
    suite: Suite, page: Page, recorder: Recorder
) -> None:
    base = suite.url("casework")
    suite.add_staff(CASEWORKER, "Alex Casework", "caseworker", PASSWORD)
    incomplete_mail(suite)
    sign_in_by_keyboard(page, base, CASEWORKER)

    def listed() -> bool:
        page.goto(f"{base}/staff/enquiries")
        return page.get_by_role("link", name="ENQ-").count() > 0 or "ENQ-" in page.content()

    eventually(listed, "the enquiry to reach the queue")
    expect(page).to_have_title("Needs a person - Redress staff")
    expect(page.get_by_role("link", name="Needs a person")).to_have_attribute(
        "aria-current", "page"
    )
    keep(recorder, page, "needs-person-queue")
    recorder.accessible(page, "needs-person-queue")

    with page.expect_navigation():
        page.locator("a[href^='/staff/enquiries/ENQ-']").first.click()
    expect(page).to_have_title(re.compile(r"^Enquiry ENQ-"))
    expect(page.get_by_text("My operation was cancelled three times").first).to_be_visible()
    expect(page.get_by_label("Outcome wanted")).to_have_value(
        "I would like an apology and a new date."
    )
    recorder.accessible(page, "needs-person-enquiry")
    keep(recorder, page, "needs-person-enquiry")
    tab_to(page, page.get_by_label("Organisation complained about"))
    page.keyboard.type("Northshire NHS Trust")
    tab_to(page, page.get_by_role("button", name="Register the complaint"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Registered as complaint")).to_be_visible()
    recorder.accessible(page, "needs-person-registered")

    page.goto(f"{base}/staff/complaints/new")
    expect(page).to_have_title("Enter a phone or letter complaint - Redress staff")
    recorder.accessible(page, "needs-person-phone-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Register the complaint").click()
    expect(page).to_have_title("Error: Enter a phone or letter complaint - Redress staff")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your full name")
    links = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links
    assert not broken_anchors(page, links)
    keep(recorder, page, "needs-person-phone-form")
    recorder.accessible(page, "needs-person-phone-form-errors")

    page.get_by_label("By phone").check()
    page.get_by_label("Complainant's full name").fill("Robin Example")
    page.get_by_label("Phone number").fill("07911 123456")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Organisation complained about").fill("Hillside Surgery")
    page.locator("#complaint-organisation-sector").check()
    page.get_by_label("What happened").fill("The surgery cancelled my appointment four times.")
    page.get_by_label("Outcome wanted").fill("An apology.")
    page.get_by_label("When they found out").fill("2026-09-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Register the complaint").click()
    expect(page.get_by_text("Complaint registered")).to_be_visible()
    recorder.accessible(page, "needs-person-phone-registered")
