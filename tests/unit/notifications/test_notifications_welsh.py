"""Welsh and English, Welsh first, in every message (issue 14; docs/welsh.md)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from services.notifications.domain import TEMPLATES_DIRECTORY, routing
from services.notifications.domain.rendered import Addressee
from services.notifications.domain.sms import count_fragments
from services.notifications.domain.templates import TemplateCatalogue, UnknownTemplateError
from services.notifications.domain.welsh import (
    WELSH_PHRASES,
    welsh_personalisation,
    writes_in_welsh,
)

from .test_notifications_templates import (
    LEFTOVER_SYNTAX,
    SAMPLE_PERSONALISATION,
    shipped_catalogue,
)

ALL_VERSIONS = [
    (name, version)
    for name in shipped_catalogue().names()
    for version in shipped_catalogue().versions(name)
]
# Routing's fixed English phrases, which reach the Welsh templates as personalisation.
ROUTING_PHRASES = [
    phrase
    for table in (
        routing.STAGE_DESCRIPTIONS,
        routing.OUTCOME_DESCRIPTIONS,
        routing.DECLINE_REASON_DESCRIPTIONS,
        routing.CLOSURE_DESCRIPTIONS,
        routing.RECOMMENDATION_DESCRIPTIONS,
        routing.RECOMMENDATION_STATUS_DESCRIPTIONS,
        routing.REVIEW_OUTCOME_DESCRIPTIONS,
        routing.MILESTONE_DESCRIPTIONS,
    )
    for phrase in table.values()
]
REVIEW_NOTE = "awaiting review by a Welsh speaker"


def _sample(catalogue: TemplateCatalogue, name: str, version: int) -> dict[str, str]:
    needed = catalogue.required_personalisation(name, version=version)
    return {key: SAMPLE_PERSONALISATION[key] for key in needed}


@pytest.mark.parametrize(("name", "version"), ALL_VERSIONS)
def test_every_template_version_has_its_welsh(name: str, version: int) -> None:
    catalogue = shipped_catalogue()
    assert catalogue.has_welsh(name, version), f"write {name}/v{version}.cy.toml"
    source = (TEMPLATES_DIRECTORY / name / f"v{version}.cy.toml").read_text(encoding="utf-8")
    assert REVIEW_NOTE in source.splitlines()[0]  # no review is claimed that did not happen
    # Same personalisation as the English: rendering with exactly the English keys works.
    message = catalogue.render(name, _sample(catalogue, name, version), version=version, welsh=True)
    for part in (message.subject, message.text, message.sms, message.html):
        assert not LEFTOVER_SYNTAX.search(part)


@pytest.mark.parametrize("phrase", ROUTING_PHRASES)
def test_every_routing_phrase_has_its_welsh(phrase: str) -> None:
    assert WELSH_PHRASES.get(phrase, "").strip(), phrase


def test_an_acknowledgement_is_welsh_first_then_english() -> None:
    catalogue = shipped_catalogue()
    message = catalogue.render(
        "acknowledgement", _sample(catalogue, "acknowledgement", 2), welsh=True
    )
    assert message.subject == (
        "Rydym wedi cael eich cwyn: PHSO-2027-004217 / "
        "We have received your complaint: PHSO-2027-004217"
    )
    welsh_at = message.text.index("Rydym wedi cael eich cwyn")
    english_at = message.text.index("We have received your complaint")
    assert welsh_at == 0
    assert welsh_at < message.text.index("-" * 65) < english_at
    assert "Cawsom eich cwyn ar 5 Ionawr 2027." in message.text
    assert "erbyn 2 Chwefror 2027" in message.text
    assert "We received your complaint on 5 January 2027." in message.text
    assert '<html lang="cy">' in message.html
    assert message.html.index('<div lang="cy">') < message.html.index('<div lang="en">')
    assert message.sms.startswith("Ombwdsmon: ")
    assert "\n\nOmbudsman: " in message.sms


def test_the_draft_message_says_what_a_draft_is_the_deadline_and_where_to_comment() -> None:
    """Issue 14 part 1: the complainant learns that the draft is a proposal they can comment on,
    by when, and that the draft and the comment form are on their tracking page."""
    catalogue = shipped_catalogue()
    values = _sample(catalogue, "draft_decision_issued", 2)
    english = catalogue.render("draft_decision_issued", values)
    assert "A draft decision is what we propose to decide" in english.text
    assert "It is not our final decision." in english.text
    assert "Send us your comments by 26 February 2027" in english.text
    assert "read the whole draft, and send us your comments, on your tracking page" in english.text
    assert "not our final decision" in english.sms
    assert "comment by 26 February 2027 on your tracking page" in english.sms
    both = catalogue.render("draft_decision_issued", values, welsh=True)
    assert "Penderfyniad drafft yw'r hyn rydym yn bwriadu ei benderfynu" in both.text
    assert "erbyn 26 Chwefror 2027" in both.text
    assert "ar eich tudalen olrhain" in both.text
    assert "A draft decision is what we propose to decide" in both.text


def test_english_alone_unless_asked() -> None:
    catalogue = shipped_catalogue()
    message = catalogue.render("acknowledgement", _sample(catalogue, "acknowledgement", 2))
    assert message.subject == "We have received your complaint: PHSO-2027-004217"
    assert "Rydym" not in message.text
    assert '<html lang="en">' in message.html


def test_bilingual_sms_fragments_are_counted_on_the_whole_text() -> None:
    catalogue = shipped_catalogue()
    english = catalogue.render("case_assigned", _sample(catalogue, "case_assigned", 1))
    both = catalogue.render("case_assigned", _sample(catalogue, "case_assigned", 1), welsh=True)
    plain = count_fragments(both.sms)
    assert plain.encoding == "GSM-7"
    assert plain.characters == len(both.sms) > len(english.sms)
    # A Welsh name with ŵ sends the whole text as UCS-2, 67 code units a fragment.
    values = {**_sample(catalogue, "case_assigned", 1), "caseworker_name": "Gwŷn ap Dafydd"}
    welsh_name = count_fragments(catalogue.render("case_assigned", values, welsh=True).sms)
    assert welsh_name.encoding == "UCS-2"
    assert welsh_name.fragments == -(-welsh_name.characters // 67)


def test_a_bilingual_letter_starts_in_welsh() -> None:
    catalogue = shipped_catalogue()
    letter = catalogue.render_letter(
        "case_assigned",
        _sample(catalogue, "case_assigned", 1),
        addressee=Addressee.of("Siân Jones", "1 Stryd Fawr, Aberystwyth, SY23 1AA"),
        dated=date(2027, 3, 1),
        welsh=True,
    )
    assert '<html lang="cy">' in letter.html
    assert "1 Mawrth 2027 / 1 March 2027" in letter.html
    assert letter.html.index("Annwyl Siân Jones") < letter.html.index("Dear Siân Jones")
    assert letter.text.index("Mae gennych weithiwr achos") < letter.text.index(
        "You have a caseworker"
    )


@pytest.mark.parametrize(
    ("language", "nation", "expected"),
    [
        ("cy", "england", True),
        ("CY-gb", "england", True),
        ("cy_GB", "scotland", True),
        (None, "wales", True),  # a Welsh body
        ("en", "wales", True),
        ("en", "england", False),
        (None, "northern_ireland", False),
        ("cym", "england", False),  # only the two-letter code is ours (values: en|cy)
        ("pl", "england", False),
    ],
)
def test_who_is_written_to_in_welsh(language: str | None, nation: str, expected: bool) -> None:
    assert writes_in_welsh(language, nation) is expected


def test_welsh_personalisation_translates_fixed_phrases_and_dates_only() -> None:
    values = welsh_personalisation(
        {
            "hear_by": "2 February 2027",
            "stage_description": "We have started to investigate your complaint.",
            "recommendations_summary": "an apology, a payment to put things right and changes to "
            "how it works",
            "caseworker_name": "May Davies",
            "tracking_url": "https://x.example/track/R?token=12 May 2027",
        }
    )
    assert values["hear_by"] == "2 Chwefror 2027"
    assert values["stage_description"] == "Rydym wedi dechrau ymchwilio i'ch cwyn."
    assert values["recommendations_summary"] == (
        "ymddiheuriad, taliad i unioni pethau a newidiadau i'r ffordd y mae'n gweithio"
    )
    assert values["caseworker_name"] == "May Davies"
    assert values["tracking_url"] == "https://x.example/track/R?token=12 May 2027"


def test_a_version_without_its_welsh_cannot_be_sent_in_welsh(tmp_path: Path) -> None:
    shutil.copytree(TEMPLATES_DIRECTORY / "_layout", tmp_path / "_layout")
    (tmp_path / "greeting").mkdir()
    (tmp_path / "greeting" / "v1.toml").write_text(
        "subject = 'Hi {{ reference }}'\nemail = '# Hi'\nsms = 'Hi'\n", encoding="utf-8"
    )
    catalogue = TemplateCatalogue.load(tmp_path)
    assert not catalogue.has_welsh("greeting", 1)
    with pytest.raises(UnknownTemplateError, match="no Welsh version"):
        catalogue.render("greeting", {"reference": "R"}, welsh=True)
    assert catalogue.render("greeting", {"reference": "R"}).subject == "Hi R"
