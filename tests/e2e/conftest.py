from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.recording import TopicRecorder
from tests.e2e.suite import Suite, running_suite


@pytest.fixture(scope="module")
def recorder(kafka_bootstrap: str) -> TopicRecorder:
    """Marks the end of every Redress topic before the suite starts, to read what it puts there."""
    marked = TopicRecorder(kafka_bootstrap)
    marked.mark()
    return marked


@pytest.fixture(scope="module")
def suite(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory, recorder: TopicRecorder
) -> Iterator[Suite]:
    """The five services as processes on the real broker, stopped after the module's tests."""
    with running_suite(kafka_bootstrap, Path(tmp_path_factory.mktemp("suite"))) as running:
        yield running
