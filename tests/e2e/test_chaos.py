"""The bounded kill -9 campaign (issue 13): `make chaos` runs the long one (bench/chaos.py).

40 complaints posted while six SIGKILLs, every service at least once, hit the running suite; then
one case per complaint, an acknowledgement for every complaint, and KPIs equal to the truth.

Acknowledgements follow the sending rule (docs/architecture.md, "Sending: at most one resend"):
never lost, and at most one resend, only after a crash mid-send, carrying the same Message-ID as
the first copy (notifications killed after the SMTP server took a mail but before the status was
saved sends it again at start-up), so the receiver can tell it is the same mail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.chaos import run_campaign
from tests.e2e.suite import SERVICES

pytestmark = pytest.mark.e2e

SEED = 13
COMPLAINTS = 40
KILLS = 6
# One every two seconds: six kills and restarts take about as long as 40 complaints at this
# pace on a 2-core machine, so complaints keep arriving while services die.
RATE = 0.5


async def test_no_complaint_is_lost_or_doubled_while_services_are_killed(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    result = await run_campaign(
        kafka_bootstrap, tmp_path, seed=SEED, complaints=COMPLAINTS, kills=KILLS, rate=RATE
    )
    print(json.dumps(result, indent=2))

    assert result["kills_total"] == KILLS
    assert all(result["kills"][service] >= 1 for service in SERVICES), result["kills"]
    assert result["never_accepted"] == 0, result
    assert result["quiescent"], result
    assert result["cases"] == {"lost": 0, "doubled": 0}, result
    acknowledgements = result["acknowledgements"]
    assert acknowledgements["lost"] == 0, result
    assert acknowledgements["most_copies_of_one"] <= 2, result
    same_id = acknowledgements["resends_with_the_same_message_id"]
    assert acknowledgements["doubled"] == same_id, result
    assert result["kpis"]["equal"], result["kpis"]
