"""The draft and final decisions as PDFs (issue 16 part 4): rendered by WeasyPrint from the
tracking view the page shows, read back with pypdf for their words, title, language and tags,
and never fetching anything from outside the package."""

from __future__ import annotations

import io
import socket
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from services.casework import decision_pdf
from services.casework.decision_pdf import PACKAGE, PackageOnlyFetcher, RefusedFetchError

REFERENCE = "RDR-2027-ABC123"
DRAFT_SUMMARY = "The trust delayed the referral by six weeks without telling you."
FINAL_SUMMARY = "The trust did not refer you in time and did not say why."
PROPOSED = "Apologise in writing for the delay."
RECOMMENDED = "Review how referrals are tracked and report back to us."


def tracked_case(*, draft: bool = True, final: bool = True) -> dict[str, Any]:
    """A tracking view (views.tracking's shape) with a draft with content and a final decision."""
    return {
        "reference": REFERENCE,
        "organisation": {"name": "Northshire NHS Trust"},
        "organisations": [],
        "draft_decision": {
            "issued_at": date(2027, 1, 5),
            "comments_due_by": date(2027, 1, 19),
            "comments_received_at": None,
            "scheduled_for": None,
            "comments": [],
            "proposed_outcome": "partly_upheld",
            "summary": DRAFT_SUMMARY,
            "how_we_reached_it": "We read the records and spoke to the trust.",
            "findings": [],
            "proposed_recommendations": [
                {
                    "type": "apology",
                    "description": PROPOSED,
                    "due_on": date(2027, 3, 1),
                    "organisation": "Northshire NHS Trust",
                }
            ],
        }
        if draft
        else None,
        "decision": {
            "outcome": "upheld",
            "summary": FINAL_SUMMARY,
            "decided_at": date(2027, 2, 1),
            "review_request_due_by": date(2027, 3, 1),
            "how_we_reached_it": "We read the records and your comments.",
            "next_steps": [],
            "changes_since_draft": "After your comments we uphold the whole complaint.",
            "findings": [],
            "evidence_not_obtained": None,
        }
        if final
        else None,
        "recommendations": [
            {
                "type": "service_improvement",
                "description": RECOMMENDED,
                "due_on": date(2027, 5, 3),
                "status": "made",
                "status_description": "Recommended: waiting for the organisation to act",
                "organisation": "Northshire NHS Trust",
            }
        ]
        if final
        else [],
    }


def read(pdf: bytes) -> tuple[PdfReader, str]:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return reader, text


def test_the_draft_decision_pdf_says_what_the_draft_proposes() -> None:
    reader, text = read(decision_pdf.render("draft", tracked_case(final=False), "en"))
    assert "We propose to uphold part of your complaint." in text
    assert DRAFT_SUMMARY in text
    assert PROPOSED in text
    assert "(by 1 March 2027)" in text
    assert REFERENCE in text
    assert "You can comment on it until 19 January 2027." in text
    # Only the draft: nothing of a final decision, nor the complainant's comments form.
    assert FINAL_SUMMARY not in text
    assert reader.metadata is not None
    assert reader.metadata.title == f"Draft decision on complaint {REFERENCE}"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    # Tagged (PDF/UA-1): marked content with a structure tree a screen reader follows.
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog


def test_the_final_decision_pdf_has_the_outcome_summary_and_recommendations() -> None:
    reader, text = read(decision_pdf.render("final", tracked_case(), "en"))
    assert "We upheld your complaint." in text
    assert FINAL_SUMMARY in text
    assert "After your comments we uphold the whole complaint." in text
    assert RECOMMENDED in text
    assert "3 May 2027" in text
    assert "We made this decision on 1 February 2027." in text
    assert REFERENCE in text
    assert DRAFT_SUMMARY not in text
    assert reader.metadata is not None
    assert reader.metadata.title == f"Final decision on complaint {REFERENCE}"


def test_in_welsh_the_pdf_is_welsh_in_its_words_title_and_language() -> None:
    reader, text = read(decision_pdf.render("final", tracked_case(), "cy"))
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert reader.metadata is not None
    assert reader.metadata.title == f"Penderfyniad terfynol ar gŵyn {REFERENCE}"
    assert "Gwnaethom gadarnhau eich cwyn." in text
    assert "1 Chwefror 2027" in text
    # What the caseworker wrote is shown as written.
    assert FINAL_SUMMARY in text


def test_a_decision_is_available_only_once_it_exists() -> None:
    assert decision_pdf.available("draft", tracked_case())
    assert decision_pdf.available("final", tracked_case())
    assert not decision_pdf.available("draft", tracked_case(draft=False))
    assert not decision_pdf.available("final", tracked_case(final=False))
    # A draft issued without content has nothing to print.
    contentless = tracked_case()
    contentless["draft_decision"] = {**contentless["draft_decision"], "proposed_outcome": None}
    assert not decision_pdf.available("draft", contentless)


def test_the_file_name_is_the_reference_and_the_kind_only() -> None:
    assert decision_pdf.file_name("draft", REFERENCE) == f"{REFERENCE}-draft-decision.pdf"
    assert decision_pdf.file_name("final", 'RDR-1"; x=../y') == "RDR-1xy-final-decision.pdf"


def test_the_fetcher_refuses_everything_outside_the_package() -> None:
    fetcher = PackageOnlyFetcher()
    inside = (PACKAGE / "print" / "decision.css").as_uri()
    response = fetcher.fetch(inside)
    try:
        assert b"@page" in response.read()
    finally:
        response.close()
    for url in (
        "http://127.0.0.1:9/logo.png",
        "https://example.org/font.woff2",
        "file:///etc/hostname",
        (PACKAGE / ".." / "intake" / "app.py").as_uri(),
        PACKAGE.as_uri() + "/%2e%2e/intake/app.py",
        "file://elsewhere" + (PACKAGE / "print" / "decision.css").as_posix(),
        "data:text/css,body{}",
    ):
        with pytest.raises(RefusedFetchError):
            fetcher.fetch(url)


@pytest.mark.parametrize("reference", ["img", "stylesheet"])
def test_rendering_never_reaches_a_server_and_stops_instead(reference: str) -> None:
    """A document that names an outside resource is refused before any connection is made: a
    real server on localhost listens and is never called."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/x"
        tag = (
            f'<img src="{url}.png" alt="">'
            if reference == "img"
            else f'<link rel="stylesheet" href="{url}.css">'
        )
        html = f'<!DOCTYPE html><html lang="en"><head><title>t</title>{tag}</head><p>x</p></html>'
        with pytest.raises(FatalURLFetchingError, match="Error fetching"):
            decision_pdf.render_html(html)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()
