"""Local SMS gateway that speaks the Twilio and GOV.UK Notify APIs (docs/design.md §7).

Run it with `python -m deploy.local.sms_gateway --port 8025 --dir .local/sms`. Every accepted text
is kept as a JSON file in the directory; nothing is sent to a phone.

Recipients are simulated as Notify's test key does
(docs/reference/notify-anchor.md §1 "Simulated / research"):
07700900002 fails permanently, 07700900003 fails temporarily, anything else is delivered. When a
callback URL is known (Twilio's per-message `StatusCallback`, or `--callback-url` for the Notify
API, which Notify configures per service rather than per message) a delivery receipt is posted to
it shortly after the message is accepted, authenticated as the real providers do: Twilio-style
receipts carry `X-Twilio-Signature` made with the auth token the message was sent with, and
Notify-style receipts carry `Authorization: Bearer <--callback-bearer-token>`.

Control endpoints for tests: `GET /_messages` lists the stored texts, `POST /_outage {"down": true}`
makes both provider APIs answer 503 until it is called again with `false`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import logging
import math
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import jwt
import phonenumbers
import uvicorn
from fastapi import BackgroundTasks, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deploy.local.mail_server import write_atomically

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025  # docs/design.md §7: the local SMS gateway listens on 8025
DEFAULT_DIRECTORY = Path(".local/sms")  # docs/design.md §7: texts are kept under .local/sms/
MESSAGE_SUFFIX = ".json"
NOTIFY_SENDER = "Redress"  # the `from_number` Notify reports: the service's text sender name
# Notify parses numbers with region GB (docs/reference/notify-anchor.md §1 "Phone validation")
DEFAULT_REGION = "GB"

# OFCOM reserves 07700 900000-900999 for drama; phonenumbers calls them invalid but Notify accepts
# them (docs/reference/notify-anchor.md §1 "Phone validation"), and its simulated recipients live
# there.
OFCOM_DRAMA_PREFIX = "+447700900"
OFCOM_DRAMA_LENGTH = len("+447700900000")
# Notify's simulated numbers (docs/reference/notify-anchor.md §1 "Simulated / research").
PERMANENT_FAILURE_NUMBER = "+447700900002"
TEMPORARY_FAILURE_NUMBER = "+447700900003"

# Real receipts take seconds; a short delay keeps the ordering realistic (receipt after the 201)
# without slowing the tests down.
RECEIPT_DELAY_SECONDS = 0.1
# Notify's timeout for calling a service's callback URL (docs/reference/notify-anchor.md §1
# "Callbacks to services").
CALLBACK_TIMEOUT_SECONDS = 5.0

# SMS fragment maths (docs/reference/notify-anchor.md §1 "SMS fragments"): GSM-7 fits 160 characters
# in one fragment and 153 per fragment once split; UCS-2 fits 70, then 67.
GSM_SINGLE_FRAGMENT = 160
GSM_MULTI_FRAGMENT = 153
UCS2_SINGLE_FRAGMENT = 70
UCS2_MULTI_FRAGMENT = 67
GSM_BASIC_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED_CHARACTERS = frozenset("^{}\\[~]|€")  # each costs two GSM-7 characters

# Twilio error codes (https://www.twilio.com/docs/api/errors).
TWILIO_AUTHENTICATE = 20003
TWILIO_INVALID_TO = 21211
TWILIO_BODY_REQUIRED = 21602
TWILIO_FROM_REQUIRED = 21603
TWILIO_TO_REQUIRED = 21604
TWILIO_UNREACHABLE_HANDSET = 30003  # temporary: the phone is off or out of coverage
TWILIO_UNKNOWN_HANDSET = 30005  # permanent: the number does not exist


class Outcome(StrEnum):
    """Notify's final statuses (docs/reference/notify-anchor.md §1 "Status lifecycle")."""

    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"
    TEMPORARY_FAILURE = "temporary-failure"


TWILIO_STATUS = {
    Outcome.DELIVERED: ("delivered", None),
    Outcome.PERMANENT_FAILURE: ("undelivered", TWILIO_UNKNOWN_HANDSET),
    Outcome.TEMPORARY_FAILURE: ("undelivered", TWILIO_UNREACHABLE_HANDSET),
}


def simulated_outcome(e164: str) -> Outcome:
    if e164 == PERMANENT_FAILURE_NUMBER:
        return Outcome.PERMANENT_FAILURE
    if e164 == TEMPORARY_FAILURE_NUMBER:
        return Outcome.TEMPORARY_FAILURE
    return Outcome.DELIVERED


def normalise_phone_number(raw: str) -> str | None:
    """E.164 form of a textable number, or None when it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    is_drama = e164.startswith(OFCOM_DRAMA_PREFIX) and len(e164) == OFCOM_DRAMA_LENGTH
    if is_drama or phonenumbers.is_valid_number(parsed):
        return e164
    return None


def fragment_count(body: str) -> int:
    """How many SMS fragments a body costs (docs/reference/notify-anchor.md §1 "SMS fragments")."""
    if all(ch in GSM_BASIC_CHARACTERS or ch in GSM_EXTENDED_CHARACTERS for ch in body):
        length = sum(2 if ch in GSM_EXTENDED_CHARACTERS else 1 for ch in body)
        single, multi = GSM_SINGLE_FRAGMENT, GSM_MULTI_FRAGMENT
    else:
        length = len(body.encode("utf-16-le")) // 2  # UTF-16 code units
        single, multi = UCS2_SINGLE_FRAGMENT, UCS2_MULTI_FRAGMENT
    return 1 if length <= single else math.ceil(length / multi)


@dataclass
class GatewayState:
    directory: Path
    callback_url: str | None
    callback_bearer_token: str | None = None
    down: bool = False


@dataclass(frozen=True)
class StoredText:
    """One accepted text, as kept on disk and listed by `GET /_messages`."""

    id: str
    api: str
    to: str
    sender: str
    body: str
    reference: str | None
    num_segments: int
    outcome: Outcome
    created_at: datetime
    callback_url: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "api": self.api,
            "to": self.to,
            "from": self.sender,
            "body": self.body,
            "reference": self.reference,
            "num_segments": self.num_segments,
            "outcome": self.outcome.value,
            "created_at": self.created_at.isoformat(),
            "callback_url": self.callback_url,
        }


def store_text(directory: Path, text: StoredText) -> None:
    name = f"{text.created_at.strftime('%Y%m%dT%H%M%S%fZ')}-{text.id}{MESSAGE_SUFFIX}"
    write_atomically(directory / name, json.dumps(text.as_json(), indent=2).encode("utf-8"))


def load_texts(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(directory.glob("*.json"))]


async def post_receipt(
    url: str,
    *,
    form: dict[str, str] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Deliver a receipt; a failing callback is logged, never raised (the text was still sent)."""
    await asyncio.sleep(RECEIPT_DELAY_SECONDS)
    try:
        async with httpx.AsyncClient(timeout=CALLBACK_TIMEOUT_SECONDS) as client:
            response = await client.post(url, data=form, json=json_body, headers=headers)
        if response.is_error:
            logger.warning("receipt callback %s answered %d", url, response.status_code)
    except httpx.HTTPError as error:
        logger.warning("receipt callback %s failed: %r", url, error)


# --- Twilio-style API ---------------------------------------------------------------------------


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


async def twilio_send(
    account_sid: str,
    request: Request,
    background: BackgroundTasks,
    credentials: HTTPBasicCredentials | None,
) -> Response:
    if credentials is None or credentials.username != account_sid or not credentials.password:
        return twilio_error(401, TWILIO_AUTHENTICATE, "Authenticate")
    form = {key: str(value) for key, value in (await request.form()).items()}
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
    body = {
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
    return JSONResponse(body, status_code=201)


# --- GOV.UK Notify-style API --------------------------------------------------------------------


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
    template_uri = f"{base_url}/v2/template/{payload.template_id}"
    response = {
        "id": text.id,
        "reference": text.reference,
        "content": {"body": text.body, "from_number": text.sender},
        "uri": f"{base_url}/v2/notifications/{text.id}",
        "template": {"id": str(payload.template_id), "version": 1, "uri": template_uri},
        "scheduled_for": None,
    }
    return JSONResponse(response, status_code=201)


# --- application --------------------------------------------------------------------------------


class OutageRequest(BaseModel):
    down: bool


CONTROL_PATHS = ("/_", "/healthz")

twilio_auth = HTTPBasic(auto_error=False)
notify_auth = HTTPBearer(auto_error=False)


def create_app(
    directory: Path, callback_url: str | None = None, callback_bearer_token: str | None = None
) -> FastAPI:
    directory.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="Redress local SMS gateway", docs_url=None, redoc_url=None)
    app.state.gateway = GatewayState(
        directory=directory, callback_url=callback_url, callback_bearer_token=callback_bearer_token
    )

    @app.middleware("http")
    async def simulate_outage(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        state: GatewayState = request.app.state.gateway
        if state.down and not request.url.path.startswith(CONTROL_PATHS):
            return JSONResponse({"message": "Service unavailable (simulated outage)"}, 503)
        return await call_next(request)

    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
    async def twilio_messages(
        account_sid: str,
        request: Request,
        background: BackgroundTasks,
        credentials: HTTPBasicCredentials | None = Depends(twilio_auth),
    ) -> Response:
        return await twilio_send(account_sid, request, background, credentials)

    @app.post("/v2/notifications/sms")
    async def notify_sms(
        request: Request,
        background: BackgroundTasks,
        credentials: HTTPAuthorizationCredentials | None = Depends(notify_auth),
    ) -> Response:
        return await notify_send(request, background, credentials)

    @app.get("/_messages")
    async def list_messages() -> list[dict[str, Any]]:
        return await asyncio.to_thread(load_texts, directory)

    @app.post("/_outage")
    async def set_outage(outage: OutageRequest) -> dict[str, bool]:
        app.state.gateway.down = outage.down
        return {"down": outage.down}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


# --- running it ---------------------------------------------------------------------------------

SERVER_START_POLL_SECONDS = 0.01


@asynccontextmanager
async def serve_in_background(app: FastAPI, host: str = DEFAULT_HOST) -> AsyncIterator[str]:
    """Serve an ASGI app on a free port in the current event loop; yields its base URL.

    The socket is bound before uvicorn starts, so there is no window for another process to take
    the port between choosing it and listening on it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", http="h11", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces the startup error
                raise RuntimeError("uvicorn exited before it started")
            await asyncio.sleep(SERVER_START_POLL_SECONDS)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass(frozen=True)
class RunningGateway:
    url: str
    directory: Path
    app: FastAPI

    def messages(self) -> list[dict[str, Any]]:
        return load_texts(self.directory)


@asynccontextmanager
async def running_gateway(
    directory: Path, callback_url: str | None = None, callback_bearer_token: str | None = None
) -> AsyncIterator[RunningGateway]:
    """The gateway served in-process on a free port, for tests."""
    app = create_app(directory, callback_url, callback_bearer_token)
    async with serve_in_background(app) as url:
        yield RunningGateway(url=url, directory=directory, app=app)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local SMS gateway (Twilio and Notify APIs)")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY, dest="directory")
    parser.add_argument(
        "--callback-url",
        default=None,
        help="where Notify-style delivery receipts are posted "
        "(e.g. http://localhost:8003/v1/providers/sms/status)",
    )
    parser.add_argument(
        "--callback-bearer-token",
        default=None,
        help="sent as 'Authorization: Bearer <token>' with Notify-style receipts, as GOV.UK "
        "Notify sends the token a service configured (NOTIFICATIONS_CALLBACK_BEARER_TOKEN)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sms %(message)s")
    app = create_app(arguments.directory, arguments.callback_url, arguments.callback_bearer_token)
    logger.info("SMS gateway storing texts in %s", arguments.directory)
    uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="info")


if __name__ == "__main__":
    main()
