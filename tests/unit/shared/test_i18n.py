"""Language negotiation and the language switch for public pages (shared/kit/i18n.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import write_po
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from shared.kit.i18n import (
    LANGUAGE_COOKIE,
    LocalisedTemplates,
    long_date,
    negotiate,
    read_catalog,
    update_catalog,
)
from tests.kit.apps import client_for


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "en"),
        ("cy", None, None, "cy"),
        ("CY", "en", "en", "cy"),  # the switch link wins over everything
        ("en", "cy", "cy", "en"),
        ("fr", "cy", "en", "cy"),  # an unknown ?lang= falls through to the cookie
        (None, "cy", "en-GB", "cy"),  # the cookie wins over the browser
        (None, "xx", "cy-GB,en;q=0.5", "cy"),
        (None, None, "en-GB,en;q=0.9,cy;q=0.8", "en"),
        (None, None, "en;q=0.4, cy;q=0.8", "cy"),  # quality, not order, decides
        (None, None, "cy;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
        (None, None, "fr-FR, de", "en"),
        (None, None, "cy;q=abc, en", "en"),  # a broken weight counts as 0
        (None, None, "cy_GB", "cy"),
        (None, None, "*", "en"),
    ],
)
def test_negotiation_order(
    query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, accept) == expected


def test_long_dates_in_each_language() -> None:
    assert long_date(date(2027, 1, 5), "en") == "5 January 2027"
    assert long_date(date(2027, 1, 5), "cy") == "5 Ionawr 2027"
    assert long_date(date(2026, 7, 1), "cy") == "1 Gorffennaf 2026"


def _translate(po: Path, welsh: dict[str, str]) -> None:
    catalog = read_catalog(po)
    for msgid, msgstr in welsh.items():
        catalog[msgid].string = msgstr
    with po.open("wb") as file:
        write_po(file, catalog)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        '<html lang="{{ page_lang }}"><title>{{ _("Hello") }}</title>'
        '{% include "_language_switch.html" %}<p>{{ _("Dated %(day)s", day=day | long_date) }}</p>'
        "</html>",
        encoding="utf-8",
    )
    assert update_catalog(tmp_path) == ["Hello", "Dated %(day)s", "Choose a language"]
    po = tmp_path / "locale" / "cy" / "LC_MESSAGES" / "messages.po"
    assert po.read_text(encoding="utf-8").count("# awaiting review by a Welsh speaker") == 3
    _translate(
        po,
        {"Hello": "Helo", "Dated %(day)s": "Dyddiad %(day)s", "Choose a language": "Dewis iaith"},
    )
    pages = LocalisedTemplates.load(templates, tmp_path / "locale")
    app = FastAPI()

    @app.get("/things/{name}")
    async def page(request: Request, name: str) -> HTMLResponse:
        return pages.page(request, "page.html", day=date(2027, 1, 5))

    async with client_for(app) as http:
        yield http


async def test_a_page_in_welsh_from_the_query_sets_the_cookie(client: httpx.AsyncClient) -> None:
    response = await client.get("/things/x?token=abc&lang=cy")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="cy">' in html
    assert "<title>Helo</title>" in html
    assert "Dyddiad 5 Ionawr 2027" in html
    assert 'aria-label="Dewis iaith"' in html
    # The switch goes to the same page and query, in English, and says so in English.
    assert '<a href="/things/x?token=abc&amp;lang=en" hreflang="en" lang="en"' in html
    assert '<span aria-current="true" lang="cy">Cymraeg</span>' in html
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=cy;")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    # The next page, without ?lang=, is still Welsh (the cookie) and sets nothing new.
    again = await client.get("/things/x")
    assert '<html lang="cy">' in again.text
    assert "set-cookie" not in again.headers


async def test_accept_language_without_a_choice(client: httpx.AsyncClient) -> None:
    welsh = await client.get("/things/x", headers={"Accept-Language": "cy, en;q=0.5"})
    assert "<title>Helo</title>" in welsh.text
    assert "set-cookie" not in welsh.headers
    english = await client.get("/things/x", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text
    assert "<title>Hello</title>" in english.text
    assert "Dated 5 January 2027" in english.text
    assert '<a href="/things/x?lang=cy" hreflang="cy" lang="cy"' in english.text


def test_update_keeps_translations_and_adds_only_new_strings(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "a.html").write_text('{{ _("One") }}', encoding="utf-8")
    update_catalog(tmp_path)
    po = tmp_path / "locale" / "cy" / "LC_MESSAGES" / "messages.po"
    _translate(po, {"One": "Un"})
    (templates / "a.html").write_text('{{ _("One") }} {{ _("Two") }}', encoding="utf-8")
    assert update_catalog(tmp_path) == ["Two"]
    text = po.read_text(encoding="utf-8")
    assert 'msgid "One"\nmsgstr "Un"' in text
    assert 'msgid "Two"\nmsgstr ""' in text
