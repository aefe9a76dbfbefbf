"""The complaint form's file field: its markup, and a refused file's error on the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import services.intake
from services.intake.api import refused_file_error
from services.intake.documents import RefusedFileError
from shared.documents.checks import DocumentLimits, check_document
from shared.documents.refusals import RefusedDocumentError
from shared.kit.i18n import LocalisedTemplates
from tests.kit.documents import EXECUTABLE

TEMPLATES = Path(services.intake.__file__).parent / "templates"
PAGES = LocalisedTemplates.load(TEMPLATES, TEMPLATES.parent / "locale")
LIMITS = DocumentLimits(max_file_bytes=1024 * 1024, max_case_bytes=4 * 1024 * 1024)


async def _refusal(content: bytes) -> RefusedFileError:
    with pytest.raises(RefusedDocumentError) as refused:
        await check_document(content, name="letter.pdf", case_bytes=0, limits=LIMITS)
    return RefusedFileError(refused.value)


def test_the_form_posts_multipart_with_a_file_field() -> None:
    html = PAGES.env("en").get_template("form.html").render()
    assert re.search(r'<form id="complaint-form"[^>]*enctype="multipart/form-data"', html)
    field = re.search(r'<input class="file-upload" id="documents" name="documents"[^>]*>', html)
    assert field is not None
    assert 'type="file"' in field.group(0)
    assert " multiple" in field.group(0)
    assert 'aria-describedby="documents-hint"' in field.group(0)
    assert '<label class="label" for="documents">' in html


async def test_a_refused_file_is_named_in_the_summary_and_what_was_typed_stays() -> None:
    refused = await _refusal(EXECUTABLE)
    error = refused_file_error(refused)
    assert (error.field, error.anchor) == ("documents", "#documents")
    assert refused.refusal.status == 415
    html = (
        PAGES.env("en")
        .get_template("form.html")
        .render(
            errors=[error], values={"summary": "They cancelled it twice", "complainant.name": "Jo"}
        )
    )
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert (
        '<a href="#documents">This type of file is not accepted. Choose a different file.</a>'
        in summary
    )
    field = re.search(r'<input class="file-upload file-upload--error" id="documents"[^>]*>', html)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="documents-hint documents-error"' in field.group(0)
    assert "They cancelled it twice" in html
    assert 'value="Jo"' in html
    assert "letter.pdf" not in html


async def test_an_empty_file_is_refused_with_its_own_reason() -> None:
    error = refused_file_error(await _refusal(b""))
    assert error.message == "This file is empty. Choose a different file."


async def test_the_refusal_reads_in_welsh() -> None:
    error = refused_file_error(await _refusal(EXECUTABLE))
    html = PAGES.env("cy").get_template("form.html").render(errors=[error])
    assert "Nid ydym yn derbyn y math hwn o ffeil. Dewiswch ffeil wahanol." in html
    assert "Dogfennau (dewisol)" in html
