"""Reading an incoming event as the payload a consumer expects."""

from __future__ import annotations

from typing import TypeVar

from shared.envelope import CloudEvent
from shared.events import Payload
from shared.messaging import PermanentEventError

P = TypeVar("P", bound=Payload)


def payload_as(event: CloudEvent, kind: type[P]) -> P:
    """The event's payload as `kind`; an event of another type can never be applied, so it is
    dead-lettered (PermanentEventError). Data that does not match its type raises EnvelopeError,
    which the consumer dead-letters too."""
    payload = event.payload()
    if not isinstance(payload, kind):
        raise PermanentEventError(f"expected {kind.__name__}, got {event.type}")
    return payload
