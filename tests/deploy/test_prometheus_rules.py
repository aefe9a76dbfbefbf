"""deploy/prometheus/: the rules and the scrape config as promtool (Debian's prometheus package,
installed by deploy/local/prometheus.sh) checks them, and every series they read is one Redress
exports."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kit.promql import (
    PROMETHEUS_SERIES,
    ROOT,
    RULES,
    SCRAPE_CONFIG,
    code_series,
    metric_names,
    names_the_rules_use,
    rules,
)

RUNBOOK = ROOT / "docs" / "runbook.md"

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool missing: run deploy/local/prometheus.sh"
)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *args], capture_output=True, text=True, check=False, timeout=60
    )


def test_promtool_accepts_the_rules() -> None:
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules())} rules found" in checked.stdout


def test_promtool_refuses_a_rule_with_a_broken_expression(tmp_path: Path) -> None:
    # The check has teeth: the same file with one expression cut short fails.
    broken = tmp_path / "rules.yml"
    text = RULES.read_text(encoding="utf-8")
    broken.write_text(text.replace("sum by (service, group) (redress_consumer_lag)", "sum by (", 1))
    assert promtool("check", "rules", str(broken)).returncode != 0


def test_promtool_accepts_the_scrape_config() -> None:
    checked = promtool("check", "config", str(SCRAPE_CONFIG))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_series_the_rules_read_is_exported_by_the_code() -> None:
    unknown = names_the_rules_use() - code_series() - PROMETHEUS_SERIES
    assert not unknown, f"the rules read series no service exports: {sorted(unknown)}"


def test_every_alert_has_a_runbook_section() -> None:
    runbook = RUNBOOK.read_text(encoding="utf-8")
    for rule in rules():
        if "alert" in rule:
            assert f"### {rule['alert']}" in runbook, rule["alert"]
            assert rule["annotations"]["runbook"].endswith(f"#{rule['alert'].lower()}")


def test_metric_names_are_found_past_functions_labels_and_ranges() -> None:
    expression = (
        "histogram_quantile(0.99, sum by (service, le) (rate(redress_handler_seconds_bucket"
        '{service="in take"}[5m]))) / on (service) group_left up > bool 1e3'
    )
    assert metric_names(expression) == {"redress_handler_seconds_bucket", "up"}
