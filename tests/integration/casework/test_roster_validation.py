"""`PUT /v1/caseworkers/{id}` validates like intake (issue 13 item 9): a caseworker's name by the
shared text rules (no control, invisible or bidi-override characters, no unpaired surrogates),
sectors from the known set and each once, `active` a real boolean; each refusal a 422 naming the
field, and nothing refused reaches the roster. Casework in-process on the real broker, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.integration.casework.casework_kit import STAFF

pytestmark = pytest.mark.integration

PUT = "/v1/caseworkers/cw-roster"
GOOD = {"name": "Ali Khan", "sectors": ["health"], "active": True}
JSON_HEADERS = {**STAFF, "content-type": "application/json"}

REFUSED = [
    ({**GOOD, "name": "Ali\x00Khan"}, "name"),
    ({**GOOD, "name": "Ali\nKhan"}, "name"),
    ({**GOOD, "name": "Ali \ud800"}, "name"),
    ({**GOOD, "name": "Ali \u202eKhan"}, "name"),  # right-to-left override (Trojan Source)
    ({**GOOD, "name": "Ali\u200bKhan"}, "name"),  # zero-width space
    ({**GOOD, "name": "   "}, "name"),
    ({**GOOD, "name": 7}, "name"),
    ({**GOOD, "sectors": [""]}, "sectors.0"),
    ({**GOOD, "sectors": [".exe"]}, "sectors.0"),
    ({**GOOD, "sectors": []}, "sectors"),
    ({**GOOD, "sectors": "health"}, "sectors"),
    ({**GOOD, "sectors": ["health"] * 50}, "sectors"),
    ({**GOOD, "active": 0}, "active"),
    ({**GOOD, "active": "true"}, "active"),
    ({**GOOD, "rank": "boss"}, "rank"),
]


async def _put(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    # ensure_ascii: a lone surrogate travels as the JSON escape \ud800, as a fuzzer sends it.
    return await client.put(PUT, content=json.dumps(body).encode(), headers=JSON_HEADERS)


async def test_a_bad_caseworker_is_refused_naming_the_field(
    casework: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = casework
    for body, field in REFUSED:
        refused = await _put(client, body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in [f["field"] for f in refused.json()["fields"]], (body, refused.json())
    roster = (await client.get("/v1/caseworkers", headers=STAFF)).json()
    assert "cw-roster" not in [p["caseworker_id"] for p in roster]


async def test_a_good_caseworker_is_stored_tidied(casework: tuple[httpx.AsyncClient, Any]) -> None:
    client, _ = casework
    body = {"name": "  Siân Ní Bhriain ", "sectors": ["health", "other", "health"], "active": False}
    stored = await _put(client, body)
    assert stored.status_code == 200, stored.text
    expected = {
        "caseworker_id": "cw-roster",
        "name": "Siân Ní Bhriain",
        "sectors": ["health", "other"],
        "active": False,
    }
    assert stored.json() == expected
    roster = (await client.get("/v1/caseworkers", headers=STAFF)).json()
    assert {**expected, "open_cases": 0} in roster
