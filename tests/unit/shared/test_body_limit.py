"""The global request body limit (shared/app.py BodySizeLimit) leaves the routes that bound their
own bodies (document uploads) to their own count, and only POSTs to them."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.middleware import BodySizeLimit


async def _length(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


def _client() -> httpx.AsyncClient:
    routes = [Route(path, _length, methods=["POST", "PUT"]) for path in ("/uploads", "/other")]
    app = BodySizeLimit(Starlette(routes=routes), max_bytes=10, self_limited=re.compile("/uploads"))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_only_posts_to_self_limited_paths_pass_the_global_limit() -> None:
    body = b"x" * 100
    async with _client() as client:
        assert (await client.post("/uploads", content=body)).text == "100"
        assert (await client.post("/other", content=body)).status_code == 413
        assert (await client.put("/uploads", content=body)).status_code == 413
        assert (await client.post("/uploads/more", content=body)).status_code == 413
        assert (await client.post("/other", content=b"short")).text == "5"
