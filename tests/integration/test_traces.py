"""One trace from the POST to intake, through Kafka, casework and notifications, to the SMTP send.

Intake, casework and notifications run in this process on the real broker, each with its own
SQLite database, notifications sending to the real local SMTP server; every service's tracer
provider exports to one in-memory exporter (shared/tracing.py).
"""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select

from deploy.local.mail_server import read_mails
from services.casework.app import create_app as casework_app
from services.casework.settings import CaseworkSettings
from services.intake.app import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.notifications.app import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.notifications.store import messages
from shared.events import NotificationStatus
from shared.topics import CASEWORK_CASES, INTAKE_COMPLAINTS
from tests.e2e.suite import consumer_groups, start_groups_at_end
from tests.integration.conftest_local_servers import LocalMailServer
from tests.kit.apps import running
from tests.kit.waiting import HOP_TIMEOUT_SECONDS, wait_until

pytestmark = pytest.mark.integration

SERVICES = ("intake", "casework", "notifications")
UNFINISHED = (
    NotificationStatus.CREATED,
    NotificationStatus.SENDING,
    NotificationStatus.TEMPORARY_FAILURE,
)


def the_apps(root: Path, bootstrap: str, prefix: str, mail: LocalMailServer) -> dict[str, FastAPI]:
    def database(name: str) -> str:
        return f"sqlite+aiosqlite:///{root / name}.db"

    common: dict[str, Any] = {
        "environment": "test",
        "kafka_bootstrap_servers": bootstrap,
        "consumer_group_prefix": prefix,
        "outbox_poll_interval_seconds": 0.1,
    }
    return {
        "intake": intake_app(
            IntakeSettings(database_url=database("intake"), smtp_listen_port=0, **common)
        ),
        "casework": casework_app(
            CaseworkSettings(
                database_url=database("casework"), deadline_check_seconds=3600, **common
            )
        ),
        "notifications": notifications_app(
            NotificationsSettings(
                database_url=database("notifications"),
                smtp_host=mail.host,
                smtp_port=mail.port,
                sender_interval_seconds=0.1,
                **common,
            )
        ),
    }


def a_complaint(email: str) -> dict[str, Any]:
    return {
        "complainant": {"name": "Jane Doe", "email": email, "preferred_contact": "email"},
        "organisation": {"name": f"Trust {uuid.uuid4().hex[:8]}", "sector": "health"},
        "summary": "My operation was cancelled three times without explanation.",
        "desired_outcome": "An apology and a date.",
        "first_aware_on": "2026-06-01",
        "complained_to_organisation_on": "2026-06-10",
        "organisation_response_on": "2026-08-01",
    }


def named(spans: list[ReadableSpan], service: str, name: str) -> list[ReadableSpan]:
    found = [
        span
        for span in spans
        if span.name == name and span.resource.attributes.get("service.name") == service
    ]
    assert found, f"no {name} in {service}: {[(s.resource.attributes, s.name) for s in spans]}"
    return found


def parent_of(span: ReadableSpan) -> int:
    assert span.parent is not None, f"{span.name} has no parent"
    return span.parent.span_id


async def test_one_trace_runs_from_the_post_to_the_smtp_send(
    tmp_path: Path, kafka_bootstrap: str, mail_server: LocalMailServer
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    # Only events from now on: the topics are shared with every other test.
    await start_groups_at_end(
        kafka_bootstrap,
        [g for g in consumer_groups(prefix) if g.split("-")[2] in SERVICES],
    )
    exporter = InMemorySpanExporter()
    apps = the_apps(tmp_path, kafka_bootstrap, prefix, mail_server)
    for app in apps.values():
        app.state.service.tracing.add_span_processor(SimpleSpanProcessor(exporter))
    email = f"jane.{uuid.uuid4().hex[:8]}@example.org"

    async def sender_idle_after_a_send() -> bool:
        # Every message sent, not only the first: stopping mid-send would leave a half-done
        # SQLite transaction for the shutdown to trip over.
        if not any(span.name == "smtp send" for span in exporter.get_finished_spans()):
            return False
        async with apps["notifications"].state.service.db.sessions() as session:
            unfinished = await session.scalar(
                select(func.count())
                .select_from(messages)
                .where(messages.c.status.in_([status.value for status in UNFINISHED]))
            )
        return bool(unfinished == 0)

    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(running(app)) for name, app in apps.items()
        }
        assert (await clients["intake"].get("/healthz")).status_code == 200
        answer = await clients["intake"].post("/v1/complaints", json=a_complaint(email))
        assert answer.status_code == 201, answer.text
        reference = answer.json()["reference"]
        await wait_until(sender_idle_after_a_send, within=3 * HOP_TIMEOUT_SECONDS)

    mails = [mail for mail in read_mails(mail_server.directory) if email in str(mail["To"])]
    assert mails, "the acknowledgement was never sent"
    spans = list(exporter.get_finished_spans())
    [posted] = named(spans, "intake", "POST /v1/complaints")
    [opened] = named(spans, "casework", f"{INTAKE_COMPLAINTS.name} process")
    # Casework emits more than one case event for a new case: each is consumed in the trace.
    asked = named(spans, "notifications", f"{CASEWORK_CASES.name} process")
    sent = named(spans, "notifications", "smtp send")[0]

    assert posted.kind is SpanKind.SERVER
    assert posted.parent is None
    assert {span.kind for span in (opened, *asked)} == {SpanKind.CONSUMER}
    trace_id = posted.context.trace_id
    assert {span.context.trace_id for span in (opened, *asked, sent)} == {trace_id}
    # Each hop the child of the one before: the relay published the writer's context.
    assert parent_of(opened) == posted.context.span_id
    assert {parent_of(span) for span in asked} == {opened.context.span_id}
    assert parent_of(sent) in {span.context.span_id for span in asked}
    assert sent.attributes
    assert sent.attributes["redress.reference"] == reference
    assert sent.attributes["redress.outcome"] == "delivered"
    # No probe is traced, and nothing personal is in any span's name or attributes.
    assert not [span for span in spans if "healthz" in span.name]
    for span in spans:
        said = f"{span.name} {dict(span.attributes or {})}"
        for personal in (email, "Jane", "cancelled"):
            assert personal not in said
