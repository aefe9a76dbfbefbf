"""The complainant's own pages in headless Chromium (issues 4 and 6): the tracking page while the
case is open and after the decision, commenting on the draft decision through it, then the
survey from the invitation email, answered through the browser. axe-core checks every page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from tests.browser.kit import Recorder, broken_anchors, link_in
from tests.e2e.suite import Suite
from tests.kit.mail import text_of
from tests.kit.waiting import eventually

pytestmark = pytest.mark.e2e

HTTP_TIMEOUT_SECONDS = 10.0
# The survey invitation waits FEEDBACK_INVITE_DELAY_DAYS (0 in the suite) plus a scheduler tick
# and two Kafka hops (casework -> feedback -> notifications); a fresh suite on a long-lived broker
# first works through the topics' backlog.
INVITATION_TIMEOUT_SECONDS = 120.0
# One answer per survey question, in page order: each question's legend starts with its number.
ANSWERS = (
    "Agree",
    "Strongly agree",
    "Agree",
    "Strongly agree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
    "Agree",
    "Disagree",
    "Agree",
    "Strongly agree",
    "Strongly agree",
)


def a_complaint(organisation: str, email: str) -> dict[str, Any]:
    return {
        "complainant": {"name": "Sam Patel", "email": email, "preferred_contact": "email"},
        "organisation": {"name": organisation, "sector": "health"},
        "summary": "The practice lost my referral letter twice and nobody told me.",
        "desired_outcome": "An apology and a new referral.",
        "first_aware_on": "2026-09-01",
        "complained_to_organisation_on": "2026-09-05",
        "organisation_response_on": "2026-10-01",
    }


class Staff:
    """The caseworker's side, through casework's staff API."""

    def __init__(self, suite: Suite, client: httpx.Client, reference: str) -> None:
        self.url = f"{suite.url('casework')}/v1/cases/{reference}/actions"
        self.headers = suite.staff_headers(Role.MANAGER)
        self.client = client

    def act(self, action: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(self.url, json=action, headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


def test_tracking_page_and_survey(suite: Suite, page: Page, recorder: Recorder) -> None:
    client = httpx.Client(timeout=HTTP_TIMEOUT_SECONDS)
    email = f"sam.{uuid.uuid4().hex[:8]}@example.org"
    organisation = f"Riverside Medical Practice {uuid.uuid4().hex[:6]}"
    submitted = client.post(
        f"{suite.url('intake')}/v1/complaints", json=a_complaint(organisation, email)
    )
    assert submitted.status_code == 201, submitted.text
    reference, token = submitted.json()["reference"], submitted.json()["tracking_token"]

    def assigned() -> bool:
        view = client.get(f"{suite.url('casework')}/v1/track/{reference}", params={"token": token})
        return view.status_code == 200 and bool(view.json()["caseworker"])

    eventually(assigned, "the case to open and be assigned")
    tracking_url = f"{suite.url('casework')}/track/{reference}?token={token}"

    # The tracking page while the case is in assessment.
    page.goto(tracking_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your complaint {reference}")
    expect(page.locator(".tag")).to_have_text("Assessment")
    recorder.screenshot(page, "track-1-assessment")
    recorder.accessible(page, "track-1-assessment")

    # The draft decision: the complainant comments through the page's own form.
    staff = Staff(suite, client, reference)
    staff.act({"action": "accept"})
    staff.act({"action": "issue_draft"})
    page.goto(tracking_url)
    expect(page.get_by_text("You have not sent comments yet.")).to_be_visible()
    page.get_by_label("Your comments", exact=True).fill("The dates in the draft are right.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send comments").click()
    expect(page.get_by_role("status")).to_have_text("Thank you. We have received it.")
    # Their own words, back beside the draft with when we received them (issue 14 part 1).
    expect(page.get_by_role("heading", name="Your comments", exact=True)).to_be_visible()
    expect(page.locator("#your-comments + .notice")).to_contain_text(
        re.compile(r"We received these on \d{1,2} \w+ \d{4}: ?The dates in the draft are right\.")
    )
    expect(page.get_by_text("You have not sent comments yet.")).to_have_count(0)
    recorder.screenshot(page, "track-2-draft-commented")
    recorder.accessible(page, "track-2-draft-commented")

    # The final decision closes the case: the page explains it and offers a review.
    decided = staff.act(
        {
            "action": "issue_final",
            "outcome": "partly_upheld",
            "summary": "The practice lost the referral; it did tell you once.",
            "recommendations": [
                {"type": "apology", "description": "Apologise in writing.", "due_on": "2030-01-31"}
            ],
        }
    )
    assert decided["case"]["stage"] == "closed"
    page.goto(tracking_url)
    expect(page.get_by_role("heading", name="Our decision", exact=True)).to_be_visible()
    expect(page.get_by_text("We upheld part of your complaint.", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Ask for a review", exact=True)).to_be_visible()
    recorder.screenshot(page, "track-3-decided")
    recorder.accessible(page, "track-3-decided")
    # The decision to keep, from the page's own link, as an attachment named by the reference.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download our decision (PDF)").click()
    assert download.value.suggested_filename == f"{reference}-final-decision.pdf"
    saved = download.value.path()
    assert saved.read_bytes().startswith(b"%PDF-")

    # The survey invitation email, and its link.
    invitation = eventually(
        lambda: suite.mail_to(email, "how we did"),
        "the survey invitation email",
        timeout=INVITATION_TIMEOUT_SECONDS,
    )
    survey_url = link_in(text_of(invitation), "/survey/")
    page.goto(survey_url)
    expect(page).to_have_title("Tell us how we did - Ombudsman feedback")
    questions = page.locator("#answers").get_by_role("group")
    assert questions.count() == len(ANSWERS)
    recorder.screenshot(page, "survey-1-form")
    recorder.accessible(page, "survey-1-form")

    # Sending nothing asks for at least one answer, with a summary that links to the questions.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    anchors = [str(link.get_attribute("href")) for link in summary.get_by_role("link").all()]
    assert anchors
    assert not broken_anchors(page, anchors), f"error links to nothing: {anchors}"
    recorder.accessible(page, "survey-2-errors")

    # Every question answered through its radios, found by the question's legend.
    for number, answer in enumerate(ANSWERS, start=1):
        question = questions.filter(has_text=re.compile(rf"^\s*{number}\. "))
        question.get_by_label(answer, exact=True).check()
    page.get_by_label("Anything else you would like to tell us? (optional)").fill(
        "Clear letters. It took a while."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    recorder.screenshot(page, "survey-3-thanks")
    recorder.accessible(page, "survey-3-thanks")

    # The answers were stored as given (this suite's feedback database holds only this one).
    summary_json = client.get(
        f"{suite.url('feedback')}/v1/feedback/summary",
        headers=suite.staff_headers(Role.MANAGER),
    ).json()
    assert summary_json["responses"] == 1
    by_question = summary_json["by_question"]
    agreed = sum(answer in {"Agree", "Strongly agree"} for answer in ANSWERS)
    assert sum(figures["agree"] for figures in by_question.values()) == agreed
    assert all(figures["answered"] == 1 for figures in by_question.values())
