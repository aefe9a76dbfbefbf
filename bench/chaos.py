"""`make chaos`: the kill -9 campaign (issue 13).

Starts the five services as processes (tests/e2e/suite.py: SQLite files in a scratch folder, the
local SMTP server and SMS gateway, the real broker), posts N complaints to intake at a steady pace
while killing a random service with SIGKILL at random moments and starting it again, then waits
for quiescence and checks the outcome against the truth (bench/chaos_tally.py): one case per
accepted complaint in casework, one acknowledgement per complaint at the SMTP server, and the
reports KPIs equal to what was sent. A client whose request dies with intake retries with the
same Idempotency-Key, as a real one would.

The kill schedule (which service, when, for how long) and the complaints follow from --seed; what
the processes were doing at each kill does not, which is the point.

    python -m bench.chaos [--seed 13] [--complaints 400] [--kills 40] [--rate 0.7] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.chaos_tally import Tally, await_quiescence
from tests.e2e.suite import SERVICES, Suite

RESULTS = Path(__file__).parent / "results" / "chaos.json"
# Pause before each kill, drawn uniformly: a service is killed at any point of its work, from
# mid-start-up (just after the previous restart) to a few seconds into steady running.
KILL_GAP_SECONDS = (0.5, 6.0)
# How long a killed service stays down before it is started again: long enough for other
# services to notice (Kafka sessions, HTTP clients), short enough to keep the campaign moving.
DOWN_SECONDS = (0.0, 3.0)
# A client whose POST fails on the connection (intake down) tries again after this long.
RETRY_SECONDS = 0.5
# Per complaint: a client gives up after this long without an answer (intake restarts in seconds).
GIVE_UP_SECONDS = 180.0
HTTP_TIMEOUT_SECONDS = 10.0
# Shorter safety nets than production's, so a campaign sees them work within minutes:
# a killed sender's claim is swept after 5 s instead of 600 s (the local SMTP server answers
# in milliseconds, so no live send is mistaken for a stuck one), and retries start after 1 s.
CAMPAIGN_ENVIRONMENT = {
    "NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS": "5",
    "NOTIFICATIONS_BACKOFF_BASE_SECONDS": "1",
    "NOTIFICATIONS_BACKOFF_CAP_SECONDS": "5",
}


@dataclass(frozen=True)
class Kill:
    after_seconds: float
    service: str
    down_seconds: float


def kill_plan(rng: random.Random, kills: int) -> list[Kill]:
    """`kills` kills in a random order; every service at least once when there are enough."""
    services = list(SERVICES) if kills >= len(SERVICES) else []
    services += [rng.choice(SERVICES) for _ in range(kills - len(services))]
    rng.shuffle(services)
    return [
        Kill(rng.uniform(*KILL_GAP_SECONDS), service, rng.uniform(*DOWN_SECONDS))
        for service in services
    ]


def organisation_name(run: str) -> str:
    """The campaign's own body: the broker may hold other runs' events, so its figures are read
    for this organisation alone (a directory entry, since public events name only those)."""
    return f"Campaign Trust {run}"


def complaint(n: int, run: str) -> dict[str, Any]:
    return {
        "complainant": {
            "name": f"Campaign Person {n}",
            "email": address_of(n, run),
            "preferred_contact": "email",
        },
        "organisation": {"name": organisation_name(run), "sector": "health"},
        "summary": f"Campaign complaint number {n}: an appointment was cancelled without notice.",
        "desired_outcome": "An apology.",
        "first_aware_on": "2026-06-01",
        "complained_to_organisation_on": "2026-06-10",
        "organisation_response_on": "2026-08-01",
    }


def address_of(n: int, run: str) -> str:
    """One address per complaint, so each acknowledgement is counted against its complaint."""
    return f"campaign.{run}.{n}@example.org"


@dataclass
class Posting:
    references: dict[int, str]
    retries: int = 0


async def submit(
    client: httpx.AsyncClient,
    urls: list[str],
    n: int,
    run: str,
    posting: Posting,
    deadline: float,
) -> None:
    """One complainant: posts until intake answers, always with the same Idempotency-Key. With
    several intake instances each attempt goes to the next one, as a load balancer would."""
    headers = {"Idempotency-Key": f"campaign-{run}-{n}"}
    attempt = n
    while time.monotonic() < deadline:
        url = urls[attempt % len(urls)]
        attempt += 1
        try:
            answer = await client.post(url, json=complaint(n, run), headers=headers)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.is_success:
            posting.references[n] = str(answer.json()["reference"])
            return
        if answer is not None and answer.status_code < 500:
            raise RuntimeError(f"intake refused complaint {n}: {answer.status_code} {answer.text}")
        posting.retries += 1
        await asyncio.sleep(RETRY_SECONDS)


async def post_all(suite: Suite, count: int, rate: float, run: str) -> Posting:
    """`count` complaints, one every 1/rate seconds whether or not earlier ones got through, to
    every intake instance of the suite in turn."""
    posting = Posting(references={})
    urls = [f"{suite.url(name)}/v1/complaints" for name in suite.instance_names("intake")]
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:

        async def complainant(n: int) -> None:
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            await submit(client, urls, n, run, posting, time.monotonic() + GIVE_UP_SECONDS)

        await asyncio.gather(*(complainant(n) for n in range(count)))
    return posting


async def kill_and_restart(suite: Suite, plan: list[Kill]) -> Counter[str]:
    killed: Counter[str] = Counter()
    for kill in plan:
        await asyncio.sleep(kill.after_seconds)
        await asyncio.to_thread(suite.kill, kill.service)
        killed[kill.service] += 1
        await asyncio.sleep(kill.down_seconds)
        await asyncio.to_thread(suite.restart, kill.service)
    return killed


async def run_campaign(
    kafka: str, root: Path, *, seed: int, complaints: int, kills: int, rate: float
) -> dict[str, Any]:
    """The whole campaign in `root`; returns its summary (see summary())."""
    rng = random.Random(seed)
    run = f"s{seed}-{rng.getrandbits(32):08x}"
    plan = kill_plan(rng, kills)
    suite = Suite(root=root, kafka=kafka, overrides=CAMPAIGN_ENVIRONMENT)
    await asyncio.to_thread(suite.start)
    await asyncio.to_thread(
        suite.list_organisation, f"org-campaign-{run}", organisation_name(run), "health"
    )
    try:
        started = time.monotonic()
        posting, killed = await asyncio.gather(
            post_all(suite, complaints, rate, run), kill_and_restart(suite, plan)
        )
        posted_in = time.monotonic() - started
        truth = {n: (ref, address_of(n, run)) for n, ref in posting.references.items()}
        tally = await await_quiescence(suite, organisation_name(run), truth)
        duration = time.monotonic() - started
    finally:
        await asyncio.to_thread(suite.stop_all)
    return summary(seed, complaints, posting, killed, tally, posted_in, duration)


def summary(
    seed: int,
    complaints: int,
    posting: Posting,
    killed: Counter[str],
    tally: Tally,
    posted_in: float,
    duration: float,
) -> dict[str, Any]:
    return {
        "seed": seed,
        "complaints": complaints,
        "accepted": len(posting.references),
        "never_accepted": complaints - len(posting.references),
        "post_retries": posting.retries,
        "kills": {service: killed[service] for service in SERVICES},
        "kills_total": sum(killed.values()),
        **tally.figures(),
        "chaos_and_posting_seconds": round(posted_in, 1),
        "duration_seconds": round(duration, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", "13")))
    parser.add_argument(
        "--complaints", type=int, default=int(os.environ.get("CHAOS_COMPLAINTS", "400"))
    )
    parser.add_argument("--kills", type=int, default=int(os.environ.get("CHAOS_KILLS", "40")))
    parser.add_argument(
        "--rate",
        type=float,
        default=float(os.environ.get("CHAOS_RATE", "0.7")),
        help="complaints a second (the default spreads 400 over about the time 40 kills and "
        "restarts take on a 2-core machine, some 14 s each)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
    with tempfile.TemporaryDirectory(prefix="redress-chaos-") as scratch:
        result = asyncio.run(
            run_campaign(
                kafka,
                Path(scratch),
                seed=arguments.seed,
                complaints=arguments.complaints,
                kills=arguments.kills,
                rate=arguments.rate,
            )
        )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
