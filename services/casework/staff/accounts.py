"""Staff accounts and signing in: argon2id passwords, lockout after repeated failures, an
optional TOTP second factor, and server-side sessions with idle and absolute timeouts.

The cookie carries only a random session id; the database keeps its SHA-256, so a copy of the
database opens no session. Every successful step of signing in issues a new id (no fixation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.casework.staff_store import StaffStore
from services.casework.stores import CaseworkStores
from shared.crypto import Cipher
from shared.kit.work import UnitOfWork

Outcome = Literal["signed_in", "second_factor", "refused", "locked"]
ROLES = ("caseworker", "manager", "admin")
# Random bytes in a session id and a CSRF token (256 bits: OWASP Session Management Cheat Sheet
# asks for at least 64 bits of entropy).
TOKEN_BYTES = 32
# A session's last-seen time is written at most this often, so reading pages is not a write each.
TOUCH_EVERY = timedelta(seconds=60)
# TOTP codes from the step before and after are accepted too (clock drift, RFC 6238 section 6).
TOTP_DRIFT_STEPS = 1
TOTP_ISSUER = "Redress staff"

_hasher = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory defaults
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(TOKEN_BYTES))


class AccountError(ValueError):
    """An account cannot be added or changed as asked (the message says why)."""


@dataclass(frozen=True)
class Policy:
    idle: timedelta
    absolute: timedelta
    lockout_attempts: int
    lockout: timedelta


@dataclass(frozen=True)
class StaffSession:
    account_id: str
    name: str
    email: str | None
    role: str
    skills: list[str]
    csrf_token: str
    awaiting_second_factor: bool
    # Only when the session was just made: the value for the cookie (never stored).
    new_id: str | None = None

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "admin")


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    session: StaffSession | None = None
    locked_until: datetime | None = None


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class StaffAccounts:
    def __init__(self, uow: UnitOfWork[CaseworkStores], cipher: Cipher, policy: Policy) -> None:
        self.uow = uow
        self.cipher = cipher
        self.policy = policy

    # ------------------------------------------------------------------ accounts

    async def add(
        self,
        *,
        email: str | None,
        name: str,
        role: str,
        skills: list[str],
        password: str | None,
        now: datetime,
        account_id: str | None = None,
    ) -> str:
        """Add an account, or give an existing roster member (by id, without an email) one."""
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        async with self.uow.transaction() as work:
            store = work.stores.staff
            if email and await store.account_by_email(email) is not None:
                raise AccountError(f"an account with the email {email} exists already")
            values: dict[str, Any] = {
                "email": email.strip() if email else None,
                "name": name,
                "role": role,
                "skills": skills,
                "active": True,
                "password_hash": hash_password(password) if password else None,
            }
            existing = await store.account(account_id) if account_id else None
            if existing is not None:
                if existing["email"]:
                    raise AccountError(f"the account {account_id} has an email already")
                # A roster member keeps their skills unless new ones are given.
                values["skills"] = skills or list(existing["skills"])
                await store.change_account(existing["account_id"], **values)
                return str(existing["account_id"])
            new_id = account_id or f"staff-{uuid.uuid4().hex[:12]}"
            await store.add_account(account_id=new_id, created_at=now, **values)
            return new_id

    async def set_active(self, account_id: str, active: bool) -> None:
        async with self.uow.transaction() as work:
            store = work.stores.staff
            await store.change_account(account_id, active=active)
            if not active:
                await store.delete_sessions_of(account_id)

    async def set_password(self, account_id: str, password: str) -> None:
        async with self.uow.transaction() as work:
            store = work.stores.staff
            await store.change_account(account_id, password_hash=hash_password(password))
            await store.delete_sessions_of(account_id)

    # ------------------------------------------------------------------ signing in

    async def sign_in(self, email: str, password: str, now: datetime) -> SignInResult:
        async with self.uow.transaction() as work:
            store = work.stores.staff
            account = await store.account_by_email(email) if email.strip() else None
            if account is None or not account["active"] or not account["password_hash"]:
                _verify(_DUMMY_HASH, password)
                return SignInResult("refused")
            if account["locked_until"] is not None and account["locked_until"] > now:
                return SignInResult("locked", locked_until=account["locked_until"])
            if not _verify(account["password_hash"], password):
                return await self._failed(store, account, now)
            await store.change_account(account["account_id"], failed_attempts=0, locked_until=None)
            if _needs_rehash(account["password_hash"]):
                await store.change_account(
                    account["account_id"], password_hash=hash_password(password)
                )
            awaiting = account["totp_confirmed_at"] is not None
            return await self._new_session(store, account, now, awaiting=awaiting)

    async def _failed(
        self, store: StaffStore, account: dict[str, Any], now: datetime
    ) -> SignInResult:
        attempts = int(account["failed_attempts"]) + 1
        if attempts >= self.policy.lockout_attempts:
            until = now + self.policy.lockout
            await store.change_account(account["account_id"], failed_attempts=0, locked_until=until)
            return SignInResult("locked", locked_until=until)
        await store.change_account(account["account_id"], failed_attempts=attempts)
        return SignInResult("refused")

    async def second_factor(self, session_id: str, code: str, now: datetime) -> SignInResult:
        """The TOTP step: a right code swaps the half-signed-in session for a new, full one."""
        async with self.uow.transaction() as work:
            store = work.stores.staff
            row = await store.session_with_account(session_hash(session_id))
            if row is None or not row["awaiting_second_factor"]:
                return SignInResult("refused")
            account = await store.account(row["account_id"])
            assert account is not None
            step = self._totp_step(account, code, now)
            if step is None:
                await store.delete_session(row["session_hash"])
                return await self._failed(store, account, now)
            await store.change_account(account["account_id"], totp_last_step=step)
            await store.delete_session(row["session_hash"])
            return await self._new_session(store, account, now, awaiting=False)

    async def sign_in_by_email(self, email: str, now: datetime) -> SignInResult:
        """For a person the identity provider vouches for: an active account with that email."""
        async with self.uow.transaction() as work:
            store = work.stores.staff
            account = await store.account_by_email(email)
            if account is None or not account["active"]:
                return SignInResult("refused")
            return await self._new_session(store, account, now, awaiting=False)

    async def _new_session(
        self, store: StaffStore, account: dict[str, Any], now: datetime, *, awaiting: bool
    ) -> SignInResult:
        new_id = secrets.token_urlsafe(TOKEN_BYTES)
        csrf = secrets.token_urlsafe(TOKEN_BYTES)
        await store.add_session(
            session_hash=session_hash(new_id),
            account_id=account["account_id"],
            csrf_token=csrf,
            awaiting=awaiting,
            now=now,
        )
        if not awaiting:
            await store.change_account(account["account_id"], last_sign_in_at=now)
        staff = StaffSession(
            account_id=account["account_id"],
            name=account["name"],
            email=account["email"],
            role=account["role"],
            skills=list(account["skills"]),
            csrf_token=csrf,
            awaiting_second_factor=awaiting,
            new_id=new_id,
        )
        return SignInResult("second_factor" if awaiting else "signed_in", staff)

    async def current(self, session_id: str | None, now: datetime) -> StaffSession | None:
        """The session behind the cookie, or None when there is none, it has been idle or alive
        too long (it is then deleted), or its account was deactivated."""
        if not session_id:
            return None
        hashed = session_hash(session_id)
        async with self.uow.transaction() as work:
            store = work.stores.staff
            row = await store.session_with_account(hashed)
            if row is None:
                return None
            expired = (
                now - row["last_seen_at"] > self.policy.idle
                or now - row["created_at"] > self.policy.absolute
            )
            if expired or not row["active"]:
                await store.delete_session(hashed)
                return None
            if now - row["last_seen_at"] > TOUCH_EVERY:
                await store.touch_session(hashed, now)
        return StaffSession(
            account_id=row["account_id"],
            name=row["name"],
            email=row["email"],
            role=row["role"],
            skills=list(row["skills"]),
            csrf_token=row["csrf_token"],
            awaiting_second_factor=bool(row["awaiting_second_factor"]),
        )

    async def sign_out(self, session_id: str | None) -> None:
        if session_id:
            async with self.uow.transaction() as work:
                await work.stores.staff.delete_session(session_hash(session_id))

    async def prune_sessions(self, now: datetime) -> int:
        """The periodic job: sessions past either timeout are deleted."""
        async with self.uow.transaction() as work:
            store = work.stores.staff
            idle = await store.delete_sessions_idle_since(now - self.policy.idle)
            old = await store.delete_sessions_created_before(now - self.policy.absolute)
        return idle + old

    # ------------------------------------------------------------------ second factor

    async def start_totp(self, account_id: str) -> str:
        """A new TOTP secret for the account, not in force until `confirm_totp`."""
        secret = pyotp.random_base32()
        async with self.uow.transaction() as work:
            await work.stores.staff.change_account(
                account_id, totp_secret=self.cipher.encrypt(secret), totp_confirmed_at=None
            )
        return secret

    def provisioning_uri(self, secret: str, email: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)

    async def confirm_totp(self, account_id: str, code: str, now: datetime) -> bool:
        async with self.uow.transaction() as work:
            store = work.stores.staff
            account = await store.account(account_id)
            step = None if account is None else self._totp_step(account, code, now)
            if step is None:
                return False
            await store.change_account(account_id, totp_confirmed_at=now, totp_last_step=step)
        return True

    def _totp_step(self, account: dict[str, Any], code: str, now: datetime) -> int | None:
        """The time step a right code belongs to, or None; a step already used (or an earlier
        one) is refused, so a code seen over a shoulder or in a log cannot be replayed within
        its window (RFC 6238 section 5.2: the verifier must not accept the second attempt)."""
        if account["totp_secret"] is None:
            return None
        totp = pyotp.TOTP(self.cipher.decrypt(account["totp_secret"]))
        current = int(now.timestamp()) // totp.interval
        last = account.get("totp_last_step")
        for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.generate_otp(step), code.strip()):
                return step if last is None or step > last else None
        return None


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _needs_rehash(hashed: str) -> bool:
    try:
        return _hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return False
