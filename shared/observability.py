"""Operational metrics every service exports on `/metrics` (issue 15 §4, docs/design.md §5).

Consumer lag is sampled in the background from the broker (each consumer group's committed offset
against each partition's end offset); the outbox's backlog and the age of its oldest row are read
when Prometheus scrapes. Every label set is bounded: services, consumer names, topics, partitions,
event types from the registry and fixed reason classes, never references, addresses or text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Counter, Gauge, Histogram

from shared.events import EVENT_TYPES
from shared.topics import Topic

log = logging.getLogger("redress.metrics")

# Prometheus scrapes every 15 s by default (deploy/prometheus/prometheus.yml); sampling as often
# keeps each scrape fresh at two small broker requests per consumer group.
LAG_SAMPLE_INTERVAL_SECONDS = 15.0
# A sample that has not finished in this time is abandoned (the broker is slow or going away).
LAG_SAMPLE_TIMEOUT_SECONDS = 5.0

# Why a record went to the DLQ, as a class: the first word of the reason shared/messaging.py
# writes ("undecodable: ...", "rejected ...", "failed 3 times ..."); anything else is "other".
DLQ_REASON_CLASSES = ("undecodable", "rejected", "failed")
DLQ_OTHER_REASON = "other"
# An event type outside the registry (shared/events.py) is labelled so, keeping labels bounded.
UNKNOWN_EVENT_TYPE = "unregistered"

CONSUMER_LAG = Gauge(
    "redress_consumer_lag",
    "Records on a partition not yet committed by the consumer group, at the last sample",
    ["service", "group", "topic", "partition"],
)
CONSUMER_LAG_SAMPLES = Counter(
    "redress_consumer_lag_samples_total",
    "Consumer lag samples taken, by outcome",
    ["service", "outcome"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "redress_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none waits)",
    ["service"],
)
DLQ_RECORDS = Counter(
    "redress_dlq_records_total",
    "Records a consumer sent to its service's dead-letter topic, by reason class",
    ["service", "consumer", "reason"],
)
HANDLER_SECONDS = Histogram(
    "redress_handler_seconds",
    "Time for one consumer's handler to apply one event, by event type",
    ["service", "consumer", "event_type"],
)


def reason_class(reason: str) -> str:
    """The bounded class of a dead-lettering reason (its first word), never its text."""
    first = reason.split(" ", 1)[0].split(":", 1)[0]
    return first if first in DLQ_REASON_CLASSES else DLQ_OTHER_REASON


def event_type_label(ce_type: str) -> str:
    return ce_type if ce_type in EVENT_TYPES else UNKNOWN_EVENT_TYPE


def count_dead_letter(service: str, consumer: str, reason: str) -> None:
    DLQ_RECORDS.labels(service, consumer, reason_class(reason)).inc()


def declare_consumer(service: str, consumer: str) -> None:
    """Creates the consumer's DLQ series at zero, so `rate()` and alerts see them before the
    first dead letter (a counter that never existed reads as no data, not as 0)."""
    for reason in (*DLQ_REASON_CLASSES, DLQ_OTHER_REASON):
        DLQ_RECORDS.labels(service, consumer, reason)


def observe_handler(service: str, consumer: str, ce_type: str, seconds: float) -> None:
    HANDLER_SECONDS.labels(service, consumer, event_type_label(ce_type)).observe(seconds)


def set_outbox_age(service: str, oldest: datetime | None, now: datetime) -> None:
    age = 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0)
    OUTBOX_OLDEST_AGE.labels(service).set(age)


@dataclass(frozen=True)
class Subscription:
    group: str
    topic: Topic


class LagSampler:
    """Samples every consumer group's lag of one service into `redress_consumer_lag`.

    One admin client (committed offsets, one request per group) and one group-less consumer
    (end offsets, one request per sample), kept between samples and made afresh after a failure.
    It samples only while `broker_up()` is true: during an outage the broker-watch warning says
    it all, and the gauges keep their last value.
    """

    def __init__(
        self,
        service: str,
        bootstrap: str,
        subscriptions: list[Subscription],
        broker_up: Callable[[], bool],
    ) -> None:
        self.service = service
        self.bootstrap = bootstrap
        # The messaging's own list: subscriptions added after this sampler is made count too.
        self.subscriptions = subscriptions
        self.broker_up = broker_up
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def sample(self) -> None:
        if not self.subscriptions or not self.broker_up():
            return
        try:
            lags = await asyncio.wait_for(self._lags(), LAG_SAMPLE_TIMEOUT_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Debug only: a lost broker is already reported once, by the broker watch.
            log.debug("consumer lag sample failed (%s)", type(error).__name__)
            CONSUMER_LAG_SAMPLES.labels(self.service, "failed").inc()
            await self.close()
            return
        for (group, tp), lag in lags.items():
            CONSUMER_LAG.labels(self.service, group, tp.topic, str(tp.partition)).set(lag)
        CONSUMER_LAG_SAMPLES.labels(self.service, "ok").inc()

    async def _lags(self) -> dict[tuple[str, TopicPartition], int]:
        admin, consumer = await self._clients()
        wanted = {
            (sub.group, TopicPartition(sub.topic.name, partition))
            for sub in self.subscriptions
            for partition in range(sub.topic.partitions)
        }
        committed: dict[tuple[str, TopicPartition], int] = {}
        for group in sorted({group for group, _ in wanted}):
            offsets = await admin.list_consumer_group_offsets(group)
            committed |= {(group, tp): meta.offset for tp, meta in offsets.items()}
        partitions = sorted({tp for _, tp in wanted}, key=lambda tp: (tp.topic, tp.partition))
        ends = await consumer.end_offsets(partitions)
        # A partition the group never committed on is behind by everything still on it.
        uncommitted = [tp for group, tp in wanted if committed.get((group, tp), -1) < 0]
        starts = await consumer.beginning_offsets(uncommitted) if uncommitted else {}
        return {
            (group, tp): lag_of(committed.get((group, tp), -1), starts.get(tp, 0), ends[tp])
            for group, tp in wanted
        }

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        # Kept before they start, so that close() also ends one whose start failed half-way.
        if self._admin is None:
            self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            await self._admin.start()
        if self._consumer is None:
            self._consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False
            )
            await self._consumer.start()
        return self._admin, self._consumer

    async def close(self) -> None:
        admin, consumer = self._admin, self._consumer
        self._admin = self._consumer = None
        for closing in (admin.close() if admin else None, consumer.stop() if consumer else None):
            if closing is None:
                continue
            try:
                await closing
            except Exception as error:
                log.debug("closing a lag client failed (%s)", type(error).__name__)


def lag_of(committed: int, start: int, end: int) -> int:
    """Records the group has still to consume: from its committed offset, or from the start
    of what is left on the partition when it has committed none (-1)."""
    position = committed if committed >= 0 else start
    return max(end - position, 0)
