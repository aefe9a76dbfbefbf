"""What the reports and feedback integration tests share beyond tests/kit: which consumers each
service runs (to start their groups at the end of the shared topics), and readable figures."""

from __future__ import annotations

import json
from typing import Any

from shared.topics import CASEWORK_CASES, FEEDBACK_RESPONSES, NOTIFICATION_DELIVERIES, Topic

# Each service's consumers (`Messaging.consume(..., consumer=...)`) and the topic each reads.
REPORTS_CONSUMERS: dict[str, Topic] = {
    "cases": CASEWORK_CASES,
    "deliveries": NOTIFICATION_DELIVERIES,
    "feedback": FEEDBACK_RESPONSES,
}
FEEDBACK_CONSUMERS: dict[str, Topic] = {"closures": CASEWORK_CASES}


def pretty(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=str)
