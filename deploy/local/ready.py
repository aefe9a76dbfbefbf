"""Part of `make run`: creates the topics once Kafka answers, waits for every service to be ready,
then prints the URLs and a staff token for trying the suite by hand."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time

import httpx

from deploy.local.topics import ensure_topics
from shared.auth import Role, issue_staff_token
from shared.settings import DEVELOPMENT_AUTH_SECRET

SERVICES = {
    "intake": 8001,
    "casework": 8002,
    "notifications": 8003,
    "reports": 8004,
    "feedback": 8005,
}
# Services start in parallel with Kafka; a cold JVM and five Python processes on two cores.
READY_TIMEOUT_SECONDS = 180.0


async def wait_until_ready(
    client: httpx.AsyncClient, name: str, port: int, deadline: float
) -> None:
    while time.monotonic() < deadline:
        try:
            if (await client.get(f"http://localhost:{port}/readyz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(1.0)
    raise TimeoutError(f"{name} did not become ready on port {port}")


async def main() -> None:
    # aiokafka reports every refused connection while the broker starts; that is expected here.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    await ensure_topics(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"), READY_TIMEOUT_SECONDS
    )
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=5.0) as client:
        await asyncio.gather(
            *(wait_until_ready(client, n, p, deadline) for n, p in SERVICES.items())
        )
    secret = os.environ.get("REDRESS_AUTH_SECRET", DEVELOPMENT_AUTH_SECRET)
    manager = issue_staff_token(secret, sub="manager-1", name="Morgan Manager", role=Role.MANAGER)
    caseworker = issue_staff_token(secret, sub="cw-1", name="Sam Patel", role=Role.CASEWORKER)
    print(
        "\nRedress is running.\n"
        "  Complaint form      http://localhost:8001/\n"
        "  Intake API          http://localhost:8001/docs\n"
        "  Casework API        http://localhost:8002/docs\n"
        "  Staff console       http://localhost:8002/staff/  (caseworker@redress.localhost or\n"
        "                      manager@redress.localhost; the password casework printed above)\n"
        "  Tracking pages      http://localhost:8002/track/<reference>?token=<tracking token>\n"
        "  Notifications API   http://localhost:8003/docs\n"
        "  Reports dashboard   http://localhost:8004/dashboard\n"
        "  Feedback            http://localhost:8005/docs\n"
        "  Mail (.eml files)   .local/mail/      SMS (JSON files) .local/sms/\n"
        f"\nStaff token (manager):    {manager}\n"
        f"Staff token (caseworker): {caseworker}\n"
        "Use it as: Authorization: Bearer <token>.  Ctrl-C stops everything.\n",
        flush=True,
    )
    # Stay up: honcho stops the whole suite when any process exits.
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except TimeoutError as error:
        print(f"Not ready: {error}", file=sys.stderr)
        sys.exit(1)
