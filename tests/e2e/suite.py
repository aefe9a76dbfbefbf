"""The whole suite as separate processes, the way `make run` starts it, for end-to-end tests and
the benchmark: five services on free ports with their own SQLite files, the local SMTP server and
the local SMS gateway, all against the real Kafka broker."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from deploy.local.mail_server import read_mails
from shared.auth import Role, issue_staff_token
from shared.settings import DEVELOPMENT_AUTH_SECRET
from shared.topics import ALL_TOPICS
from tests.kit.apps import free_port

SERVICES = ("intake", "casework", "notifications", "reports", "feedback")
REPOSITORY = Path(__file__).resolve().parents[2]
# Cold start of five Python services and their Kafka consumer groups on a 2-core machine.
READY_TIMEOUT_SECONDS = 90.0
# One directory change is one small write: well under this, even on a loaded machine.
DIRECTORY_TIMEOUT_SECONDS = 10.0


# How each service names its Kafka consumers in its composition root: `consumer="cases"`.
CONSUMER_NAME = re.compile(r'consumer="([a-z_]+)"')


def consumer_groups(prefix: str) -> list[str]:
    """The consumer groups a suite with this prefix will join (`<prefix>-<service>-<consumer>`,
    shared/messaging.py), read from every module of each service (a service subscribes in its
    app.py, its consumers.py, or a feature's wiring such as notifications' webhooks)."""
    return [
        f"{prefix}-{service}-{consumer}"
        for service in SERVICES
        for path in sorted((REPOSITORY / "services" / service).rglob("*.py"))
        for consumer in CONSUMER_NAME.findall(path.read_text(encoding="utf-8"))
    ]


async def start_groups_at_end(bootstrap: str, groups: Sequence[str]) -> None:
    """Commits the current end of every Redress topic for each (new) consumer group.

    A new group reads from the earliest offset, so a suite started on a long-lived broker would
    first replay every other test's events and resend their mails, which on a busy machine
    takes minutes. Starting at the end, the suite sees only what happens after it starts, which
    is all these tests need: they use cases they create.
    """
    for group in groups:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            partitions = [
                TopicPartition(topic.name, partition)
                for topic in ALL_TOPICS
                for partition in range(topic.partitions)
            ]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            await consumer.commit(
                {tp: OffsetAndMetadata(await consumer.position(tp), "") for tp in partitions}
            )
        finally:
            await consumer.stop()


@dataclass
class Suite:
    root: Path
    kafka: str
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    group_prefix: str = field(default_factory=lambda: f"e2e-{uuid.uuid4().hex[:8]}")
    # Further environment for every process (a campaign's shorter timeouts), over the defaults.
    overrides: dict[str, str] = field(default_factory=dict)
    # Instances of each service: the first is named after the service ("casework"), the others
    # "casework-2" and so on; all of a service's instances share its database.
    instances: int = 1
    # A PostgreSQL server's admin URL: each service then gets a database of its own there (as
    # several instances need), instead of a SQLite file.
    postgres_admin_url: str | None = None
    ready_timeout_seconds: float = READY_TIMEOUT_SECONDS

    def instance_names(self, service: str) -> list[str]:
        return [service] + [f"{service}-{n}" for n in range(2, self.instances + 1)]

    @property
    def service_processes(self) -> list[str]:
        return [name for service in SERVICES for name in self.instance_names(service)]

    def database_url(self, service: str) -> str:
        if self.postgres_admin_url is None:
            return f"sqlite+aiosqlite:///{self.root / f'{service}.db'}"
        base = self.postgres_admin_url.rsplit("/", 1)[0]
        return f"{base}/{self.group_prefix.replace('-', '_')}_{service}"

    @property
    def mail_dir(self) -> Path:
        return self.root / "mail"

    @property
    def sms_dir(self) -> Path:
        return self.root / "sms"

    def url(self, service: str) -> str:
        """The URL of a process: a service's first instance, or one by name ("intake-2")."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def staff_token(
        self, role: Role = Role.MANAGER, sub: str = "manager-1", name: str = "Morgan Manager"
    ) -> str:
        return issue_staff_token(DEVELOPMENT_AUTH_SECRET, sub=sub, name=name, role=role)

    def staff_headers(self, role: Role = Role.MANAGER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.staff_token(role)}"}

    def list_organisation(
        self, entry_id: str, name: str, sector: str, *, nation: str = "england"
    ) -> httpx.Response:
        """Adds a body to this suite's intake directory, as an administrator would
        (`PUT /v1/organisations/{id}`, 201 when new, 200 when replaced): public events name only
        directory entries. A refused entry raises."""
        answer = httpx.put(
            f"{self.url('intake')}/v1/organisations/{entry_id}",
            json={"name": name, "sector": sector, "nation": nation, "scheme": "redress"},
            headers=self.staff_headers(Role.ADMIN),
            timeout=DIRECTORY_TIMEOUT_SECONDS,
        )
        answer.raise_for_status()
        return answer

    def add_staff(
        self, email: str, name: str, role: str, password: str, *extra: str
    ) -> subprocess.CompletedProcess[str]:
        """A staff account in this suite's casework, through the administrators' command line
        (`python -m services.casework.staff add`), as outside development."""
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "services.casework.staff",
                "add",
                "--email",
                email,
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
                *extra,
            ],
            input=password + "\n",
            env=self.environment(),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    def mails(self) -> list[object]:
        return list(read_mails(self.mail_dir))

    def mail_to(self, address: str, subject_contains: str) -> EmailMessage | None:
        """The first mail the suite's SMTP server took for `address` whose subject contains the
        text (in any case)."""
        for mail in self.mails():
            assert isinstance(mail, EmailMessage)
            to, subject = str(mail["To"]), str(mail["Subject"]).lower()
            if address in to and subject_contains.lower() in subject:
                return mail
        return None

    def environment(self, process: str | None = None) -> dict[str, str]:
        """Every process's environment; `process` (e.g. "casework-2") gives that instance its own
        HTTP and mail ports and its own sender slot."""
        env = {
            **os.environ,
            "PYTHONPATH": str(Path.cwd()),
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "REDRESS_ENVIRONMENT": "test",
            "REDRESS_CONSUMER_GROUP_PREFIX": self.group_prefix,
            "REDRESS_PUBLIC_URL": self.url("casework"),
            "FEEDBACK_PUBLIC_URL": self.url("feedback"),
            "REDRESS_OUTBOX_POLL_SECONDS": "0.2",
            "REDRESS_SCHEDULER_SECONDS": "0.5",
            # Documents (issue 16) under the run's own directory, never the checkout's .local/.
            "REDRESS_DOCUMENT_DIR": str(self.root / "documents"),
            "CASEWORK_DEADLINE_CHECK_SECONDS": "1",
            "FEEDBACK_INVITE_DELAY_DAYS": "0",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.ports["smtp"]),
            "SMTP_TLS": "none",
            "MAIL_FROM": "Ombudsman complaints <complaints@redress.test>",
            "SMS_PROVIDER": "twilio",
            "SMS_API_URL": self.url("sms"),
            "SMS_ACCOUNT_SID": "AC00000000000000000000000000000000",
            "SMS_AUTH_TOKEN": "test-token",
            "SMS_FROM": "Ombudsman",
            "INTAKE_SMTP_LISTEN_PORT": str(self.ports["intake-mail"]),
            "CASEWORK_INTAKE_URL": self.url("intake"),
            "NOTIFICATIONS_CALLBACK_BASE_URL": self.url("notifications"),
            "NOTIFICATIONS_CALLBACK_BEARER_TOKEN": "suite-callback-token",
        }
        for service in SERVICES:
            name = service.upper()
            env[f"{name}_DATABASE_URL"] = self.database_url(service)
            env[f"{name}_HTTP_PORT"] = str(self.ports[service])
        if process in self.service_processes:
            service = process.split("-")[0]
            env[f"{service.upper()}_HTTP_PORT"] = str(self.ports[process])
            if service == "intake" and process != service:
                env["INTAKE_SMTP_LISTEN_PORT"] = str(self.ports[f"{process}-mail"])
            # A slot per instance: a restarted instance takes back its own unfinished sends.
            env["NOTIFICATIONS_INSTANCE_SLOT"] = process
        return env | self.overrides

    def start(self) -> None:
        # New consumer groups would replay every earlier test's events; start them at the end.
        self.run_async(start_groups_at_end(self.kafka, consumer_groups(self.group_prefix)))
        if self.postgres_admin_url is not None:
            self.run_async(self.create_databases())
        for name in (*self.service_processes, "smtp", "sms", "intake-mail"):
            self.ports[name] = free_port()
        for name in self.instance_names("intake")[1:]:
            self.ports[f"{name}-mail"] = free_port()
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        # All instances at once: on PostgreSQL the first to migrate a database holds a lock the
        # others wait on (shared/migrations.py), as replicas starting together would.
        for name in ("smtp", "sms", *self.service_processes):
            self.launch(name)
        self.wait_until_ready(set(self.service_processes))

    @staticmethod
    def run_async(coroutine: Coroutine[Any, Any, None]) -> None:
        # A loop of our own: asyncio.run would unset the loop pytest-asyncio keeps current.
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(coroutine)
        finally:
            loop.close()

    async def create_databases(self) -> None:
        assert self.postgres_admin_url is not None
        connection = await asyncpg.connect(self.postgres_admin_url.replace("+asyncpg", ""))
        try:
            for service in SERVICES:
                name = self.database_url(service).rsplit("/", 1)[1]
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    async def drop_databases(self) -> None:
        if self.postgres_admin_url is None:
            return
        connection = await asyncpg.connect(self.postgres_admin_url.replace("+asyncpg", ""))
        try:
            for service in SERVICES:
                name = self.database_url(service).rsplit("/", 1)[1]
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    def command(self, name: str) -> list[str]:
        """The command line of one of the suite's processes (a service or a local server)."""
        if name in self.service_processes:
            return [sys.executable, "-m", f"services.{name.split('-')[0]}"]
        module, folder = {
            "smtp": ("deploy.local.mail_server", self.mail_dir),
            "sms": ("deploy.local.sms_gateway", self.sms_dir),
        }[name]
        return [sys.executable, "-m", module, "--port", str(self.ports[name]), "--dir", str(folder)]

    def launch(self, name: str) -> None:
        """Starts one process on its ports, its output appended to its log (a restart keeps the
        earlier run's lines above the new ones)."""
        log = (self.root / "logs" / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            self.command(name), env=self.environment(name), stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash or the OOM killer would: no shutdown hooks, nothing flushed."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def restart(self, name: str) -> None:
        """Starts a killed service again on the same ports and database, and waits until it is
        ready."""
        self.launch(name)
        self.wait_until_ready({name})

    def wait_until_ready(self, services: set[str] | None = None) -> None:
        deadline = time.monotonic() + self.ready_timeout_seconds
        waiting = set(SERVICES) if services is None else set(services)
        with httpx.Client(timeout=3.0) as client:
            while waiting and time.monotonic() < deadline:
                for service in sorted(waiting):
                    self._check_alive(service)
                    try:
                        if client.get(f"{self.url(service)}/readyz").status_code == 200:
                            waiting.discard(service)
                    except httpx.HTTPError:
                        pass
                time.sleep(0.3)
        if waiting:
            raise RuntimeError(f"not ready: {sorted(waiting)}; logs in {self.root / 'logs'}")

    def _check_alive(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            log = (self.root / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log}")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def log(self, name: str) -> str:
        return (self.root / "logs" / f"{name}.log").read_text(errors="replace")


@contextmanager
def running_suite(kafka: str, root: Path) -> Iterator[Suite]:
    """The five services as processes on the real broker, stopped on the way out."""
    running = Suite(root=root, kafka=kafka)
    try:
        running.start()
        yield running
    finally:
        running.stop_all()
