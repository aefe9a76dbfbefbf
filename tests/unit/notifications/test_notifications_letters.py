"""Letters: the email body as an accessible, printable page addressed to the complainant."""

from __future__ import annotations

import functools
import re
from datetime import date

import pytest

from services.notifications.domain import TEMPLATES_DIRECTORY, MissingPersonalisation
from services.notifications.domain.rendered import Addressee, RenderedLetter
from services.notifications.domain.templates import (
    LARGE_PRINT_LETTER_FONT_PT,
    STANDARD_LETTER_FONT_PT,
    TemplateCatalogue,
)

REFERENCE = "PHSO-2027-000042"
TRACKING_URL = f"https://redress.example.gov.uk/track/{REFERENCE}?token=abc"
VALUES = {
    "reference": REFERENCE,
    "tracking_url": TRACKING_URL,
    "caseworker_name": "Priya Shah",
}
ADDRESSEE = Addressee("Alex Example", ("Flat 2", "1 High Street", "Leeds", "LS1 1AA"))
DATED = date(2027, 3, 9)


@functools.cache
def shipped_catalogue() -> TemplateCatalogue:
    return TemplateCatalogue.load(TEMPLATES_DIRECTORY)


def letter(large_print: bool = False, addressee: Addressee = ADDRESSEE) -> RenderedLetter:
    return shipped_catalogue().render_letter(
        "case_assigned", VALUES, addressee=addressee, dated=DATED, large_print=large_print
    )


def test_a_letter_is_addressed_dated_and_carries_the_reference_and_link() -> None:
    rendered = letter()

    assert re.search(
        r"Alex Example<br>\s*Flat 2<br>\s*1 High Street<br>\s*Leeds<br>", rendered.html
    )
    assert "9 March 2027" in rendered.html
    assert f"Our reference: {REFERENCE}" in rendered.html
    assert TRACKING_URL.replace("&", "&amp;") in rendered.html
    assert "Priya Shah is now looking after your complaint" in rendered.html
    assert rendered.subject == f"Your caseworker is Priya Shah: {REFERENCE}"
    assert "Priya Shah is now looking after your complaint" in rendered.text


def test_a_letter_is_a_whole_accessible_printable_page() -> None:
    html = letter().html

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert f"<title>Your caseworker is Priya Shah: {REFERENCE}</title>" in html
    assert "<main" in html
    assert "<address" in html
    assert "@page { size: A4;" in html


def test_large_print_letters_use_the_larger_type() -> None:
    standard, large = letter(), letter(large_print=True)

    assert f"font-size: {STANDARD_LETTER_FONT_PT}pt" in standard.html
    assert f"font-size: {LARGE_PRINT_LETTER_FONT_PT}pt" in large.html
    assert "large-print" in large.html
    assert "large-print" not in standard.html
    assert large.large_print
    assert LARGE_PRINT_LETTER_FONT_PT > STANDARD_LETTER_FONT_PT


def test_the_addressee_is_escaped() -> None:
    rendered = letter(addressee=Addressee("<b>Bob</b> & Co", ("1 <Road>",)))

    assert "<b>Bob</b>" not in rendered.html
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in rendered.html
    assert "1 &lt;Road&gt;" in rendered.html


def test_a_letter_with_missing_personalisation_is_an_error() -> None:
    with pytest.raises(MissingPersonalisation, match="caseworker_name"):
        shipped_catalogue().render_letter(
            "case_assigned",
            {"reference": REFERENCE, "tracking_url": TRACKING_URL},
            addressee=ADDRESSEE,
            dated=DATED,
        )


@pytest.mark.parametrize(
    ("stored", "lines"),
    [
        ("1 High Street\nLeeds\n\nLS1 1AA\n", ("1 High Street", "Leeds", "LS1 1AA")),
        ("1 High Street, Leeds,  LS1 1AA", ("1 High Street", "Leeds", "LS1 1AA")),
        ("  Rose Cottage  ", ("Rose Cottage",)),
    ],
)
def test_a_stored_address_splits_into_lines(stored: str, lines: tuple[str, ...]) -> None:
    assert Addressee.of(" Alex Example ", stored) == Addressee("Alex Example", lines)


@pytest.mark.parametrize("name", shipped_catalogue().names())
def test_every_template_renders_as_a_letter(name: str) -> None:
    catalogue = shipped_catalogue()
    values = {key: f"value-of-{key}" for key in catalogue.required_personalisation(name)}

    rendered = catalogue.render_letter(name, values, addressee=ADDRESSEE, dated=DATED)

    assert rendered.template == name
    assert rendered.version == catalogue.latest_version(name)
    assert "{{" not in rendered.html
    assert "value-of-tracking_url" in rendered.html or "value-of-survey_url" in rendered.html
