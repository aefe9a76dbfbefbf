"""The local SMS gateway's Twilio-style API (`POST /2010-04-01/Accounts/{sid}/Messages.json`)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime

from fastapi import BackgroundTasks, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasicCredentials

from deploy.local.sms_gateway.texts import (
    GatewayState,
    Outcome,
    StoredText,
    fragment_count,
    normalise_phone_number,
    post_receipt,
    simulated_outcome,
    store_text,
)

# Twilio error codes (https://www.twilio.com/docs/api/errors).
TWILIO_AUTHENTICATE = 20003
TWILIO_INVALID_TO = 21211
TWILIO_BODY_REQUIRED = 21602
TWILIO_FROM_REQUIRED = 21603
TWILIO_TO_REQUIRED = 21604
TWILIO_UNREACHABLE_HANDSET = 30003  # temporary: the phone is off or out of coverage
TWILIO_UNKNOWN_HANDSET = 30005  # permanent: the number does not exist

TWILIO_STATUS = {
    Outcome.DELIVERED: ("delivered", None),
    Outcome.PERMANENT_FAILURE: ("undelivered", TWILIO_UNKNOWN_HANDSET),
    Outcome.TEMPORARY_FAILURE: ("undelivered", TWILIO_UNREACHABLE_HANDSET),
}


def new_account_sid() -> str:
    """A random account SID in Twilio's format, for callers that need one (tests, `make run`)."""
    return f"AC{secrets.token_hex(16)}"


def twilio_error(status_code: int, code: int, message: str) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status_code,
    }
    return JSONResponse(body, status_code=status_code)


# https://www.twilio.com/docs/usage/security#validating-requests: base64(HMAC-SHA1(auth token,
# the full URL followed by every POST parameter sorted by name, as name then value)).
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    signed = url + "".join(name + value for name, value in sorted(params.items()))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_receipt(text: StoredText, account_sid: str) -> dict[str, str]:
    status, error_code = TWILIO_STATUS[text.outcome]
    form = {
        "MessageSid": text.id,
        "SmsSid": text.id,
        "AccountSid": account_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": text.to,
        "From": text.sender,
        "ApiVersion": "2010-04-01",
    }
    if error_code is not None:
        form["ErrorCode"] = str(error_code)
    return form


def twilio_missing_parameter(form: dict[str, str]) -> JSONResponse | None:
    """Twilio's answer to a form without one of its required parameters (the first), or None."""
    missing = [
        (name, code)
        for name, code in (
            ("To", TWILIO_TO_REQUIRED),
            ("From", TWILIO_FROM_REQUIRED),
            ("Body", TWILIO_BODY_REQUIRED),
        )
        if not form.get(name)
    ]
    if missing:
        name, code = missing[0]
        return twilio_error(400, code, f"A '{name}' parameter is required.")
    return None


def twilio_message(text: StoredText, account_sid: str) -> dict[str, str]:
    """The message resource Twilio answers a send with."""
    return {
        "sid": text.id,
        "account_sid": account_sid,
        "status": "queued",
        "to": text.to,
        "from": text.sender,
        "body": text.body,
        "num_segments": str(text.num_segments),  # Twilio sends counts as strings
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": text.created_at.isoformat(),
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{text.id}.json",
    }


async def twilio_send(
    account_sid: str,
    request: Request,
    background: BackgroundTasks,
    credentials: HTTPBasicCredentials | None,
) -> Response:
    if credentials is None or credentials.username != account_sid or not credentials.password:
        return twilio_error(401, TWILIO_AUTHENTICATE, "Authenticate")
    form = {key: str(value) for key, value in (await request.form()).items()}
    missing = twilio_missing_parameter(form)
    if missing is not None:
        return missing
    to = normalise_phone_number(form["To"])
    if to is None:
        return twilio_error(400, TWILIO_INVALID_TO, "Invalid To phone number")
    text = StoredText(
        id=f"SM{uuid.uuid4().hex}",
        api="twilio",
        to=to,
        sender=form["From"],
        body=form["Body"],
        reference=None,
        num_segments=fragment_count(form["Body"]),
        outcome=simulated_outcome(to),
        created_at=datetime.now(UTC),
        callback_url=form.get("StatusCallback") or None,
    )
    state: GatewayState = request.app.state.gateway
    await asyncio.to_thread(store_text, state.directory, text)
    if text.callback_url:
        receipt = twilio_receipt(text, account_sid)
        # Twilio signs with the account's auth token: here, the one the caller authenticated with.
        signature = twilio_signature(credentials.password, text.callback_url, receipt)
        background.add_task(
            post_receipt,
            text.callback_url,
            form=receipt,
            headers={TWILIO_SIGNATURE_HEADER: signature},
        )
    return JSONResponse(twilio_message(text, account_sid), status_code=201)
