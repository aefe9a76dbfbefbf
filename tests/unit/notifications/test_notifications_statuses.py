"""Delivery statuses move forward only; a retry is the one way back."""

from __future__ import annotations

import itertools

import pytest

from services.notifications.domain.statuses import can_move, is_failure, is_final
from shared.events import NotificationStatus as S

ALLOWED = {
    (S.CREATED, S.SENDING),
    (S.CREATED, S.PERMANENT_FAILURE),
    (S.CREATED, S.TECHNICAL_FAILURE),
    (S.SENDING, S.DELIVERED),
    (S.SENDING, S.TEMPORARY_FAILURE),
    (S.SENDING, S.PERMANENT_FAILURE),
    (S.SENDING, S.TECHNICAL_FAILURE),
    (S.TEMPORARY_FAILURE, S.SENDING),
    (S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE),
    (S.TEMPORARY_FAILURE, S.TECHNICAL_FAILURE),
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)))
def test_transition_table(source: S, target: S) -> None:
    assert can_move(source, target) is ((source, target) in ALLOWED)


@pytest.mark.parametrize("status", [S.DELIVERED, S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE])
def test_final_statuses_never_change(status: S) -> None:
    assert is_final(status)
    assert not any(can_move(status, target) for target in S)


@pytest.mark.parametrize("status", [S.CREATED, S.SENDING, S.TEMPORARY_FAILURE])
def test_other_statuses_are_not_final(status: S) -> None:
    assert not is_final(status)


def test_a_late_duplicate_receipt_cannot_undo_delivery() -> None:
    assert not can_move("delivered", "temporary-failure")
    assert not can_move("delivered", "sending")


def test_nothing_goes_back_to_created() -> None:
    assert not any(can_move(source, S.CREATED) for source in S)


def test_statuses_accept_their_wire_strings() -> None:
    assert can_move("temporary-failure", "sending")
    assert is_failure("technical-failure")
    assert not is_failure("delivered")
    with pytest.raises(ValueError, match="bounced"):
        can_move("sending", "bounced")
