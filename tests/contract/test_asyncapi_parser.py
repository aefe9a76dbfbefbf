"""docs/contracts/asyncapi.json is valid AsyncAPI for the official parser (@asyncapi/parser, pinned
in tests/contract/asyncapi/package-lock.json; `make install` runs its `npm ci`), the parser
outside clients generate code and docs with, and the parser does reject a broken copy."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.contracts import CONTRACTS_DIR

CHECK = Path(__file__).resolve().parent / "asyncapi"
# Node starts and the parser resolves the 25 payload schemas in a few seconds; a hung parse
# should fail the test, not hold the suite.
PARSE_TIMEOUT_SECONDS = 120


def parse(document: Path) -> subprocess.CompletedProcess[str]:
    if not (CHECK / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(f"the AsyncAPI parser is not installed: run `make install` ({CHECK})")
    return subprocess.run(
        ["node", str(CHECK / "check.mjs"), str(document)],
        capture_output=True,
        text=True,
        check=False,
        timeout=PARSE_TIMEOUT_SECONDS,
    )


def test_the_committed_document_parses_without_errors() -> None:
    result = parse(CONTRACTS_DIR / "asyncapi.json")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid AsyncAPI 3.0.0" in result.stdout
    document = json.loads((CONTRACTS_DIR / "asyncapi.json").read_text())
    messages, channels = len(document["components"]["messages"]), len(document["channels"])
    # The parser read the whole document: every channel and message, not a part of it.
    assert f"{channels} channels, {messages} messages" in result.stdout, result.stdout


def broken_copy(tmp_path: Path, breaking: str) -> Path:
    """The document and its schemas copied to tmp_path with one defect."""
    shutil.copytree(CONTRACTS_DIR / "schemas", tmp_path / "schemas")
    document = json.loads((CONTRACTS_DIR / "asyncapi.json").read_text())
    if breaking == "operation action":
        next(iter(document["operations"].values()))["action"] = "broadcast"
    elif breaking == "payload reference":
        next(iter(document["components"]["messages"].values()))["payload"] = {
            "$ref": "schemas/redress.no.such.event.json"
        }
    elif breaking == "channel reference":
        next(iter(document["operations"].values()))["channel"] = {"$ref": "#/channels/nowhere"}
    elif breaking == "payload schema":
        schema = tmp_path / "schemas" / "redress.case.opened.json"
        schema.write_text(json.dumps({**json.loads(schema.read_text()), "type": "objekt"}))
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    "breaking", ["operation action", "payload reference", "channel reference", "payload schema"]
)
def test_a_broken_copy_is_refused_with_diagnostics(tmp_path: Path, breaking: str) -> None:
    result = parse(broken_copy(tmp_path, breaking))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "error " in result.stdout, result.stdout
    assert "not valid AsyncAPI" in result.stdout
