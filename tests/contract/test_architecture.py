"""The import contracts in pyproject.toml hold (import-linter): services never import each other,
shared/ never imports a service, each service keeps its layers, and every domain is pure."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    expected = len(contracts["contracts"])
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {expected} kept, 0 broken." in result.stdout


def test_every_service_has_a_layer_contract_and_a_pure_domain() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layered = {c["containers"][0] for c in contracts["contracts"] if c["type"] == "layers"}
    pure = next(c for c in contracts["contracts"] if c["name"].startswith("The domain is pure"))
    services = {p.name for p in (ROOT / "services").iterdir() if (p / "app.py").exists()}
    assert layered == {f"services.{s}" for s in services}
    assert set(pure["source_modules"]) == {f"services.{s}.domain" for s in services}
