"""A real Prometheus server scraping the running suite finds every series the rules read
(deploy/prometheus/rules.yml), and every recording rule evaluates to something.

The suite takes a complaint through to its acknowledgement first, so that the series that appear
only once work flows (HTTP requests, handler latency) are there to find.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.suite import SERVICES, Suite
from tests.e2e.test_journey import a_complaint
from tests.kit.apps import LOCALHOST, free_port
from tests.kit.promql import PROMETHEUS_SERIES, RULES, names_the_rules_use, recorded_names
from tests.kit.waiting import eventually

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("prometheus") is None,
        reason="prometheus missing: run deploy/local/prometheus.sh",
    ),
]

# Scrape and evaluate every second, and sample lag as often, so a few seconds see it all.
SCRAPE_SECONDS = 1
# Prometheus's own start (a fresh TSDB) and the first scrapes and evaluations on a busy box.
PROMETHEUS_TIMEOUT_SECONDS = 60.0


@pytest.fixture(scope="module")
def suite(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    running = Suite(
        root=Path(tmp_path_factory.mktemp("scraped")),
        kafka=kafka_bootstrap,
        overrides={"REDRESS_LAG_SAMPLE_SECONDS": str(SCRAPE_SECONDS)},
    )
    try:
        running.start()
        yield running
    finally:
        running.stop_all()


def scrape_config(suite: Suite) -> dict[str, Any]:
    return {
        "global": {
            "scrape_interval": f"{SCRAPE_SECONDS}s",
            "evaluation_interval": f"{SCRAPE_SECONDS}s",
        },
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "redress",
                "honor_labels": True,
                "static_configs": [
                    {"targets": [f"{LOCALHOST}:{suite.ports[name]}"], "labels": {"service": name}}
                    for name in SERVICES
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def prometheus(suite: Suite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prometheus server of the test's own on a free port, scraping the suite."""
    home = tmp_path_factory.mktemp("prometheus")
    config = home / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(suite)), encoding="utf-8")
    port = free_port()
    log = (home / "prometheus.log").open("wb")
    server = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address={LOCALHOST}:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://{LOCALHOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def query(prometheus: str, expression: str) -> list[dict[str, Any]]:
    try:
        answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expression}, timeout=5)
    except httpx.HTTPError:
        return []  # not listening yet
    body = answer.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def test_prometheus_finds_every_series_the_rules_read(suite: Suite, prometheus: str) -> None:
    email = f"metrics.{uuid.uuid4().hex[:6]}@example.org"
    complaint = a_complaint(f"Metrics Test Trust {uuid.uuid4().hex[:6]}", email)
    posted = httpx.post(f"{suite.url('intake')}/v1/complaints", json=complaint, timeout=10)
    assert posted.status_code == 201, posted.text
    reference = posted.json()["reference"]
    eventually(lambda: suite.mail_to(email, reference), "the acknowledgement email")

    up = eventually(
        lambda: len(query(prometheus, 'up{job="redress"} == 1')) == len(SERVICES),
        "Prometheus to scrape all five services",
        timeout=PROMETHEUS_TIMEOUT_SECONDS,
    )
    assert up
    for name in sorted(names_the_rules_use() - PROMETHEUS_SERIES):
        found = eventually(
            lambda name=name: query(prometheus, f'{{__name__="{name}"}}'),
            f"Prometheus to scrape {name}",
            timeout=PROMETHEUS_TIMEOUT_SECONDS,
        )
        assert {series["metric"].get("service") for series in found} <= set(SERVICES)
    lag = query(prometheus, "redress_consumer_lag")
    # Every service consumes at least one topic, so every one samples lag.
    assert {series["metric"]["service"] for series in lag} == set(SERVICES)
    for name in sorted(recorded_names()):
        assert eventually(
            lambda name=name: query(prometheus, name),
            f"the recording rule {name} to evaluate",
            timeout=PROMETHEUS_TIMEOUT_SECONDS,
        )
