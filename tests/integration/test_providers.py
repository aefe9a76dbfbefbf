"""The notifications provider adapters against the real local mail server and SMS gateway.

Fixtures come from tests/integration/conftest_local_servers.py.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage

import httpx
import jwt
import pytest

from deploy.local.mail_server import read_mails
from deploy.local.sms_gateway import RunningGateway, new_account_sid
from services.notifications.providers import (
    EmailSender,
    NotifySmsProvider,
    PermanentProviderError,
    SmsProvider,
    TemporaryProviderError,
    TwilioSmsProvider,
    build_email,
    parse_notify_receipt,
    parse_twilio_receipt,
)
from tests.integration.conftest_local_servers import LocalMailServer, ReceiptReceiver
from tests.kit.apps import free_port

DELIVERABLE_MOBILE = "+447700900123"  # OFCOM drama range: accepted, simulated as delivered
# docs/reference/notify-anchor.md §1 "Simulated / research"
PERMANENT_FAILURE_MOBILE = "+447700900002"
NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
NOTIFY_SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
NOTIFY_SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_API_KEY = f"redress_local-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}"
TWILIO_TOKEN = "local-auth-token"

MakeProvider = Callable[[str, httpx.AsyncClient], SmsProvider]


def a_mail(to: str = "complainant@example.org", subject: str = "Your complaint") -> EmailMessage:
    return build_email(
        to=to,
        from_="Redress <no-reply@redress.localhost>",
        subject=subject,
        text="We have received your complaint.",
        html="<p>We have received your complaint.</p>",
        message_id_domain="redress.localhost",
        notification_id=str(uuid.uuid4()),
    )


def sender_for(server: LocalMailServer) -> EmailSender:
    return EmailSender(server.host, server.port, tls="none", timeout=5.0)


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


def twilio(
    gateway_url: str, client: httpx.AsyncClient, status_callback_url: str | None = None
) -> TwilioSmsProvider:
    return TwilioSmsProvider(
        api_url=gateway_url,
        account_sid=new_account_sid(),
        auth_token=TWILIO_TOKEN,
        sender="Redress",
        status_callback_url=status_callback_url,
        client=client,
    )


def notify(gateway_url: str, client: httpx.AsyncClient) -> NotifySmsProvider:
    return NotifySmsProvider(
        api_url=gateway_url, api_key=NOTIFY_API_KEY, template_id=NOTIFY_TEMPLATE_ID, client=client
    )


# --- email --------------------------------------------------------------------------------------


async def test_sent_mail_is_stored_with_text_and_html_parts(mail_server: LocalMailServer) -> None:
    notification_id = str(uuid.uuid4())
    message = build_email(
        to="complainant@example.org",
        from_="no-reply@redress.localhost",
        subject="Complaint received",
        text="Plain words.",
        html="<p>Marked-up words.</p>",
        message_id_domain="redress.localhost",
        notification_id=notification_id,
    )
    async with sender_for(mail_server) as sender:
        message_id = await sender.send(message)

    [stored] = read_mails(mail_server.directory)
    assert stored["Message-ID"] == message_id
    # The notification's own id, so every attempt at one notification is the same mail.
    assert message_id == f"<{notification_id}@redress.localhost>"
    assert stored["X-Envelope-To"] == "complainant@example.org"
    assert stored.get_content_type() == "multipart/alternative"
    parts = list(stored.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content().strip() == "Plain words."
    assert parts[1].get_content().strip() == "<p>Marked-up words.</p>"
    assert not list(mail_server.directory.glob(".*.tmp")), "temporary files must be renamed"


async def test_one_connection_carries_several_mails(mail_server: LocalMailServer) -> None:
    async with sender_for(mail_server) as sender:
        for number in range(3):
            await sender.send(a_mail(subject=f"Update {number}"))

    assert len(read_mails(mail_server.directory)) == 3
    assert mail_server.handler.connection_count == 1


async def test_bounced_recipient_is_a_permanent_failure(mail_server: LocalMailServer) -> None:
    async with sender_for(mail_server) as sender:
        with pytest.raises(PermanentProviderError, match="550") as raised:
            await sender.send(a_mail(to="bounce@example.org"))
        # The refusal left the connection usable for the next message.
        await sender.send(a_mail())

    assert raised.value.permanent
    assert [mail["To"] for mail in read_mails(mail_server.directory)] == ["complainant@example.org"]
    assert mail_server.handler.connection_count == 1


async def test_deferred_recipient_is_a_temporary_failure(mail_server: LocalMailServer) -> None:
    async with sender_for(mail_server) as sender:
        with pytest.raises(TemporaryProviderError, match="451") as raised:
            await sender.send(a_mail(to="temp-fail@simulator.notify"))

    assert not raised.value.permanent
    assert read_mails(mail_server.directory) == []


async def test_sender_survives_the_server_going_away(mail_server: LocalMailServer) -> None:
    async with sender_for(mail_server) as sender:
        await sender.send(a_mail(subject="before"))
        mail_server.stop()

        with pytest.raises(TemporaryProviderError):
            await sender.send(a_mail(subject="while down"))

        mail_server.start()
        await sender.send(a_mail(subject="after"))

    subjects = [mail["Subject"] for mail in read_mails(mail_server.directory)]
    assert subjects == ["before", "after"]


async def test_unreachable_server_is_a_temporary_failure() -> None:
    async with EmailSender("127.0.0.1", free_port(), timeout=2.0) as sender:
        with pytest.raises(TemporaryProviderError, match="unreachable"):
            await sender.send(a_mail())


# --- SMS ----------------------------------------------------------------------------------------


async def test_twilio_text_is_stored_by_the_gateway(
    sms_gateway: RunningGateway, http_client: httpx.AsyncClient
) -> None:
    provider = twilio(sms_gateway.url, http_client)

    message_id = await provider.send(DELIVERABLE_MOBILE, "Your case 123 has a caseworker.", "r-1")

    [stored] = sms_gateway.messages()
    assert message_id.startswith("SM")
    assert len(message_id) == len("SM") + 32
    assert stored["id"] == message_id
    assert stored["api"] == "twilio"
    assert stored["to"] == DELIVERABLE_MOBILE
    assert stored["body"] == "Your case 123 has a caseworker."
    assert stored["num_segments"] == 1


async def test_notify_text_is_stored_with_its_reference(
    sms_gateway: RunningGateway, http_client: httpx.AsyncClient
) -> None:
    provider = notify(sms_gateway.url, http_client)

    message_id = await provider.send(DELIVERABLE_MOBILE, "A decision is ready.", "case-42")

    listed = (await http_client.get(f"{sms_gateway.url}/_messages")).json()
    assert [(m["id"], m["api"], m["reference"], m["body"]) for m in listed] == [
        (message_id, "notify", "case-42", "A decision is ready.")
    ]
    uuid.UUID(message_id)  # Notify ids are UUIDs


async def test_notify_token_is_signed_with_the_key_secret_and_names_the_service(
    http_client: httpx.AsyncClient,
) -> None:
    provider = NotifySmsProvider(
        api_url="http://unused",
        api_key=NOTIFY_API_KEY,
        template_id=NOTIFY_TEMPLATE_ID,
        client=http_client,
        clock=lambda: 1_700_000_000.0,
    )
    token = provider._bearer_token()

    claims = jwt.decode(token, NOTIFY_SECRET, algorithms=["HS256"], options={"verify_iat": False})
    assert claims == {"iss": NOTIFY_SERVICE_ID, "iat": 1_700_000_000}


async def test_twilio_failure_receipt_reaches_the_status_callback(
    sms_gateway: RunningGateway,
    receipt_receiver: ReceiptReceiver,
    http_client: httpx.AsyncClient,
) -> None:
    provider = twilio(sms_gateway.url, http_client, f"{receipt_receiver.url}/twilio")

    message_id = await provider.send(PERMANENT_FAILURE_MOBILE, "Hello", "r-2")

    path, form = await receipt_receiver.next_receipt()
    receipt = parse_twilio_receipt(form)
    assert path == "/twilio"
    assert receipt is not None
    assert receipt.provider_message_id == message_id
    assert receipt.status == "permanent-failure"


async def test_notify_failure_receipt_reaches_the_service_callback(
    sms_gateway: RunningGateway,
    receipt_receiver: ReceiptReceiver,
    http_client: httpx.AsyncClient,
) -> None:
    provider = notify(sms_gateway.url, http_client)

    message_id = await provider.send("07700900002", "Hello", "case-7")

    path, payload = await receipt_receiver.next_receipt()
    receipt = parse_notify_receipt(payload)
    assert path == "/notify"
    assert payload["reference"] == "case-7"
    assert receipt is not None
    assert receipt.provider_message_id == message_id
    assert receipt.status == "permanent-failure"


@pytest.mark.parametrize("make_provider", [twilio, notify], ids=["twilio", "notify"])
async def test_provider_outage_is_a_temporary_failure(
    sms_gateway: RunningGateway, http_client: httpx.AsyncClient, make_provider: MakeProvider
) -> None:
    provider: SmsProvider = make_provider(sms_gateway.url, http_client)
    await http_client.post(f"{sms_gateway.url}/_outage", json={"down": True})

    with pytest.raises(TemporaryProviderError, match="503"):
        await provider.send(DELIVERABLE_MOBILE, "Hello", "r-3")

    await http_client.post(f"{sms_gateway.url}/_outage", json={"down": False})
    await provider.send(DELIVERABLE_MOBILE, "Hello again", "r-3")
    assert [m["body"] for m in sms_gateway.messages()] == ["Hello again"]


@pytest.mark.parametrize("make_provider", [twilio, notify], ids=["twilio", "notify"])
async def test_unparsable_number_is_a_permanent_failure_with_the_provider_message(
    sms_gateway: RunningGateway, http_client: httpx.AsyncClient, make_provider: MakeProvider
) -> None:
    provider: SmsProvider = make_provider(sms_gateway.url, http_client)

    with pytest.raises(PermanentProviderError, match=r"400: .*(Invalid To|Not a valid) phone"):
        await provider.send("+44 12", "Hello", "r-4")

    assert sms_gateway.messages() == []


async def test_wrong_twilio_credentials_are_a_permanent_failure(
    sms_gateway: RunningGateway, http_client: httpx.AsyncClient
) -> None:
    provider = TwilioSmsProvider(
        api_url=sms_gateway.url,
        account_sid=new_account_sid(),
        auth_token="",
        sender="Redress",
        status_callback_url=None,
        client=http_client,
    )

    with pytest.raises(PermanentProviderError, match="401"):
        await provider.send(DELIVERABLE_MOBILE, "Hello", "r-5")


async def test_unreachable_gateway_is_a_temporary_failure(http_client: httpx.AsyncClient) -> None:
    provider = notify(f"http://127.0.0.1:{free_port()}", http_client)

    with pytest.raises(TemporaryProviderError, match="unreachable"):
        await provider.send(DELIVERABLE_MOBILE, "Hello", "r-6")


# --- receipts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"MessageSid": "SM1", "MessageStatus": "delivered"}, "delivered"),
        (
            {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"},
            "temporary-failure",
        ),
        (
            {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30005"},
            "permanent-failure",
        ),
        (
            {"MessageSid": "SM1", "MessageStatus": "failed", "ErrorCode": "30006"},
            "permanent-failure",
        ),
        ({"MessageSid": "SM1", "MessageStatus": "sent"}, None),
    ],
)
def test_twilio_receipt_statuses(form: dict[str, str], expected: str | None) -> None:
    receipt = parse_twilio_receipt(form)
    assert (receipt.status if receipt else None) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("delivered", "delivered"),
        ("permanent-failure", "permanent-failure"),
        ("temporary-failure", "temporary-failure"),
        ("technical-failure", "temporary-failure"),
        ("sending", None),
    ],
)
def test_notify_receipt_statuses(status: str, expected: str | None) -> None:
    receipt = parse_notify_receipt({"id": str(uuid.uuid4()), "status": status})
    assert (receipt.status if receipt else None) == expected


@pytest.mark.parametrize(
    "payload", [{"status": "delivered"}, {"id": "x", "status": "exploded"}], ids=["no id", "bad"]
)
def test_unreadable_notify_receipt_is_rejected(payload: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="Notify"):
        parse_notify_receipt(payload)
