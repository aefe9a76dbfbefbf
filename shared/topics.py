"""The topic registry (docs/design.md §4, a contract): names, partition counts, who writes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    retention_ms: int | None = None


# Three partitions: enough for two instances of a service to share work on a 2-core box, while
# the key (case reference) keeps each case's events in order.
DEFAULT_PARTITIONS = 3

INTAKE_COMPLAINTS = Topic("redress.intake.complaints.v1", DEFAULT_PARTITIONS)
CASEWORK_CASES = Topic("redress.casework.cases.v1", DEFAULT_PARTITIONS)
NOTIFICATION_REQUESTS = Topic("redress.notifications.requests.v1", DEFAULT_PARTITIONS)
NOTIFICATION_DELIVERIES = Topic("redress.notifications.deliveries.v1", DEFAULT_PARTITIONS)
FEEDBACK_RESPONSES = Topic("redress.feedback.responses.v1", DEFAULT_PARTITIONS)
REPORT_PUBLICATIONS = Topic("redress.reports.publications.v1", 1)

SERVICES = ("intake", "casework", "notifications", "reports", "feedback")


def dlq(service: str) -> Topic:
    return Topic(f"redress.{service}.dlq.v1", 1)


ALL_TOPICS: tuple[Topic, ...] = (
    INTAKE_COMPLAINTS,
    CASEWORK_CASES,
    NOTIFICATION_REQUESTS,
    NOTIFICATION_DELIVERIES,
    FEEDBACK_RESPONSES,
    REPORT_PUBLICATIONS,
    *(dlq(service) for service in SERVICES),
)
