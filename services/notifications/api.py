"""Notifications' HTTP routes (DESIGN section 5): the staff message list and SMS receipts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.notifications.providers import (
    Receipt,
    ReceiptError,
    parse_notify_receipt,
    parse_twilio_receipt,
)
from services.notifications.sender import ReceiptResult, Sender
from services.notifications.store import Message, MessageStore
from shared.auth import Role, StaffUser, staff_auth

router = APIRouter(prefix="/v1", tags=["notifications"])

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Only managers may read what was sent and to whom (DESIGN section 5).
ROLES_THAT_SEE_CONTENT = frozenset({Role.MANAGER})
MAX_REFERENCE_LENGTH = 64


def _secret(request: Request) -> str:
    return str(request.app.state.service.settings.auth_secret_value)


def sender_of(request: Request) -> Sender:
    sender: Sender = request.app.state.sender
    return sender


class MessageView(BaseModel):
    id: str
    reference: str
    channel: Literal["email", "sms", "letter"] | None
    template: str
    template_version: int
    status: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    attempts: int
    failure_reason: str | None
    fragments: int | None
    # Managers only: the address and what was sent (until the retention period removes them).
    recipient: str | None = None
    subject: str | None = None
    body: str | None = None


def _view(message: Message, *, with_content: bool) -> MessageView:
    view = MessageView(
        id=message.id,
        reference=message.reference,
        channel=message.channel,
        template=message.template,
        template_version=message.template_version,
        status=message.status.value,
        created_at=message.created_at,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
        attempts=message.attempts,
        failure_reason=message.failure_reason,
        fragments=message.fragments,
    )
    if with_content:
        rendered = message.rendered or {}
        view.recipient = message.recipient
        view.subject = rendered.get("subject")
        view.body = rendered.get("text")
    return view


@router.get(
    "/messages",
    response_model=list[MessageView],
    response_model_exclude_unset=True,
    summary="Messages sent (or to be sent) about one case",
)
async def list_messages(
    request: Request,
    staff: Annotated[StaffUser, Depends(staff_auth(_secret))],
    reference: Annotated[str, Query(min_length=1, max_length=MAX_REFERENCE_LENGTH)],
) -> list[MessageView]:
    sender = sender_of(request)
    async with sender.db.transaction() as session:
        found = await MessageStore(session, sender.cipher).for_reference(reference)
    with_content = staff.role in ROLES_THAT_SEE_CONTENT
    return [_view(message, with_content=with_content) for message in found]


@router.post(
    "/providers/sms/status",
    summary="SMS delivery receipts (Twilio form posts or GOV.UK Notify JSON callbacks)",
)
async def sms_status(request: Request) -> JSONResponse:
    provider_id, receipt = await _read_receipt(request)
    sender = sender_of(request)
    if receipt is None:  # an interim status: nothing to record, but the id must be ours
        if not await sender.known_provider_id(provider_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No message has that id.")
        return JSONResponse({"result": ReceiptResult.IGNORED.value})
    result = await sender.apply_receipt(receipt)
    if result is ReceiptResult.UNKNOWN:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No message has that id.")
    return JSONResponse({"result": result.value})


async def _read_receipt(request: Request) -> tuple[str, Receipt | None]:
    content_type = request.headers.get("content-type", "").lower()
    try:
        if content_type.startswith("application/json"):
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ReceiptError("the receipt must be a JSON object")
            return str(body.get("id")), parse_notify_receipt(body)
        if content_type.startswith(FORM_CONTENT_TYPES):
            form = {
                key: value
                for key, value in (await request.form()).items()
                if isinstance(value, str)
            }
            return form.get("MessageSid") or form.get("SmsSid") or "", parse_twilio_receipt(form)
    except (ReceiptError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise _bad_receipt(
            str(error) if isinstance(error, ReceiptError) else "not valid JSON"
        ) from error
    raise _bad_receipt("send a Twilio form post or a Notify JSON callback")


def _bad_receipt(reason: str) -> HTTPException:
    detail: dict[str, Any] = {"error": f"This is not a delivery receipt we can read: {reason}."}
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail=detail)
