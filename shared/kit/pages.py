"""Jinja2 environments for a service's templates, always sandboxed.

HTML pages are autoescaped (whatever a complainant typed is shown, never interpreted); plain-text
mail is not markup, so nothing is escaped, and a missing value is an error rather than a blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment


def html_templates(directory: Path) -> SandboxedEnvironment:
    """Pages from `directory`, autoescaped."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(directory), autoescape=select_autoescape(default=True)
    )


def text_templates(directory: Path) -> SandboxedEnvironment:
    """Plain-text mail from `directory`: no escaping, no silent blanks, the last newline kept."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_page(
    templates: SandboxedEnvironment, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The page `name` rendered with `context`, as an HTML response."""
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status_code)
