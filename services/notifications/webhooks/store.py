"""Webhook endpoints and their delivery log. Status changes are compare-and-set UPDATEs on
(status, attempts), so two instances can never claim one attempt or move a delivery backwards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.domain.records import FAILURE_REASON_LENGTH
from services.notifications.domain.webhooks import UNFINISHED_STATUSES, DeliveryStatus
from services.notifications.webhooks.tables import webhook_deliveries, webhook_endpoints
from shared.crypto import Cipher
from shared.kit.tables import rowcount
from shared.kit.tables import upsert_statement as dialect_insert

DELETED_REASON = "endpoint deleted"


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    description: str
    event_types: tuple[str, ...]
    enabled: bool
    consecutive_failures: int
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    id: str
    endpoint_id: str
    message_id: str
    event_type: str
    reference: str
    body: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_response_status: int | None
    last_error: str | None
    replay_of: str | None


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=tuple(row.event_types),
        enabled=bool(row.enabled),
        consecutive_failures=row.consecutive_failures,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def _delivery(row: Any) -> Delivery:
    values = {name: getattr(row, name) for name in Delivery.__dataclass_fields__}
    values["status"] = DeliveryStatus(row.status)
    return Delivery(**values)


_LIVE = webhook_endpoints.c.deleted_at.is_(None)


class WebhookStore:
    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    # ------------------------------------------------------------------ endpoints

    async def add_endpoint(self, endpoint: Endpoint, secret: str) -> None:
        await self.session.execute(
            webhook_endpoints.insert().values(
                id=endpoint.id,
                url=endpoint.url,
                description=endpoint.description,
                event_types=list(endpoint.event_types),
                secret=self.cipher.encrypt(secret),
                enabled=1,
                consecutive_failures=0,
                created_at=endpoint.created_at,
            )
        )

    async def endpoints(self) -> list[Endpoint]:
        rows = await self.session.execute(
            select(webhook_endpoints).where(_LIVE).order_by(webhook_endpoints.c.created_at)
        )
        return [_endpoint(row) for row in rows]

    async def endpoint(self, endpoint_id: str) -> Endpoint | None:
        row = (
            await self.session.execute(
                select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id, _LIVE)
            )
        ).first()
        return _endpoint(row) if row else None

    async def secret(self, endpoint_id: str) -> str:
        token: bytes | None = await self.session.scalar(
            select(webhook_endpoints.c.secret).where(webhook_endpoints.c.id == endpoint_id)
        )
        if token is None:
            raise LookupError(endpoint_id)
        return self.cipher.decrypt(bytes(token))

    async def delete_endpoint(self, endpoint_id: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == endpoint_id, _LIVE)
            .values(deleted_at=now, enabled=0)
        )
        if not rowcount(result):
            return False
        # Nothing more goes to a deleted endpoint: its unfinished deliveries end as failed.
        await self.session.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.endpoint_id == endpoint_id,
                webhook_deliveries.c.status.in_([s.value for s in UNFINISHED_STATUSES]),
            )
            .values(status=DeliveryStatus.FAILED.value, last_error=DELETED_REASON)
        )
        return True

    async def set_enabled(self, endpoint_id: str, enabled: bool, now: datetime) -> bool:
        values: dict[str, Any] = {"enabled": int(enabled)}
        if enabled:
            values |= {"consecutive_failures": 0, "disabled_at": None}
        else:
            values["disabled_at"] = now
        result = await self.session.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == endpoint_id, _LIVE)
            .values(**values)
        )
        return rowcount(result) > 0

    async def disable(self, endpoint_id: str, now: datetime) -> bool:
        """Disable an enabled endpoint; False when it already was (only one instance tells)."""
        result = await self.session.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.enabled == 1, _LIVE)
            .values(enabled=0, disabled_at=now)
        )
        return rowcount(result) > 0

    async def subscribed_to(self, event_type: str) -> list[str]:
        """Live endpoints (enabled or not: a disabled one gets its backlog when re-enabled)."""
        rows = await self.session.execute(
            select(webhook_endpoints.c.id, webhook_endpoints.c.event_types).where(_LIVE)
        )
        return [row.id for row in rows if event_type in row.event_types]

    # ------------------------------------------------------------------ deliveries

    async def add_delivery(self, delivery: Delivery, dedupe_key: str) -> bool:
        values = {name: getattr(delivery, name) for name in Delivery.__dataclass_fields__}
        values["status"] = delivery.status.value
        result = await self.session.execute(
            dialect_insert(self.session, webhook_deliveries)
            .values(dedupe_key=dedupe_key, **values)
            .on_conflict_do_nothing(index_elements=[webhook_deliveries.c.dedupe_key])
        )
        return rowcount(result) > 0

    async def deliveries(self, endpoint_id: str, limit: int) -> list[Delivery]:
        rows = await self.session.execute(
            select(webhook_deliveries)
            .where(webhook_deliveries.c.endpoint_id == endpoint_id)
            .order_by(webhook_deliveries.c.seq.desc())
            .limit(limit)
        )
        return [_delivery(row) for row in rows]

    async def delivery(self, endpoint_id: str, delivery_id: str) -> Delivery | None:
        row = (
            await self.session.execute(
                select(webhook_deliveries).where(
                    webhook_deliveries.c.id == delivery_id,
                    webhook_deliveries.c.endpoint_id == endpoint_id,
                )
            )
        ).first()
        return _delivery(row) if row else None

    async def due(self, now: datetime, limit: int) -> Sequence[Delivery]:
        """First attempts and due retries of enabled endpoints, each the oldest unfinished one
        of its case for its endpoint (a later event waits while an earlier one is unfinished)."""
        d = webhook_deliveries
        earlier = d.alias("earlier")
        unfinished = [s.value for s in UNFINISHED_STATUSES]
        blocked = exists().where(
            earlier.c.endpoint_id == d.c.endpoint_id,
            earlier.c.reference == d.c.reference,
            earlier.c.seq < d.c.seq,
            earlier.c.status.in_(unfinished),
        )
        ready = or_(
            d.c.status == DeliveryStatus.PENDING.value,
            and_(d.c.status == DeliveryStatus.SENDING.value, d.c.next_attempt_at <= now),
        )
        statement = (
            select(d)
            .join(webhook_endpoints, webhook_endpoints.c.id == d.c.endpoint_id)
            .where(ready, ~blocked, webhook_endpoints.c.enabled == 1, _LIVE)
            .order_by(d.c.seq)
            .limit(limit)
        )
        return [_delivery(row) for row in await self.session.execute(statement)]

    async def claim(self, delivery: Delivery, now: datetime, claim_until: datetime) -> bool:
        """Take one attempt: only the instance whose UPDATE matches (status, attempts) sends."""
        result = await self.session.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.id == delivery.id,
                webhook_deliveries.c.status == delivery.status.value,
                webhook_deliveries.c.attempts == delivery.attempts,
            )
            .values(
                status=DeliveryStatus.SENDING.value,
                attempts=delivery.attempts + 1,
                last_attempt_at=now,
                next_attempt_at=claim_until,
            )
        )
        return rowcount(result) > 0

    async def record_outcome(
        self,
        delivery_id: str,
        attempt: int,
        *,
        status: DeliveryStatus,
        now: datetime,
        next_attempt_at: datetime | None,
        response_status: int | None,
        error: str | None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": status.value,
            "next_attempt_at": next_attempt_at,
            "last_response_status": response_status,
            "last_error": error[:FAILURE_REASON_LENGTH] if error else None,
        }
        if status is DeliveryStatus.DELIVERED:
            values["delivered_at"] = now
        result = await self.session.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.id == delivery_id,
                webhook_deliveries.c.status == DeliveryStatus.SENDING.value,
                webhook_deliveries.c.attempts == attempt,
            )
            .values(**values)
        )
        return rowcount(result) > 0

    async def count_failure(self, endpoint_id: str, failed: bool) -> int:
        """Add a failed attempt to the endpoint's run (or end the run); the run's length."""
        column = webhook_endpoints.c.consecutive_failures
        await self.session.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == endpoint_id)
            .values(consecutive_failures=column + 1 if failed else 0)
        )
        return int(
            await self.session.scalar(select(column).where(webhook_endpoints.c.id == endpoint_id))
            or 0
        )
