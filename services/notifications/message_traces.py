"""The send of a message as a span of the trace that asked for it (shared/tracing.py).

A message is saved by a consumer and sent later by the sender, in another task: the row keeps
the consumer span's traceparent (`messages.traceparent`), and the send is that span's child.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import Span, SpanKind, Tracer

from services.notifications.domain.delivery import Delivery, Outcome
from services.notifications.domain.records import Message
from shared.tracing import mark_failed, span_under

# What the send is called in a trace, by channel: the provider kind, never the address.
SPAN_NAMES = {"email": "smtp send", "sms": "sms send"}
FAILED_OUTCOMES = frozenset({Outcome.TEMPORARY, Outcome.PERMANENT})


@contextmanager
def send_span(tracer: Tracer, message: Message, traceparent: str | None) -> Iterator[Span]:
    """The span of one attempt to send `message`: ids the logs carry too, no recipient."""
    channel = message.channel or "unknown"
    with span_under(
        tracer,
        SPAN_NAMES.get(channel, f"{channel} send"),
        traceparent,
        kind=SpanKind.CLIENT,
        attributes={
            "redress.notification_id": message.id,
            "redress.reference": message.reference,
            "redress.channel": channel,
            "redress.template": message.template,
        },
    ) as span:
        yield span


def note_outcome(span: Span, delivery: Delivery) -> None:
    span.set_attribute("redress.outcome", delivery.outcome.value)
    if delivery.outcome in FAILED_OUTCOMES:
        mark_failed(span, f"send failed ({delivery.outcome.value})")
