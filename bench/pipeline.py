"""`make bench`: the figures issue 12 asks for, in one run, written to bench/results/latest.json.

1. The five services as processes (as `make run` starts them, on the broker `make bench`
   started): their idle RSS once ready, then N complaints with C in flight (a burst:
   `pipeline`), then complaints paced at R a second for S seconds (`paced`), each timed from
   POST to its acknowledgement email landing in the SMTP server's folder.
2. Bare aiokafka producing and consuming N messages of the same size on a fresh topic.
3. Each consumer alone over a prepared topic beside plain aiokafka over the same records
   (bench/consumers.py).
4. The reports rebuild over everything the topics now hold (bench/probes.py).
Nothing here asserts a time; docs/performance.md explains every figure.

    python -m bench.pipeline [--complaints 200] [--concurrency 16] [--paced-rate 20]
        [--paced-seconds 20] [--consumer-events 1000] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.consumers import all_consumers, solo_suite
from bench.probes import machine, rebuild_reports, rss_idle_mb
from bench.shape import doubled, latency_summary, results, through_suite
from deploy.local.mail_server import read_mails
from tests.e2e.suite import Suite

RESULTS = Path(__file__).parent / "results" / "latest.json"
# A poll of the mail folder this often bounds the latency resolution.
MAIL_POLL_SECONDS = 0.02
# Per-run deadline before the run calls the missing messages lost.
DELIVERY_TIMEOUT_SECONDS = 300.0
# After the last wanted mail, a second look this much later counts any that arrive twice.
DOUBLE_GRACE_SECONDS = 2.0
# Consumer groups settle (join, assignment) before timing starts; then the services are idle.
SETTLE_SECONDS = 2.0
# The raw baseline's group settles so it measures transport, not the join.
BASELINE_SETTLE_SECONDS = 1.0


def complaint(n: int, run: str) -> dict[str, Any]:
    return {
        "complainant": {
            "name": f"Bench Person {n}",
            "email": f"bench.{run}.{n}@example.org",
            "preferred_contact": "email",
        },
        "organisation": {"name": f"Bench Trust {run}", "sector": "health"},
        "summary": f"Benchmark complaint number {n}: an appointment was cancelled without notice.",
        "desired_outcome": "An apology.",
        "first_aware_on": "2026-06-01",
        "complained_to_organisation_on": "2026-06-10",
        "organisation_response_on": "2026-08-01",
    }


def deliveries(folder: Path, wanted: set[str]) -> list[tuple[str, str]]:
    """(address, subject) of every stored mail to a wanted address."""
    found = []
    for message in read_mails(folder):
        assert isinstance(message, EmailMessage)
        if (address := str(message["To"])) in wanted:
            found.append((address, str(message["Subject"])))
    return found


async def watch_mail(folder: Path, arrivals: dict[str, float], wanted: set[str]) -> None:
    """Records when the first mail to each wanted address lands (earlier runs' mails ignored)."""
    seen: set[str] = set()
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    while not wanted <= arrivals.keys() and time.monotonic() < deadline:
        for path in await asyncio.to_thread(lambda: sorted(folder.glob("*.eml"))):
            if path.name in seen:
                continue
            seen.add(path.name)
            message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
            assert isinstance(message, EmailMessage)
            if (address := str(message["To"])) in wanted:
                arrivals.setdefault(address, time.monotonic())
        await asyncio.sleep(MAIL_POLL_SECONDS)


async def through_the_suite(
    suite: Suite, count: int, concurrency: int, rate: float | None = None
) -> dict[str, Any]:
    """Posts `count` complaints, `concurrency` at a time, or paced at `rate` a second."""
    run = uuid.uuid4().hex[:8]
    posted: dict[str, float] = {}
    arrivals: dict[str, float] = {}
    gate = asyncio.Semaphore(concurrency)
    wanted = {complaint(n, run)["complainant"]["email"] for n in range(count)}
    watcher = asyncio.create_task(watch_mail(suite.mail_dir, arrivals, wanted))
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def post(n: int) -> None:
            body = complaint(n, run)
            if rate:
                await asyncio.sleep(n / rate)
            async with gate:
                posted[body["complainant"]["email"]] = time.monotonic()
                response = await client.post(f"{suite.url('intake')}/v1/complaints", json=body)
                response.raise_for_status()

        started = time.monotonic()
        await asyncio.gather(*(post(n) for n in range(count)))
    await watcher
    await asyncio.sleep(DOUBLE_GRACE_SECONDS)
    doubles = doubled(await asyncio.to_thread(deliveries, suite.mail_dir, wanted))
    delivered = {address: arrivals[address] for address in posted if address in arrivals}
    latencies = [delivered[a] - posted[a] for a in delivered]
    elapsed = max(delivered.values()) - started if delivered else 0.0
    return through_suite(count, latencies, elapsed, doubles)


async def raw_aiokafka(bootstrap: str, count: int, size: int) -> dict[str, float]:
    topic = f"redress.bench.baseline.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    await admin.close()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=topic
    )
    await consumer.start()
    await asyncio.sleep(BASELINE_SETTLE_SECONDS)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    sent: dict[int, float] = {}
    received: dict[int, float] = {}
    padding = "x" * max(0, size - 20)

    async def consume() -> None:
        while len(received) < count:
            batches = await consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    received[int(json.loads(record.value)["n"])] = now

    reader = asyncio.create_task(consume())
    started = time.monotonic()
    for n in range(count):
        sent[n] = time.monotonic()
        await producer.send(topic, json.dumps({"n": n, "p": padding}).encode(), key=str(n).encode())
    await producer.flush()
    await asyncio.wait_for(reader, 120)
    elapsed = max(received.values()) - started
    await producer.stop()
    await consumer.stop()
    return latency_summary([received[n] - sent[n] for n in range(count)], elapsed)


async def whole_suite(
    arguments: argparse.Namespace, bootstrap: str, root: Path, postgres: str | None
) -> dict[str, Any]:
    """Sections from the five services running together: idle RSS, burst, paced."""
    suite = Suite(root=root, kafka=bootstrap, postgres_admin_url=postgres)
    await asyncio.to_thread(suite.start)
    try:
        await asyncio.sleep(SETTLE_SECONDS)
        rss = rss_idle_mb(suite)
        pipeline = await through_the_suite(suite, arguments.complaints, arguments.concurrency)
        paced_count = round(arguments.paced_rate * arguments.paced_seconds)
        paced = await through_the_suite(
            suite, paced_count, arguments.concurrency, rate=arguments.paced_rate
        )
    finally:
        await asyncio.to_thread(suite.stop_all)
        await suite.drop_databases()
    paced = {"rate": arguments.paced_rate, "seconds": arguments.paced_seconds, **paced}
    return {"rss_idle_mb": rss, "pipeline": pipeline, "paced": paced}


async def rebuild_section(bootstrap: str, root: Path, postgres: str | None) -> dict[str, Any]:
    holder = solo_suite(root, bootstrap, postgres)
    if postgres is not None:
        await holder.create_databases()
    try:
        return await rebuild_reports(bootstrap, holder.database_url("reports"))
    finally:
        await holder.drop_databases()


async def main(arguments: argparse.Namespace) -> dict[str, Any]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
    postgres = (
        os.environ.get("REDRESS_TEST_POSTGRES_URL") if arguments.database != "sqlite" else None
    )
    if arguments.database != "sqlite" and postgres is None:
        raise SystemExit("--database postgresql needs REDRESS_TEST_POSTGRES_URL (test-infra.sh)")
    host = machine(arguments.database)
    message_size = len(json.dumps(complaint(0, "x")))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        sections = await whole_suite(arguments, bootstrap, root / "suite", postgres)
        sections["baseline_raw_aiokafka_produce_consume"] = await raw_aiokafka(
            bootstrap, arguments.complaints, message_size
        )
        sections["consumers"] = await all_consumers(
            bootstrap, arguments.consumer_events, root / "consumers", postgres
        )
        sections["rebuild"] = await rebuild_section(bootstrap, root / "rebuild", postgres)
    report = results(machine=host, parameters=vars(arguments), sections=sections)
    report["parameters"]["message_bytes"] = message_size
    return {"measured_at": datetime.now(UTC).isoformat(), **report}


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    env = os.environ.get
    options.add_argument("--complaints", type=int, default=int(env("BENCH_COMPLAINTS", "200")))
    options.add_argument("--concurrency", type=int, default=int(env("BENCH_CONCURRENCY", "16")))
    options.add_argument(
        "--paced-rate",
        type=float,
        default=float(env("BENCH_RATE", "20")),
        help="complaints a second in the paced run (issue 12's target run is 100)",
    )
    options.add_argument("--paced-seconds", type=float, default=20.0)
    options.add_argument(
        "--consumer-events",
        type=int,
        default=1000,
        help="events on each consumer's prepared topic",
    )
    options.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options.add_argument("--output", type=Path, default=RESULTS)
    return options


if __name__ == "__main__":
    arguments = parser().parse_args()
    report = asyncio.run(main(arguments))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(json.dumps(report, indent=2, default=str))
