"""Render the intake pages with autoescaping and check they are accessible and round-trip."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

import services.intake
from services.intake.domain import (
    ReasonableAdjustment,
    advocacy_services,
    check_eligibility,
    next_steps_after_submission,
)
from services.intake.field_errors import ROOT_FIELD, errors_by_field, field_id
from services.intake.forms import form_to_complaint_payload
from services.intake.schemas import ComplaintRequest, EligibilityRequest, EligibilityResponse
from shared.events import ContactMethod, Sector
from shared.kit.i18n import LocalisedTemplates

from .hostile_requests import TODAY

TEMPLATES = Path(services.intake.__file__).parent / "templates"


@pytest.fixture(scope="module")
def env() -> SandboxedEnvironment:
    # The service's English environment (gettext, the shared language switch), made strict.
    english = LocalisedTemplates.load(TEMPLATES, TEMPLATES.parent / "locale").env("en")
    strict = english.overlay(
        undefined=StrictUndefined,  # a template using an undocumented variable fails here
        trim_blocks=True,
        lstrip_blocks=True,
    )
    assert isinstance(strict, SandboxedEnvironment)
    return strict


class Page(HTMLParser):
    """Collects what the accessibility checks need from a rendered page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict[str, str | None]] = []
        self.label_for: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self.legend_in_fieldset: list[bool] = []
        self.grouped_controls: list[tuple[str, bool]] = []  # (type, inside a fieldset)
        self.text: list[str] = []
        self._fieldsets = 0
        self._open_textarea: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "fieldset":
            self._fieldsets += 1
            self.legend_in_fieldset.append(False)
        if tag == "legend" and self._fieldsets:
            self.legend_in_fieldset[-1] = True
        if tag == "label" and attributes.get("for"):
            self.label_for.append(str(attributes["for"]))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag in {"input", "select", "textarea"}:
            control = {**attributes, "tag": tag}
            if tag == "textarea":
                control["value"] = ""
                self._open_textarea = control
            self.controls.append(control)
            if attributes.get("type") in {"radio", "checkbox"}:
                self.grouped_controls.append((str(attributes["type"]), self._fieldsets > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._fieldsets -= 1
        if tag == "textarea":
            self._open_textarea = None

    def handle_data(self, data: str) -> None:
        if self._open_textarea is not None:
            self._open_textarea["value"] = (self._open_textarea["value"] or "") + data
        self.text.append(data)

    def submission(self) -> dict[str, str | list[str]]:
        """What a browser would post for this form as it stands."""
        posted: dict[str, list[str]] = defaultdict(list)
        for control in self.controls:
            name = control.get("name")
            if not name:
                continue
            if control.get("type") in {"radio", "checkbox"} and "checked" not in control:
                continue
            posted[name].append(control.get("value") or "")
        return {name: values if len(values) > 1 else values[0] for name, values in posted.items()}

    def options(self, name: str) -> list[str]:
        return [str(c["value"]) for c in self.controls if c.get("name") == name]


def render(env: SandboxedEnvironment, name: str, **context: Any) -> Page:
    return Page(env.get_template(name).render(**context))


# --- the complaint form -------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["form.html", "eligibility.html"])
def test_every_visible_control_has_a_label_and_a_unique_id(
    env: SandboxedEnvironment, template: str
) -> None:
    page = render(env, template)
    visible = [c for c in page.controls if c.get("type") != "hidden"]
    assert visible
    for control in visible:
        assert control.get("id"), control
        assert control["id"] in page.label_for, f"no <label for> for {control['id']}"
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"


@pytest.mark.parametrize("template", ["form.html", "eligibility.html"])
def test_radios_and_checkboxes_sit_in_fieldsets_with_legends(
    env: SandboxedEnvironment, template: str
) -> None:
    page = render(env, template)
    assert page.grouped_controls
    assert all(inside for _, inside in page.grouped_controls)
    assert page.legend_in_fieldset
    assert all(page.legend_in_fieldset)


def test_form_works_without_javascript(env: SandboxedEnvironment) -> None:
    html = env.get_template("form.html").render()
    assert '<form id="complaint-form" method="post" action="/complaint"' in html
    assert '<select class="" id="organisation-id" name="organisation.id"' in html
    # Its only scripts are intake's own enhancement of the organisation list (suggestions as
    # the complainant types): deferred, from intake itself, nothing inline, nothing it needs.
    tags = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.IGNORECASE | re.DOTALL)
    sources = [re.findall(r'\bsrc="([^"]+)"', attributes) for attributes, _ in tags]
    assert sources == [
        ["/assets/accessible-autocomplete.min.js"],
        ["/assets/organisation-autocomplete.js"],
    ]
    assert all(re.search(r"\bdefer\b", attributes) for attributes, _ in tags)
    assert all(not body.strip() for _, body in tags)


def test_form_offers_exactly_the_schema_choices(env: SandboxedEnvironment) -> None:
    page = render(env, "form.html")
    assert page.options("complainant.reasonable_adjustments") == [
        a.value for a in ReasonableAdjustment
    ]
    assert page.options("organisation.sector") == [s.value for s in Sector]
    assert sorted(page.options("complainant.preferred_contact")) == sorted(ContactMethod)


def test_form_carries_the_reassurances(env: SandboxedEnvironment) -> None:
    text = " ".join(" ".join(render(env, "form.html").text).split())
    assert "Complaining will not affect your local service" in text
    assert "confidential" in text
    assert "Check whether we can help" in text


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    leaves: list[str] = []
    for name, info in model.model_fields.items():
        nested = [
            arg
            for arg in (info.annotation, *get_args(info.annotation))
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        path = f"{prefix}{name}"
        leaves += _leaf_fields(nested[0], f"{path}.") if nested else [path]
    return leaves


def test_every_error_anchor_lands_on_a_form_control(env: SandboxedEnvironment) -> None:
    page = render(env, "form.html")
    fields = [f for f in _leaf_fields(ComplaintRequest) if f != "channel"]  # set by the service
    assert "complainant.email" in fields
    assert "on_behalf_of.has_authority" in fields
    for field in fields:
        assert field_id(field) in page.ids, field
    assert field_id(ROOT_FIELD) in page.ids  # where errors about the whole body link to


def test_error_summary_lists_each_error_linked_to_its_field(env: SandboxedEnvironment) -> None:
    with pytest.raises(ValidationError) as caught:
        ComplaintRequest.model_validate(form_to_complaint_payload({}), context={"today": TODAY})
    errors = errors_by_field(caught.value)
    html = env.get_template("form.html").render(errors=errors)
    page = Page(html)
    assert "There is a problem" in html
    assert "<title>Error: " in html
    for error in errors:
        assert error.anchor in page.links
        assert error.anchor[1:] in page.ids, error
        assert error.message in html


def test_no_error_summary_without_errors(env: SandboxedEnvironment) -> None:
    html = env.get_template("form.html").render(errors=[])
    assert "There is a problem" not in html
    assert "<title>Error" not in html


def test_submitted_values_are_shown_again_and_escaped(env: SandboxedEnvironment) -> None:
    nasty = '"><script>alert(1)</script>'
    html = env.get_template("form.html").render(
        values={"complainant.name": nasty, "summary": nasty, "organisation.sector": "health"}
    )
    assert "<script>alert(1)</script>" not in html
    page = Page(html)
    submitted = page.submission()
    assert submitted["complainant.name"] == nasty
    assert str(submitted["summary"]).strip() == nasty
    assert submitted["organisation.sector"] == "health"


def test_a_filled_form_posts_back_a_valid_complaint(env: SandboxedEnvironment) -> None:
    values: dict[str, str | list[str]] = {
        "summary": "They lost my records twice and nobody apologised.",
        "desired_outcome": "An apology",
        "organisation.name": "Leeds Teaching Hospitals NHS Trust",
        "organisation.sector": "health",
        "mp_referral": "no",
        "first_aware_on.day": "2",
        "first_aware_on.month": "11",
        "first_aware_on.year": "2025",
        "complained_to_organisation_on.day": "10",
        "complained_to_organisation_on.month": "11",
        "complained_to_organisation_on.year": "2025",
        "complainant.name": "Jo Bloggs",
        "complainant.phone": "07911 123456",
        "complainant.preferred_contact": "sms",
        "complainant.reasonable_adjustments": ["easy_read", "more_time"],
        "needs_support": "yes",
        "acting_for_someone_else": "yes",
        "on_behalf_of.name": "Ann Bloggs",
        "on_behalf_of.relationship": "mother",
        "on_behalf_of.has_authority": "yes",
    }
    posted = render(env, "form.html", values=values).submission()
    request = ComplaintRequest.model_validate(
        form_to_complaint_payload(posted), context={"today": TODAY}
    )
    assert request.complainant.phone == "+447911123456"
    assert request.complainant.reasonable_adjustments == [
        ReasonableAdjustment.EASY_READ,
        ReasonableAdjustment.MORE_TIME,
    ]
    assert request.first_aware_on == date(2025, 11, 2)
    assert request.on_behalf_of is not None
    assert request.on_behalf_of.has_authority is True
    assert request.needs_support is True


def test_form_shows_advocacy_signposts_when_given(env: SandboxedEnvironment) -> None:
    services = advocacy_services(Sector.HEALTH, needs_support=True)
    page = render(env, "form.html", advocacy_services=services)
    assert "https://www.pohwer.net" in page.links


# --- confirmation and eligibility pages ---------------------------------------------------------


def _eligibility(**facts: Any) -> Any:
    request = EligibilityRequest.model_validate(
        {"sector": "health", "first_aware_on": "2025-11-01", **facts}, context={"today": TODAY}
    )
    return check_eligibility(request.to_question(), TODAY)


def test_confirmation_shows_reference_link_and_next_steps(env: SandboxedEnvironment) -> None:
    result = _eligibility(
        complained_to_organisation_on="2025-11-10", organisation_response_on="2026-01-01"
    )
    steps = next_steps_after_submission(result)
    html = env.get_template("confirmation.html").render(
        reference="RDR-2026-7K3M9Q",
        tracking_url="https://redress.example/track/RDR-2026-7K3M9Q?token=abc",
        received_at=datetime(2026, 3, 16, 9, 0, tzinfo=UTC),
        next_steps=steps,
        advocacy_services=advocacy_services(Sector.HEALTH, needs_support=False),
        eligibility=EligibilityResponse.from_result(result),
    )
    page = Page(html)
    assert "RDR-2026-7K3M9Q" in html
    assert "https://redress.example/track/RDR-2026-7K3M9Q?token=abc" in page.links
    assert "16 March 2026" in html
    for step in steps:
        assert step in html.replace("&#39;", "'")
    assert "may not be able to look into this" not in html


def test_confirmation_warns_when_a_caseworker_must_check_eligibility(
    env: SandboxedEnvironment,
) -> None:
    result = _eligibility()  # not yet complained to the organisation
    html = env.get_template("confirmation.html").render(
        reference="RDR-2026-7K3M9Q",
        tracking_url="/track/RDR-2026-7K3M9Q",
        next_steps=next_steps_after_submission(result),
        eligibility=EligibilityResponse.from_result(result),
    )
    assert "We may not be able to look into this yet" in html
    assert result.reasons[0] in html


def test_eligibility_page_before_a_check(env: SandboxedEnvironment) -> None:
    html = env.get_template("eligibility.html").render()
    assert "Check whether we can help" in html
    assert 'id="eligibility-result"' not in html


def test_eligibility_page_shows_reasons_and_next_steps(env: SandboxedEnvironment) -> None:
    result = EligibilityResponse.from_result(_eligibility(sector="parliamentary"))
    html = env.get_template("eligibility.html").render(
        result=result, values={"sector": "parliamentary"}
    )
    page = Page(html)
    assert "We may not be able to help yet" in html
    for line in result.reasons + result.next_steps:
        assert line.replace("'", "&#39;") in html
    assert page.submission()["sector"] == "parliamentary"


def test_eligibility_page_when_we_can_help(env: SandboxedEnvironment) -> None:
    result = EligibilityResponse.from_result(
        _eligibility(
            complained_to_organisation_on="2025-11-10", organisation_response_on="2026-01-01"
        )
    )
    html = env.get_template("eligibility.html").render(result=result)
    assert "We can probably help" in html
