"""The GOV.UK Notify-style API of the local SMS gateway (`POST /v2/notifications/sms`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from fastapi import BackgroundTasks, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deploy.local.sms_gateway.texts import (
    NOTIFY_SENDER,
    GatewayState,
    StoredText,
    fragment_count,
    normalise_phone_number,
    post_receipt,
    simulated_outcome,
    store_text,
)


class NotifySmsRequest(BaseModel):
    """`POST /v2/notifications/sms` (docs/reference/notify-anchor.md §1 "Send API")."""

    model_config = ConfigDict(extra="forbid")

    phone_number: str
    template_id: uuid.UUID
    personalisation: dict[str, Any] = Field(default_factory=dict)
    reference: str | None = Field(default=None, max_length=1000)
    sms_sender_id: uuid.UUID | None = None


def notify_error(status_code: int, error: str, message: str) -> JSONResponse:
    body = {"errors": [{"error": error, "message": message}], "status_code": status_code}
    return JSONResponse(body, status_code=status_code)


def notify_token_problem(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """Why the bearer token is unacceptable, or None. The signature is deliberately not checked."""
    if credentials is None:
        return "Unauthorized: authentication token must be provided"
    try:
        claims = jwt.decode(credentials.credentials, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return "Invalid token: signature, api token not found"
    if "iss" not in claims:
        return "Invalid token: iss field not provided"
    return None


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{location} {first['msg']}"


def notify_receipt(text: StoredText, template_id: uuid.UUID) -> dict[str, Any]:
    completed_at = datetime.now(UTC).isoformat()
    return {
        "id": text.id,
        "reference": text.reference,
        "to": text.to,
        "status": text.outcome.value,
        "created_at": text.created_at.isoformat(),
        "completed_at": completed_at,
        "sent_at": text.created_at.isoformat(),
        "notification_type": "sms",
        "template_id": str(template_id),
        "template_version": 1,
    }


def notify_accepted(text: StoredText, template_id: uuid.UUID, base_url: str) -> dict[str, Any]:
    """The notification Notify answers a send with."""
    template_uri = f"{base_url}/v2/template/{template_id}"
    return {
        "id": text.id,
        "reference": text.reference,
        "content": {"body": text.body, "from_number": text.sender},
        "uri": f"{base_url}/v2/notifications/{text.id}",
        "template": {"id": str(template_id), "version": 1, "uri": template_uri},
        "scheduled_for": None,
    }


async def notify_send(
    request: Request,
    background: BackgroundTasks,
    credentials: HTTPAuthorizationCredentials | None,
) -> Response:
    problem = notify_token_problem(credentials)
    if problem is not None:
        return notify_error(403, "AuthError", problem)
    try:
        payload = NotifySmsRequest.model_validate(await request.json())
    except json.JSONDecodeError:
        return notify_error(400, "ValidationError", "Request body must be JSON")
    except ValidationError as error:
        return notify_error(400, "ValidationError", describe_validation_error(error))
    to = normalise_phone_number(payload.phone_number)
    if to is None:
        return notify_error(400, "ValidationError", "phone_number Not a valid phone number")
    body = payload.personalisation.get("body")
    if not isinstance(body, str) or not body:
        # This gateway's only template is "((body))"; Notify rejects a missing placeholder.
        return notify_error(400, "BadRequestError", "Missing personalisation: body")
    state: GatewayState = request.app.state.gateway
    text = StoredText(
        id=str(uuid.uuid4()),
        api="notify",
        to=to,
        sender=NOTIFY_SENDER,
        body=body,
        reference=payload.reference,
        num_segments=fragment_count(body),
        outcome=simulated_outcome(to),
        created_at=datetime.now(UTC),
        callback_url=state.callback_url,
    )
    await asyncio.to_thread(store_text, state.directory, text)
    if text.callback_url:
        receipt = notify_receipt(text, payload.template_id)
        headers = (
            {"Authorization": f"Bearer {state.callback_bearer_token}"}
            if state.callback_bearer_token
            else None
        )
        background.add_task(post_receipt, text.callback_url, json_body=receipt, headers=headers)
    base_url = str(request.base_url).rstrip("/")
    return JSONResponse(notify_accepted(text, payload.template_id, base_url), status_code=201)
