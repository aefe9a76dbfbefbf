"""Trace context through the outbox and HTTP (shared/tracing.py), without a broker."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id
from sqlalchemy import MetaData

from shared.db import Database
from shared.envelope import CloudEvent
from shared.outbox import OutboxRelay, add_to_outbox, outbox_table
from shared.tracing import (
    TraceRequests,
    context_of,
    current_traceparent,
    exporting,
    trace_headers,
    tracer_provider,
)


def traced() -> tuple[TracerProvider, InMemorySpanExporter]:
    provider = TracerProvider(shutdown_on_exit=False)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def an_event(subject: str) -> CloudEvent:
    return CloudEvent(type="redress.test", source="/redress/test", subject=subject, data={})


async def test_the_relay_publishes_the_writers_traceparent_not_its_own(tmp_path: Path) -> None:
    provider, _ = traced()
    tracer = provider.get_tracer("test")
    metadata = MetaData()
    table = outbox_table(metadata)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    published: list[dict[str, str]] = []

    async def publish(topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> None:
        published.append(headers)

    relay = OutboxRelay(db, table, publish, service="test", batch_size=10, poll_interval=1.0)
    try:
        with tracer.start_as_current_span("writer") as writer:
            async with db.transaction() as session:
                await add_to_outbox(session, table, "redress.test", an_event("RDR-1"))
        async with db.transaction() as session:  # outside any span: no traceparent to keep
            await add_to_outbox(session, table, "redress.test", an_event("RDR-2"))
        with tracer.start_as_current_span("relay") as relaying:
            assert await relay.run_once() == 2
    finally:
        await db.dispose()
    context = writer.get_span_context()
    writers = f"00-{format_trace_id(context.trace_id)}-{format_span_id(context.span_id)}-"
    assert published[0]["traceparent"].startswith(writers)
    assert format_span_id(relaying.get_span_context().span_id) not in published[0]["traceparent"]
    assert "traceparent" not in published[1]


def test_a_traceparent_round_trips_and_a_bad_one_starts_a_new_trace() -> None:
    provider, _ = traced()
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("a") as span:
        traceparent = current_traceparent()
    assert traceparent is not None
    with tracer.start_as_current_span("child", context=context_of(traceparent)) as child:
        assert child.get_span_context().trace_id == span.get_span_context().trace_id
    with tracer.start_as_current_span("fresh", context=context_of("00-not-a-trace")) as fresh:
        assert fresh.get_span_context().trace_id != span.get_span_context().trace_id
    assert current_traceparent() is None
    assert trace_headers() == {}
    with tracer.start_as_current_span("calling"):
        assert trace_headers() == {"traceparent": current_traceparent()}


async def test_http_spans_name_the_route_continue_the_caller_and_skip_probes() -> None:
    provider, exporter = traced()
    app = FastAPI()

    @app.get("/track/{reference}")
    async def track(reference: str, token: str) -> dict[str, str]:
        return {"reference": reference}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(TraceRequests, tracer=provider.get_tracer("test"))
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/healthz")).status_code == 200
        response = await client.get(
            "/track/RDR-1", params={"token": "secret-token"}, headers={"traceparent": caller}
        )
        assert response.status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
    spans = exporter.get_finished_spans()
    assert [span.name for span in spans] == ["GET /track/{reference}", "GET"]
    served = spans[0]
    assert served.kind is SpanKind.SERVER
    assert format_trace_id(served.context.trace_id) == "0af7651916cd43dd8448eb211c80319c"
    assert served.parent is not None
    assert format_span_id(served.parent.span_id) == "b7ad6b7169203331"
    assert dict(served.attributes or {}) == {
        "http.request.method": "GET",
        "http.route": "/track/{reference}",
        "http.response.status_code": 200,
    }
    assert spans[1].attributes
    assert spans[1].attributes["http.response.status_code"] == 404


class _Collector(BaseHTTPRequestHandler):
    """A local OTLP/HTTP receiver: keeps each POST's path and body."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()
        self.wfile.write(ExportTraceServiceResponse().SerializeToString())

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


def test_spans_go_to_the_otlp_endpoint_only_when_one_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert not exporting()
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        silent = tracer_provider("intake")
        with silent.get_tracer("test").start_as_current_span("unexported"):
            pass
        silent.force_flush()
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        provider = tracer_provider("intake")
        with provider.get_tracer("test").start_as_current_span("exported"):
            pass
        provider.shutdown()  # flushes the batch
    finally:
        server.shutdown()
        thread.join()
    assert [path for path, _ in _Collector.received] == ["/v1/traces"]
    request = ExportTraceServiceRequest.FromString(_Collector.received[0][1])
    [resource_spans] = request.resource_spans
    attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attributes["service.name"] == "intake"
    names = [span.name for scope in resource_spans.scope_spans for span in scope.spans]
    assert names == ["exported"]
