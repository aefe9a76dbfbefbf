"""The webhook admin API (docs/design.md §8 "Webhooks"): admins and managers only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.notifications.domain.webhooks import (
    DESCRIPTION_MAX_LENGTH,
    URL_MAX_LENGTH,
    WebhookInputError,
)
from services.notifications.webhooks.admin import NotFinishedError, NotFoundError, WebhookAdmin
from services.notifications.webhooks.store import Delivery, Endpoint
from shared.app import validation_error_body
from shared.auth import Role, StaffUser, staff_auth

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

# Who may register endpoints: what leaves the ombudsman is an admin's or a manager's decision.
WEBHOOK_ROLES = (Role.ADMIN, Role.MANAGER)
# Every offered event type, with room to spare; more is not a subscription but a mistake.
MAX_EVENT_TYPES = 50
ID_MAX_LENGTH = 36


def _admin(request: Request) -> WebhookAdmin:
    admin: WebhookAdmin = request.app.state.webhooks
    return admin


Admin = Annotated[WebhookAdmin, Depends(_admin)]
Staff = Annotated[StaffUser, Depends(staff_auth(*WEBHOOK_ROLES))]
EndpointId = Annotated[str, Path(max_length=ID_MAX_LENGTH)]


class NewEndpoint(BaseModel):
    url: str = Field(max_length=URL_MAX_LENGTH)
    event_types: list[Annotated[str, Field(max_length=100)]] = Field(max_length=MAX_EVENT_TYPES)
    description: str = Field("", max_length=DESCRIPTION_MAX_LENGTH)


class EndpointChange(BaseModel):
    enabled: bool


class Created(BaseModel):
    id: str
    secret: str


class EndpointView(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    consecutive_failures: int
    created_at: datetime
    disabled_at: datetime | None


class DeliveryView(BaseModel):
    id: str
    webhook_id: str
    event_type: str
    reference: str
    status: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_response_status: int | None
    last_error: str | None
    replay_of: str | None


def _endpoint_view(endpoint: Endpoint) -> EndpointView:
    return EndpointView(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        consecutive_failures=endpoint.consecutive_failures,
        created_at=endpoint.created_at,
        disabled_at=endpoint.disabled_at,
    )


def _delivery_view(delivery: Delivery) -> DeliveryView:
    return DeliveryView(
        id=delivery.id,
        webhook_id=delivery.message_id,
        event_type=delivery.event_type,
        reference=delivery.reference,
        status=delivery.status.value,
        attempts=delivery.attempts,
        created_at=delivery.created_at,
        last_attempt_at=delivery.last_attempt_at,
        next_attempt_at=delivery.next_attempt_at,
        delivered_at=delivery.delivered_at,
        last_response_status=delivery.last_response_status,
        last_error=delivery.last_error,
        replay_of=delivery.replay_of,
    )


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "no such webhook endpoint or delivery")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
async def register(body: NewEndpoint, admin: Admin, _: Staff) -> Created | JSONResponse:
    """Register an endpoint; the answer holds its signing secret, shown this once only."""
    try:
        endpoint, secret = await admin.register(body.url, body.event_types, body.description)
    except WebhookInputError as error:
        detail = [{"loc": ("body", error.field), "msg": str(error)}]
        return JSONResponse(validation_error_body(detail), status_code=422)
    return Created(id=endpoint.id, secret=secret)


@router.get("", response_model=list[EndpointView])
async def list_endpoints(admin: Admin, _: Staff) -> list[EndpointView]:
    return [_endpoint_view(endpoint) for endpoint in await admin.endpoints()]


@router.patch("/{endpoint_id}", response_model=EndpointView)
async def change(
    endpoint_id: EndpointId, body: EndpointChange, admin: Admin, _: Staff
) -> EndpointView:
    """Enable (its backlog is then sent, in order) or disable an endpoint."""
    try:
        return _endpoint_view(await admin.set_enabled(endpoint_id, body.enabled))
    except NotFoundError:
        raise _not_found() from None


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete(endpoint_id: EndpointId, admin: Admin, _: Staff) -> None:
    try:
        await admin.delete(endpoint_id)
    except NotFoundError:
        raise _not_found() from None


@router.get("/{endpoint_id}/deliveries", response_model=list[DeliveryView])
async def deliveries(endpoint_id: EndpointId, admin: Admin, _: Staff) -> list[DeliveryView]:
    """The latest deliveries first, with their statuses and last outcome."""
    try:
        return [_delivery_view(delivery) for delivery in await admin.deliveries(endpoint_id)]
    except NotFoundError:
        raise _not_found() from None


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryView,
)
async def replay(
    endpoint_id: EndpointId,
    delivery_id: Annotated[str, Path(max_length=ID_MAX_LENGTH)],
    admin: Admin,
    _: Staff,
) -> DeliveryView:
    """Send a delivered or failed delivery again (re-enabling the endpoint)."""
    try:
        return _delivery_view(await admin.replay(endpoint_id, delivery_id))
    except NotFoundError:
        raise _not_found() from None
    except NotFinishedError:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "the delivery is still pending or being retried"
        ) from None
