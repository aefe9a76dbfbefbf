"""The message template catalogue: every template renders, safely, from the exact version asked."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain import TEMPLATES_DIRECTORY
from services.notifications.domain.rendered import RenderedMessage
from services.notifications.domain.sms import count_fragments
from services.notifications.domain.templates import (
    LARGE_PRINT_FONT_PX,
    MissingPersonalisation,
    TemplateCatalogue,
    TemplateFileError,
    UnknownTemplateError,
)

REFERENCE = "PHSO-2027-004217"
TRACKING_URL = f"https://redress.example.gov.uk/track/{REFERENCE}?token=Zk3pQ9xV2mLr8TbN4cWy7Hs1"
SURVEY_URL = "https://redress.example.gov.uk/survey/Qm8vT2xR9kLp4WnB7cYs3Hd6"

# Long, realistic values: the SMS fragment check must hold for the worst cases we expect.
SAMPLE_PERSONALISATION: dict[str, str] = {
    "reference": REFERENCE,
    "tracking_url": TRACKING_URL,
    "survey_url": SURVEY_URL,
    "organisation_name": "Northumbria Healthcare NHS Foundation Trust",
    "received_on": "5 January 2027",
    "hear_by": "2 February 2027",
    "caseworker_name": "Alexandra Montgomery-Smith",
    "stage_description": "We have started to investigate your complaint.",
    "next_step": "our draft decision",
    "next_date": "30 September 2027",
    "evidence_due_by": "19 February 2027",
    "comments_due_by": "26 February 2027",
    "outcome_description": "We have partly upheld your complaint.",
    "recommendations_summary": "an apology and a payment to put things right",
    "review_by": "31 March 2027",
    "decline_reason_description": "The law does not allow us to look into this.",
    "closure_description": "The organisation has agreed to put things right.",
    "review_outcome_description": "Our decision stays the same.",
    "recommendation_description": "changes to how it works",
    "status_description": "overdue: it was not done by the date we set",
    "previous_status_description": "agreed by the organisation",
    "deadline_description": "our decision on whether we can look into your complaint",
    "missed_date": "2 February 2027",
    "new_date": "16 February 2027",
    "survey_closes_on": "30 November 2027",
}
SURVEY_TEMPLATES = frozenset({"survey_invitation", "survey_reminder"})
EXPECTED_TEMPLATES = {
    "acknowledgement",
    "case_assigned",
    "stage_changed",
    "evidence_requested",
    "draft_decision_issued",
    "comments_received",
    "final_decision_issued",
    "case_closed_declined",
    "case_closed",
    "review_requested",
    "review_completed",
    "recommendation_updated",
    "message_from_caseworker",
    "deadline_missed",
    "survey_invitation",
    "survey_reminder",
}
MAX_SMS_FRAGMENTS = 2  # "SMS under 3 fragments": longer texts cost more and read worse
LEFTOVER_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\(\(|\)\)|\bNone\b|\bUndefined\b")


@functools.cache
def shipped_catalogue() -> TemplateCatalogue:
    return TemplateCatalogue.load(TEMPLATES_DIRECTORY)


@pytest.fixture
def catalogue() -> TemplateCatalogue:
    return shipped_catalogue()


def sample_for(catalogue: TemplateCatalogue, name: str) -> dict[str, str]:
    return {key: SAMPLE_PERSONALISATION[key] for key in catalogue.required_personalisation(name)}


def render_latest(catalogue: TemplateCatalogue, name: str, **options: bool) -> RenderedMessage:
    return catalogue.render(name, sample_for(catalogue, name), **options)


def test_catalogue_has_a_template_for_every_event_a_complainant_hears_about(
    catalogue: TemplateCatalogue,
) -> None:
    assert set(catalogue.names()) == EXPECTED_TEMPLATES


def test_sample_personalisation_covers_every_template(catalogue: TemplateCatalogue) -> None:
    for name in catalogue.names():
        for version in catalogue.versions(name):
            required = catalogue.required_personalisation(name, version=version)
            assert required <= SAMPLE_PERSONALISATION.keys(), (name, version)


@pytest.mark.parametrize("name", sorted(EXPECTED_TEMPLATES))
def test_every_template_renders_completely_at_its_latest_version(
    catalogue: TemplateCatalogue, name: str
) -> None:
    message = render_latest(catalogue, name)

    assert message.template == name
    assert message.version == catalogue.latest_version(name)
    for part in (message.subject, message.text, message.html, message.sms):
        assert part.strip()
        assert not LEFTOVER_SYNTAX.search(part), part
    assert "\n" not in message.subject


@pytest.mark.parametrize("name", sorted(EXPECTED_TEMPLATES))
def test_every_message_carries_the_reference_and_a_link(
    catalogue: TemplateCatalogue, name: str
) -> None:
    message = render_latest(catalogue, name)
    link = SURVEY_URL if name in SURVEY_TEMPLATES else TRACKING_URL
    html_link = link.replace("&", "&amp;")

    assert REFERENCE in message.subject
    assert REFERENCE in message.text
    assert REFERENCE in message.html
    assert REFERENCE in message.sms
    assert TRACKING_URL in message.text
    assert f'href="{html_link}"' in message.html
    assert link in message.sms


@pytest.mark.parametrize("name", sorted(EXPECTED_TEMPLATES))
def test_every_sms_is_short_plain_gsm(catalogue: TemplateCatalogue, name: str) -> None:
    fragments = count_fragments(render_latest(catalogue, name).sms)

    assert fragments.encoding == "GSM-7"
    assert fragments.fragments <= MAX_SMS_FRAGMENTS, fragments


@pytest.mark.parametrize("name", sorted(EXPECTED_TEMPLATES))
def test_every_html_email_has_a_plain_text_twin(catalogue: TemplateCatalogue, name: str) -> None:
    message = render_latest(catalogue, name)

    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert "<" not in message.text
    # Every sentence of the plain text is in the HTML too (modulo escaping).
    first_line = message.text.splitlines()[0]
    assert first_line in message.html


def test_missing_personalisation_names_everything_missing(catalogue: TemplateCatalogue) -> None:
    values = sample_for(catalogue, "final_decision_issued")
    del values["review_by"]
    del values["tracking_url"]

    with pytest.raises(MissingPersonalisation) as raised:
        catalogue.render("final_decision_issued", values)

    assert raised.value.names == ("review_by", "tracking_url")
    assert "review_by, tracking_url" in str(raised.value)


@given(st.data())
def test_any_single_missing_value_raises_never_renders_blank(data: st.DataObject) -> None:
    catalogue = shipped_catalogue()
    name = data.draw(st.sampled_from(sorted(EXPECTED_TEMPLATES)))
    values = sample_for(catalogue, name)
    dropped = data.draw(st.sampled_from(sorted(values)))
    del values[dropped]

    with pytest.raises(MissingPersonalisation) as raised:
        catalogue.render(name, values)

    assert raised.value.names == (dropped,)


def test_a_pinned_version_renders_exactly_that_version(catalogue: TemplateCatalogue) -> None:
    values = sample_for(catalogue, "acknowledgement")

    old = catalogue.render("acknowledgement", values, version=1)
    latest = catalogue.render("acknowledgement", values)

    assert catalogue.versions("acknowledgement") == [1, 2]
    assert old.version == 1
    assert latest.version == 2
    assert "will not affect the service" not in old.text
    assert "will not affect the service" in latest.text


def test_unknown_template_or_version_is_an_error(catalogue: TemplateCatalogue) -> None:
    with pytest.raises(UnknownTemplateError):
        catalogue.render("no_such_template", {})
    with pytest.raises(UnknownTemplateError):
        catalogue.render("case_assigned", SAMPLE_PERSONALISATION, version=99)
    with pytest.raises(LookupError):
        catalogue.latest_version("no_such_template")


def test_large_print_makes_the_text_bigger(catalogue: TemplateCatalogue) -> None:
    standard = render_latest(catalogue, "case_assigned")
    large = render_latest(catalogue, "case_assigned", large_print=True)

    assert large.large_print
    assert not standard.large_print
    assert f"font-size: {LARGE_PRINT_FONT_PX}px" in large.html
    assert f"font-size: {LARGE_PRINT_FONT_PX}px" not in standard.html
    assert LARGE_PRINT_FONT_PX >= 24
    assert large.text == standard.text
    assert large.sms == standard.sms


def test_values_are_escaped_in_html_and_kept_as_typed_in_text(
    catalogue: TemplateCatalogue,
) -> None:
    values = sample_for(catalogue, "case_assigned")
    values["caseworker_name"] = '<script>alert("x")</script> & Co'

    message = catalogue.render("case_assigned", values)

    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in message.html
    assert '<script>alert("x")</script> & Co' in message.text


def test_a_value_cannot_add_markdown_structure(catalogue: TemplateCatalogue) -> None:
    values = sample_for(catalogue, "case_assigned")
    values["caseworker_name"] = "# Pay now\n* https://evil.example/pay"

    message = catalogue.render("case_assigned", values)

    assert message.html.count("<h1") == 1  # only the template's own heading
    assert "<li>" not in message.html
    assert "# Pay now<br>" in message.html


def test_a_conditional_paragraph_that_renders_empty_leaves_no_trace(
    catalogue: TemplateCatalogue,
) -> None:
    values = sample_for(catalogue, "stage_changed")
    values["next_step"] = values["next_date"] = ""

    message = catalogue.render("stage_changed", values)

    assert "Next step" not in message.text
    assert "Next step" not in message.html
    assert "<p" in message.html
    assert not re.search(r"<p[^>]*>\s*</p>", message.html)
    assert "\n\n\n" not in message.text


def test_typographic_characters_in_values_do_not_force_ucs2(catalogue: TemplateCatalogue) -> None:
    values = sample_for(catalogue, "case_assigned")
    values["caseworker_name"] = "Aoife O\u2019Neill\u2013Jones"

    sms = catalogue.render("case_assigned", values).sms

    assert "O'Neill-Jones" in sms
    assert count_fragments(sms).encoding == "GSM-7"


# --------------------------------------------------------------------------------------------
# Loading from disk
# --------------------------------------------------------------------------------------------

GOOD_TEMPLATE = """
subject = "Hello {{ reference }}"
email = '''
# Hello

Your reference is {{ reference }}.
'''
sms = "Ref {{ reference }}"
"""


@pytest.fixture
def template_root(tmp_path: Path) -> Path:
    shutil.copytree(TEMPLATES_DIRECTORY / "_layout", tmp_path / "_layout")
    (tmp_path / "greeting").mkdir()
    return tmp_path


def test_loads_versions_from_a_directory(template_root: Path) -> None:
    (template_root / "greeting" / "v1.toml").write_text(GOOD_TEMPLATE)
    (template_root / "greeting" / "v3.toml").write_text(GOOD_TEMPLATE.replace("Hello", "Hi"))

    catalogue = TemplateCatalogue.load(template_root)

    assert catalogue.names() == ["greeting"]
    assert catalogue.latest_version("greeting") == 3
    assert catalogue.render("greeting", {"reference": "R1"}, version=1).subject == "Hello R1"
    assert catalogue.render("greeting", {"reference": "R1"}).subject == "Hi R1"


@pytest.mark.parametrize(
    ("file_name", "content", "problem"),
    [
        ("version1.toml", GOOD_TEMPLATE, "v1.toml"),
        ("v0.toml", GOOD_TEMPLATE, "v1.toml"),
        ("v1.toml", GOOD_TEMPLATE.replace('sms = "Ref {{ reference }}"', ""), "'sms'"),
        ("v1.toml", GOOD_TEMPLATE.replace("# Hello", "{% if reference %}\n\nHi"), "v1.toml"),
        ("v1.toml", 'subject = "unclosed', "v1.toml"),
    ],
)
def test_a_bad_template_file_fails_loading_not_sending(
    template_root: Path, file_name: str, content: str, problem: str
) -> None:
    (template_root / "greeting" / file_name).write_text(content)

    with pytest.raises(TemplateFileError, match=re.escape(problem)):
        TemplateCatalogue.load(template_root)


def test_a_catalogue_without_its_layout_fails_loading(tmp_path: Path) -> None:
    with pytest.raises(TemplateFileError, match="layout"):
        TemplateCatalogue.load(tmp_path)
