"""The kill -9 campaign's plan and its counting (bench/chaos.py, bench/chaos_tally.py), without
the suite: a campaign that could not see a lost or doubled case would pass for the wrong reason."""

from __future__ import annotations

import random
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from bench.chaos import address_of, kill_plan
from bench.chaos_tally import Tally, acknowledgements
from tests.e2e.suite import SERVICES, Suite

TRUTH = {n: (f"PHSO-{n}", address_of(n, "run")) for n in range(3)}
FIGURES = {"complaints_received": 3, "cases_by_stage": {"assessment": 3}}


def a_complete_tally() -> Tally:
    tally = Tally(dict(TRUTH))
    tally.cases = Counter(reference for reference, _address in TRUTH.values())
    tally.acknowledgements = {reference: [f"<{reference}@x>"] for reference, _ in TRUTH.values()}
    tally.kpis = dict(FIGURES)
    tally.settled = set(tally.references)
    return tally


def test_the_same_seed_plans_the_same_kills_and_every_service_is_killed() -> None:
    first, again = kill_plan(random.Random(7), 6), kill_plan(random.Random(7), 6)
    assert first == again
    assert len(first) == 6
    assert {kill.service for kill in first} == set(SERVICES)
    assert kill_plan(random.Random(8), 6) != first


def test_fewer_kills_than_services_are_still_that_many() -> None:
    assert len(kill_plan(random.Random(1), 2)) == 2


def test_a_complete_tally_counts_nothing_lost_or_doubled() -> None:
    tally = a_complete_tally()
    assert tally.complete()
    figures = tally.figures()
    assert figures["cases"] == {"lost": 0, "doubled": 0}
    assert figures["acknowledgements"]["lost"] == 0
    assert figures["acknowledgements"]["doubled"] == 0
    assert figures["kpis"]["equal"]


def test_a_missing_case_is_lost_and_an_extra_one_doubled() -> None:
    tally = a_complete_tally()
    tally.cases["PHSO-0"] = 0
    tally.cases["PHSO-1"] = 2
    tally.cases["PHSO-unknown"] = 1  # intake stored a retried complaint under a new reference
    assert tally.figures()["cases"] == {"lost": 1, "doubled": 2}
    assert not tally.complete()


def test_a_resent_acknowledgement_is_doubled_and_its_message_id_compared() -> None:
    tally = a_complete_tally()
    tally.acknowledgements["PHSO-0"] = ["<a@x>", "<b@x>"]
    tally.acknowledgements["PHSO-1"] = ["<c@x>", "<c@x>"]
    del tally.acknowledgements["PHSO-2"]
    figures = tally.figures()["acknowledgements"]
    assert figures["lost"] == 1
    assert figures["doubled"] == 2
    assert figures["resends_with_the_same_message_id"] == 1
    assert figures["doubled_references"] == ["PHSO-0", "PHSO-1"]
    assert figures["most_copies_of_one"] == 2


def test_kpis_that_differ_from_the_truth_are_not_equal() -> None:
    tally = a_complete_tally()
    tally.kpis = {"complaints_received": 2, "cases_by_stage": {"assessment": 3}}
    assert not tally.figures()["kpis"]["equal"]
    assert not tally.complete()


def test_a_reference_whose_messages_are_not_final_keeps_the_campaign_waiting() -> None:
    tally = a_complete_tally()
    tally.settled.discard("PHSO-2")
    assert not tally.complete()


def mail(folder: Path, name: str, to: str, subject: str, message_id: str) -> None:
    message = EmailMessage()
    message["To"], message["Subject"], message["Message-ID"] = to, subject, message_id
    message.set_content("text")
    (folder / f"{name}.eml").write_bytes(message.as_bytes())


def test_acknowledgements_are_counted_by_addressee_and_reference(tmp_path: Path) -> None:
    suite = Suite(root=tmp_path, kafka="unused:9092")
    suite.mail_dir.mkdir()
    ack = "We have received your complaint: "
    mail(suite.mail_dir, "1", address_of(0, "run"), ack + "PHSO-0", "<one@x>")
    mail(suite.mail_dir, "2", address_of(0, "run"), ack + "PHSO-0", "<two@x>")
    mail(suite.mail_dir, "3", address_of(1, "run"), "Your case has a caseworker", "<three@x>")
    mail(suite.mail_dir, "4", "someone.else@example.org", ack + "PHSO-2", "<four@x>")
    mail(suite.mail_dir, "5", address_of(2, "run"), ack + "PHSO-9", "<five@x>")
    assert acknowledgements(suite, TRUTH) == {"PHSO-0": ["<one@x>", "<two@x>"]}
