"""Message templates: a versioned catalogue on disk, rendered to email (HTML + text) and SMS.

Layout on disk (see services/notifications/templates/README.md):

    <directory>/<name>/v<N>.toml     subject, email, sms (Jinja), one file per version
    <directory>/_layout/email.html   the HTML wrapper for every email
    <directory>/_layout/letter.html  the printable page for every letter (same body as the email)

Like Notify (docs/reference/notify-anchor.md §1 "Template versioning"), every version is kept
and a message is rendered from the exact version recorded when it was created. Unlike Notify's
`((placeholder))` syntax we use Jinja2, sandboxed, with StrictUndefined: a missing value raises
`MissingPersonalisation` and never renders as a blank.

The email body is a small Markdown-like subset, modelled on Notify's ("Formatting" row):
paragraphs separated by a blank line, `# ` heading, `## ` sub-heading, `* `/`- ` bullets,
`^ ` inset text, `---` rule, and bare https:// links. The structure is read from the template
source *before* personalisation goes in, so a value can never add headings, lists or HTML:
values are escaped by Jinja's autoescape in the HTML part.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from services.notifications.domain.email_body import (
    Block,
    CompiledBlock,
    html_block,
    parse_blocks,
    text_block,
)
from services.notifications.domain.rendered import Addressee, RenderedLetter, RenderedMessage
from services.notifications.domain.sms import sms_encode
from services.notifications.domain.welsh import (
    BILINGUAL_SMS_SEPARATOR,
    BILINGUAL_SUBJECT_SEPARATOR,
    WELSH,
    welsh_date,
    welsh_first,
    welsh_personalisation,
)

TEMPLATE_NAME_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*$")
# `v2.toml` is English; `v2.cy.toml` beside it is the same version in Welsh (issue 14).
VERSION_FILE_PATTERN: Final = re.compile(r"^v([1-9][0-9]*)(?:\.(cy))?\.toml$")
LAYOUT_PATH: Final = Path("_layout") / "email.html"
LETTER_LAYOUT_PATH: Final = Path("_layout") / "letter.html"
REQUIRED_FIELDS: Final = ("subject", "email", "sms")

# Body text size. 19px is the GOV.UK Design System's body size on large screens. Large print is
# 24px, i.e. 18pt, the top of the 16-18pt range the UK Association for Accessible Formats
# (UKAAF) gives for large print.
STANDARD_FONT_PX: Final = 19
LARGE_PRINT_FONT_PX: Final = 24

# Printed letters. RNIB's Clear Print guidance: at least 12 point, 14 point preferred; large
# print is 18 point, the top of UKAAF's 16-18 point range (as LARGE_PRINT_FONT_PX above).
STANDARD_LETTER_FONT_PT: Final = 14
LARGE_PRINT_LETTER_FONT_PT: Final = 18

_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


_UNDEFINED_NAME: Final = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


class TemplateError(Exception):
    """Base class for template problems."""


class TemplateFileError(TemplateError):
    """A template file on disk cannot be used; raised when the catalogue loads."""


class UnknownTemplateError(TemplateError, LookupError):
    """No template, or no such version of it, in the catalogue."""


class MissingPersonalisation(TemplateError):  # noqa: N818 (name fixed by the service API)
    """The personalisation lacks values the template needs."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names: tuple[str, ...] = tuple(sorted(set(names)))
        super().__init__(f"Missing personalisation: {', '.join(self.names)}")


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    """One immutable version of a template, compiled once when the catalogue loads."""

    name: str
    version: int
    required: frozenset[str]
    subject: Template
    sms: Template
    body: tuple[CompiledBlock, ...]
    language: str = "en"


def _text_environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


def _html_environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


class TemplateCatalogue:
    """Every version of every message template, loaded from a directory."""

    def __init__(
        self, versions: Iterable[TemplateVersion], layout: Template, letter_layout: Template
    ) -> None:
        self._versions: dict[str, dict[int, TemplateVersion]] = {}
        self._welsh: dict[tuple[str, int], TemplateVersion] = {}
        for template_version in versions:
            if template_version.language == WELSH:
                self._welsh[(template_version.name, template_version.version)] = template_version
                continue
            by_number = self._versions.setdefault(template_version.name, {})
            by_number[template_version.version] = template_version
        self._layout = layout
        self._letter_layout = letter_layout

    @classmethod
    def load(cls, directory: Path | str) -> TemplateCatalogue:
        """Read and compile every `<name>/v<N>.toml` under `directory`; fail fast on any error."""
        root = Path(directory)
        text_env, html_env = _text_environment(), _html_environment()
        layouts = []
        for relative, what in ((LAYOUT_PATH, "email"), (LETTER_LAYOUT_PATH, "letter")):
            layout_file = root / relative
            if not layout_file.is_file():
                raise TemplateFileError(f"{layout_file}: the {what} layout is missing")
            layouts.append(_compile(html_env, layout_file.read_text(encoding="utf-8"), layout_file))
        versions = [_load_version(path, text_env, html_env) for path in _template_files(root)]
        return cls(versions, layouts[0], layouts[1])

    def names(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, name: str) -> list[int]:
        return sorted(self._versions_of(name))

    def has_welsh(self, name: str, version: int) -> bool:
        return (name, version) in self._welsh

    def latest_version(self, name: str) -> int:
        return max(self._versions_of(name))

    def required_personalisation(self, name: str, *, version: int | None = None) -> frozenset[str]:
        """The personalisation keys a version needs, e.g. to check a request before storing it."""
        return self._get(name, version).required

    def render(
        self,
        name: str,
        personalisation: Mapping[str, object],
        *,
        version: int | None = None,
        large_print: bool = False,
        welsh: bool = False,
    ) -> RenderedMessage:
        """Render `name` at `version` (default: the latest) with `personalisation`; `welsh`
        renders the Welsh version first and the English after it, in one message."""
        template = self._get(name, version)
        subject, html_body, text = _render_body(template, personalisation)
        sms = _render_sms(template, personalisation)
        if welsh:
            cy = self._get_welsh(template)
            cy_values = welsh_personalisation(personalisation)
            subject, html_body, text = welsh_first(
                _render_body(cy, cy_values), (subject, html_body, text)
            )
            sms = _render_sms(cy, cy_values) + BILINGUAL_SMS_SEPARATOR + sms
        html = self._layout.render(
            lang=WELSH if welsh else "en",
            subject=subject,
            body=html_body,
            large_print=large_print,
            font_size_px=LARGE_PRINT_FONT_PX if large_print else STANDARD_FONT_PX,
        )
        return RenderedMessage(
            template=name,
            version=template.version,
            subject=subject,
            html=html,
            text=text + "\n",
            sms=sms,
            large_print=large_print,
        )

    def render_letter(
        self,
        name: str,
        personalisation: Mapping[str, object],
        *,
        addressee: Addressee,
        dated: date,
        version: int | None = None,
        large_print: bool = False,
        welsh: bool = False,
    ) -> RenderedLetter:
        """The email body of `name` as a printable letter to `addressee`, dated `dated`
        (`welsh`: the Welsh first, then the English)."""
        template = self._get(name, version)
        subject, html_body, text = _render_body(template, personalisation)
        date_line = f"{dated.day} {_MONTHS[dated.month - 1]} {dated.year}"
        if welsh:
            cy = self._get_welsh(template)
            subject, html_body, text = welsh_first(
                _render_body(cy, welsh_personalisation(personalisation)), (subject, html_body, text)
            )
            date_line = f"{welsh_date(date_line)}{BILINGUAL_SUBJECT_SEPARATOR}{date_line}"
        html = self._letter_layout.render(
            lang=WELSH if welsh else "en",
            subject=subject,
            body=html_body,
            name=addressee.name,
            address_lines=addressee.address_lines,
            date=date_line,
            reference=personalisation.get("reference", ""),
            large_print=large_print,
            font_size_pt=LARGE_PRINT_LETTER_FONT_PT if large_print else STANDARD_LETTER_FONT_PT,
        )
        return RenderedLetter(
            template=name,
            version=template.version,
            subject=subject,
            html=html,
            text=text + "\n",
            large_print=large_print,
        )

    def _get_welsh(self, template: TemplateVersion) -> TemplateVersion:
        try:
            return self._welsh[(template.name, template.version)]
        except KeyError:
            raise UnknownTemplateError(
                f"template {template.name!r} v{template.version} has no Welsh version"
            ) from None

    def _versions_of(self, name: str) -> dict[int, TemplateVersion]:
        try:
            return self._versions[name]
        except KeyError:
            raise UnknownTemplateError(f"no template called {name!r}") from None

    def _get(self, name: str, version: int | None) -> TemplateVersion:
        versions = self._versions_of(name)
        number = max(versions) if version is None else version
        try:
            return versions[number]
        except KeyError:
            raise UnknownTemplateError(f"template {name!r} has no version {number}") from None


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _template_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        if not TEMPLATE_NAME_PATTERN.match(folder.name):
            raise TemplateFileError(f"{folder}: template names are lower_snake_case")
        files.extend(sorted(folder.glob("*.toml")))
    return files


def _load_version(
    path: Path, text_env: SandboxedEnvironment, html_env: SandboxedEnvironment
) -> TemplateVersion:
    match = VERSION_FILE_PATTERN.match(path.name)
    if match is None:
        raise TemplateFileError(f"{path}: version files are named v1.toml, v2.toml, ...")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise TemplateFileError(f"{path}: {error}") from error
    fields = _required_strings(document, path)
    blocks = parse_blocks(fields["email"])
    if not blocks:
        raise TemplateFileError(f"{path}: the email body is empty")
    sources = [fields["subject"], fields["sms"], *(item for b in blocks for item in b.items)]
    return TemplateVersion(
        name=path.parent.name,
        version=int(match.group(1)),
        language=match.group(2) or "en",
        required=_undeclared(text_env, sources, path),
        subject=_compile(text_env, fields["subject"], path),
        sms=_compile(text_env, fields["sms"], path),
        body=tuple(_compile_block(block, text_env, html_env, path) for block in blocks),
    )


def _required_strings(document: Mapping[str, Any], path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key in REQUIRED_FIELDS:
        value = document.get(key)
        if not isinstance(value, str) or not value.strip():
            raise TemplateFileError(f"{path}: '{key}' must be a non-empty string")
        fields[key] = value
    return fields


def _compile(env: SandboxedEnvironment, source: str, path: Path) -> Template:
    try:
        return env.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateFileError(f"{path}: {error.message} (line {error.lineno})") from error


def _undeclared(env: SandboxedEnvironment, sources: Iterable[str], path: Path) -> frozenset[str]:
    names: set[str] = set()
    for source in sources:
        try:
            names |= meta.find_undeclared_variables(env.parse(source))
        except TemplateSyntaxError as error:
            # A Jinja tag opened in one block and closed in another lands here.
            raise TemplateFileError(f"{path}: {error.message} in {source!r}") from error
    return frozenset(names)


def _compile_block(
    block: Block, text_env: SandboxedEnvironment, html_env: SandboxedEnvironment, path: Path
) -> CompiledBlock:
    return CompiledBlock(
        kind=block.kind,
        html=tuple(_compile(html_env, item, path) for item in block.items),
        text=tuple(_compile(text_env, item, path) for item in block.items),
    )


def _render_body(
    template: TemplateVersion, personalisation: Mapping[str, object]
) -> tuple[str, Markup, str]:
    """Subject, HTML body and plain-text body, shared by emails and letters."""
    missing = template.required - personalisation.keys()
    if missing:
        raise MissingPersonalisation(missing)
    values = dict(personalisation)
    try:
        subject = _single_line(template.subject.render(values))
        html_body = Markup("\n").join(html_block(block, values) for block in template.body)
        text = "\n\n".join(
            rendered for block in template.body if (rendered := text_block(block, values))
        )
    except UndefinedError as error:  # e.g. a missing attribute of a value that was given
        raise MissingPersonalisation([_undefined_name(error)]) from error
    return subject, html_body, text


def _render_sms(template: TemplateVersion, personalisation: Mapping[str, object]) -> str:
    try:
        return sms_encode(template.sms.render(dict(personalisation)).strip())
    except UndefinedError as error:
        raise MissingPersonalisation([_undefined_name(error)]) from error


def _undefined_name(error: UndefinedError) -> str:
    message = error.message or ""
    found = _UNDEFINED_NAME.search(message)
    return (found.group(1) or found.group(2)) if found else message


def _single_line(text: str) -> str:
    return " ".join(text.split())
