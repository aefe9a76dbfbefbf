"""`make cluster`: the suite scaled out on a three-broker Kafka cluster, losing parts as it runs.

Starts a three-broker KRaft cluster (deploy/local/cluster.py: three replicas of every topic,
`min.insync.replicas=2`, producers with acks=all and idempotence), a database per service on
PostgreSQL, and two instances of every service sharing their service's database. It posts
complaints at a steady pace to both intake instances and meanwhile kills (SIGKILL) one broker and
the second instance of every service, then starts each again. Once the suite is quiet it checks
the outcome against the truth (bench/chaos_tally.py): one case per accepted complaint, one
acknowledgement per complaint at the SMTP server, and the reports KPIs equal to what was sent.

    python -m bench.cluster [--complaints 200] [--rate 2] [--seed 5] [--out FILE]

The bounded run is tests/e2e/test_cluster.py, in `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from bench.chaos import (
    CAMPAIGN_ENVIRONMENT,
    Posting,
    address_of,
    organisation_name,
    post_all,
)
from bench.chaos_tally import Tally, await_quiescence
from deploy.local.cluster import NODES, KafkaCluster
from shared.topics import ALL_TOPICS
from tests.e2e.suite import SERVICES, Suite

RESULTS = Path(__file__).parent / "results" / "cluster.json"
INSTANCES = 2
# The broker killed (any one will do: each holds a replica of every partition, and a third of
# the partition leaders and of the controller quorum's votes).
BROKER_KILLED = 2
# When, into the posting, the broker dies and for how long it stays down: long enough that
# the cluster fences it (broker.session.timeout.ms, 9 s by default) and moves its leaders.
BROKER_KILL_AFTER_SECONDS = 5.0
BROKER_DOWN_SECONDS = 15.0
# The second instances die one after another from this point, each down for a few seconds.
INSTANCE_KILL_GAP_SECONDS = (1.0, 4.0)
INSTANCE_DOWN_SECONDS = (0.0, 3.0)
# Ten services and three brokers starting together on a 2-core machine.
READY_TIMEOUT_SECONDS = 240.0
# How often to look whether the restarted broker has caught up (every replica back in sync), and
# how long to go on looking once the suite is quiet (the figure is reported, not asserted).
IN_SYNC_POLL_SECONDS = 0.5
IN_SYNC_WAIT_SECONDS = 120.0


@dataclass
class Recovery:
    # From the broker's restart until every partition again has all three replicas in sync.
    broker_back_in_sync_seconds: float | None = None


async def all_in_sync(bootstrap: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic.name for topic in ALL_TOPICS])
    finally:
        await admin.close()
    return all(
        len(partition["isr"]) == len(partition["replicas"])
        for topic in described
        for partition in topic["partitions"]
    )


async def kill_broker(cluster: KafkaCluster, recovery: Recovery) -> asyncio.Task[None]:
    """Kills a broker, starts it again, and returns the task timing its catching up."""
    await asyncio.sleep(BROKER_KILL_AFTER_SECONDS)
    await asyncio.to_thread(cluster.kill_node, BROKER_KILLED)
    await asyncio.sleep(BROKER_DOWN_SECONDS)
    await asyncio.to_thread(cluster.start_node, BROKER_KILLED)
    return asyncio.create_task(time_catching_up(cluster, recovery, time.monotonic()))


async def time_catching_up(cluster: KafkaCluster, recovery: Recovery, restarted: float) -> None:
    while True:
        try:
            if await all_in_sync(cluster.bootstrap):
                break
        except Exception:  # the cluster answers only partly while the node rejoins
            pass
        await asyncio.sleep(IN_SYNC_POLL_SECONDS)
    recovery.broker_back_in_sync_seconds = round(time.monotonic() - restarted, 1)


async def kill_instances(suite: Suite, rng: random.Random) -> Counter[str]:
    """The second instance of every service, one after another, each started again."""
    killed: Counter[str] = Counter()
    for service in rng.sample(SERVICES, len(SERVICES)):
        name = suite.instance_names(service)[1]
        await asyncio.sleep(rng.uniform(*INSTANCE_KILL_GAP_SECONDS))
        await asyncio.to_thread(suite.kill, name)
        killed[name] += 1
        await asyncio.sleep(rng.uniform(*INSTANCE_DOWN_SECONDS))
        await asyncio.to_thread(suite.restart, name)
    return killed


async def run_cluster_campaign(
    root: Path, postgres_admin_url: str, *, complaints: int, rate: float, seed: int, base_port: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    run = f"k{seed}-{rng.getrandbits(32):08x}"
    cluster = KafkaCluster(root / "kafka", base_port)
    await asyncio.to_thread(cluster.start)
    suite: Suite | None = None
    try:
        await cluster.create_topics()
        suite = Suite(
            root=root / "suite",
            kafka=cluster.bootstrap,
            overrides=CAMPAIGN_ENVIRONMENT,
            instances=INSTANCES,
            postgres_admin_url=postgres_admin_url,
            ready_timeout_seconds=READY_TIMEOUT_SECONDS,
        )
        await asyncio.to_thread(suite.start)
        await asyncio.to_thread(
            suite.list_organisation, f"org-cluster-{run}", organisation_name(run), "health"
        )
        recovery = Recovery()
        started = time.monotonic()
        posting, catching_up, killed = await asyncio.gather(
            post_all(suite, complaints, rate, run),
            kill_broker(cluster, recovery),
            kill_instances(suite, rng),
        )
        posted_in = time.monotonic() - started
        truth = {n: (ref, address_of(n, run)) for n, ref in posting.references.items()}
        tally = await await_quiescence(suite, organisation_name(run), truth)
        quiet_after = time.monotonic() - started
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(catching_up, IN_SYNC_WAIT_SECONDS)
        return summary(complaints, posting, killed, recovery, tally) | {
            "chaos_and_posting_seconds": round(posted_in, 1),
            "quiescent_after_seconds": round(quiet_after, 1),
        }
    finally:
        if suite is not None:
            await asyncio.to_thread(suite.stop_all)
            await suite.drop_databases()
        await asyncio.to_thread(cluster.stop)


def summary(
    complaints: int, posting: Posting, killed: Counter[str], recovery: Recovery, tally: Tally
) -> dict[str, Any]:
    return {
        "complaints": complaints,
        "accepted": len(posting.references),
        "never_accepted": complaints - len(posting.references),
        "post_retries": posting.retries,
        "brokers": NODES,
        "instances_per_service": INSTANCES,
        "kills": {f"broker-{BROKER_KILLED}": 1, **dict(killed)},
        "kills_total": 1 + sum(killed.values()),
        "broker_down_seconds": BROKER_DOWN_SECONDS,
        "broker_back_in_sync_seconds": recovery.broker_back_in_sync_seconds,
        **tally.figures(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0, help="complaints a second")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--base-port", type=int, default=29092)
    parser.add_argument("--out", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    postgres = os.environ["REDRESS_TEST_POSTGRES_URL"]
    with tempfile.TemporaryDirectory(prefix="redress-cluster-") as scratch:
        result = asyncio.run(
            run_cluster_campaign(
                Path(scratch),
                postgres,
                complaints=arguments.complaints,
                rate=arguments.rate,
                seed=arguments.seed,
                base_port=arguments.base_port,
            )
        )
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
