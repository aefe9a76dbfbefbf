"""The complaint form in headless Chromium, as a person uses it (issue 4): a first attempt with
mistakes, the error summary and its links, then a complete complaint through labels, radios and
date boxes, the confirmation page with the reference, and the acknowledgement mail in the SMTP
server, all without the page's scripts. With it, the organisation list suggests as the person types
(issue 13 item 6), from the keyboard alone. axe-core checks every page."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from shared.timekeeping import uk_date, utc_now
from tests.browser.kit import Recorder, broken_anchors, link_in
from tests.e2e.suite import Suite
from tests.kit.mail import text_of
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"RDR-\d{4}-[2-9A-HJKMNP-TV-Z]{6}")
# Well inside the 12-month time limit (docs/reference/domain-rules.md §1.1), so the complaint is
# eligible and the confirmation page shows no 'we may not be able to look into this' notice.
DAYS_SINCE_FIRST_AWARE = 60
DAYS_SINCE_COMPLAINED = 50
DAYS_SINCE_REPLY = 20
# The form's own hint asks for at least this many characters in 'Tell us what happened'.
TOO_SHORT_SUMMARY = "Bad."
# The organisation list's first option, kept among the suggestions (issue 13 item 6).
NOT_LISTED = "It is not in this list, or I am not sure"


def group(page: Page, legend: str) -> Locator:
    """A fieldset (radios, checkboxes or a date), found by its legend as a screen reader does."""
    return page.get_by_role("group", name=legend)


def enter_date(page: Page, legend: str, day: date) -> None:
    boxes = group(page, legend)
    boxes.get_by_label("Day", exact=True).fill(str(day.day))
    boxes.get_by_label("Month", exact=True).fill(str(day.month))
    boxes.get_by_label("Year", exact=True).fill(str(day.year))


def choose(page: Page, legend: str, option: str) -> None:
    group(page, legend).get_by_label(option, exact=True).check()


def send(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Send complaint").click()


def fill_in_everything(page: Page, organisation: str, email: str) -> None:
    today = uk_date(utc_now())
    page.get_by_label("Tell us what happened", exact=True).fill(
        "The surgery cancelled my mother's hip operation three times without telling us why."
    )
    page.get_by_label("How did it affect you? (optional)", exact=True).fill(
        "She has been in pain for months and cannot walk to the shops."
    )
    page.get_by_label("What would you like to happen?", exact=True).fill(
        "An apology, an explanation, and a date for the operation."
    )
    page.get_by_label("Name of the organisation", exact=True).fill(organisation)
    choose(page, "What kind of organisation is it?", "NHS or other health service in England")
    choose(page, "Has an MP agreed to send us your complaint?", "No")
    enter_date(
        page,
        "When did you find out about the problem?",
        today - timedelta(days=DAYS_SINCE_FIRST_AWARE),
    )
    enter_date(
        page,
        "When did you complain to the organisation? (optional)",
        today - timedelta(days=DAYS_SINCE_COMPLAINED),
    )
    enter_date(
        page,
        "When did they send their final reply? (optional)",
        today - timedelta(days=DAYS_SINCE_REPLY),
    )
    page.get_by_label("Full name", exact=True).fill("Jane Doe")
    page.get_by_label("Email address (optional)", exact=True).fill(email)
    choose(page, "How would you like us to contact you?", "Email")
    group(page, "Do you need us to do anything differently? (optional)").get_by_label(
        "Large print", exact=True
    ).check()
    choose(page, "Would you like help to make your complaint?", "No")
    choose(page, "Are you complaining for someone else?", "No, it is my own complaint")


def test_complaint_form_with_mistakes_then_complete(
    suite: Suite, page_without_scripts: Page, recorder: Recorder
) -> None:
    page = page_without_scripts
    organisation = f"Northshire Hospitals NHS Trust {uuid.uuid4().hex[:6]}"
    email = f"jane.{uuid.uuid4().hex[:8]}@example.org"

    # The empty form.
    page.goto(f"{suite.url('intake')}/")
    expect(page).to_have_title("Make a complaint - Redress")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Make a complaint about a public service"
    )
    recorder.screenshot(page, "intake-1-form")
    recorder.accessible(page, "intake-1-form")

    # A first attempt with a summary that is too short and nothing else: the error summary.
    page.get_by_label("Tell us what happened", exact=True).fill(TOO_SHORT_SUMMARY)
    send(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    links = summary.get_by_role("link")
    anchors = [str(link.get_attribute("href")) for link in links.all()]
    messages = links.all_inner_texts()
    assert "What happened must be at least 10 characters" in messages, messages
    for missing in (
        "Tell us the outcome you want",
        "Enter the name of the organisation",
        "Select the type of organisation",
        "Enter the date you found out about the problem",
        "Enter your full name",
    ):
        assert missing in messages, messages
    assert not broken_anchors(page, anchors), f"error links to nothing: {anchors}"
    # What was typed is kept, and the field says it is wrong to assistive technology.
    expect(page.get_by_label("Tell us what happened", exact=True)).to_have_value(TOO_SHORT_SUMMARY)
    expect(page.locator("#summary")).to_have_attribute("aria-invalid", "true")
    recorder.screenshot(page, "intake-2-errors")
    recorder.accessible(page, "intake-2-errors")

    # Following an error link takes the person to the field.
    summary.get_by_role("link", name="Enter the name of the organisation").click()
    expect(page).to_have_url(re.compile(r"#organisation-name$"))
    expect(page.get_by_label("Name of the organisation", exact=True)).to_be_in_viewport()

    # The complete complaint.
    page.get_by_label("Tell us what happened", exact=True).fill("")
    fill_in_everything(page, organisation, email)
    # The directory's list comes next from the keyboard, and is labelled (issue 13 item 6).
    page.get_by_label("Name of the organisation", exact=True).focus()
    page.keyboard.press("Tab")
    listed = page.get_by_label("Is it one of these? (optional)", exact=True)
    expect(listed).to_be_focused()
    expect(listed).to_have_value("")  # "It is not in this list" until chosen
    listed.select_option(label="Northshire Hospitals NHS Trust")
    expect(listed).to_have_value("RNS02")
    send(page)
    expect(page).to_have_title("Complaint received - Redress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint received")
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    tracking = page.get_by_role("link", name="Track your complaint").get_attribute("href")
    assert tracking is not None
    assert f"/track/{reference}?token=" in tracking, tracking
    expect(page.get_by_text("We may not be able to look into this yet")).to_have_count(0)
    recorder.screenshot(page, "intake-3-confirmation")
    recorder.accessible(page, "intake-3-confirmation")

    # The acknowledgement reached the SMTP server, with the same reference and tracking link.
    acknowledgement = eventually(
        lambda: suite.mail_to(email, reference), "the acknowledgement email"
    )
    body = text_of(acknowledgement)
    assert reference in body
    assert link_in(body, f"/track/{reference}").endswith(tracking.split("/track/", 1)[1])
    print(f"\nacknowledgement for {reference}: {acknowledgement['Subject']}")


def test_organisation_suggestions_as_the_complainant_types(
    suite: Suite, page: Page, recorder: Recorder
) -> None:
    page.goto(f"{suite.url('intake')}/")
    fill_in_everything(page, "Northshire hospitals", f"jane.{uuid.uuid4().hex[:8]}@example.org")
    # The list became a combobox, still labelled and still next from the name field.
    page.get_by_label("Name of the organisation", exact=True).focus()
    page.keyboard.press("Tab")
    combobox = page.get_by_role("combobox", name="Is it one of these? (optional)")
    expect(combobox).to_be_focused()
    expect(page.locator("#organisation-id-select")).to_have_count(1)
    expect(page.locator("#organisation-id-select")).to_be_hidden()

    # Something no entry is called: only "not in this list" is offered, and it can be chosen.
    page.keyboard.type("Zzyzx")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_text([NOT_LISTED])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(combobox).to_have_value(NOT_LISTED)
    expect(page.locator("#organisation-id-select")).to_have_value("")

    # An abbreviation finds the entry: the suggestions are the directory endpoint's, aliases too.
    combobox.fill("")
    page.keyboard.type("LTHT")
    expect(options).to_have_text(["Leeds Teaching Hospitals NHS Trust", NOT_LISTED])

    # Part of a name: the matching entries, then "not in this list"; arrows and Enter pick one.
    combobox.fill("")
    page.keyboard.type("northshire h")
    expect(options.last).to_have_text(NOT_LISTED)
    names = options.all_inner_texts()
    assert "Northshire Hospitals NHS Trust" in names, names
    recorder.screenshot(page, "intake-4-suggestions")
    summary = recorder.accessible(page, "intake-4-suggestions")
    assert not summary.violations, summary.describe()
    for _ in range(names.index("Northshire Hospitals NHS Trust") + 1):
        page.keyboard.press("ArrowDown")
    expect(options.nth(names.index("Northshire Hospitals NHS Trust"))).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Northshire Hospitals NHS Trust")
    expect(page.locator("#organisation-id-select")).to_have_value("RNS02")
    send(page)
    expect(page).to_have_title("Complaint received - Redress")
    reference = page.locator(".reference").inner_text().strip()

    # The case casework opened names the entry chosen, not the words typed.
    def case_organisation() -> object:
        answer = httpx.get(
            f"{suite.url('casework')}/v1/cases/{reference}", headers=suite.staff_headers()
        )
        return answer.json()["case"]["organisation"] if answer.status_code == 200 else None

    organisation = eventually(case_organisation, f"casework's case {reference}")
    assert isinstance(organisation, dict), organisation
    assert organisation["id"] == "RNS02", organisation
    assert organisation["name"] == "Northshire Hospitals NHS Trust", organisation


def test_an_organisation_error_shows_on_the_enhanced_list(
    suite: Suite, page: Page, recorder: Recorder
) -> None:
    page.goto(f"{suite.url('intake')}/")
    fill_in_everything(page, "Northshire Hospitals", f"jane.{uuid.uuid4().hex[:8]}@example.org")
    # A list older than the directory (an entry removed since the page was loaded).
    page.locator("#organisation-id-select option[value='RNS02']").evaluate(
        "option => { option.value = 'NOPE9' }"
    )
    combobox = page.get_by_role("combobox", name="Is it one of these? (optional)")
    combobox.focus()
    page.keyboard.type("northshire hosp")
    page.get_by_role("option", name="Northshire Hospitals NHS Trust").click()
    send(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    link = page.get_by_role("alert").get_by_role(
        "link", name="Choose the organisation from the list"
    )
    expect(link).to_have_attribute("href", "#organisation-id")
    expect(combobox).to_have_attribute("aria-invalid", "true")
    expect(combobox).to_have_class(re.compile(r"\binput--error\b"))
    link.click()
    expect(combobox).to_be_focused()
    summary = recorder.accessible(page, "intake-5-organisation-error")
    assert not summary.violations, summary.describe()
