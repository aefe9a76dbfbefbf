"""Request metrics count every answer, a 500 from an unhandled exception included (a 5xx alert on
`redress_http_requests_total` must be able to fire)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY

from shared.middleware import RequestMetrics

SERVICE = "metrics-test"


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/boom/{item}")
    async def boom(item: str) -> None:
        raise RuntimeError(item)

    @app.get("/fine")
    async def fine() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(RequestMetrics, service=SERVICE)
    return app


def _count(route: str, status: str) -> float:
    labels = {"service": SERVICE, "method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value("redress_http_requests_total", labels) or 0.0


async def test_an_unhandled_exception_is_counted_as_a_500_under_its_route() -> None:
    before = _count("/boom/{item}", "500")
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/boom/1")).status_code == 500
        assert (await client.get("/boom/2")).status_code == 500
    assert _count("/boom/{item}", "500") == before + 2


async def test_answers_are_counted_by_route_template_and_status() -> None:
    fine, unmatched = _count("/fine", "200"), _count("unmatched", "404")
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/fine")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
    assert _count("/fine", "200") == fine + 1
    assert _count("unmatched", "404") == unmatched + 1
