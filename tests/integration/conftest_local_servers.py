"""Fixtures that run the local mail server, SMS gateway and a receipt receiver in-process.

Imported by the top-level conftest. Every fixture is function-scoped and picks free ports, so
tests never share state or collide with `make run` on the default ports.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response

from deploy.local.mail_server import FileStoreHandler, start_mail_server
from deploy.local.sms_gateway import RunningGateway, running_gateway, serve_in_background
from tests.kit.apps import LOCALHOST, free_port

__all__ = [
    "LocalMailServer",
    "ReceiptReceiver",
    "mail_server",
    "receipt_receiver",
    "sms_gateway",
]

RECEIPT_WAIT_SECONDS = 5.0  # generous next to the gateway's 0.1 s receipt delay


@dataclass
class LocalMailServer:
    """The local SMTP server on a fixed port that tests can stop and start again."""

    host: str
    port: int
    directory: Path
    controller: Controller | None = None

    @property
    def handler(self) -> FileStoreHandler:
        assert self.controller is not None, "the mail server is stopped"
        handler: FileStoreHandler = self.controller.handler
        return handler

    def start(self) -> None:
        assert self.controller is None, "the mail server is already running"
        self.controller = start_mail_server(self.host, self.port, self.directory)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[LocalMailServer]:
    server = LocalMailServer(host=LOCALHOST, port=free_port(), directory=tmp_path / "mail")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class ReceiptReceiver:
    """Collects the delivery receipts the gateway posts: `(path, body)` pairs in arrival order."""

    url: str = ""
    received: asyncio.Queue[tuple[str, Any]] = field(default_factory=asyncio.Queue)

    async def next_receipt(self) -> tuple[str, Any]:
        return await asyncio.wait_for(self.received.get(), RECEIPT_WAIT_SECONDS)


def receiver_app(receiver: ReceiptReceiver) -> FastAPI:
    app = FastAPI()

    @app.post("/{path:path}")
    async def receive(path: str, request: Request) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            body: Any = json.loads(await request.body())
        else:
            body = {key: str(value) for key, value in (await request.form()).items()}
        await receiver.received.put((f"/{path}", body))
        return Response(status_code=204)

    return app


@pytest.fixture
async def receipt_receiver() -> AsyncIterator[ReceiptReceiver]:
    receiver = ReceiptReceiver()
    async with serve_in_background(receiver_app(receiver)) as url:
        receiver.url = url
        yield receiver


@pytest.fixture
async def sms_gateway(
    tmp_path: Path, receipt_receiver: ReceiptReceiver
) -> AsyncIterator[RunningGateway]:
    """The gateway, posting Notify-style receipts to `receipt_receiver.url + '/notify'`."""
    async with running_gateway(tmp_path / "sms", f"{receipt_receiver.url}/notify") as gateway:
        yield gateway
