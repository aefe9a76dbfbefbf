"""The app factory: every service's process, with health, readiness, metrics, and lifecycle.

    service = Service("intake", settings, metadata, migrations_dir=HERE / "migrations")
    service.messaging.consume(...)
    service.every("retention", 3600, job)
    app = service.http_app(routers=[api.router], title="Redress intake")

On start the service upgrades its database, connects to Kafka (waiting while the broker comes up),
starts the outbox relay and its periodic jobs; on stop it drains them and disconnects.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest
from sqlalchemy import MetaData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from shared import openapi
from shared.broker_state import BrokerState
from shared.crypto import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_LOOKUP_KEY
from shared.db import Database
from shared.kafka import broker_answers
from shared.logs import configure_logging
from shared.messaging import Messaging
from shared.middleware import BodySizeLimit, RequestMetrics
from shared.migrations import upgrade_to_head
from shared.observability import LagSampler, set_outbox_age
from shared.settings import DEVELOPMENT_AUTH_SECRET, ServiceSettings
from shared.timekeeping import utc_now
from shared.tracing import TRACER_NAME, TraceRequests, tracer_provider

log = logging.getLogger("redress.app")

# Largest request body accepted: a complaint is text; 1 MiB is far beyond any real one.
MAX_REQUEST_BYTES = 1024 * 1024
# How long a starting service waits for Kafka before giving up (the broker may still be starting).
KAFKA_CONNECT_TIMEOUT_SECONDS = 120.0
# Published outbox rows are pruned hourly; retention itself is REDRESS_OUTBOX_RETENTION_DAYS.
OUTBOX_RETENTION_INTERVAL_SECONDS = 3600.0
# How long /readyz waits for the broker to answer.
READINESS_TIMEOUT_SECONDS = 3.0
# How often a running service looks at the broker, so the gauge and the lost/back warnings do not
# wait for someone to ask /readyz.
BROKER_WATCH_INTERVAL_SECONDS = 5.0
# What /readyz says of a check that failed.
READINESS_REASONS = {
    "database": "the database does not answer",
    "kafka": "the Kafka broker does not answer",
}

OUTBOX_PENDING = Gauge("redress_outbox_pending", "Outbox rows not yet published", ["service"])
PERIODIC_RUNS = Counter(
    "redress_periodic_runs_total", "Periodic job runs", ["service", "job", "outcome"]
)


@dataclass(frozen=True)
class Periodic:
    name: str
    interval_seconds: float
    job: Callable[[], Awaitable[object]]


class Service:
    def __init__(
        self, name: str, settings: ServiceSettings, metadata: MetaData, *, migrations_dir: Path
    ) -> None:
        self.name = name
        self.settings = settings
        self.metadata = metadata
        self.migrations_dir = migrations_dir
        self.db = Database(settings.database_url)
        # The service's own provider (shared/tracing.py): tests add an in-memory exporter to it.
        self.tracing = tracer_provider(name)
        self.tracer = self.tracing.get_tracer(TRACER_NAME)
        self.messaging = Messaging(name, settings, self.db, metadata, tracer=self.tracer)
        self.periodic: list[Periodic] = []
        self.on_startup: list[Callable[[], Awaitable[None]]] = []
        self.on_shutdown: list[Callable[[], Awaitable[None]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.broker_state = BrokerState(name)
        self.every("broker-watch", BROKER_WATCH_INTERVAL_SECONDS, self._kafka_answers)
        self.lag = LagSampler(
            name,
            settings.kafka_bootstrap_servers,
            self.messaging.subscriptions,
            # Unknown counts as up: the first sample comes at start, not one interval later.
            lambda: self.broker_state.up is not False,
        )
        self.every("consumer-lag", settings.lag_sample_interval_seconds, self.lag.sample)
        self.every(
            "outbox-retention", OUTBOX_RETENTION_INTERVAL_SECONDS, self._apply_outbox_retention
        )

    def every(
        self, name: str, interval_seconds: float, job: Callable[[], Awaitable[object]]
    ) -> None:
        self.periodic.append(Periodic(name, interval_seconds, job))

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        configure_logging(self.name, self.settings.log_level)
        if (
            self.settings.environment == "production"
            and self.settings.auth_secret_value == DEVELOPMENT_AUTH_SECRET
        ):
            raise RuntimeError("REDRESS_AUTH_SECRET must be set in production")
        if self.settings.environment == "production" and (
            DEVELOPMENT_ENCRYPTION_KEY in self.settings.encryption_keys.get_secret_value()
        ):
            raise RuntimeError("REDRESS_ENCRYPTION_KEYS must be set in production")
        if self.settings.environment == "production" and (
            self.settings.lookup_key.get_secret_value() == DEVELOPMENT_LOOKUP_KEY
        ):
            raise RuntimeError("REDRESS_LOOKUP_KEY must be set in production")
        await asyncio.to_thread(upgrade_to_head, self.settings.database_url, self.migrations_dir)
        for hook in self.on_startup:
            await hook()
        await self._connect_kafka()
        self._tasks.append(
            asyncio.create_task(self.messaging.relay.run_forever(), name="outbox-relay")
        )
        for periodic in self.periodic:
            self._tasks.append(
                asyncio.create_task(self._run_periodic(periodic), name=periodic.name)
            )
        log.info("%s started", self.name)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.lag.close()
        await self.messaging.broker.stop()
        for hook in self.on_shutdown:
            await hook()
        await self.db.dispose()
        await asyncio.to_thread(self.tracing.force_flush)
        log.info("%s stopped", self.name)

    async def _connect_kafka(self) -> None:
        # Wait with a throwaway admin client first: a broker.start() that fails half-way leaves
        # its producer behind.
        await broker_answers(self.settings.kafka_bootstrap_servers, KAFKA_CONNECT_TIMEOUT_SECONDS)
        await self.messaging.broker.start()

    async def _apply_outbox_retention(self) -> None:
        await self.messaging.relay.apply_retention(
            timedelta(days=self.settings.outbox_retention_days)
        )

    async def _run_periodic(self, periodic: Periodic) -> None:
        while True:
            try:
                await periodic.job()
                PERIODIC_RUNS.labels(self.name, periodic.name, "ok").inc()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                PERIODIC_RUNS.labels(self.name, periodic.name, "failed").inc()
                log.error(
                    "periodic job %s failed (%s)",
                    periodic.name,
                    type(error).__name__,
                    exc_info=True,
                )
            await asyncio.sleep(periodic.interval_seconds)

    async def _kafka_answers(self) -> bool:
        try:
            kafka = bool(await self.messaging.broker.ping(timeout=READINESS_TIMEOUT_SECONDS))
        except Exception:
            kafka = False
        self.broker_state.observe(kafka)
        return kafka

    async def ready(self) -> dict[str, bool]:
        database = await self.db.ping()
        return {"database": database, "kafka": await self._kafka_answers()}

    # ------------------------------------------------------------------ HTTP

    def http_app(
        self,
        *,
        routers: Sequence[APIRouter],
        title: str,
        description: str = "",
        self_limited: re.Pattern[str] | None = None,
    ) -> FastAPI:
        """`self_limited`: the paths of POST routes that bound their own bodies (uploads of
        documents, larger than any other request), which the global body limit leaves alone."""

        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
        app.state.service = self
        # What the routes take as now; a service or a test may set another clock.
        app.state.clock = utc_now
        self._add_operational_routes(app)
        self._add_error_handlers(app)
        for router in routers:
            app.include_router(router)
        openapi.install(app)
        app.add_middleware(BodySizeLimit, max_bytes=MAX_REQUEST_BYTES, self_limited=self_limited)
        # Outermost of ours, so a 413 and an unhandled exception are counted too.
        app.add_middleware(RequestMetrics, service=self.name)
        # Outside the metrics, so the server span covers all of the request's handling.
        app.add_middleware(TraceRequests, tracer=self.tracer)
        return app

    def _add_operational_routes(self, app: FastAPI) -> None:
        @app.get("/healthz", tags=["operations"])
        async def healthz() -> dict[str, str]:
            return {"status": "ok", "service": self.name}

        @app.get("/readyz", tags=["operations"])
        async def readyz() -> JSONResponse:
            checks = await self.ready()
            ok = all(checks.values())
            body: dict[str, object] = {"ready": ok, "checks": checks}
            if not ok:
                body["reasons"] = [READINESS_REASONS[name] for name, up in checks.items() if not up]
            return JSONResponse(body, status_code=200 if ok else 503)

        @app.get("/metrics", tags=["operations"], include_in_schema=False)
        async def metrics() -> Response:
            try:
                pending, oldest = await self.messaging.relay.backlog()
                OUTBOX_PENDING.labels(self.name).set(pending)
                set_outbox_age(self.name, oldest, utc_now())
            except Exception:
                log.warning("could not count the outbox")
            return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    def _add_error_handlers(self, app: FastAPI) -> None:
        @app.exception_handler(RequestValidationError)
        async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
            return JSONResponse(validation_error_body(error.errors()), status_code=422)

        @app.exception_handler(StarletteHTTPException)
        async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
            body = error.detail if isinstance(error.detail, dict) else {"error": str(error.detail)}
            headers = dict(getattr(error, "headers", None) or {})
            if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
                # Starlette names only the first matching route's methods; a path has several.
                headers["Allow"] = ", ".join(_methods_of_path(request))
            return JSONResponse(body, status_code=error.status_code, headers=headers or None)

        @app.exception_handler(Exception)
        async def unexpected(_: Request, error: Exception) -> JSONResponse:
            log.error("unhandled error (%s)", type(error).__name__, exc_info=True)
            return JSONResponse(
                {"error": "Something went wrong on our side. Nothing you sent was lost."}, 500
            )


def _methods_of_path(request: Request) -> list[str]:
    """Every method some route answers on the request's path (included routers too)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.path and compile_path(route.path)[0].fullmatch(request.url.path):
            methods.update(route.methods or ())
    return sorted(methods)


def request_now(request: Request) -> datetime:
    """Now, by the app's clock (`app.state.clock`): tests pin it to judge by a fixed date."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def validation_error_body(errors: Sequence[Any]) -> dict[str, Any]:
    """One clear message per field, never echoing the input (it may be personal or huge)."""
    fields = []
    for error in errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "header", "path")
        ]
        fields.append({"field": ".".join(location) or "body", "message": _plain_message(error)})
    return {"error": "The request has problems; see fields.", "fields": fields}


def _plain_message(error: Any) -> str:
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def serve(app: FastAPI, port: int) -> None:
    """Run one service's process (python -m services.<name>)."""
    host = os.environ.get("REDRESS_HTTP_HOST", "127.0.0.1")
    service: Service = app.state.service
    configure_logging(service.name, service.settings.log_level)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, lifespan="on")
