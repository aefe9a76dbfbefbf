"""The public pages rendered in Welsh: the page's own strings, the domain's descriptions and
dates in Welsh, `<html lang="cy">`; what people wrote stays as written (issue 14)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import FastAPI

from services.casework.api import RECEIVED_NOTICE
from services.feedback.domain import COMMENTS_MAX_CHARS, SCALE, SURVEY_QUESTIONS
from services.intake.api import DIRECTORY, router
from services.intake.domain import (
    EligibilityQuestion,
    advocacy_services,
    check_eligibility,
    next_steps_after_submission,
)
from services.intake.organisations import OrganisationDirectory
from shared.events import Sector
from shared.kit.i18n import LocalisedTemplates
from tests.kit.apps import client_for
from tests.kit.fakes.intake import fake_intake_stores
from tests.kit.work import FakeUnitOfWork

SERVICES = Path(__file__).resolve().parents[3] / "services"


def pages(service: str) -> LocalisedTemplates:
    return LocalisedTemplates.load(SERVICES / service / "templates", SERVICES / service / "locale")


TRACKED_CASE = {
    "reference": "RDR-2027-ABC123",
    "organisation": {"name": "Bwrdd Iechyd"},
    "organisations": [],
    "stage": "assessment",
    "stage_description": (
        "We are looking at your complaint to decide whether we can investigate it."
    ),
    "caseworker": {"name": "Sam Patel"},
    "next_milestone": {
        "name": "Our decision on whether we will investigate",
        "due_by": date(2027, 2, 1),
    },
    "draft_arrangement": None,
    "draft_decision": None,
    "decision": None,
    "recommendations": [],
    "history": [{"stage": "assessment", "at": date(2027, 1, 5)}],
    "messages": [
        {"direction": "to_complainant", "from": "Sam Patel", "at": date(2027, 1, 6), "body": "Helo"}
    ],
    "draft_date_choice": None,
    "you_can": ["post_message"],
}


def test_the_tracking_page_in_welsh() -> None:
    html = pages("casework").render("cy", "track.html", case=TRACKED_CASE, token="t", notice=None)
    assert '<html lang="cy">' in html
    assert "<title>Cwyn RDR-2027-ABC123 - Cwynion i’r Ombwdsmon</title>" in html  # noqa: RUF001
    assert "<h1>Eich cwyn RDR-2027-ABC123</h1>" in html
    assert '<span class="tag">Asesu</span>' in html
    assert "Rydym yn edrych ar eich cwyn i benderfynu a allwn ymchwilio iddi." in html
    assert (
        "Ein penderfyniad ynghylch a fyddwn yn ymchwilio: <strong>1 Chwefror 2027</strong>" in html
    )
    assert "<td>5 Ionawr 2027</td>" in html
    assert "Ysgrifennodd Sam Patel ar 6 Ionawr 2027:" in html
    assert "We are looking" not in html


def test_the_tracking_page_in_english_is_unchanged_in_substance() -> None:
    html = pages("casework").render("en", "track.html", case=TRACKED_CASE, token="t", notice=None)
    assert '<html lang="en">' in html
    assert "<h1>Your complaint RDR-2027-ABC123</h1>" in html
    assert "Our decision on whether we will investigate: <strong>1 February 2027</strong>" in html


def test_the_survey_in_welsh_with_a_percent_sign_in_a_question() -> None:
    questions = [*SURVEY_QUESTIONS[:1], type(SURVEY_QUESTIONS[0])("custom", "100% clear?")]
    html = pages("feedback").render(
        "cy",
        "survey.html",
        questions=questions,
        scale=SCALE,
        answers={},
        comments="",
        errors={},
        comments_max_chars=COMMENTS_MAX_CHARS,
    )
    assert '<html lang="cy">' in html
    assert "<h1>Dywedwch wrthym sut y gwnaethom</h1>" in html
    assert "1. Roedd yn hawdd cael gwybod sut i gwyno i’r Ombwdsmon." in html  # noqa: RUF001
    assert "2. 100% clear?" in html  # text with no Welsh is shown as it is, never %-formatted
    assert "Cytuno’n gryf" in html  # noqa: RUF001


async def test_the_form_in_welsh_offers_welsh_messages_and_its_post_page_switches_back() -> None:
    app = FastAPI()
    app.include_router(router)
    DIRECTORY.put(app, OrganisationDirectory(FakeUnitOfWork(fake_intake_stores())))
    async with client_for(app) as client:
        welsh = await client.get("/", params={"lang": "cy"})
        assert welsh.status_code == 200
        assert '<html lang="cy">' in welsh.text
        assert 'name="complainant.language" type="text"\n    value="cy"' in welsh.text
        assert welsh.cookies.get("redress_lang") == "cy"
        english = await client.get("/", params={"lang": "en"})
        assert 'name="complainant.language" type="text"\n    value=""' in english.text
        # The switch on the pages answering POST /complaint links to GET /complaint.
        again = await client.get("/complaint", params={"lang": "en"})
        assert again.status_code == 303
        assert again.headers["location"] == "/?lang=en"


def test_the_tracking_pages_notice_in_welsh() -> None:
    html = pages("casework").render(
        "cy", "track.html", case=TRACKED_CASE, token="t", notice=RECEIVED_NOTICE
    )
    assert '<div class="notice" role="status">Diolch. Rydym wedi’i dderbyn.</div>' in html  # noqa: RUF001


def test_the_confirmation_and_eligibility_pages_in_welsh() -> None:
    """Next steps, eligibility reasons (a date in Welsh) and advocacy signposts, from the
    domain's English, shown in Welsh."""
    today = date(2027, 3, 1)
    result = check_eligibility(EligibilityQuestion(Sector.HEALTH, date(2025, 1, 10)), today)
    html = pages("intake").render(
        "cy",
        "confirmation.html",
        reference="RDR-2027-ABC123",
        tracking_url="https://track.example/t",
        received_at=None,
        next_steps=next_steps_after_submission(result),
        advocacy_services=advocacy_services(Sector.HEALTH, needs_support=True),
        eligibility=result,
    )
    assert "I chi, roedd hynny erbyn 10 Ionawr 2026." in html
    assert "Byddwn yn cadarnhau bod eich cwyn wedi dod i law cyn pen 2 diwrnod gwaith." in html
    assert ">Eiriolaeth cwynion y GIG</a>:" in html
    assert ">Cyngor ar Bopeth</a>:" in html
    assert "working days" not in html
    assert "You normally need" not in html
    checked = pages("intake").render("cy", "eligibility.html", values={}, result=result)
    assert "Cwynwch i’r sefydliad yn gyntaf." in checked  # noqa: RUF001
