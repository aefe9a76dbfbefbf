"""The operational metrics' bounded labels and arithmetic (shared/observability.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from services.notifications.send_metrics import count_failure, declare_providers
from shared.observability import (
    UNKNOWN_EVENT_TYPE,
    count_dead_letter,
    declare_consumer,
    event_type_label,
    lag_of,
    reason_class,
    set_outbox_age,
)


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_dead_letter_reasons_become_one_of_a_few_classes_never_their_text() -> None:
    assert reason_class("undecodable: header ce_id is not UTF-8") == "undecodable"
    assert reason_class("rejected redress.case.opened: jane@example.org is invalid") == "rejected"
    assert reason_class("rejected: field summary") == "rejected"
    assert reason_class("failed 3 times: OperationalError('...')") == "failed"
    assert reason_class("jane@example.org") == "other"


def test_a_dead_letter_is_counted_by_consumer_and_class_from_zero() -> None:
    declare_consumer("unit-svc", "cases")
    assert (
        sample("redress_dlq_records_total", service="unit-svc", consumer="cases", reason="failed")
        == 0
    )
    count_dead_letter("unit-svc", "cases", "failed 3 times: boom")
    assert (
        sample("redress_dlq_records_total", service="unit-svc", consumer="cases", reason="failed")
        == 1
    )


def test_event_types_outside_the_registry_share_one_label() -> None:
    assert event_type_label("redress.case.opened") == "redress.case.opened"
    assert event_type_label("anything.someone.sent") == UNKNOWN_EVENT_TYPE


def test_lag_counts_from_the_commit_or_from_what_is_left_when_none() -> None:
    assert lag_of(committed=7, start=0, end=10) == 3
    assert lag_of(committed=-1, start=4, end=10) == 6
    assert lag_of(committed=12, start=0, end=10) == 0


def test_the_outbox_age_is_zero_when_nothing_waits() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    set_outbox_age("unit-svc", now - timedelta(seconds=90), now)
    assert sample("redress_outbox_oldest_unpublished_age_seconds", service="unit-svc") == 90
    set_outbox_age("unit-svc", None, now)
    assert sample("redress_outbox_oldest_unpublished_age_seconds", service="unit-svc") == 0


def test_send_failures_are_counted_by_provider_and_channel() -> None:
    declare_providers("notify")
    labels = {"service": "notifications", "provider": "notify", "channel": "sms"}
    before = sample("redress_notifications_send_failures_total", **labels, outcome="temporary")
    assert before is not None
    count_failure("sms", "notify", permanent=False)
    after = sample("redress_notifications_send_failures_total", **labels, outcome="temporary")
    assert after == before + 1
    email = {"service": "notifications", "provider": "smtp", "channel": "email"}
    assert (
        sample("redress_notifications_send_failures_total", **email, outcome="permanent")
        is not None
    )
