"""The local SMS gateway's application: both provider APIs, the control endpoints for tests, and
ways to run it (in-process for tests, or from the command line)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import BackgroundTasks, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from pydantic import BaseModel

from deploy.local.sms_gateway.notify import notify_send
from deploy.local.sms_gateway.texts import (
    DEFAULT_DIRECTORY,
    DEFAULT_HOST,
    DEFAULT_PORT,
    GatewayState,
    load_texts,
)
from deploy.local.sms_gateway.twilio import twilio_send

logger = logging.getLogger(__name__)


class OutageRequest(BaseModel):
    down: bool


CONTROL_PATHS = ("/_", "/healthz")

twilio_auth = HTTPBasic(auto_error=False)
notify_auth = HTTPBearer(auto_error=False)


def create_app(
    directory: Path, callback_url: str | None = None, callback_bearer_token: str | None = None
) -> FastAPI:
    directory.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="Redress local SMS gateway", docs_url=None, redoc_url=None)
    app.state.gateway = GatewayState(
        directory=directory, callback_url=callback_url, callback_bearer_token=callback_bearer_token
    )

    @app.middleware("http")
    async def simulate_outage(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        state: GatewayState = request.app.state.gateway
        if state.down and not request.url.path.startswith(CONTROL_PATHS):
            return JSONResponse({"message": "Service unavailable (simulated outage)"}, 503)
        return await call_next(request)

    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
    async def twilio_messages(
        account_sid: str,
        request: Request,
        background: BackgroundTasks,
        credentials: HTTPBasicCredentials | None = Depends(twilio_auth),
    ) -> Response:
        return await twilio_send(account_sid, request, background, credentials)

    @app.post("/v2/notifications/sms")
    async def notify_sms(
        request: Request,
        background: BackgroundTasks,
        credentials: HTTPAuthorizationCredentials | None = Depends(notify_auth),
    ) -> Response:
        return await notify_send(request, background, credentials)

    @app.get("/_messages")
    async def list_messages() -> list[dict[str, Any]]:
        return await asyncio.to_thread(load_texts, directory)

    @app.post("/_outage")
    async def set_outage(outage: OutageRequest) -> dict[str, bool]:
        app.state.gateway.down = outage.down
        return {"down": outage.down}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


# --- running it ---------------------------------------------------------------------------------

SERVER_START_POLL_SECONDS = 0.01


@asynccontextmanager
async def serve_in_background(app: FastAPI, host: str = DEFAULT_HOST) -> AsyncIterator[str]:
    """Serve an ASGI app on a free port in the current event loop; yields its base URL.

    The socket is bound before uvicorn starts, so there is no window for another process to take
    the port between choosing it and listening on it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", http="h11", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces the startup error
                raise RuntimeError("uvicorn exited before it started")
            await asyncio.sleep(SERVER_START_POLL_SECONDS)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass(frozen=True)
class RunningGateway:
    url: str
    directory: Path
    app: FastAPI

    def messages(self) -> list[dict[str, Any]]:
        return load_texts(self.directory)


@asynccontextmanager
async def running_gateway(
    directory: Path, callback_url: str | None = None, callback_bearer_token: str | None = None
) -> AsyncIterator[RunningGateway]:
    """The gateway served in-process on a free port, for tests."""
    app = create_app(directory, callback_url, callback_bearer_token)
    async with serve_in_background(app) as url:
        yield RunningGateway(url=url, directory=directory, app=app)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.local.sms_gateway",
        description="Local SMS gateway (Twilio and Notify APIs)",
    )
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY, dest="directory")
    parser.add_argument(
        "--callback-url",
        default=None,
        help="where Notify-style delivery receipts are posted "
        "(e.g. http://localhost:8003/v1/providers/sms/status)",
    )
    parser.add_argument(
        "--callback-bearer-token",
        default=None,
        help="sent as 'Authorization: Bearer <token>' with Notify-style receipts, as GOV.UK "
        "Notify sends the token a service configured (NOTIFICATIONS_CALLBACK_BEARER_TOKEN)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sms %(message)s")
    app = create_app(arguments.directory, arguments.callback_url, arguments.callback_bearer_token)
    logger.info("SMS gateway storing texts in %s", arguments.directory)
    uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="info")
