"""The bounded cluster campaign (issue 15 §1); `make cluster` runs a longer one (bench/cluster.py).

Three brokers, two instances of every service on PostgreSQL; while complaints arrive, one broker
and the second instance of every service are killed with SIGKILL and started again. Then: every
complaint accepted, one case each, an acknowledgement for each (at most one resend, after a crash
mid-send, with the same Message-ID: docs/architecture.md, "Sending: at most one resend"), and the
KPIs equal to the truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cluster import run_cluster_campaign
from tests.e2e.suite import SERVICES

pytestmark = pytest.mark.e2e

SEED = 5
COMPLAINTS = 40
# One a second: the broker's outage and the five instance kills fall inside the posting.
RATE = 1.0
# Ports of the three brokers (two each), clear of the test broker on 19092 and `make run`'s 9092.
BASE_PORT = 29192


async def test_no_complaint_is_lost_or_doubled_when_a_broker_and_instances_die(
    tmp_path: Path, postgres_admin_url: str
) -> None:
    result = await run_cluster_campaign(
        tmp_path,
        postgres_admin_url,
        complaints=COMPLAINTS,
        rate=RATE,
        seed=SEED,
        base_port=BASE_PORT,
    )
    print(json.dumps(result, indent=2))

    assert result["kills_total"] == 1 + len(SERVICES), result["kills"]
    assert result["never_accepted"] == 0, result
    assert result["quiescent"], result
    assert result["cases"] == {"lost": 0, "doubled": 0}, result
    acknowledgements = result["acknowledgements"]
    assert acknowledgements["lost"] == 0, result
    assert acknowledgements["most_copies_of_one"] <= 2, result
    assert acknowledgements["doubled"] == acknowledgements["resends_with_the_same_message_id"]
    assert result["kpis"]["equal"], result["kpis"]
