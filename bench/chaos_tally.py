"""The kill -9 campaign's outcome, counted against the truth once the suite is quiet.

Everything is read the way an outsider would: cases through casework's staff API, messages
through notifications' staff API, acknowledgements from the SMTP server's folder (one .eml per
mail it accepted), figures from reports' `/v1/kpis`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from deploy.local.mail_server import read_mails
from shared.auth import Role
from shared.events import NotificationStatus
from tests.e2e.suite import Suite

# services/notifications/templates/acknowledgement/v2.toml's subject, before the reference.
ACKNOWLEDGEMENT_SUBJECT = "We have received your complaint"
# Statuses a message never leaves (services/notifications/domain/statuses.py).
FINAL_STATUSES = frozenset(
    {
        NotificationStatus.DELIVERED,
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)
# Long enough for the slowest recovery: a sender killed between claim and outcome leaves the
# message `sending` until notifications' sweep (every 60 s, services/notifications/app.py) finds
# the claim older than the campaign's 5 s claim timeout, then the retry's backoff.
QUIESCENCE_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 2.0
# After everything is in place, one more look this much later: a late resend would show.
SETTLE_SECONDS = 5.0
# casework's `GET /v1/cases` page limit (services/casework/api.py).
CASES_PAGE = 500
HTTP_TIMEOUT_SECONDS = 10.0


@dataclass
class Tally:
    """What the suite holds for the complaints intake accepted: `truth` maps each complaint's
    number to the reference intake gave it and the complainant's address."""

    truth: dict[int, tuple[str, str]]
    cases: Counter[str] = field(default_factory=Counter)
    acknowledgements: dict[str, list[str]] = field(default_factory=dict)
    kpis: dict[str, Any] = field(default_factory=dict)
    # References whose messages are all in a final status (a final status never changes).
    settled: set[str] = field(default_factory=set)
    quiescent: bool = False

    @property
    def references(self) -> set[str]:
        return {reference for reference, _address in self.truth.values()}

    def cases_lost(self) -> int:
        return sum(1 for reference in self.references if self.cases[reference] == 0)

    def cases_doubled(self) -> int:
        """Extra cases: a second case for a reference, or a case for a complaint nobody sent
        (intake storing a retried complaint twice under a new reference)."""
        extra = sum(count - 1 for count in self.cases.values() if count > 1)
        return extra + sum(1 for reference in self.cases if reference not in self.references)

    def acknowledgements_lost(self) -> int:
        return sum(1 for reference in self.references if not self.acknowledgements.get(reference))

    def acknowledgements_doubled(self) -> int:
        return sum(max(0, len(ids) - 1) for ids in self.acknowledgements.values())

    def resends_with_the_same_message_id(self) -> int:
        return sum(len(ids) - len(set(ids)) for ids in self.acknowledgements.values())

    def kpi_truth(self) -> dict[str, int]:
        return {"complaints_received": len(self.truth), "cases_open": len(self.truth)}

    def kpi_reported(self) -> dict[str, Any]:
        by_stage = self.kpis.get("cases_by_stage") or {}
        open_cases = sum(n for stage, n in by_stage.items() if stage != "closed")
        return {
            "complaints_received": self.kpis.get("complaints_received"),
            "cases_open": open_cases,
        }

    def complete(self) -> bool:
        return (
            self.cases_lost() == 0
            and self.acknowledgements_lost() == 0
            and self.settled >= self.references
            and self.kpi_reported() == self.kpi_truth()
        )

    def figures(self) -> dict[str, Any]:
        doubled = sorted(ref for ref, ids in self.acknowledgements.items() if len(ids) > 1)
        return {
            "quiescent": self.quiescent,
            "cases": {"lost": self.cases_lost(), "doubled": self.cases_doubled()},
            "acknowledgements": {
                "lost": self.acknowledgements_lost(),
                "doubled": self.acknowledgements_doubled(),
                "resends_with_the_same_message_id": self.resends_with_the_same_message_id(),
                "most_copies_of_one": max(map(len, self.acknowledgements.values()), default=0),
                "doubled_references": doubled,
            },
            "kpis": {
                "reported": self.kpi_reported(),
                "truth": self.kpi_truth(),
                "equal": self.kpi_reported() == self.kpi_truth(),
            },
        }


async def count_cases(client: httpx.AsyncClient, suite: Suite) -> Counter[str]:
    found: Counter[str] = Counter()
    offset = 0
    while True:
        answer = await client.get(
            f"{suite.url('casework')}/v1/cases",
            params={"limit": CASES_PAGE, "offset": offset},
            headers=suite.staff_headers(Role.MANAGER),
        )
        answer.raise_for_status()
        page = answer.json()["cases"]
        found.update(str(case["reference"]) for case in page)
        if len(page) < CASES_PAGE:
            return found
        offset += CASES_PAGE


def acknowledgements(suite: Suite, truth: dict[int, tuple[str, str]]) -> dict[str, list[str]]:
    """Message-IDs of the acknowledgements the SMTP server took, by the complaint's reference:
    addressed to its complainant, with its reference in the subject."""
    reference_of = {address: reference for reference, address in truth.values()}
    found: dict[str, list[str]] = {}
    for mail in read_mails(suite.mail_dir):
        assert isinstance(mail, EmailMessage)
        reference = reference_of.get(str(mail["To"]))
        subject = str(mail["Subject"])
        if reference and subject.startswith(ACKNOWLEDGEMENT_SUBJECT) and reference in subject:
            found.setdefault(reference, []).append(str(mail["Message-ID"]))
    return found


async def settled(client: httpx.AsyncClient, suite: Suite, reference: str) -> bool:
    """True when notifications holds messages for the reference and each is final."""
    answer = await client.get(
        f"{suite.url('notifications')}/v1/messages",
        params={"reference": reference},
        headers=suite.staff_headers(Role.MANAGER),
    )
    answer.raise_for_status()
    statuses = [NotificationStatus(message["status"]) for message in answer.json()]
    return bool(statuses) and all(status in FINAL_STATUSES for status in statuses)


async def kpis(client: httpx.AsyncClient, suite: Suite, organisation: str) -> dict[str, Any]:
    # A day either side: the UK date of a complaint can differ from the UTC one.
    today = datetime.now(UTC).date()
    answer = await client.get(
        f"{suite.url('reports')}/v1/kpis",
        params={
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
            "unsuppressed": "true",
            "organisation": organisation,
        },
        headers=suite.staff_headers(Role.MANAGER),
    )
    answer.raise_for_status()
    return dict(answer.json())


async def look(client: httpx.AsyncClient, suite: Suite, tally: Tally, organisation: str) -> None:
    """Brings the tally up to date; message statuses only for references not settled yet,
    and only once every case exists (before that, asking would only load the services)."""
    tally.cases = await count_cases(client, suite)
    tally.acknowledgements = await asyncio.to_thread(acknowledgements, suite, tally.truth)
    tally.kpis = await kpis(client, suite, organisation)
    if tally.cases_lost() == 0 and tally.acknowledgements_lost() == 0:
        for reference in sorted(tally.references - tally.settled):
            if await settled(client, suite, reference):
                tally.settled.add(reference)


async def await_quiescence(
    suite: Suite, organisation: str, truth: dict[int, tuple[str, str]]
) -> Tally:
    """Polls until every accepted complaint has its case, its acknowledgement (all its messages
    final) and its place in the KPIs, or the timeout; then looks once more after a pause."""
    tally = Tally(truth)
    deadline = time.monotonic() + QUIESCENCE_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
        while time.monotonic() < deadline:
            # A service still catching up after its last restart answers later: look again.
            with contextlib.suppress(httpx.HTTPError):
                await look(client, suite, tally, organisation)
            if tally.complete():
                tally.quiescent = True
                break
            await asyncio.sleep(POLL_SECONDS)
        await asyncio.sleep(SETTLE_SECONDS)
        await look(client, suite, tally, organisation)
    return tally
