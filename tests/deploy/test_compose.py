"""docker-compose.yml against the Compose Specification's JSON Schema (vendored in deploy/schemas).

No Docker engine runs on our machines, so `docker compose config` cannot be run; the schema is
the specification's own definition of a valid file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.deploy.manifests import ROOT, SERVICES

SCHEMA = ROOT / "deploy" / "schemas" / "compose-spec.json"
COMPOSE = ROOT / "docker-compose.yml"


def check_jsonschema(document: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA), str(document)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    result = check_jsonschema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_rejects_a_compose_file_with_a_misspelt_key(tmp_path: Path) -> None:
    # The check has teeth: the same schema refuses an unknown service key.
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["intake"]["restrat"] = "always"
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    result = check_jsonschema(path)
    assert result.returncode == 1
    assert "restrat" in result.stdout + result.stderr


def test_every_service_runs_from_the_one_image_with_its_own_database() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    for service in SERVICES:
        definition = compose["services"][service]
        assert definition["build"]["dockerfile"] == "deploy/docker/Dockerfile"
        assert definition["command"] == ["python", "-m", f"services.{service}"]
        url = definition["environment"][f"{service.upper()}_DATABASE_URL"]
        assert url.endswith(f"@{service}-db/{service}")
