"""The complaint form's scripts, served by intake itself (issue 13 item 6): GOV.UK's
accessible-autocomplete as `make install` put it in services/intake/assets/node_modules, and the
script that enhances the organisation list with it. Nothing else is served from `/assets/`."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.kit.apps import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(database_url: str, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group_prefix=f"test-{uuid.uuid4().hex[:6]}",
        smtp_listen_port=0,
    )
    async with running(create_app(settings)) as running_client:
        yield running_client


async def test_the_form_loads_its_scripts_from_intake(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources == [
        "/assets/accessible-autocomplete.min.js",
        "/assets/organisation-autocomplete.js",
    ]
    stylesheet = re.search(r'data-stylesheet="([^"]+)"', page)
    assert stylesheet is not None
    for path, media_type, sign in (
        (sources[0], "text/javascript", "enhanceSelectElement"),
        (sources[1], "text/javascript", "/v1/organisations?q="),
        (stylesheet.group(1), "text/css", ".autocomplete__input"),
    ):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(media_type), path
        assert sign in answer.text, path


@pytest.mark.parametrize(
    "path",
    ["/assets/package.json", "/assets/..%2Fapp.py", "/assets/accessible-autocomplete.js"],
)
async def test_nothing_else_is_served_from_assets(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404


async def test_the_welsh_form_gives_the_widget_its_welsh(client: httpx.AsyncClient) -> None:
    page = (await client.get("/", params={"lang": "cy"})).text
    assert 'data-results="Awgrymiadau sy\u2019n cael eu dangos: {count}."' in page
