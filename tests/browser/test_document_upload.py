"""The complaint form's file field in headless Chromium, from the keyboard (issue 16): a refused
file re-shows the form with the error linked to the field and what was typed kept, then a PDF
goes with the complaint and intake's staff API lists it. axe-core checks both pages."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.kit import Recorder
from tests.browser.test_intake_form import fill_in_everything
from tests.e2e.suite import Suite
from tests.kit.documents import EXECUTABLE, PDF_MEDIA_TYPE, a_pdf

pytestmark = pytest.mark.e2e

FIELD = "Documents (optional)"


def send_from_the_keyboard(page: Page) -> None:
    page.get_by_role("button", name="Send complaint").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_document_goes_with_the_complaint_from_the_keyboard(
    suite: Suite, page_without_scripts: Page, recorder: Recorder
) -> None:
    page = page_without_scripts
    page.goto(f"{suite.url('intake')}/")
    organisation = f"Northshire Hospitals NHS Trust {uuid.uuid4().hex[:6]}"
    fill_in_everything(page, organisation, f"jane.{uuid.uuid4().hex[:8]}@example.org")

    # The file field comes next after the account, from the keyboard, labelled and hinted.
    page.get_by_label("What would you like to happen?", exact=True).focus()
    page.keyboard.press("Tab")
    field = page.get_by_label(FIELD, exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_attribute("type", "file")
    expect(field).to_have_attribute("aria-describedby", "documents-hint")
    recorder.accessible(page, "documents-1-form")
    # The chooser is the operating system's own window; Playwright answers it as a person would.
    field.set_input_files([{"name": "run.pdf", "mimeType": PDF_MEDIA_TYPE, "buffer": EXECUTABLE}])
    send_from_the_keyboard(page)

    expect(page).to_have_title(re.compile(r"^Error: "))
    link = page.get_by_role("alert").get_by_role(
        "link", name="This type of file is not accepted. Choose a different file."
    )
    expect(link).to_have_attribute("href", "#documents")
    expect(page.get_by_label("Name of the organisation", exact=True)).to_have_value(organisation)
    expect(field).to_have_attribute("aria-invalid", "true")
    recorder.screenshot(page, "documents-2-refused")
    recorder.accessible(page, "documents-2-refused")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#documents$"))
    expect(field).to_be_in_viewport()

    pdf = a_pdf()
    field.set_input_files([{"name": "final reply.pdf", "mimeType": PDF_MEDIA_TYPE, "buffer": pdf}])
    send_from_the_keyboard(page)
    expect(page).to_have_title("Complaint received - Redress")
    reference = page.locator(".reference").inner_text().strip()

    listed = httpx.get(
        f"{suite.url('intake')}/v1/staff/complaints/{reference}/documents",
        headers=suite.staff_headers(),
    )
    assert listed.status_code == 200, listed.text
    [document] = listed.json()["documents"]
    assert (document["name"], document["kind"], document["size"]) == (
        "final reply.pdf",
        "pdf",
        len(pdf),
    )
