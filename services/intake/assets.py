"""`/assets/`: GOV.UK's accessible-autocomplete as npm installed it (assets/package.json, `npm ci`
at build time; no CDN, no third-party script on a public page), plus intake's own small script
that enhances the form's organisation list with it (static/organisation-autocomplete.js).

Only these named files are served: the form needs nothing else, and a fixed list cannot be
walked out of its folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

log = logging.getLogger("redress.intake")

HERE = Path(__file__).parent
ASSET_PATH = "/assets"
AUTOCOMPLETE = HERE / "assets" / "node_modules" / "accessible-autocomplete" / "dist"
OWN = HERE / "static"
# URL name -> (file, media type).
FILES: dict[str, tuple[Path, str]] = {
    "accessible-autocomplete.min.js": (
        AUTOCOMPLETE / "accessible-autocomplete.min.js",
        "text/javascript",
    ),
    "accessible-autocomplete.min.css": (
        AUTOCOMPLETE / "accessible-autocomplete.min.css",
        "text/css",
    ),
    "organisation-autocomplete.js": (OWN / "organisation-autocomplete.js", "text/javascript"),
}
# The files change only with a new build; a day in the browser's cache spares the shared box.
CACHE = {"Cache-Control": "public, max-age=86400"}

router = APIRouter(prefix=ASSET_PATH, include_in_schema=False)


def installed() -> bool:
    """Whether `make install` has run; without it the form still works, with the plain list."""
    present = AUTOCOMPLETE.is_dir()
    if not present:
        log.warning("form assets missing: run `make install` (npm ci in %s)", HERE / "assets")
    return present


@router.get("/{name}")
async def asset(name: str) -> Response:
    found = FILES.get(name)
    if found is None or not found[0].is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    path, media_type = found
    return Response(path.read_bytes(), media_type=media_type, headers=CACHE)
