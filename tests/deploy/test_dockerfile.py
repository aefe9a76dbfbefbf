"""deploy/docker/Dockerfile read statically: no Docker engine runs here, so it is not built."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.deploy.manifests import ROOT

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
BUILD_TOOLS = ("gcc", "g++", "build-essential", "make ", "cc ", "clang")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), joining backslash continuations and dropping comments."""
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    parsed = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            parsed.append((word.upper(), rest.strip()))
    return parsed


def stages(text: str) -> list[Stage]:
    result: list[Stage] = []
    for word, rest in instructions(text):
        if word == "FROM":
            parts = rest.split()
            result.append(Stage(parts[0], parts[2] if len(parts) > 2 else None))
        else:
            result[-1].instructions.append((word, rest))
    return result


def test_the_parser_reads_continuations_and_stages() -> None:
    parsed = stages("FROM a AS one\nRUN x \\\n && gcc y\n# RUN hidden\nFROM b\nUSER 1\n")
    assert [(s.base, s.name) for s in parsed] == [("a", "one"), ("b", None)]
    assert parsed[0].instructions == [("RUN", "x   && gcc y")]
    assert parsed[1].instructions == [("USER", "1")]


def test_the_image_is_multi_stage() -> None:
    parsed = stages(DOCKERFILE.read_text())
    assert len(parsed) >= 2
    final = parsed[-1]
    assert any(word == "COPY" and rest.startswith("--from=") for word, rest in final.instructions)


def test_the_final_stage_runs_as_a_numeric_non_root_user() -> None:
    final = stages(DOCKERFILE.read_text())[-1]
    users = [rest for word, rest in final.instructions if word == "USER"]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    # Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    assert uid.isdigit()
    assert int(uid) != 0


def test_the_final_stage_installs_no_build_tools() -> None:
    final = stages(DOCKERFILE.read_text())[-1]
    runs = " ".join(rest for word, rest in final.instructions if word == "RUN") + " "
    assert not [tool for tool in BUILD_TOOLS if tool in runs]
    assert "pip install" not in runs
    assert not final.base.endswith(("-dev", ":latest"))
    assert "slim" in final.base


def test_the_user_of_the_image_is_the_user_of_the_pods() -> None:
    from tests.deploy.manifests import of_kind

    final = stages(DOCKERFILE.read_text())[-1]
    uid = int([rest for word, rest in final.instructions if word == "USER"][-1].split(":")[0])
    for name, deployment in of_kind("Deployment").items():
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid, name
