"""Notify's simulated recipients: fixed outcomes, whatever the format."""

from __future__ import annotations

import pytest

from services.notifications.domain.simulated import is_simulated, simulated_outcome


@pytest.mark.parametrize(
    ("address", "outcome"),
    [
        ("07700900003", "temporary-failure"),
        ("07700 900 003", "temporary-failure"),
        ("+44 7700 900003", "temporary-failure"),
        ("447700900003", "temporary-failure"),
        ("0044 7700 900 003", "temporary-failure"),
        ("07700900002", "permanent-failure"),
        ("+447700900002", "permanent-failure"),
        ("+447700900000", "delivered"),
        ("07700 900 111", "delivered"),
        ("07700900222", "delivered"),
        ("temp-fail@simulator.notify", "temporary-failure"),
        (" Perm-Fail@Simulator.Notify ", "permanent-failure"),
        ("simulate-delivered@notifications.service.gov.uk", "delivered"),
        ("simulate-delivered-2@notifications.service.gov.uk", "delivered"),
        ("simulate-delivered-3@notifications.service.gov.uk", "delivered"),
        ("07700900004", None),
        ("07911123456", None),
        ("someone@example.com", None),
        ("simulate-delivered-4@notifications.service.gov.uk", None),
        ("not a number", None),
        ("", None),
    ],
)
def test_simulated_outcomes(address: str, outcome: str | None) -> None:
    assert simulated_outcome(address) == outcome
    assert is_simulated(address) is (outcome is not None)
