"""Running one service in process, on the real broker and database."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from shared.auth import Role, issue_staff_token
from shared.settings import DEVELOPMENT_AUTH_SECRET

LOCALHOST = "127.0.0.1"
SERVER_START_POLL_SECONDS = 0.01


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Starts the app's lifespan (migrations, Kafka, relay, jobs), yields a client, stops it."""
    async with app.router.lifespan_context(app), client_for(app) as client:
        yield client


@asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app whether or not it is started (routes that only read the database)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@asynccontextmanager
async def serve_on_port(app: FastAPI, port: int) -> AsyncIterator[str]:
    """The app's routes on a real port (for callers outside the test, like the SMS gateway);
    the lifespan is the caller's to run."""
    config = uvicorn.Config(
        app, host=LOCALHOST, port=port, log_level="warning", lifespan="off", http="h11", ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn exited before it started")
            await asyncio.sleep(SERVER_START_POLL_SECONDS)
        yield f"http://{LOCALHOST}:{port}"
    finally:
        server.should_exit = True
        await task


def free_port(host: str = LOCALHOST) -> int:
    """A port nothing listens on right now (the OS picks it; it is released before returning)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def staff_headers(
    role: Role = Role.MANAGER, *, secret: str = DEVELOPMENT_AUTH_SECRET, sub: str = "t1"
) -> dict[str, str]:
    """`Authorization` for a member of staff with `role`, signed with the services' secret."""
    token = issue_staff_token(secret, sub=sub, name="Test Staff", role=role)
    return {"Authorization": f"Bearer {token}"}


def unsigned_token(claims: dict[str, object]) -> str:
    """A JWT with `alg: none` and no signature: what an attacker sends to skip the check."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def count_rows(app: Any, table: Any) -> int:
    """How many rows `table` holds in the database of the in-process service `app`."""
    async with app.state.service.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)
