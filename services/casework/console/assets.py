"""`/staff/assets/`: GOV.UK Frontend and MoJ Frontend as npm installed them (assets/package.json,
`npm ci` at build time; no CDN), plus the console's own small CSS and JS.

Both design systems' precompiled CSS point at `/assets/fonts` and `/assets/images`; the console
serves them under its own prefix, so the CSS is rewritten once, when first asked for.
"""

from __future__ import annotations

import logging
import mimetypes
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from services.casework.console.rendering import ASSET_PATH, HERE

log = logging.getLogger("redress.casework.console")

router = APIRouter(prefix=ASSET_PATH, include_in_schema=False)

NODE_MODULES = HERE / "assets" / "node_modules"
GOVUK = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
MOJ = NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"
OWN = HERE / "static"
# Where each URL prefix is served from; fonts and images come from either design system.
ROOTS: dict[str, tuple[Path, ...]] = {
    "govuk": (GOVUK,),
    "moj": (MOJ,),
    "console": (OWN,),
    "fonts": (GOVUK / "assets" / "fonts",),
    "images": (GOVUK / "assets" / "images", MOJ / "assets" / "images"),
}
STYLESHEETS = {
    "govuk-frontend.min.css": GOVUK / "govuk-frontend.min.css",
    "moj-frontend.min.css": MOJ / "moj-frontend.min.css",
}
# The files change only with a new build; a day in the browser's cache spares the shared box.
CACHE = {"Cache-Control": "public, max-age=86400"}


def installed() -> bool:
    present = GOVUK.is_dir() and MOJ.is_dir()
    if not present:
        log.warning("console assets missing: run `make install` (npm ci in %s)", HERE / "assets")
    return present


@cache
def _stylesheet(name: str) -> bytes:
    css = STYLESHEETS[name].read_text(encoding="utf-8")
    return css.replace("url(/assets/", f"url({ASSET_PATH}/").encode()


def _find(prefix: str, rest: str) -> Path | None:
    for root in ROOTS.get(prefix, ()):
        candidate = (root / rest).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            return candidate
    return None


@router.get("/{path:path}")
async def asset(path: str) -> Response:
    if path in STYLESHEETS and STYLESHEETS[path].is_file():
        return Response(_stylesheet(path), media_type="text/css", headers=CACHE)
    prefix, _, rest = path.partition("/")
    found = _find(prefix, rest) if rest else None
    if found is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    if found.suffix in (".js", ".mjs"):
        media_type = "text/javascript"
    return Response(found.read_bytes(), media_type=media_type, headers=CACHE)
