"""Public pages in Welsh and English (issue 14; docs/welsh.md): language negotiation, gettext
catalogs read straight from `.po` files with Babel, and one sandboxed Jinja environment per
language with the i18n extension.

The Welsh Language Standards expect a Welsh page wherever there is an English one, and a person
who has chosen Welsh to keep it. So the language of a page is, in order: `?lang=` (the switch
link), then the cookie that link sets, then the browser's `Accept-Language`, then English.

Catalogs live beside a service's templates as `<service>/locale/cy/LC_MESSAGES/messages.po` and
are loaded from the `.po` itself (compiled to a `.mo` in memory), so a fresh clone needs no
compile step. `python -m shared.kit.i18n <service directory>` adds new template strings to the
catalog; tests/unit/shared/test_welsh_catalogs.py fails while any lacks its Welsh.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlencode

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, FileSystemLoader, select_autoescape
from jinja2.ext import extract_from_ast
from jinja2.sandbox import SandboxedEnvironment

from shared.kit.sentences import SentenceTranslator

Language = Literal["en", "cy"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "cy")
DEFAULT_LANGUAGE: Final[Language] = "en"
LANGUAGE_QUERY: Final = "lang"
LANGUAGE_COOKIE: Final = "redress_lang"
# A year: the person's choice should outlive a visit; the cookie holds only "cy" or "en".
LANGUAGE_COOKIE_MAX_AGE_SECONDS: Final = 365 * 24 * 60 * 60
DOMAIN: Final = "messages"
# The translator comment on every Welsh entry nobody who speaks Welsh has checked yet.
AWAITING_REVIEW: Final = "awaiting review by a Welsh speaker"
# Templates every service's pages share (the language switch), after the service's own.
SHARED_TEMPLATES: Final = Path(__file__).parent / "templates"
# Dates as GOV.UK writes them ("5 January 2027"; in Welsh "5 Ionawr 2027"), CLDR pattern.
LONG_DATE_PATTERN: Final = "d MMMM y"
CATALOG_HEADER: Final = (
    "# Welsh for Redress's public pages (issue 14; docs/welsh.md).\n"
    "# Written without a Welsh speaker: every entry awaits review by a Welsh speaker.\n#"
)
# What each language's switch link says, in that language (GOV.UK and MoJ language switcher).
LANGUAGE_NAMES: Final[dict[Language, str]] = {"en": "English", "cy": "Cymraeg"}


def _as_language(value: str | None) -> Language | None:
    if value is None:
        return None
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    for language in LANGUAGES:
        if primary == language:
            return language
    return None


def _accepted(header: str) -> Iterator[Language]:
    """Languages of an Accept-Language header (RFC 9110 §12.5.4) we have, best first."""
    weighted: list[tuple[float, int, Language]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = _as_language(tag)
        if language is not None and quality > 0:
            weighted.append((-quality, position, language))
    for _, _, language in sorted(weighted):
        yield language


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> Language:
    """The page's language: the switch link's `?lang=`, the cookie, Accept-Language, English."""
    for choice in (_as_language(query), _as_language(cookie)):
        if choice is not None:
            return choice
    return next(_accepted(accept_language or ""), DEFAULT_LANGUAGE)


def request_language(request: Request) -> Language:
    return negotiate(
        request.query_params.get(LANGUAGE_QUERY),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


def switch_url(request: Request, language: Language) -> str:
    """This page in `language`: the same path and query with `lang` replaced (relative, so a
    proxy's host and scheme are kept)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != LANGUAGE_QUERY]
    query.append((LANGUAGE_QUERY, language))
    return f"{request.url.path}?{urlencode(query)}"


# --------------------------------------------------------------------------------------------
# Catalogs
# --------------------------------------------------------------------------------------------


def catalog_path(locale_directory: Path, language: str) -> Path:
    return locale_directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=path.parent.parent.name, domain=DOMAIN)


def sentence_translator(locale_directory: Path, language: Language) -> SentenceTranslator:
    """English text built in a service's code to `language`, from the service's catalog (for
    its pages and for the mail it writes itself); English, or no catalog, leaves it as it is."""
    path = catalog_path(locale_directory, language)
    messages: dict[str, str] = {}
    if language != DEFAULT_LANGUAGE and path.is_file():
        for message in read_catalog(path):
            if isinstance(message.id, str) and isinstance(message.string, str):
                messages[message.id] = message.string
    return SentenceTranslator.of(messages, _long_date_in(language))


def translations(path: Path) -> Translations:
    """A `.po` file as gettext translations, compiled in memory (no `.mo` on disk)."""
    compiled = BytesIO()
    write_mo(compiled, read_catalog(path))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def template_messages(templates_directory: Path) -> dict[str, list[str]]:
    """Every gettext msgid in the `.html` templates of a directory, with where it is used."""
    env = _environment(templates_directory)
    found: dict[str, list[str]] = {}
    for root in (templates_directory, SHARED_TEMPLATES):
        for path in sorted(root.rglob("*.html")):
            _extract(env, root, path, found)
    return found


def _extract(
    env: SandboxedEnvironment, root: Path, path: Path, found: dict[str, list[str]]
) -> None:
    source = path.read_text(encoding="utf-8")
    relative = path.relative_to(root).as_posix()
    for lineno, _function, message in extract_from_ast(env.parse(source)):
        for msgid in (message,) if isinstance(message, str) else (message or ()):
            if msgid:
                found.setdefault(msgid, []).append(f"{relative}:{lineno}")


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


def _environment(directory: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(directory), FileSystemLoader(SHARED_TEMPLATES)]),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )


def long_date(day: date, language: Language) -> str:
    """'5 January 2027', or in Welsh '5 Ionawr 2027'."""
    return format_date(day, LONG_DATE_PATTERN, locale=language)


def _long_date_in(language: Language) -> Any:
    return lambda day: long_date(day, language)


@dataclass(frozen=True)
class LocalisedTemplates:
    """A service's page templates, one autoescaped sandboxed environment per language."""

    environments: Mapping[Language, SandboxedEnvironment]

    @classmethod
    def load(cls, templates_directory: Path, locale_directory: Path) -> LocalisedTemplates:
        environments: dict[Language, SandboxedEnvironment] = {}
        for language in LANGUAGES:
            env = _environment(templates_directory)
            path = catalog_path(locale_directory, language)
            found = translations(path) if path.is_file() else NullTranslations()
            env.install_gettext_translations(found, newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(page_lang=language, language_names=LANGUAGE_NAMES)
            env.filters["long_date"] = _long_date_in(language)
            # Text from the service's own code (a survey question, a field error), looked up by
            # its English, whole or by sentence pattern (shared/kit/sentences.py): unlike `_`,
            # never %-formatted, so a '%' in it is only a character.
            env.filters["translated"] = sentence_translator(locale_directory, language)
            environments[language] = env
        return cls(environments)

    def env(self, language: Language) -> SandboxedEnvironment:
        return self.environments[language]

    def render(self, language: Language, name: str, **context: Any) -> str:
        return self.env(language).get_template(name).render(**context)

    def page(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        """The page `name` in the request's language, with the switch link to the other one;
        a `?lang=` choice is remembered in a cookie for the next page."""
        language = request_language(request)
        other: Language = "en" if language == "cy" else "cy"
        html = self.render(
            language, name, switch={"language": other, "url": switch_url(request, other)}, **context
        )
        response = HTMLResponse(html, status_code=status_code)
        if _as_language(request.query_params.get(LANGUAGE_QUERY)) is not None:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language,
                max_age=LANGUAGE_COOKIE_MAX_AGE_SECONDS,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        return response


# --------------------------------------------------------------------------------------------
# Keeping a catalog up to date: python -m shared.kit.i18n services/intake
# --------------------------------------------------------------------------------------------


def update_catalog(service_directory: Path) -> list[str]:
    """Add the templates' new msgids to the service's Welsh catalog (empty, awaiting Welsh);
    returns the msgids added. Existing entries, and their review state, are kept."""
    path = catalog_path(service_directory / "locale", "cy")
    catalog = (
        read_catalog(path)
        if path.is_file()
        else Catalog(
            locale="cy",
            domain=DOMAIN,
            project="Redress",
            fuzzy=False,
            header_comment=CATALOG_HEADER,
        )
    )
    added = []
    for msgid, places in template_messages(service_directory / "templates").items():
        if msgid not in catalog:
            catalog.add(msgid, "", user_comments=[AWAITING_REVIEW])
            added.append(msgid)
        # Files only, no line numbers: a line moving should not rewrite the catalog.
        files = dict.fromkeys(place.rsplit(":", 1)[0] for place in places)
        catalog[msgid].locations = [(file, 0) for file in files]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, omit_header=False, sort_output=False)
    return added


if __name__ == "__main__":
    for directory in sys.argv[1:]:
        for msgid in update_catalog(Path(directory)):
            print(f"{directory}: new, needs Welsh: {msgid!r}")
