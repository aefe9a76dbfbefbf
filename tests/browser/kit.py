"""Helpers for the browser tests: headless Chromium from Debian, axe-core checks, screenshots and
waiting for the suite's mail.

Browsers cannot be downloaded by test tools on our machines, so Playwright drives Debian's
chromium (installed by deploy/local/browser.sh) and axe-core comes from npm (tests/browser/
package.json, installed into tests/browser/node_modules).
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Page, ViewportSize

T = TypeVar("T")

BROWSER_TESTS = Path(__file__).resolve().parent
REPOSITORY = BROWSER_TESTS.parent.parent
AXE_SCRIPT = BROWSER_TESTS / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_CHROMIUM = REPOSITORY / "deploy" / "local" / "browser.sh"
# Screenshots and axe summaries are also kept here (git-ignored) for a person to look at.
ARTIFACTS = BROWSER_TESTS / "artifacts"

CHROMIUM_EXECUTABLE = "/usr/bin/chromium"
# Flags for Chromium on our machines (env machines doc, 'Known to work'): without the
# background-networking ones Chromium keeps dialling Google's hosts, which the closed network
# refuses. Playwright adds --headless and a new empty --user-data-dir itself.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A laptop-sized window; full-page screenshots capture the rest of the page anyway.
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

AXE_IMPACTS = ("critical", "serious", "moderate", "minor")
# Every impact fails a page: the standard is 0 violations of any impact, public and staff pages
# alike (issue 10).
FAILING_IMPACTS = frozenset(AXE_IMPACTS)
# Installing chromium (apt) or axe-core (npm) on a fresh machine.
INSTALL_TIMEOUT_SECONDS = 600


def install_browser_tools() -> None:
    """Debian chromium and the axe-core npm package, each only when missing."""
    subprocess.run([str(INSTALL_CHROMIUM)], check=True, timeout=INSTALL_TIMEOUT_SECONDS)
    if not AXE_SCRIPT.is_file():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(BROWSER_TESTS)],
            check=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
        )


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.impact} {self.rule}: {self.help} at {', '.join(self.targets)}"


@dataclass(frozen=True)
class AxeSummary:
    page: str
    url: str
    rules_passed: int
    violations: tuple[AxeViolation, ...]

    @property
    def by_impact(self) -> dict[str, int]:
        counts = Counter(violation.impact for violation in self.violations)
        return {impact: counts.get(impact, 0) for impact in AXE_IMPACTS}

    @property
    def failing(self) -> tuple[AxeViolation, ...]:
        return tuple(v for v in self.violations if v.impact in FAILING_IMPACTS)

    def describe(self) -> str:
        counts = ", ".join(f"{impact} {count}" for impact, count in self.by_impact.items())
        lines = [f"axe {self.page} ({self.url}): {self.rules_passed} rules passed; {counts}"]
        lines += [f"  - {violation.describe()}" for violation in self.violations]
        return "\n".join(lines)


def _violation(raw: Mapping[str, Any]) -> AxeViolation:
    targets = tuple(str(node["target"]) for node in raw.get("nodes", []))
    return AxeViolation(
        rule=str(raw["id"]),
        impact=str(raw.get("impact") or "minor"),
        help=str(raw["help"]),
        targets=targets,
    )


def run_axe(page: Page, name: str) -> AxeSummary:
    """Injects axe-core into the page as it is now and runs every rule on the whole document."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return AxeSummary(
        page=name,
        url=page.url,
        rules_passed=len(results["passes"]),
        violations=tuple(_violation(raw) for raw in results["violations"]),
    )


class Recorder:
    """Keeps a test's screenshots and axe summaries in its tmp dir and in tests/browser/artifacts,
    and prints where they are (shown with `pytest -s`)."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        ARTIFACTS.mkdir(exist_ok=True)

    def screenshot(self, page: Page, name: str) -> Path:
        path = self.tmp_dir / f"{name}.png"
        image = page.screenshot(path=str(path), full_page=True)
        (ARTIFACTS / path.name).write_bytes(image)
        print(f"\nscreenshot {name}: {path} (copy in {ARTIFACTS / path.name})")
        return path

    def accessible(self, page: Page, name: str) -> AxeSummary:
        """Runs axe, records the summary and asserts no violation of any impact."""
        summary = run_axe(page, name)
        text = summary.describe()
        print(f"\n{text}")
        for directory in (self.tmp_dir, ARTIFACTS):
            (directory / f"{name}.axe.txt").write_text(text + "\n", encoding="utf-8")
        assert not summary.failing, text
        return summary


def link_in(text: str, pattern: str) -> str:
    """The first URL in the text whose path matches `pattern` (a regular expression)."""
    match = re.search(rf"https?://[^\s<>\"]*{pattern}[^\s<>\"]*", text)
    assert match, f"no link matching {pattern!r} in:\n{text}"
    return match.group(0)


def broken_anchors(page: Page, links: Sequence[str]) -> list[str]:
    """The `#id` links among `links` that point at no element on the page."""
    return [href for href in links if page.locator(f"[id='{href.removeprefix('#')}']").count() != 1]
