"""The staff console in headless Chromium (issue 10): a caseworker signs in (keyboard only),
finds the new case in "My cases", accepts it (keyboard only), requests evidence, issues the draft;
the complainant comments through the tracking page; the caseworker sees the draft and the comments
on the case page and issues the final decision, its form started from the draft, with two
recommendations; a manager signs in, reassigns a case from the workload page and sees the
workload. axe-core runs on every page visited, and any violation of any impact fails the test."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.kit import VIEWPORT, Recorder, broken_anchors
from tests.e2e.suite import Suite
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

HTTP_TIMEOUT_SECONDS = 10.0
PASSWORD = "a long passphrase for the console test"
CASEWORKER = "sam.patel@staff.redress.test"
MANAGER = "morgan.manager@staff.redress.test"
# Tab presses allowed to reach a control before the test calls the page unusable by keyboard.
MAX_TABS = 60


def a_complaint(organisation: str) -> dict[str, Any]:
    return {
        "complainant": {
            "name": "Robin Example",
            "email": f"robin.{uuid.uuid4().hex[:8]}@example.org",
            "preferred_contact": "email",
        },
        "organisation": {"name": organisation, "sector": "health"},
        "summary": "The surgery cancelled my operation three times without telling me why.",
        "desired_outcome": "An explanation and a new date.",
        "first_aware_on": "2026-09-01",
        "complained_to_organisation_on": "2026-09-05",
        "organisation_response_on": "2026-10-01",
    }


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"could not reach {target} with the keyboard")


def sign_in_by_keyboard(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/sign-in")
    expect(page).to_have_title("Sign in - Redress staff")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_action(page: Page, title: str) -> Locator:
    details = page.locator("details", has=page.get_by_text(title, exact=True))
    details.locator("summary").click()
    return details


def submit(page: Page, scope: Locator, button: str) -> None:
    with page.expect_navigation():
        scope.get_by_role("button", name=button).click()


def test_a_case_through_the_console(suite: Suite, page: Page, recorder: Recorder) -> None:
    base = suite.url("casework")
    suite.add_staff(CASEWORKER, "Sam Patel", "caseworker", PASSWORD, "--id", "cw-1")
    suite.add_staff(MANAGER, "Morgan Manager", "manager", PASSWORD)
    client = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)
    organisation = f"Hillside Surgery {uuid.uuid4().hex[:6]}"
    first = client.post(f"{suite.url('intake')}/v1/complaints", json=a_complaint(organisation))
    assert first.status_code == 201, first.text
    reference, token = first.json()["reference"], first.json()["tracking_token"]

    def assigned(ref: str, tok: str) -> bool:
        view = client.get(f"{base}/v1/track/{ref}", params={"token": tok})
        return view.status_code == 200 and bool(view.json()["caseworker"])

    eventually(lambda: assigned(reference, token), "the case to open and be assigned")
    # A second case goes to the other health caseworker (least loaded): the manager moves it.
    second = client.post(f"{suite.url('intake')}/v1/complaints", json=a_complaint(organisation))
    other, other_token = second.json()["reference"], second.json()["tracking_token"]
    eventually(lambda: assigned(other, other_token), "the second case to be assigned")

    # Without a session the console sends you to sign in; sign in with the keyboard alone.
    page.goto(f"{base}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/sign-in\?next="))
    recorder.accessible(page, "console-0-sign-in")
    sign_in_by_keyboard(page, base, CASEWORKER)
    expect(page).to_have_title("My cases - Redress staff")
    expect(page.get_by_text("Signed in as")).to_contain_text("Sam Patel")
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text(organisation)
    expect(row).to_contain_text("Assessment")
    expect(row).to_contain_text("working days left")
    recorder.screenshot(page, "console-1-my-cases")
    recorder.accessible(page, "console-1-my-cases")

    # The reference search finds the case.
    page.goto(f"{base}/staff/?q={reference}")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    recorder.accessible(page, "console-1b-search")

    # The case page; accept it with the keyboard alone.
    with page.expect_navigation():
        page.get_by_role("link", name=reference).click()
    expect(page).to_have_title(f"Case {reference} - Redress staff")
    expect(page.get_by_text("The surgery cancelled my operation")).to_be_visible()
    expect(page.get_by_text("Robin Example")).to_be_visible()  # contact details: their case
    recorder.screenshot(page, "console-2-case-assessment")
    recorder.accessible(page, "console-2-case-assessment")
    summary = page.locator("details#action-accept summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    tab_to(page, page.locator("details#action-accept").get_by_role("button"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Accepted for investigation.")).to_be_visible()
    expect(page.locator("h1 + p .govuk-tag").first).to_have_text("Investigation")

    # A form sent without what it needs shows the domain's reasons in a linked error summary.
    evidence = open_action(page, "Request evidence")
    submit(page, evidence, "Request evidence")
    expect(page).to_have_title(re.compile(r"^Error: Case "))
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text("What evidence is needed")
    anchors = [str(a.get_attribute("href")) for a in errors.get_by_role("link").all()]
    assert not broken_anchors(page, anchors), anchors
    recorder.accessible(page, "console-3-error-summary")
    evidence = page.locator("details#action-request_evidence")
    evidence.get_by_label("What evidence is needed, and from whom").fill(
        "The surgery's appointment records for September."
    )
    submit(page, evidence, "Request evidence")
    expect(page.get_by_text("Evidence requested.")).to_be_visible()
    expect(
        page.get_by_text("The surgery's appointment records for September.").first
    ).to_be_visible()

    # The draft carries what the decision would say, so the complainant has something to
    # comment on (issue 14 part 1).
    draft = open_action(page, "Issue the draft decision")
    draft.get_by_label("Partly upheld").check()
    draft.get_by_label("Summary of the proposed decision").fill(
        "The surgery should have told you why it cancelled."
    )
    submit(page, draft, "Issue the draft decision")
    expect(page.locator("h1 + p .govuk-tag").first).to_have_text("Draft decision")
    recorder.accessible(page, "console-4-case-draft")

    # The complainant comments on the draft through the tracking page.
    page.goto(f"{base}/track/{reference}?token={token}")
    expect(page.get_by_text("The surgery should have told you why it cancelled.")).to_be_visible()
    page.get_by_label("Your comments", exact=True).fill("The dates are right.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send comments").click()
    recorder.accessible(page, "console-5-tracking-commented")

    # The caseworker sees the draft as sent and the comments beside it; the final decision's
    # form starts from the draft (issue 14 part 1).
    page.goto(f"{base}/staff/cases/{reference}")
    draft_content = page.locator("#draft-content")
    expect(draft_content).to_contain_text("Partly upheld")
    expect(draft_content).to_contain_text("The surgery should have told you why it cancelled.")
    expect(draft_content).to_contain_text(f"{organisation}: Partly upheld.")
    expect(page.locator("#draft-comments + .govuk-inset-text")).to_contain_text(
        "The dates are right."
    )
    final = open_action(page, "Issue the final decision")
    expect(final.get_by_label("Summary of the decision")).to_have_value(
        "The surgery should have told you why it cancelled."
    )
    expect(final.get_by_label("Partly upheld")).to_be_checked()
    expect(final.get_by_label("What changed since the draft, and why (optional)")).to_have_value("")
    recorder.screenshot(page, "console-5b-case-draft-comments")
    recorder.accessible(page, "console-5b-case-draft-comments")

    # The final decision with two recommendations.
    final.get_by_label("Partly upheld").check()
    final.get_by_label("Summary of the decision").fill(
        "The surgery should have told you why it cancelled."
    )
    first_rec = final.locator("fieldset", has_text="Recommendation 1")
    first_rec.get_by_label("Type").select_option("apology")
    first_rec.get_by_label("What the organisation should do").fill("Apologise in writing.")
    second_rec = final.locator("fieldset", has_text="Recommendation 2")
    second_rec.get_by_label("Type").select_option("service_improvement")
    second_rec.get_by_label("What the organisation should do").fill(
        "Tell patients the reason for every cancellation."
    )
    second_rec.get_by_label("Due by").fill("2030-01-31")
    # The draft proposed no recommendations, so the final decision must say what changed.
    final.get_by_label("What changed since the draft, and why (optional)").fill(
        "After your comments we added two recommendations."
    )
    submit(page, final, "Issue the final decision")
    expect(page.get_by_text("Final decision issued.")).to_be_visible()
    expect(page.locator("h1 + p .govuk-tag").first).to_have_text("Closed")
    recommendations = page.locator("#recommendations + table tbody tr")
    expect(recommendations).to_have_count(2)
    expect(page.locator(".moj-timeline")).to_contain_text("Issue final")
    recorder.screenshot(page, "console-6-case-closed")
    recorder.accessible(page, "console-6-case-closed")

    # A caseworker is not shown the managers' pages.
    page.goto(f"{base}/staff/roster")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    recorder.accessible(page, "console-7-forbidden")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    # The manager: workload, and the other case reassigned to Sam Patel with the bulk form.
    page.get_by_label("Email address").fill(MANAGER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Workload").click()
    expect(page).to_have_title("Workload - Redress staff")
    recorder.screenshot(page, "console-8-workload")
    recorder.accessible(page, "console-8-workload")
    page.get_by_label(f"Select {other}").check()
    page.get_by_label("Reassign the selected cases to").select_option("cw-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Reassign selected cases").click()
    expect(page.get_by_text(f"Reassigned: {other}.")).to_be_visible()
    sam = page.get_by_role("row", name=re.compile("Sam Patel"))
    expect(sam.locator("td").nth(2)).to_have_text("1")
    recorder.accessible(page, "console-9-reassigned")

    for name, path in (
        ("console-10-all-cases", "/staff/all"),
        ("console-11-roster", "/staff/roster"),
        ("console-12-templates", "/staff/templates"),
        ("console-13-account", "/staff/account"),
        ("console-14-case-manager", f"/staff/cases/{other}"),
    ):
        page.goto(f"{base}{path}")
        recorder.accessible(page, name)
    expect(page.get_by_text("Caseworker: Sam Patel.")).to_be_visible()


def test_the_console_works_without_javascript(suite: Suite, browser: Browser) -> None:
    """Sign in, find a case and act on it with JavaScript off: the forms and the disclosure of
    each action (details/summary) are plain HTML."""
    email = f"no-js.{uuid.uuid4().hex[:6]}@staff.redress.test"
    suite.add_staff(email, "Nadia Manager", "manager", PASSWORD)
    client = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)
    made = client.post(
        f"{suite.url('intake')}/v1/complaints",
        json=a_complaint(f"Brook Clinic {uuid.uuid4().hex[:6]}"),
    )
    reference, token = made.json()["reference"], made.json()["tracking_token"]
    base = suite.url("casework")
    eventually(
        lambda: (
            client.get(f"{base}/v1/track/{reference}", params={"token": token}).status_code == 200
        ),
        "the case to open",
    )
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base}/staff/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/staff/?q={reference}")
        with page.expect_navigation():
            page.get_by_role("link", name=reference).click()
        themes = open_action(page, "Tag themes")
        themes.get_by_label("Themes").fill("waiting times")
        submit(page, themes, "Save themes")
        expect(page.get_by_text("Themes saved.")).to_be_visible()
        expect(page.locator("#themes + p")).to_contain_text("waiting times")
    finally:
        context.close()
