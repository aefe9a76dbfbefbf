"""A broker outage is visible, not loud (issue 15 §4): a service whose broker is killed -9 for
about ten seconds and started again writes one warning when it is lost and one when it is back,
and none of aiokafka's reconnect errors; it keeps taking complaints and publishes them after.

The broker is the test's own (deploy/kafka/start.sh on free ports, a fresh data directory), never
the shared one; the service is intake as `python -m services.intake` runs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_journey import a_complaint
from tests.kit.apps import LOCALHOST, free_port
from tests.kit.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
# Long enough for every client of the service to notice (the broker watch looks every 5 s,
# shared/app.py) and retry many times over: the issue saw thousands of lines in such a stretch.
OUTAGE_SECONDS = 10.0
# A broker start (JVM, KRaft) and a service start on a busy 2-core box.
START_TIMEOUT_SECONDS = 120.0
# What an outage may write at warning or above: the two broker warnings, and a little room for
# a warning of another kind (an outbox batch, a consumer rebalance), never a stream.
MAX_LOUD_LINES = 5
LOUD_LEVELS = {"warning", "error", "critical"}


class Broker:
    def __init__(self, home: Path) -> None:
        self.port, self.controller_port = free_port(), free_port()
        self.home = home
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"localhost:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "KAFKA_DATA_DIR": str(self.home / "data"),
        }
        log = (self.home / "kafka.log").open("ab")
        self.process = subprocess.Popen(
            [str(ROOT / "deploy" / "kafka" / "start.sh")], env=env, stdout=log, stderr=log
        )
        wait = str(int(START_TIMEOUT_SECONDS))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "deploy.local.topics",
                "--bootstrap",
                self.bootstrap,
                "--wait",
                wait,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT_SECONDS + 10,
        )

    def kill(self) -> None:
        """SIGKILL, as a crashed machine would: start.sh execs java, so this is the broker."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    own = Broker(tmp_path / "kafka")
    own.home.mkdir()
    own.start()
    try:
        yield own
    finally:
        if own.process is not None:
            own.kill()


@pytest.fixture
def intake(broker: Broker, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port, log_path = free_port(), tmp_path / "intake.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "REDRESS_ENVIRONMENT": "test",
        "REDRESS_CONSUMER_GROUP_PREFIX": f"outage-{uuid.uuid4().hex[:8]}",
        "INTAKE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        "INTAKE_HTTP_PORT": str(port),
        "INTAKE_SMTP_LISTEN_PORT": "0",
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.intake"], env=env, stdout=log, stderr=log
        )
    url = f"http://{LOCALHOST}:{port}"
    try:
        eventually(lambda: readiness(url) == 200, "intake to be ready", START_TIMEOUT_SECONDS)
        yield url, log_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def readiness(url: str) -> int | None:
    try:
        return httpx.get(f"{url}/readyz", timeout=10).status_code
    except httpx.HTTPError:
        return None


def outbox_pending(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    line = next(line for line in text.splitlines() if line.startswith("redress_outbox_pending{"))
    return float(line.rsplit(" ", 1)[1])


def entries(log: bytes) -> list[dict[str, object]]:
    """Every line as its JSON object; a line that is not JSON (a stray print or traceback) is
    kept as an error, so that it counts against the bound."""
    parsed: list[dict[str, object]] = []
    for line in log.decode(errors="replace").splitlines():
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append({"level": "error", "logger": "unparsed", "message": line})
    return parsed


def test_a_broker_outage_writes_a_warning_when_lost_and_one_when_back(
    broker: Broker, intake: tuple[str, Path]
) -> None:
    url, log_path = intake
    before = log_path.stat().st_size
    broker.kill()
    killed_at = time.monotonic()
    eventually(lambda: readiness(url) == 503, "/readyz to report the broker lost", 60)
    email = f"outage.{uuid.uuid4().hex[:6]}@example.org"
    posted = httpx.post(f"{url}/v1/complaints", json=a_complaint("Outage Trust", email), timeout=10)
    assert posted.status_code == 201, posted.text  # taken into the outbox meanwhile
    time.sleep(max(OUTAGE_SECONDS - (time.monotonic() - killed_at), 0))
    broker.start()
    eventually(lambda: readiness(url) == 200, "intake to be ready again", START_TIMEOUT_SECONDS)
    eventually(lambda: outbox_pending(url) == 0, "the outbox to publish the complaint", 60)

    def written() -> list[dict[str, object]]:
        with log_path.open("rb") as log:
            log.seek(before)
            return entries(log.read())

    eventually(
        lambda: any("reachable again" in str(entry["message"]) for entry in written()),
        "the broker-back warning",
        60,
    )
    loud = [entry for entry in written() if entry.get("level") in LOUD_LEVELS]
    messages = [str(entry["message"]) for entry in loud]
    assert sum("broker unreachable" in message for message in messages) == 1, messages
    assert sum("broker reachable again" in message for message in messages) == 1, messages
    assert not [entry for entry in loud if str(entry.get("logger", "")).startswith("aiokafka")]
    assert len(loud) <= MAX_LOUD_LINES, messages
