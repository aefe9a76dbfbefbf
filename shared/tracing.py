"""OpenTelemetry traces: one trace from the HTTP request through Kafka to the SMTP send.

Each service has a TracerProvider of its own (several run in one test process), named by the
`service.name` resource. Spans are exported over OTLP/HTTP only when the standard
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporter
reads the other standard `OTEL_*` variables itself. Without one, spans are made and dropped,
which costs little, and the W3C `traceparent` still travels so callers' traces stay whole.

Across Kafka the context travels in the record's `traceparent` header (shared/envelope.py): an
outbox row keeps the traceparent of the transaction that wrote it, so the relay publishes the
writer's context, not its own; a consumer's span is the child of its record's traceparent.

Span names and attributes carry no personal data: route templates (never paths or queries),
topics, event types and ids, and the references and notification ids the logs already carry.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# W3C Trace Context, version 00: "00-" + 32 hex trace id + "-" + 16 hex span id + "-" + 2 hex.
TRACEPARENT_LENGTH = 55
TRACEPARENT_HEADER = "traceparent"
# The standard variables (OpenTelemetry specification, "OTLP Exporter Configuration") whose
# presence turns exporting on.
OTLP_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# Probes and scrapes: many a minute, and nothing an operator follows as a trace.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
TRACER_NAME = "redress"

_PROPAGATOR = TraceContextTextMapPropagator()


def exporting() -> bool:
    return any(os.environ.get(name) for name in OTLP_ENDPOINT_VARIABLES)


def tracer_provider(service: str) -> TracerProvider:
    """The service's provider: an OTLP/HTTP exporter when configured, otherwise none."""
    export = exporting()
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service}), shutdown_on_exit=export
    )
    if export:
        # Imported only when used: the exporter pulls in protobuf and requests.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, or None outside any (valid) span."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT_HEADER)


def trace_headers() -> dict[str, str]:
    """HTTP headers that make the service called a part of the current trace."""
    traceparent = current_traceparent()
    return {TRACEPARENT_HEADER: traceparent} if traceparent else {}


def context_of(traceparent: str | None) -> Context:
    """The context a traceparent names; an empty one (a new trace) when it is absent or bad."""
    if not traceparent:
        return Context()
    return _PROPAGATOR.extract({TRACEPARENT_HEADER: traceparent}, context=Context())


@contextmanager
def span_under(
    tracer: Tracer,
    name: str,
    traceparent: str | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: dict[str, str] | None = None,
) -> Iterator[Span]:
    """A current span whose parent is `traceparent` (whatever span was current before)."""
    # No exception recorded, no status from one: their texts may quote personal data.
    with tracer.start_as_current_span(
        name,
        context=context_of(traceparent),
        kind=kind,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        yield span


def mark_failed(span: Span, description: str) -> None:
    """An error status with a fixed description: never an exception text (it may quote input)."""
    span.set_status(Status(StatusCode.ERROR, description))


class TraceRequests:
    """A server span for each HTTP request, the child of the caller's `traceparent` if any.

    A small ASGI middleware rather than the FastAPI instrumentation, which records the full URL
    (tracking tokens are in query strings), the client's address and user agent: here the span
    has the method, the route template and the status, nothing else.
    """

    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        parent = headers.get(TRACEPARENT_HEADER.encode(), b"").decode("latin-1") or None
        method = str(scope.get("method", "GET"))
        status = 500  # unless a response starts, the server answers 500

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with span_under(
            self.tracer,
            method,
            parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
        ) as span:
            try:
                await self.app(scope, receive, noting_send)
            finally:
                # The router records the matched route in the scope once it has routed.
                route = getattr(scope.get("route"), "path", None)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    mark_failed(span, "server error")
