"""Casework's composition root: settings, database, Kafka, routes, and the deadline scheduler."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.casework import api, console, consumers, decision_api, document_api
from services.casework.cases import Casework
from services.casework.console import assets
from services.casework.console.oidc import OidcClient
from services.casework.documents import CaseDocuments
from services.casework.intake_client import IntakeClient
from services.casework.journal import JournalStore
from services.casework.journal import api as journal_api
from services.casework.settings import CaseworkSettings
from services.casework.staff import Policy, StaffAccounts
from services.casework.staff.roster import ensure_development_accounts, seed_roster
from services.casework.store import metadata
from services.casework.stores import CaseworkStores, casework_stores
from shared.app import Service, serve
from shared.crypto import Cipher
from shared.documents.settings import DocumentStoreSettings
from shared.documents.vault import DocumentVault
from shared.kit.work import SqlUnitOfWork
from shared.timekeeping import Clock, uk_date, utc_now
from shared.topics import INTAKE_COMPLAINTS, NOTIFICATION_DELIVERIES

# Expired console sessions are deleted this often (they are refused as soon as they expire).
SESSION_PRUNE_SECONDS = 3600.0


def staff_policy(settings: CaseworkSettings) -> Policy:
    return Policy(
        idle=timedelta(minutes=settings.staff_session_idle_minutes),
        absolute=timedelta(hours=settings.staff_session_absolute_hours),
        lockout_attempts=settings.staff_lockout_attempts,
        lockout=timedelta(minutes=settings.staff_lockout_minutes),
    )


def staff_accounts(
    service: Service,
    uow: SqlUnitOfWork[CaseworkStores],
    cipher: Cipher,
    settings: CaseworkSettings,
    clock: Clock,
) -> StaffAccounts:
    """The accounts, with the roster seeded at start-up (and in development the two accounts
    `make run` signs in with) and expired sessions pruned periodically."""
    accounts = StaffAccounts(uow, cipher, staff_policy(settings))

    async def prepare_staff() -> None:
        now = clock()
        await seed_roster(accounts, settings.initial_roster, now)
        if settings.environment == "development":
            password = settings.dev_staff_password
            await ensure_development_accounts(
                accounts, password.get_secret_value() if password else None, now
            )
        assets.installed()

    async def prune_sessions() -> None:
        await accounts.prune_sessions(clock())

    service.on_startup.append(prepare_staff)
    service.every("staff-sessions", SESSION_PRUNE_SECONDS, prune_sessions)
    return accounts


def oidc_client(settings: CaseworkSettings) -> OidcClient | None:
    if not settings.oidc_enabled or settings.oidc_client_secret is None:
        return None
    return OidcClient(
        issuer=str(settings.oidc_issuer),
        client_id=str(settings.oidc_client_id),
        client_secret=settings.oidc_client_secret.get_secret_value(),
        redirect_url=str(settings.oidc_redirect_url),
        signing_secret=settings.auth_secret_value.encode(),
    )


def case_documents(
    service: Service,
    uow: SqlUnitOfWork[CaseworkStores],
    cipher: Cipher,
    casework: Casework,
    documents: DocumentStoreSettings,
) -> CaseDocuments:
    """The cases' documents, sealed under casework's own prefix of the document store."""
    blobs = documents.blob_store("casework")
    service.on_shutdown.append(blobs.close)
    return CaseDocuments(
        uow,
        DocumentVault(blobs, cipher),
        documents.limits(),
        casework.rules,
        casework.clock,
        documents.scanner(),
    )


def _subscribe(service: Service, casework: Casework, uow: SqlUnitOfWork[CaseworkStores]) -> None:
    service.messaging.consume(
        INTAKE_COMPLAINTS,
        consumers.on_complaint(casework, uow),
        consumer="cases",
        event_types={consumers.COMPLAINT_RECEIVED},
    )
    service.messaging.consume(
        NOTIFICATION_DELIVERIES,
        consumers.on_delivery_failed(casework, uow),
        consumer="deliveries",
        event_types={consumers.NOTIFICATION_FAILED},
    )


def create_app(
    settings: CaseworkSettings | None = None,
    *,
    clock: Clock = utc_now,
    documents: DocumentStoreSettings | None = None,
) -> FastAPI:
    """`clock` is what the case rules, deadlines, sessions and pages take as now (tests move it);
    `documents` where the cases' documents are kept (REDRESS_DOCUMENT_* when not given)."""
    settings = settings or CaseworkSettings()
    service = Service(
        "casework", settings, metadata, migrations_dir=Path(__file__).parent / "migrations"
    )
    cipher = settings.cipher()
    uow = SqlUnitOfWork(service.db, service.messaging, casework_stores(cipher))
    casework = Casework(uow, settings.rules(), clock)

    _subscribe(service, casework, uow)
    accounts = staff_accounts(service, uow, cipher, settings, clock)

    async def report_missed_deadlines() -> None:
        await casework.report_missed_deadlines(uk_date(clock()))

    service.every("deadlines", settings.deadline_check_seconds, report_missed_deadlines)

    app = service.http_app(
        routers=[api.router, decision_api.router, journal_api.router, document_api.router],
        title="Redress casework",
        description="The case lifecycle, deadlines, tracking for complainants, and the staff API.",
        self_limited=document_api.UPLOAD_PATHS,
    )
    app.state.documents = case_documents(
        service, uow, cipher, casework, documents or DocumentStoreSettings()
    )
    app.state.casework = casework
    app.state.journal = SqlUnitOfWork(service.db, service.messaging, JournalStore)
    # The console's search looks complainants up by keyed digest (shared/crypto.py).
    app.state.cipher = cipher
    app.state.clock = clock
    app.state.staff_accounts = accounts
    app.state.staff_cookie_secure = settings.staff_cookie_is_secure
    app.state.reports_public_url = settings.reports_public_url.rstrip("/")
    app.state.oidc = oidc_client(settings)
    app.state.intake_client = IntakeClient(
        settings.intake_url, settings.auth_secret_value, settings.intake_timeout_seconds
    )
    console.install(app)
    return app


def main() -> None:
    settings = CaseworkSettings()
    serve(create_app(settings), settings.http_port)
