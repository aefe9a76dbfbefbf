"""Outbound provider adapters for the notifications service: SMTP for email, HTTP for SMS.

Thin real-I/O adapters with no business rules. Each failure is classified once, here, as
temporary (worth retrying: connection trouble, timeouts, throttling, provider 5xx) or permanent
(retrying cannot help: the provider refused the message or the recipient), so that the retry
policy elsewhere needs to know nothing about SMTP reply codes or HTTP APIs.

Also here: parsing the delivery receipts the SMS providers post back to
`POST /v1/providers/sms/status` (docs/design.md §5) into one provider-neutral `Receipt`.
"""

from __future__ import annotations

import asyncio
import base64
import email.policy
import email.utils
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

import aiosmtplib
import httpx
import jwt

logger = logging.getLogger(__name__)

TWILIO_API_VERSION = "2010-04-01"
# Query parameter of the status callback URL that carries our message id back to us.
TWILIO_REFERENCE_PARAMETER = "notification"
NOTIFY_SMS_PATH = "/v2/notifications/sms"  # docs/reference/notify-anchor.md §1 "Send API"
# A Notify key is `name-<service id, 36>-<secret, 36>`; the Python client slices it from the end
# (docs/reference/notify-anchor.md §1 "Auth": PYCLIENT base.py `api_key[-73:-37]`, `[-36:]`).
NOTIFY_SERVICE_ID_SLICE = slice(-73, -37)
NOTIFY_SECRET_SLICE = slice(-36, None)
NOTIFY_JWT_ALGORITHM = "HS256"  # docs/reference/notify-anchor.md §1 "Auth"

HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500
SMTP_PERMANENT_FAILURE = 500  # RFC 5321 section 4.2.1: 5yz replies are permanent, 4yz transient
# Long enough for a slow relay to answer, short enough that a hung server does not stall a
# worker; a send that times out is retried as a temporary failure.
SMTP_TIMEOUT_SECONDS = 30.0

TlsMode = Literal["none", "starttls", "tls"]
ReceiptStatus = Literal["delivered", "permanent-failure", "temporary-failure"]


# --- errors -------------------------------------------------------------------------------------


class ProviderError(Exception):
    """A provider did not take the message. `permanent` says whether retrying could help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class TemporaryProviderError(ProviderError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=False)


class PermanentProviderError(ProviderError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


# --- SMS ----------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    async def send(self, to_e164: str, body: str, reference: str) -> str:
        """Hand one text to the provider; returns the provider's message id."""
        ...


def classify_http_failure(provider: str, response: httpx.Response, message: str) -> ProviderError:
    """Throttling and server errors are temporary; any other refusal is permanent."""
    reason = f"{provider} answered {response.status_code}: {message}"
    if response.status_code == HTTP_TOO_MANY_REQUESTS or response.status_code >= HTTP_SERVER_ERROR:
        return TemporaryProviderError(reason)
    return PermanentProviderError(reason)


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def post_to_provider(
    provider: str, client: httpx.AsyncClient, url: str, **request: Any
) -> httpx.Response:
    """POST, turning transport trouble (refused, reset, timed out) into a temporary error."""
    try:
        return await client.post(url, **request)
    except httpx.TransportError as error:
        raise TemporaryProviderError(f"{provider} unreachable: {error!r}") from error


def provider_message_id(provider: str, body: dict[str, Any], field: str) -> str:
    message_id = body.get(field)
    if not isinstance(message_id, str) or not message_id:
        # The provider may have taken the text; a retry risks a duplicate, but losing the
        # message silently would be worse, and this only happens when the provider misbehaves.
        raise TemporaryProviderError(f"{provider} accepted the text but returned no {field}")
    return message_id


class TwilioSmsProvider:
    """Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{sid}/Messages.json`.

    Twilio has no client reference field, so `reference` goes back to us as a query parameter of
    the status callback URL; receipts are matched on the returned sid, or on that reference when
    the receipt overtakes our record of the sid.
    """

    def __init__(
        self,
        api_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        status_callback_url: str | None,
        client: httpx.AsyncClient,
    ) -> None:
        self._messages_url = (
            f"{api_url.rstrip('/')}/{TWILIO_API_VERSION}/Accounts/{account_sid}/Messages.json"
        )
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self._sender = sender
        self._status_callback_url = status_callback_url
        self._client = client

    async def send(self, to_e164: str, body: str, reference: str) -> str:
        form = {"To": to_e164, "From": self._sender, "Body": body}
        if self._status_callback_url:
            # Twilio has no client reference, so ours rides on the callback URL (which Twilio
            # includes in the signature).
            query = urlencode({TWILIO_REFERENCE_PARAMETER: reference})
            form["StatusCallback"] = f"{self._status_callback_url}?{query}"
        response = await post_to_provider(
            "Twilio", self._client, self._messages_url, data=form, auth=self._auth
        )
        answer = json_or_empty(response)
        if response.is_error:
            message = str(answer.get("message") or response.reason_phrase)
            raise classify_http_failure("Twilio", response, message)
        return provider_message_id("Twilio", answer, "sid")


@dataclass(frozen=True)
class NotifyApiKey:
    service_id: str
    secret: str

    @classmethod
    def parse(cls, api_key: str) -> NotifyApiKey:
        service_id = api_key[NOTIFY_SERVICE_ID_SLICE]
        secret = api_key[NOTIFY_SECRET_SLICE]
        try:
            uuid.UUID(service_id)
            uuid.UUID(secret)
        except ValueError:
            raise ValueError("a Notify API key looks like name-<service id>-<secret>") from None
        return cls(service_id=service_id, secret=secret)


class NotifySmsProvider:
    """GOV.UK Notify: `POST /v2/notifications/sms` with a per-request HS256 JWT.

    `template_id` names a Notify template whose whole content is `((body))`, so the rendered
    text is decided here, not in Notify.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        template_id: str,
        client: httpx.AsyncClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = f"{api_url.rstrip('/')}{NOTIFY_SMS_PATH}"
        self._key = NotifyApiKey.parse(api_key)
        self._template_id = template_id
        self._client = client
        self._clock = clock

    def _bearer_token(self) -> str:
        # Notify rejects an `iat` more than 30 s off its clock (docs/reference/notify-anchor.md §1
        # "Auth"), so a fresh token is made per request rather than cached.
        claims = {"iss": self._key.service_id, "iat": int(self._clock())}
        return jwt.encode(claims, self._key.secret, algorithm=NOTIFY_JWT_ALGORITHM)

    async def send(self, to_e164: str, body: str, reference: str) -> str:
        payload = {
            "phone_number": to_e164,
            "template_id": self._template_id,
            "personalisation": {"body": body},
            "reference": reference,
        }
        headers = {"Authorization": f"Bearer {self._bearer_token()}"}
        response = await post_to_provider(
            "Notify", self._client, self._url, json=payload, headers=headers
        )
        answer = json_or_empty(response)
        if response.is_error:
            raise classify_http_failure("Notify", response, notify_error_message(answer))
        return provider_message_id("Notify", answer, "id")


def notify_error_message(answer: Mapping[str, Any]) -> str:
    errors = answer.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message", "unknown error"))
    return "unknown error"


class SmsSettings(Protocol):
    """The configuration `make_sms_provider` reads (docs/design.md §6)."""

    @property
    def sms_provider(self) -> str: ...
    @property
    def sms_api_url(self) -> str: ...
    @property
    def sms_account_sid(self) -> str: ...
    @property
    def sms_auth_token(self) -> str: ...
    @property
    def sms_from(self) -> str: ...
    @property
    def status_callback_url(self) -> str: ...


def make_sms_provider(settings: SmsSettings, client: httpx.AsyncClient) -> SmsProvider:
    """The configured provider. For Notify, `sms_auth_token` is the API key and `sms_from` the
    template id; its receipt callback is configured on the Notify side, not per message."""
    if settings.sms_provider == "twilio":
        return TwilioSmsProvider(
            api_url=settings.sms_api_url,
            account_sid=settings.sms_account_sid,
            auth_token=settings.sms_auth_token,
            sender=settings.sms_from,
            status_callback_url=settings.status_callback_url,
            client=client,
        )
    if settings.sms_provider == "notify":
        return NotifySmsProvider(
            api_url=settings.sms_api_url,
            api_key=settings.sms_auth_token,
            template_id=settings.sms_from,
            client=client,
        )
    raise ValueError(f"unknown SMS provider {settings.sms_provider!r}: use twilio or notify")


# --- delivery receipts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str
    status: ReceiptStatus
    reason: str | None
    # Our own message id, echoed by the provider: it lets a receipt that overtakes our record of
    # the provider's id still find its message.
    notification_id: str | None = None


class ReceiptError(ValueError):
    """A receipt that cannot be read: missing id or an unknown status."""


# Twilio statuses before the outcome is known (https://www.twilio.com/docs/messaging/api/message-resource).
TWILIO_INTERIM_STATUSES = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})
TWILIO_FAILED_STATUSES = frozenset({"failed", "undelivered"})
# Twilio error codes worth retrying: the handset or carrier may be reachable later. Everything
# else (unknown number, landline, blocked) is permanent.
# https://www.twilio.com/docs/api/errors: 30001 queue overflow, 30003 unreachable handset,
# 30008 unknown error, 30009 missing segment.
TWILIO_TEMPORARY_ERROR_CODES = frozenset({"30001", "30003", "30008", "30009"})

# Notify statuses (docs/reference/notify-anchor.md §1 "Status lifecycle"). `sent` is final for
# international texts with no receipt; `technical-failure` means Notify gave up after its own
# retries, which says nothing about the recipient, so it is worth trying again later.
NOTIFY_INTERIM_STATUSES = frozenset({"created", "sending", "pending"})
NOTIFY_FINAL_STATUSES: Mapping[str, ReceiptStatus] = {
    "delivered": "delivered",
    "sent": "delivered",
    "permanent-failure": "permanent-failure",
    "temporary-failure": "temporary-failure",
    "technical-failure": "temporary-failure",
}


def parse_twilio_receipt(
    form: Mapping[str, str], notification_id: str | None = None
) -> Receipt | None:
    """A Twilio status callback as a Receipt; None for interim statuses that carry no outcome.
    `notification_id` is the reference from the callback URL's query, when there is one."""
    message_id = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not message_id:
        raise ReceiptError("Twilio receipt without MessageSid")
    if status in TWILIO_INTERIM_STATUSES:
        return None
    if status == "delivered":
        return Receipt(message_id, "delivered", None, notification_id)
    if status in TWILIO_FAILED_STATUSES:
        error_code = form.get("ErrorCode") or ""
        reason = f"Twilio {status} (error {error_code or 'unknown'})"
        outcome: ReceiptStatus = (
            "temporary-failure"
            if error_code in TWILIO_TEMPORARY_ERROR_CODES
            else "permanent-failure"
        )
        return Receipt(message_id, outcome, reason, notification_id)
    raise ReceiptError(f"unknown Twilio status {status!r}")


def parse_notify_receipt(payload: Mapping[str, Any]) -> Receipt | None:
    """A Notify delivery-status callback as a Receipt; None for interim statuses."""
    message_id = payload.get("id")
    status = payload.get("status")
    if not isinstance(message_id, str) or not message_id:
        raise ReceiptError("Notify receipt without id")
    if status in NOTIFY_INTERIM_STATUSES:
        return None
    if not isinstance(status, str) or status not in NOTIFY_FINAL_STATUSES:
        raise ReceiptError(f"unknown Notify status {status!r}")
    outcome = NOTIFY_FINAL_STATUSES[status]
    reason = None if status == "delivered" else f"Notify {status}"
    # ours, sent with the text (docs/reference/notify-anchor.md §1 "Send API")
    reference = payload.get("reference")
    return Receipt(message_id, outcome, reason, reference if isinstance(reference, str) else None)


# --- receipt authentication ---------------------------------------------------------------------

# Twilio signs every webhook it sends: `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, the
# full callback URL followed by each POST parameter, sorted by name, as name then value)).
# https://www.twilio.com/docs/usage/security#validating-requests
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature Twilio would send for a POST of `params` to `url`."""
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_signature_is_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str | None
) -> bool:
    """Whether `signature` is Twilio's for this request (compared in constant time)."""
    if not signature or not auth_token:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def bearer_token_is_valid(expected: str | None, authorization: str | None) -> bool:
    """Notify calls back with `Authorization: Bearer <the token the service configured>`
    (docs/reference/notify-anchor.md §1 "Callbacks to services"). No configured token admits
    nobody."""
    if not expected or not authorization:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(expected.encode(), token.strip().encode())


# --- email --------------------------------------------------------------------------------------


def build_email(
    to: str,
    from_: str,
    subject: str,
    text: str,
    html: str | None,
    message_id_domain: str,
) -> EmailMessage:
    """A multipart/alternative message, plain text first (RFC 2046 section 5.1.4: the last part
    is the preferred one, so clients that can show HTML do)."""
    message = EmailMessage(policy=email.policy.default)
    message["From"] = from_
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(domain=message_id_domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def classify_smtp_failure(error: Exception) -> ProviderError:
    """5yz replies are permanent; 4yz replies and connection trouble are temporary."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        details = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
        if all(code >= SMTP_PERMANENT_FAILURE for code in codes):
            return PermanentProviderError(f"recipient refused: {details}")
        return TemporaryProviderError(f"recipient deferred: {details}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        reason = f"SMTP {error.code} {error.message}"
        if error.code >= SMTP_PERMANENT_FAILURE:
            return PermanentProviderError(reason)
        return TemporaryProviderError(reason)
    return TemporaryProviderError(f"SMTP server unreachable: {error!r}")


class EmailSender:
    """Sends mail over one reused SMTP connection.

    Opening a connection (and TLS, and AUTH) per message is the slow part of SMTP, so the
    connection stays open between sends. A lock serialises sends, because one SMTP connection
    carries one transaction at a time. A connection the server has dropped since the last send
    is reopened once, transparently.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: TlsMode = "none",
        username: str | None = None,
        password: str | None = None,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both an SMTP username and password, or neither")
        self._host = host
        self._port = port
        self._tls: TlsMode = tls
        self._username = username
        self._password = password
        self._timeout = timeout
        self._connection: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> EmailSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def send(self, message: EmailMessage) -> str:
        """Send one message; returns its Message-ID."""
        message_id = message["Message-ID"]
        if not message_id:
            raise ValueError("the message has no Message-ID; build it with build_email")
        async with self._lock:
            try:
                await self._send_with_reconnect(message)
            except (aiosmtplib.SMTPException, OSError) as error:
                if not isinstance(error, aiosmtplib.SMTPRecipientsRefused):
                    # After anything but a refused recipient (which aiosmtplib answers with
                    # RSET), the session state is unknown: start afresh next time.
                    await self._drop_connection()
                raise classify_smtp_failure(error) from error
        return str(message_id)

    async def close(self) -> None:
        async with self._lock:
            await self._drop_connection(polite=True)

    async def _send_with_reconnect(self, message: EmailMessage) -> None:
        reused = self._connection is not None and self._connection.is_connected
        connection = await self._connected()
        try:
            errors, _reply = await connection.send_message(message)
        except aiosmtplib.SMTPServerDisconnected:
            if not reused:
                raise
            logger.info("SMTP connection to %s:%d was closed; reconnecting", self._host, self._port)
            await self._drop_connection()
            connection = await self._connected()
            errors, _reply = await connection.send_message(message)
        if errors:
            # Some recipients were refused while others took the message; report the refusals
            # rather than claim a full delivery.
            refusals = [
                aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, recipient)
                for recipient, reply in errors.items()
            ]
            raise aiosmtplib.SMTPRecipientsRefused(refusals)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._connection is not None and self._connection.is_connected:
            return self._connection
        connection = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            use_tls=self._tls == "tls",
            start_tls=self._tls == "starttls",
            timeout=self._timeout,
        )
        await connection.connect()
        if self._username is not None and self._password is not None:
            try:
                await connection.login(self._username, self._password)
            except aiosmtplib.SMTPException:
                connection.close()
                raise
        self._connection = connection
        return connection

    async def _drop_connection(self, *, polite: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is None or not connection.is_connected:
            return
        if polite:
            try:
                await connection.quit()
                return
            except (aiosmtplib.SMTPException, OSError):
                pass  # the server went away first; just release the socket below
        connection.close()
