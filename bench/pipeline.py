"""`make bench`: complaints through the running suite, beside a raw aiokafka baseline.

Starts the five services (as `make run` would, on the broker `make bench` started), posts N
complaints with C in flight (a burst: throughput), then N more paced at R a second (latency
without a queue), and times each from POST to its acknowledgement email landing in the SMTP
server's folder. Then produces and consumes N messages of the same size with bare
aiokafka on a fresh topic. Writes bench/results/latest.json. Nothing here asserts a time.

    python -m bench.pipeline [--complaints 200] [--concurrency 16] [--rate 5]
"""

from __future__ import annotations

import argparse
import asyncio
import email
import json
import os
import platform
import statistics
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

from tests.e2e.suite import Suite

RESULTS = Path(__file__).parent / "results" / "latest.json"
# A poll of the mail folder this often bounds the latency resolution.
MAIL_POLL_SECONDS = 0.02
# Per-complaint deadline before the run calls a message lost.
DELIVERY_TIMEOUT_SECONDS = 300.0


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


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    return {
        "messages": len(latencies),
        "elapsed_seconds": round(elapsed, 3),
        "throughput_per_second": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "latency_p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "latency_p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "latency_mean_ms": round(statistics.fmean(latencies) * 1000, 1),
    }


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
) -> dict[str, float]:
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
    delivered = {address: arrivals[address] for address in posted if address in arrivals}
    latencies = [delivered[a] - posted[a] for a in delivered]
    result = summary(latencies, max(delivered.values()) - started if delivered else 0.0)
    result["lost"] = count - len(delivered)
    return result


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
    await asyncio.sleep(
        1.0
    )  # let the group settle so the baseline measures transport, not the join
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
    return summary([received[n] - sent[n] for n in range(count)], elapsed)


async def main(count: int, concurrency: int, rate: float) -> dict[str, Any]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
    with tempfile.TemporaryDirectory() as scratch:
        suite = Suite(root=Path(scratch), kafka=bootstrap)
        await asyncio.to_thread(suite.start)
        try:
            await asyncio.sleep(2.0)  # consumer groups settle before timing starts
            pipeline = await through_the_suite(suite, count, concurrency)
            # Latency without a queue: the same number of complaints arriving at a steady rate.
            paced = await through_the_suite(suite, count, concurrency, rate=rate)
        finally:
            await asyncio.to_thread(suite.stop_all)
    message_size = len(json.dumps(complaint(0, "x")))
    baseline = await raw_aiokafka(bootstrap, count, message_size)
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "parameters": {
            "complaints": count,
            "concurrency": concurrency,
            "paced_rate_per_second": rate,
            "message_bytes": message_size,
        },
        "pipeline_post_to_acknowledgement_email": pipeline,
        "pipeline_paced_post_to_acknowledgement_email": paced,
        "baseline_raw_aiokafka_produce_consume": baseline,
        "notes": (
            "Pipeline: POST /v1/complaints -> intake outbox -> Kafka -> casework (inbox, case, "
            "outbox) -> Kafka -> notifications (inbox, message saved) -> SMTP -> .eml on disk. "
            "Baseline: one hop, no database."
        ),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--complaints", type=int, default=int(os.environ.get("BENCH_COMPLAINTS", "200"))
    )
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "16"))
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=float(os.environ.get("BENCH_RATE", "5")),
        help="complaints a second in the paced run (below the burst throughput, so no queue)",
    )
    arguments = parser.parse_args()
    results = asyncio.run(main(arguments.complaints, arguments.concurrency, arguments.rate))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
