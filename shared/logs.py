"""JSON logs, one object a line, with the event being processed. Never log personal data."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

current_event_id: ContextVar[str | None] = ContextVar("current_event_id", default=None)
current_service: ContextVar[str] = ContextVar("current_service", default="redress")

# aiokafka's reconnect messages while a broker is unreachable (issue 15 §4: about 20,000 error
# lines from five services in a 26 s outage). They say nothing an operator can act on beyond
# "the broker is down", which /readyz reports; these prefixes are the library's own formats
# (aiokafka 0.14: client.py, consumer/fetcher.py, producer/sender.py).
RECONNECT_CHATTER = (
    "Unable connect to ",
    "Unable to update metadata from ",
    "Failed fetch messages from ",
    "Failed fetch offsets from ",
    "Cannot send ",
)
# The consumer group's side of the same outage: the coordinator (the broker) is gone, heartbeats
# fail and the group waits to rejoin, which it does unaided once the broker is back. Matched
# anywhere in the message (aiokafka 0.14: consumer/group_coordinator.py), each naming a lost or
# not yet available coordinator, never a rebalance or a commit refused for another reason.
COORDINATOR_CHATTER = (
    "marking coordinator dead",
    "Marking the coordinator dead",
    "GroupCoordinatorNotAvailableError",
    "is either not started or not valid",
    "Heartbeat send request failed",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": current_service.get(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if event_id := current_event_id.get():
            entry["event_id"] = event_id
        for key in ("reference", "ce_type", "topic", "status", "notification_id"):
            if (value := getattr(record, key, None)) is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ReconnectChatterFilter(logging.Filter):
    """Lowers aiokafka's reconnect chatter to debug, so it shows only when debugging."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("aiokafka"):
            return True
        message = record.getMessage()
        chatter = (
            message.startswith(RECONNECT_CHATTER)
            or "NodeNotReadyError" in message
            or any(part in message for part in COORDINATOR_CHATTER)
        )
        if not chatter:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure_logging(service: str, level: str = "INFO") -> None:
    current_service.set(service)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ReconnectChatterFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library chatter is kept to warnings; access logs carry paths with references, which are
    # not personal data, but request bodies never reach a log.
    for noisy in (
        "aiokafka",
        "faststream",
        "uvicorn.access",
        "sqlalchemy.engine",
        "httpx",
        "mail.log",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
