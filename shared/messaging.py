"""Kafka for one service: emit through the outbox, consume through the inbox, dead-letter the rest.

    messaging = Messaging("casework", settings, db, metadata)
    messaging.consume(INTAKE_COMPLAINTS, on_complaint, consumer="cases")
    async with db.transaction() as session:
        ...state change...
        messaging.emit(session, CASEWORK_CASES, payload, subject=reference)

A handler gets `(session, event)` inside the transaction that also records the event's `ce_id`;
the offset is committed only after that transaction commits (AckPolicy.NACK_ON_ERROR), so a crash
redelivers and the inbox makes the redelivery a no-op.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer
from prometheus_client import Counter, Histogram
from pydantic import ValidationError
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.envelope import CloudEvent, EnvelopeError, build_event, parse_record
from shared.events import EVENT_TYPES, Payload
from shared.inbox import claim, inbox_table
from shared.logs import current_event_id
from shared.observability import (
    Subscription,
    count_dead_letter,
    declare_consumer,
    observe_handler,
)
from shared.outbox import OutboxRelay, add_to_outbox, outbox_table
from shared.settings import ServiceSettings
from shared.timekeeping import utc_now
from shared.topics import Topic, dlq
from shared.tracing import TRACER_NAME, mark_failed, span_under

log = logging.getLogger("redress.messaging")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]

EVENTS_CONSUMED = Counter(
    "redress_events_consumed_total",
    "Events a service consumed, by outcome",
    ["service", "topic", "outcome"],
)
EVENT_HANDLING_SECONDS = Histogram(
    "redress_event_handling_seconds", "Time to apply one event", ["service", "topic"]
)


async def _raw_body(message: Any) -> Any:
    """Hand the handler the undecoded record: decoding, and failing to, is the envelope's job."""
    return message.body


async def _parse_tolerantly(record: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """faststream decodes every header as UTF-8 before any handler runs, and drops a record it
    cannot decode with a traceback, never to the DLQ. Let it parse a readable copy; the message
    keeps the original record, whose bytes the envelope then refuses (to the DLQ) by name."""
    try:
        return await original(record)
    except UnicodeDecodeError:
        readable = dataclasses.replace(
            record,
            headers=[
                (name, value.decode(errors="replace").encode()) for name, value in record.headers
            ],
        )
        message = await original(readable)
        message.raw_message = record
        return message


class PermanentEventError(Exception):
    """The event can never be applied (bad data, impossible state): dead-letter it at once."""


class Messaging:
    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        db: Database,
        metadata: MetaData,
        *,
        tracer: Tracer | None = None,
    ) -> None:
        self.service = service
        # The service's own (shared/tracing.py); the global one, a no-op unless set, otherwise.
        self.tracer = tracer or trace.get_tracer(TRACER_NAME)
        self.settings = settings
        self.db = db
        self.outbox = outbox_table(metadata)
        self.inbox = inbox_table(metadata)
        self.dlq_topic = dlq(service)
        # What this service consumes, for the lag sampler (shared/observability.py).
        self.subscriptions: list[Subscription] = []
        self.broker = KafkaBroker(
            settings.kafka_servers,
            client_id=f"redress-{service}",
            acks="all",
            enable_idempotence=True,
            logger=logging.getLogger(f"redress.{service}.kafka"),
            log_level=logging.DEBUG,
            graceful_timeout=15.0,
        )
        self.relay = OutboxRelay(
            db,
            self.outbox,
            self._publish,
            service=service,
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval_seconds,
        )

    async def _publish(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> Any:
        return await self.broker.publish(value, topic, key=key, headers=headers)

    # ------------------------------------------------------------------ producing

    async def emit(
        self,
        session: AsyncSession,
        topic: Topic,
        payload: Payload,
        *,
        subject: str,
        ce_type: str | None = None,
    ) -> CloudEvent:
        """Queue an event in the outbox inside the caller's transaction."""
        event = build_event(payload, source_service=self.service, subject=subject, ce_type=ce_type)
        await add_to_outbox(session, self.outbox, topic, event)
        return event

    def committed(self) -> None:
        """Tell the relay there is something new (call after a transaction that emitted)."""
        self.relay.wake()

    # ------------------------------------------------------------------ consuming

    def consume(
        self,
        topic: Topic,
        handler: Handler,
        *,
        consumer: str,
        event_types: set[str] | None = None,
    ) -> None:
        """Subscribe `handler` to `topic` as the consumer group `<prefix>-<service>-<consumer>`."""

        async def on_message(message: KafkaMessage) -> None:
            await self._consume(topic, consumer, handler, event_types, message)

        on_message.__name__ = f"{self.service}_{consumer}_{topic.name.replace('.', '_')}"
        group_id = f"{self.settings.consumer_group_prefix}-{self.service}-{consumer}"
        self.subscriptions.append(Subscription(group_id, topic))
        declare_consumer(self.service, consumer)
        self.broker.subscriber(
            topic.name,
            group_id=group_id,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            title=on_message.__name__,
            decoder=_raw_body,
            parser=_parse_tolerantly,
        )(on_message)

    async def _consume(
        self,
        topic: Topic,
        consumer: str,
        handler: Handler,
        event_types: set[str] | None,
        message: KafkaMessage,
    ) -> None:
        raw = message.raw_message
        try:
            event = parse_record(
                getattr(raw, "headers", None) or list(message.headers.items()), message.body
            )
        except EnvelopeError as error:
            await self.dead_letter(topic, consumer, message, f"undecodable: {error}")
            return
        if event_types is not None and event.type not in event_types:
            EVENTS_CONSUMED.labels(self.service, topic.name, "ignored").inc()
            return
        token = current_event_id.set(event.id)
        try:
            # The child of the record's traceparent: what the handler emits carries this span.
            with span_under(
                self.tracer,
                f"{topic.name} process",
                event.traceparent,
                kind=SpanKind.CONSUMER,
                attributes=self._span_attributes(topic, consumer, event),
            ):
                await self._check_and_apply(topic, consumer, handler, event, message)
        finally:
            current_event_id.reset(token)

    def _span_attributes(self, topic: Topic, consumer: str, event: CloudEvent) -> dict[str, str]:
        # Ids, types and the case reference (the record's key, as in the logs): nothing personal.
        return {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": topic.name,
            "messaging.consumer.group.name": (
                f"{self.settings.consumer_group_prefix}-{self.service}-{consumer}"
            ),
            "messaging.message.id": event.id,
            "cloudevents.event_type": event.type,
            "redress.reference": event.subject,
        }

    async def _check_and_apply(
        self,
        topic: Topic,
        consumer: str,
        handler: Handler,
        event: CloudEvent,
        message: KafkaMessage,
    ) -> None:
        if event.type in EVENT_TYPES:
            try:
                # The contract is checked here, once for every handler: one that reads
                # `event.data` itself must never see data its type's schema refuses.
                event.payload()
            except EnvelopeError as error:
                await self.dead_letter(topic, consumer, message, f"rejected: {error}")
                return
        await self._apply_with_retries(topic, consumer, handler, event, message)

    async def _apply_with_retries(
        self,
        topic: Topic,
        consumer: str,
        handler: Handler,
        event: CloudEvent,
        message: KafkaMessage,
    ) -> None:
        attempts = self.settings.consumer_max_attempts
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                applied = await self._apply_once(consumer, handler, event)
            except (PermanentEventError, EnvelopeError, ValidationError) as error:
                await self.dead_letter(topic, consumer, message, f"rejected {event.type}: {error}")
                return
            except Exception as error:
                if attempt == attempts:
                    log.error(
                        "event failed %d times (%s); dead-lettering",
                        attempts,
                        type(error).__name__,
                        extra={"ce_type": event.type},
                    )
                    await self.dead_letter(
                        topic, consumer, message, f"failed {attempts} times: {error!r}"
                    )
                    return
                # Only the error's type: exception texts may quote personal data.
                log.warning(
                    "event failed (attempt %d, %s)",
                    attempt,
                    type(error).__name__,
                    extra={"ce_type": event.type},
                )
                await asyncio.sleep(
                    self.settings.consumer_retry_backoff_seconds * 2 ** (attempt - 1)
                )
                continue
            elapsed = time.perf_counter() - started
            EVENT_HANDLING_SECONDS.labels(self.service, topic.name).observe(elapsed)
            observe_handler(self.service, consumer, event.type, elapsed)
            EVENTS_CONSUMED.labels(
                self.service, topic.name, "applied" if applied else "duplicate"
            ).inc()
            if applied:
                self.relay.wake()
            return

    async def _apply_once(self, consumer: str, handler: Handler, event: CloudEvent) -> bool:
        async with self.db.transaction() as session:
            if not await claim(session, self.inbox, consumer, event.id, event.type):
                return False
            await handler(session, event)
        return True

    async def dead_letter(
        self, topic: Topic, consumer: str, message: KafkaMessage, reason: str
    ) -> None:
        """Publish the original record, untouched, to this service's DLQ with why it failed."""
        raw = message.raw_message
        headers = {
            name: (value.decode(errors="replace") if isinstance(value, bytes) else str(value))
            for name, value in (getattr(raw, "headers", None) or [])
        }
        headers |= {
            "x-original-topic": topic.name,
            "x-original-partition": str(getattr(raw, "partition", "")),
            "x-original-offset": str(getattr(raw, "offset", "")),
            "x-consumer": f"{self.service}.{consumer}",
            "x-error": reason[:2000],
            "x-failed-at": utc_now().isoformat(),
        }
        key = getattr(raw, "key", None)
        await self.broker.publish(
            message.body or b"", self.dlq_topic.name, key=key, headers=headers
        )
        span: Span = trace.get_current_span()
        mark_failed(span, "dead-lettered")
        EVENTS_CONSUMED.labels(self.service, topic.name, "dead_lettered").inc()
        count_dead_letter(self.service, consumer, reason)
        # The reason's first clause only: validation errors quote the input, which may be personal.
        log.warning(
            "dead-lettered a message: %s", reason.split(":", 1)[0], extra={"topic": topic.name}
        )
