"""The draft and the final decision as PDFs (issue 16 part 4), for the complainant to keep.

WeasyPrint renders the tracking view (views.tracking) through templates/decision_print.html,
whose sections are the tracking page's own, so the PDF says what the page says. It fetches
nothing from outside: the fetcher below refuses every URL but a file inside this package, and
a refused fetch stops the render rather than leave something out silently. The document carries
its language (`<html lang>`) and title as PDF metadata, and is tagged PDF/UA-1 so a screen reader
reads it in order with its headings and lists. Fonts are the system's (print/decision.css).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Final, Literal, cast
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from shared.kit.i18n import Language, LocalisedTemplates

PACKAGE: Final = Path(__file__).resolve().parent
TEMPLATES: Final = LocalisedTemplates.load(PACKAGE / "templates", PACKAGE / "locale")
PRINT_TEMPLATE: Final = "decision_print.html"
STYLESHEET: Final = (PACKAGE / "print" / "decision.css").read_text(encoding="utf-8")
# PDF/UA-1 (ISO 14289-1): tagged, titled, with its language; WeasyPrint's name for the variant.
PDF_VARIANT: Final = "pdf/ua-1"
MEDIA_TYPE: Final = "application/pdf"

Kind = Literal["draft", "final"]
# What may appear in a download's file name: a reference is letters, digits and hyphens.
UNSAFE_IN_FILE_NAME: Final = re.compile(r"[^A-Za-z0-9-]")
# WeasyPrint keeps per-process font and layout caches that are not documented as safe to share
# between threads; renders run in worker threads, so one at a time.
_RENDERING: Final = threading.Lock()


class RefusedFetchError(ValueError):
    """A URL the decision PDF may not fetch: anything but a file inside this package."""


class PackageOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher, limited to `file:` URLs under this package; `fail_on_errors` makes
    a refusal stop the render (WeasyPrint would otherwise only log it and leave it out)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not is_inside_package(url):
            raise RefusedFetchError(f"decision PDFs fetch nothing outside the package: {url}")
        return cast(URLFetcherResponse, super().fetch(url, headers))


def is_inside_package(url: str) -> bool:
    """Whether `url` names a file inside this package, judged on the path urllib would open:
    percent-decoded (so `%2e%2e` is `..`), with `..` and links resolved."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return False
    return Path(url2pathname(parts.path)).resolve().is_relative_to(PACKAGE)


def available(kind: Kind, view: dict[str, Any]) -> bool:
    """Whether the tracking view has this decision to print: a draft with its content (a draft
    issued without content has nothing to read), or a final decision."""
    if kind == "draft":
        draft = view.get("draft_decision")
        return bool(draft and draft.get("proposed_outcome"))
    return view.get("decision") is not None


def file_name(kind: Kind, reference: str) -> str:
    """`RDR-2026-ABC123-draft-decision.pdf`: only the reference, never anything a person typed."""
    return f"{UNSAFE_IN_FILE_NAME.sub('', reference)}-{kind}-decision.pdf"


def print_html(kind: Kind, view: dict[str, Any], language: Language) -> str:
    """The decision as the HTML that is printed (the tracking view, `available` for `kind`)."""
    return TEMPLATES.render(language, PRINT_TEMPLATE, case=view, kind=kind)


def render_html(html: str) -> bytes:
    """Any HTML of ours to a tagged PDF with the print stylesheet, fetching nothing outside."""
    fetcher = PackageOnlyFetcher()
    document = HTML(string=html, base_url=PACKAGE.as_uri() + "/", url_fetcher=fetcher)
    stylesheet = CSS(string=STYLESHEET, url_fetcher=fetcher)
    with _RENDERING:
        pdf = document.write_pdf(stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)
    return cast(bytes, pdf)


def render(kind: Kind, view: dict[str, Any], language: Language) -> bytes:
    """The draft or final decision of the tracking view `view` as a PDF, in `language`."""
    return render_html(print_html(kind, view, language))
