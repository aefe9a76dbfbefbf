"""Each in-memory fake (tests/kit/fakes/) offers exactly what its real store offers, so a use case
that passes its unit tests on the fake calls nothing the real store lacks (and the other way)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from services.casework.case_queries import WorkLists
from services.casework.journal.store import JournalStore
from services.casework.staff_store import StaffStore
from services.casework.store import CaseStore
from services.intake.store import ComplaintStore, EmailStore
from tests.kit.fakes.casework import (
    FakeCaseStore,
    FakeJournalStore,
    FakeStaffStore,
    FakeWorkLists,
)
from tests.kit.fakes.intake import FakeComplaintStore, FakeEmailStore

PAIRS: list[tuple[type[Any], type[Any]]] = [
    (ComplaintStore, FakeComplaintStore),
    (EmailStore, FakeEmailStore),
    (CaseStore, FakeCaseStore),
    (WorkLists, FakeWorkLists),
    (StaffStore, FakeStaffStore),
    (JournalStore, FakeJournalStore),
]


def public_methods(cls: type[Any]) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def shape(method: Callable[..., Any]) -> tuple[bool, list[tuple[str, Any, Any]]]:
    parameters = list(inspect.signature(method).parameters.values())[1:]  # after self
    return (
        inspect.iscoroutinefunction(method),
        [(p.name, p.kind, p.default) for p in parameters],
    )


@pytest.mark.parametrize(("real", "fake"), PAIRS, ids=[fake.__name__ for _, fake in PAIRS])
def test_a_fake_has_its_stores_methods_with_the_same_parameters(
    real: type[Any], fake: type[Any]
) -> None:
    real_methods, fake_methods = public_methods(real), public_methods(fake)
    assert set(fake_methods) == set(real_methods)
    for name, method in real_methods.items():
        assert shape(fake_methods[name]) == shape(method), name
