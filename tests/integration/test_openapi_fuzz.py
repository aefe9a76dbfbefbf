"""Schemathesis against every service's OpenAPI document (issue 13 item 14), over real HTTP
against the five services running as processes on the real broker (tests/e2e/suite.py).

The checks are schemathesis's `--checks all`; each service gets at least `REQUESTS_PER_SERVICE`
generated requests, valid and invalid, spread evenly over its operations (the operational
`/healthz`, `/readyz` get none), with staff tokens so requests reach past the 401. Hypothesis is
derandomized, so a run is repeatable. Every failure is collected and reported together.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation

from shared.auth import Role
from tests.e2e.suite import Suite

pytestmark = pytest.mark.integration

SERVICES = ["intake", "casework", "notifications", "reports", "feedback"]
# Issue 13 item 14: at least this many generated requests per service.
REQUESTS_PER_SERVICE = 1000
# Hypothesis stops early where an operation has few distinct inputs (no parameters, say); asking
# for half again as many keeps every service above the floor.
HEADROOM = 1.5
OPERATIONAL_PATHS = {"/healthz", "/readyz"}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# A request the services answer in milliseconds; this only stops a hung one hanging the suite.
REQUEST_TIMEOUT_SECONDS = 30.0


@pytest.fixture(scope="module")
def suite(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    running = Suite(root=Path(tmp_path_factory.mktemp("fuzz")), kafka=kafka_bootstrap)
    try:
        running.start()
        yield running
    finally:
        running.stop_all()


def _operations(url: str) -> list[APIOperation]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    schema.config.checks.update(included_check_names=["all"])  # as `--checks all`
    # Rules across fields (dates in order, a contact for the chosen channel) and on text after
    # stripping cannot be said in JSON Schema: schema-valid data may still earn a 422 naming the
    # field. Every other status is schemathesis's default.
    schema.config.checks.positive_data_acceptance.expected_statuses = [
        *POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
        "422",
    ]
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if op.path not in OPERATIONAL_PATHS]


def _fuzz(
    operation: APIOperation,
    mode: GenerationMode,
    examples: int,
    context: tuple[str, dict[str, str], requests.Session],
    sent: Counter[str],
    failures: list[str],
) -> None:
    url, headers, session = context

    # The staff token goes in through the strategy, so a negative case that drops it is sent
    # without it (passing it at call time would put it back).
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        sent[operation.label] += 1
        try:
            case.call_and_validate(base_url=url, session=session, timeout=REQUEST_TIMEOUT_SECONDS)
        except (Exception, FailureGroup) as failure:  # collected: one run shows every problem
            failures.extend(_described(operation, mode, failure))

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, operation.label  # nothing in it can be made invalid
    except (Exception, FailureGroup) as failure:  # checks judging a whole run raise here
        failures.extend(_described(operation, mode, failure))


def _described(operation: APIOperation, mode: GenerationMode, failure: BaseException) -> list[str]:
    """One line per distinct problem: the operation, the check's title and its message."""
    parts = failure.exceptions if isinstance(failure, BaseExceptionGroup) else (failure,)
    return [
        f"{operation.label} [{mode.value}] {getattr(part, 'title', type(part).__name__)}: "
        + " ".join(str(getattr(part, "message", part)).split())[:300]
        for part in parts
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_the_api_holds_to_its_document_under_fuzzing(suite: Suite, service: str) -> None:
    url = suite.url(service)
    operations = _operations(url)
    assert operations, f"{service} documents no operations"
    examples = math.ceil(REQUESTS_PER_SERVICE * HEADROOM / (len(operations) * len(MODES)))
    sent: Counter[str] = Counter()
    failures: list[str] = []
    with requests.Session() as session:
        context = (url, suite.staff_headers(Role.MANAGER), session)
        for operation in operations:
            for mode in MODES:
                _fuzz(operation, mode, examples, context, sent, failures)
    print(f"\n{service}: {sum(sent.values())} requests", dict(sorted(sent.items())))
    distinct = sorted(set(failures))
    assert not distinct, f"{len(distinct)} distinct failures:\n" + "\n".join(distinct)
    assert sum(sent.values()) >= REQUESTS_PER_SERVICE, dict(sent)
    assert set(sent) == {op.label for op in operations}, "an operation got no requests"
