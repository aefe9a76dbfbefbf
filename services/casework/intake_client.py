"""Intake's staff API over HTTP, for the console: the needs-a-person queue and complaints taken
by phone or letter. Services never import each other; this is the only way casework reaches
intake's enquiries (docs/design.md section 8).

Each call carries a short-lived staff token for the signed-in member of staff (their id, name
and role, signed with the shared REDRESS_AUTH_SECRET), so intake records who registered or
closed an enquiry. Answers carry personal data: never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

import httpx

from services.casework.staff import StaffSession
from shared.auth import issue_staff_token
from shared.events import Organisation
from shared.tracing import trace_headers

# Design choice: one console request makes one call; a token that outlives it is not needed.
CALL_TOKEN_LIFETIME: Final = timedelta(minutes=5)


class IntakeUnavailableError(Exception):
    """Intake did not answer, or answered with a server error: nothing was changed here."""


@dataclass(frozen=True)
class IntakeAnswer:
    status: int
    body: Any

    @property
    def field_errors(self) -> list[dict[str, str]]:
        fields = self.body.get("fields") if isinstance(self.body, dict) else None
        return list(fields) if isinstance(fields, list) else []


class IntakeClient:
    def __init__(self, base_url: str, auth_secret: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth_secret = auth_secret
        self.timeout = timeout

    def _headers(self, staff: StaffSession) -> dict[str, str]:
        token = issue_staff_token(
            self.auth_secret,
            sub=staff.account_id,
            name=staff.name,
            role=staff.role,
            lifetime=CALL_TOKEN_LIFETIME,
        )
        # The staff request's trace goes on into intake (shared/tracing.py).
        return {"Authorization": f"Bearer {token}", **trace_headers()}

    async def _call(
        self,
        method: str,
        path: str,
        staff: StaffSession,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> IntakeAnswer:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as client:
                answer = await client.request(
                    method, path, json=body, headers={**self._headers(staff), **(headers or {})}
                )
            parsed = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise IntakeUnavailableError(type(error).__name__) from error
        if answer.status_code >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise IntakeUnavailableError(str(answer.status_code))
        return IntakeAnswer(answer.status_code, parsed)

    async def queue(self, staff: StaffSession) -> list[dict[str, Any]]:
        answer = await self._call("GET", "/v1/staff/enquiries", staff)
        return list(answer.body.get("enquiries", [])) if answer.status == httpx.codes.OK else []

    async def enquiry(self, staff: StaffSession, reference: str) -> dict[str, Any] | None:
        answer = await self._call("GET", f"/v1/staff/enquiries/{reference}", staff)
        return answer.body if answer.status == httpx.codes.OK else None

    async def register(
        self, staff: StaffSession, reference: str, complaint: dict[str, Any]
    ) -> IntakeAnswer:
        return await self._call(
            "POST", f"/v1/staff/enquiries/{reference}/complaint", staff, body=complaint
        )

    async def close(self, staff: StaffSession, reference: str, reason: str) -> IntakeAnswer:
        return await self._call(
            "POST", f"/v1/staff/enquiries/{reference}/close", staff, body={"reason": reason}
        )

    async def submit(
        self, staff: StaffSession, complaint: dict[str, Any], idempotency_key: str
    ) -> IntakeAnswer:
        """A complaint taken by phone or letter; the key makes a double submit one complaint."""
        return await self._call(
            "POST",
            "/v1/staff/complaints",
            staff,
            body=complaint,
            headers={"Idempotency-Key": idempotency_key},
        )


async def directory_entry(client: IntakeClient, entry_id: str) -> Organisation | None:
    """The directory entry `entry_id` as intake has it (`GET /v1/organisations/{id}`, a public
    route: official names only), or None when intake knows no such entry."""
    try:
        async with httpx.AsyncClient(base_url=client.base_url, timeout=client.timeout) as http:
            answer = await http.get(f"/v1/organisations/{entry_id}")
        body = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        raise IntakeUnavailableError(type(error).__name__) from error
    if answer.status_code == httpx.codes.NOT_FOUND:
        return None
    if answer.status_code != httpx.codes.OK:
        raise IntakeUnavailableError(str(answer.status_code))
    return Organisation(id=body["id"], name=body["name"], sector=body["sector"])
