"""JSON logs, one object a line, with the event being processed. Never log personal data."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

current_event_id: ContextVar[str | None] = ContextVar("current_event_id", default=None)
current_service: ContextVar[str] = ContextVar("current_service", default="redress")


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


def configure_logging(service: str, level: str = "INFO") -> None:
    current_service.set(service)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
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
