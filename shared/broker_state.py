"""Whether the broker answers, as a gauge and one warning per change (issue 15 §4).

A broker outage is reported once when it starts and once when it ends, not once per reconnect
attempt; `/readyz` says the same for as long as it lasts.
"""

from __future__ import annotations

import logging

from prometheus_client import Gauge

log = logging.getLogger("redress.broker")

BROKER_UP = Gauge("redress_broker_up", "1 while the Kafka broker answers, else 0", ["service"])


class BrokerState:
    def __init__(self, service: str) -> None:
        self.service = service
        # Unknown until the first look: a service that starts with the broker down warns once.
        self.up: bool | None = None

    def observe(self, up: bool) -> None:
        BROKER_UP.labels(self.service).set(1 if up else 0)
        if up == self.up:
            return
        if not up:
            log.warning("Kafka broker unreachable; events wait in the outbox until it is back")
        elif self.up is False:
            log.warning("Kafka broker reachable again")
        self.up = up
