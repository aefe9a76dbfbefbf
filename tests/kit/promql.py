"""What the Prometheus rules and the Grafana dashboard refer to: metric names in PromQL.

Not a PromQL parser: it drops what cannot be a metric name (strings, label matchers, ranges,
grouping clauses, function calls, keywords, numbers) and keeps the identifiers left. Names with
a colon are recording rules' outputs (by the naming convention `level:metric:operations`).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
SCRAPE_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "redress.json"
# The modules whose import registers every Redress metric (shared/app.py pulls in messaging,
# observability and broker_state; the sender pulls in notifications' send metrics).
METRIC_MODULES = ("shared.app", "services.notifications.sender")
# Series Prometheus itself makes for every target.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", re.IGNORECASE
)
_CALL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\s*\(")
_IDENTIFIER = re.compile(r"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")
_KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "inf",
    "nan",
}


def metric_names(expression: str) -> set[str]:
    text = _STRINGS.sub(" ", expression)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _CALL.sub(" ", text)
    # Durations (5m) and numbers (0.99, 1e3) start with a digit, so never match an identifier.
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in _KEYWORDS}


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def recorded_names() -> set[str]:
    return {rule["record"] for rule in rules() if "record" in rule}


def names_the_rules_use() -> set[str]:
    """Every series a rule reads that is not another rule's output."""
    used = {name for rule in rules() for name in metric_names(rule["expr"])}
    return used - recorded_names()


def code_series() -> set[str]:
    """Every series name Redress's code can export: each metric's samples (a histogram's
    `_bucket`, `_sum`, `_count`, a counter's `_total`)."""
    for module in METRIC_MODULES:
        importlib.import_module(module)
    names: set[str] = set()
    for metric in REGISTRY.collect():
        if not metric.name.startswith("redress_"):
            continue
        names.add(metric.name)
        kind_suffixes = {
            "counter": ("_total", "_created"),
            "histogram": ("_bucket", "_sum", "_count", "_created"),
            "gauge": ("",),
        }.get(metric.type, ("",))
        names.update(metric.name + suffix for suffix in kind_suffixes)
    return names
