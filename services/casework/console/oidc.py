"""Signing in with the organisation's identity provider over OpenID Connect (authorisation code
flow with PKCE): `GET /staff/sign-in/oidc` sends the browser to the provider, and
`GET /staff/sign-in/oidc/callback` checks what comes back and signs in the active account whose
email the provider vouches for. Configured by `REDRESS_OIDC_*`; off when any is missing.

Authlib builds the authorisation request and the PKCE challenge; joserfc (Authlib's JOSE
library) verifies the ID token against the provider's published keys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.casework.console.rendering import ConsolePageError
from services.casework.console.session import accounts_of
from services.casework.console.sign_in import (
    COOKIE_PATH,
    safe_next,
    set_cookie,
    signed_in_response,
)
from shared.app import request_now
from shared.timekeeping import utc_now

router = APIRouter(prefix="/staff/sign-in/oidc", include_in_schema=False)

FLOW_COOKIE = "redress_staff_oidc"
# How long a person has at the provider before the flow's cookie is stale.
FLOW_SECONDS = 600
# Seconds of clock difference with the provider accepted on the ID token's times.
LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10.0
NOT_SIGNED_IN = "Signing in with your organisation's account did not work. Nothing was changed."


@dataclass(frozen=True)
class OidcClient:
    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str
    signing_secret: bytes
    _metadata: dict[str, Any] | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
                response = await client.get(url)
                response.raise_for_status()
            object.__setattr__(self, "_metadata", dict(response.json()))
        assert self._metadata is not None
        return self._metadata

    def seal(self, values: dict[str, str]) -> str:
        """The flow's state for its cookie, signed so the browser cannot change it."""
        body = urlsafe_b64encode(json.dumps(values).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def unseal(self, sealed: str | None) -> dict[str, str] | None:
        if not sealed or "." not in sealed:
            return None
        body, mac = sealed.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        values: dict[str, str] = json.loads(urlsafe_b64decode(body.encode()))
        return values

    def _mac(self, body: str) -> str:
        return hmac.new(self.signing_secret, b"oidc:" + body.encode(), hashlib.sha256).hexdigest()


def client_of(request: Request) -> OidcClient:
    client: OidcClient | None = request.app.state.oidc
    if client is None:
        raise ConsolePageError(
            404, "Page not found", "Signing in with an organisation account is off."
        )
    return client


@router.get("")
async def start(
    request: Request, next_path: Annotated[str | None, Query(alias="next", max_length=300)] = None
) -> Response:
    oidc = client_of(request)
    metadata = await oidc.metadata()
    flow = {
        "state": generate_token(32),
        "nonce": generate_token(32),
        "verifier": generate_token(64),
        "next": safe_next(next_path),
        "at": str(int(utc_now().timestamp())),
    }
    target = prepare_grant_uri(
        metadata["authorization_endpoint"],
        oidc.client_id,
        "code",
        redirect_uri=oidc.redirect_url,
        scope="openid email",
        state=flow["state"],
        nonce=flow["nonce"],
        code_challenge=create_s256_code_challenge(flow["verifier"]),
        code_challenge_method="S256",
    )
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, FLOW_COOKIE, oidc.seal(flow))
    return response


@router.get("/callback")
async def callback(
    request: Request,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    oidc = client_of(request)
    flow = oidc.unseal(request.cookies.get(FLOW_COOKIE))
    fresh = flow is not None and utc_now().timestamp() - int(flow["at"]) < FLOW_SECONDS
    if not (fresh and flow and code and hmac.compare_digest(state, flow["state"])):
        raise ConsolePageError(403, "You are not signed in", NOT_SIGNED_IN)
    email = await _verified_email(oidc, code, flow)
    result = await accounts_of(request).sign_in_by_email(email or "", request_now(request))
    if result.session is None:
        raise ConsolePageError(
            403,
            "You are not signed in",
            "Your organisation's account is not linked to an active staff account here. "
            "Ask a manager to add you to the roster with your work email.",
        )
    response = signed_in_response(request, result.session, flow["next"])
    response.delete_cookie(FLOW_COOKIE, path=COOKIE_PATH)
    return response


async def _verified_email(oidc: OidcClient, code: str, flow: dict[str, str]) -> str | None:
    """The code exchanged for tokens; the ID token's signature, issuer, audience, times and nonce
    checked; its email claim if the provider says it is verified."""
    metadata = await oidc.metadata()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
        tokens = await client.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": oidc.redirect_url,
                "code_verifier": flow["verifier"],
            },
            auth=(oidc.client_id, oidc.client_secret),
        )
        keys = await client.get(metadata["jwks_uri"])
    if tokens.status_code != 200 or "id_token" not in tokens.json():
        raise ConsolePageError(403, "You are not signed in", NOT_SIGNED_IN)
    try:
        token = jwt.decode(tokens.json()["id_token"], KeySet.import_key_set(keys.json()))
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": metadata.get("issuer", oidc.issuer)},
            aud={"essential": True, "value": oidc.client_id},
            nonce={"essential": True, "value": flow["nonce"]},
            exp={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise ConsolePageError(403, "You are not signed in", NOT_SIGNED_IN) from error
    claims = token.claims
    if claims.get("email_verified") is False:
        return None
    email = claims.get("email")
    return email if isinstance(email, str) else None
