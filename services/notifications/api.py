"""Notifications' HTTP routes (docs/design.md §5): the staff message list, SMS receipts, and the
letter print queue."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.notifications.domain.delivery import PostingResult, ReceiptResult
from services.notifications.domain.records import Message
from services.notifications.letters import PrintQueue
from services.notifications.message_list import messages_about
from services.notifications.providers import (
    TWILIO_REFERENCE_PARAMETER,
    TWILIO_SIGNATURE_HEADER,
    Receipt,
    ReceiptError,
    bearer_token_is_valid,
    parse_notify_receipt,
    parse_twilio_receipt,
    twilio_signature_is_valid,
)
from services.notifications.receipts import Receipts
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStores
from shared.auth import Role, StaffUser, staff_auth
from shared.kit.state import StateKey
from shared.kit.work import UnitOfWork

log = logging.getLogger("redress.notifications.api")

router = APIRouter(prefix="/v1", tags=["notifications"])

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Only managers may read what was sent and to whom (docs/design.md §5).
ROLES_THAT_SEE_CONTENT = frozenset({Role.MANAGER})
MAX_REFERENCE_LENGTH = 64
# Staff who print and post letters (docs/design.md §5 roles).
LETTER_ROLES = (Role.CASEWORKER, Role.MANAGER)
# Letters handed out per fetch of the print queue: one print run; the rest wait for the next.
DEFAULT_PRINT_RUN = 50
MAX_PRINT_RUN = 500


# What app.py hands the routes.
UOW: StateKey[UnitOfWork[NotificationsStores]] = StateKey("uow")
SETTINGS: StateKey[NotificationsSettings] = StateKey("settings")
PRINT_QUEUE: StateKey[PrintQueue] = StateKey("print_queue")
RECEIPTS: StateKey[Receipts] = StateKey("receipts")


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
    staff: Annotated[StaffUser, Depends(staff_auth())],
    reference: Annotated[str, Query(min_length=1, max_length=MAX_REFERENCE_LENGTH)],
) -> list[MessageView]:
    found = await messages_about(UOW.of(request.app), reference)
    with_content = staff.role in ROLES_THAT_SEE_CONTENT
    return [_view(message, with_content=with_content) for message in found]


class LetterView(BaseModel):
    """A letter to print: `html` is a complete, printable page (address included)."""

    id: str
    reference: str
    template: str
    template_version: int
    status: str
    large_print: bool
    created_at: datetime
    queued_for_print_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    html: str | None


class PostedView(BaseModel):
    id: str
    status: str
    result: str
    delivered_at: datetime | None


def _letter_view(letter: Message) -> LetterView:
    return LetterView(
        id=letter.id,
        reference=letter.reference,
        template=letter.template,
        template_version=letter.template_version,
        status=letter.status.value,
        large_print=letter.large_print,
        created_at=letter.created_at,
        queued_for_print_at=letter.queued_for_print_at,
        sent_at=letter.sent_at,
        delivered_at=letter.delivered_at,
        html=(letter.rendered or {}).get("html"),
    )


@router.get(
    "/letters/queue",
    response_model=list[LetterView],
    summary="Take the letters waiting to be printed (they become `sending`)",
)
async def letter_queue(
    request: Request,
    staff: Annotated[StaffUser, Depends(staff_auth(*LETTER_ROLES))],
    limit: Annotated[int, Query(ge=1, le=MAX_PRINT_RUN)] = DEFAULT_PRINT_RUN,
    include_unposted: Annotated[
        bool, Query(description="Also list letters fetched before but not yet confirmed posted.")
    ] = False,
) -> list[LetterView]:
    print_queue = PRINT_QUEUE.of(request.app)
    taken = await print_queue.take(limit)
    log.info("print queue fetched", extra={"staff": staff.sub, "letters": len(taken)})
    letters = taken
    if include_unposted:
        taken_ids = {letter.id for letter in taken}
        earlier = await print_queue.unposted(MAX_PRINT_RUN)
        letters = taken + [letter for letter in earlier if letter.id not in taken_ids]
    return [_letter_view(letter) for letter in letters]


@router.post(
    "/letters/{letter_id}/posted",
    response_model=PostedView,
    summary="Confirm a printed letter was posted (it becomes `delivered`)",
    responses={404: {"description": "No such letter."}, 409: {"description": "Not printed."}},
)
async def letter_posted(
    request: Request,
    staff: Annotated[StaffUser, Depends(staff_auth(*LETTER_ROLES))],
    letter_id: str,
) -> PostedView:
    result, letter = await PRINT_QUEUE.of(request.app).confirm_posted(letter_id)
    if result is PostingResult.UNKNOWN or letter is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No letter has that id.")
    if result is PostingResult.NOT_PRINTED:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=(
                f"This letter is {letter.status.value}: only a letter fetched from the print "
                "queue (status sending) can be confirmed as posted."
            ),
        )
    log.info("letter posted", extra={"notification_id": letter.id, "staff": staff.sub})
    return PostedView(
        id=letter.id,
        status=letter.status.value,
        result=result.value,
        delivered_at=letter.delivered_at,
    )


@router.post(
    "/providers/sms/status",
    summary="SMS delivery receipts (Twilio form posts or GOV.UK Notify JSON callbacks)",
    responses={403: {"description": "The receipt is not signed or not authorised."}},
    # 400: a receipt that does not parse; 404: an id that is not one of our messages.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "MessageSid": {"type": "string"},
                            "MessageStatus": {"type": "string"},
                        },
                        "required": ["MessageSid", "MessageStatus"],
                    }
                },
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "status": {"type": "string"}},
                        "required": ["id", "status"],
                    }
                },
            },
        },
        "x-redress-errors": ["400", "403", "404"],
    },
)
async def sms_status(request: Request) -> JSONResponse:
    provider_id, receipt = await _read_authentic_receipt(request)
    receipts = RECEIPTS.of(request.app)
    if receipt is None:  # an interim status: nothing to record, but the id must be ours
        if not await receipts.known_provider_id(provider_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No message has that id.")
        return JSONResponse({"result": ReceiptResult.IGNORED.value})
    result = await receipts.apply(receipt)
    if result is ReceiptResult.UNKNOWN:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No message has that id.")
    return JSONResponse({"result": result.value})


async def _read_authentic_receipt(request: Request) -> tuple[str, Receipt | None]:
    """Authenticate first (403), then read (400): an unsigned request learns nothing more."""
    settings = SETTINGS.of(request.app)
    content_type = request.headers.get("content-type", "").lower()
    try:
        if content_type.startswith("application/json"):
            expected = settings.callback_bearer_token
            if not bearer_token_is_valid(
                expected.get_secret_value() if expected else None,
                request.headers.get("authorization"),
            ):
                raise _not_authentic("a Notify-style receipt needs the configured bearer token")
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ReceiptError("the receipt must be a JSON object")
            return str(body.get("id")), parse_notify_receipt(body)
        if content_type.startswith(FORM_CONTENT_TYPES):
            params = [
                (key, value)
                for key, value in (await request.form()).multi_items()
                if isinstance(value, str)
            ]
            if not twilio_signature_is_valid(
                settings.sms_auth_token.get_secret_value(),
                _signed_url(settings.sms_status_callback_url, request),
                params,
                request.headers.get(TWILIO_SIGNATURE_HEADER),
            ):
                raise _not_authentic(f"a Twilio-style receipt needs {TWILIO_SIGNATURE_HEADER}")
            form = dict(params)
            reference = request.query_params.get(TWILIO_REFERENCE_PARAMETER)
            receipt = parse_twilio_receipt(form, reference)
            return form.get("MessageSid") or form.get("SmsSid") or "", receipt
    except (ReceiptError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise _bad_receipt(
            str(error) if isinstance(error, ReceiptError) else "not valid JSON"
        ) from error
    raise _bad_receipt("send a Twilio form post or a Notify JSON callback")


def _signed_url(callback_url: str, request: Request) -> str:
    """The URL Twilio signed: the one we gave it, which is not necessarily the one this process
    sees behind a proxy, plus any query string it was called with."""
    query = request.url.query
    return f"{callback_url}?{query}" if query else callback_url


def _not_authentic(reason: str) -> HTTPException:
    log.warning("refused an unauthenticated SMS receipt: %s", reason)
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=f"Not an authentic receipt: {reason}.")


def _bad_receipt(reason: str) -> HTTPException:
    detail: dict[str, Any] = {"error": f"This is not a delivery receipt we can read: {reason}."}
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail=detail)
