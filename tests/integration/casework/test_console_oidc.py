"""Signing in to the console with an OpenID Connect provider (issue 10): a small but real
provider runs on localhost (discovery, authorisation with PKCE, token, keys; RS256 ID tokens) and
casework talks to it over HTTP, as it would to the organisation's identity provider."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Form, Header, HTTPException, Query
from fastapi.responses import RedirectResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from pydantic import SecretStr

from tests.integration.casework.console_kit import Console, Visitor, console_app

pytestmark = pytest.mark.integration

CLIENT_ID = "redress-console"
CLIENT_SECRET = "provider-issued-secret"
REDIRECT = "http://service/staff/sign-in/oidc/callback"


@dataclass
class Provider:
    """Who the provider says is signing in, and what it should get wrong (for the refusals)."""

    issuer: str
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    email: str = ""
    email_verified: bool = True
    wrong_nonce: bool = False
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "code_challenge_methods_supported": ["S256"],
            }

        @app.get("/authorize")
        async def authorize(
            client_id: str,
            redirect_uri: str,
            state: str,
            nonce: str,
            code_challenge: str,
            response_type: Annotated[str, Query()],
            code_challenge_method: Annotated[str, Query()],
        ) -> RedirectResponse:
            if client_id != CLIENT_ID or redirect_uri != REDIRECT or response_type != "code":
                raise HTTPException(400, "bad authorisation request")
            assert code_challenge_method == "S256"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": nonce, "challenge": code_challenge}
            return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

        @app.post("/token")
        async def token(
            grant_type: Annotated[str, Form()],
            code: Annotated[str, Form()],
            code_verifier: Annotated[str, Form()],
            authorization: Annotated[str, Header()],
        ) -> dict[str, Any]:
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            issued = self.codes.pop(code, None)
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                authorization != f"Basic {basic}"
                or issued is None
                or grant_type != ("authorization_code")
            ):
                raise HTTPException(400, "invalid_grant")
            if challenge != issued["challenge"]:
                raise HTTPException(400, "PKCE verifier does not match")
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "sub": "idp-user-1",
                "email": self.email,
                "email_verified": self.email_verified,
                "nonce": "not-the-nonce" if self.wrong_nonce else issued["nonce"],
                "iat": now,
                "exp": now + 300,
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
            return {"access_token": "at", "token_type": "Bearer", "id_token": id_token}

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            return KeySet([self.key]).as_dict(private=False)

        return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    port = free_port()
    running = Provider(issuer=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(running.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    try:
        yield running
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def console(
    database_url: str, kafka_bootstrap: str, provider: Provider
) -> AsyncIterator[Console]:
    async with console_app(
        database_url,
        kafka_bootstrap,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=SecretStr(CLIENT_SECRET),
        oidc_redirect_url=REDIRECT,
    ) as running:
        yield running


async def through_the_provider(visitor: Visitor, start: str = "/staff/sign-in/oidc") -> Any:
    """The browser's trip: to the provider and back to the console's callback."""
    sent = await visitor.get(start)
    assert sent.status_code == 303
    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(sent.headers["location"])
    assert at_provider.status_code == 307, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    return await visitor.get(f"{back.path}?{back.query}"), parse_qs(back.query)


async def test_the_providers_email_signs_in_its_account(
    console: Console, provider: Provider
) -> None:
    provider.email = await console.add_staff("manager", password=None)
    visitor = console.visitor()
    assert "Sign in with your organisation" in (await visitor.get("/staff/sign-in")).text
    arrived, _ = await through_the_provider(visitor, "/staff/sign-in/oidc?next=/staff/all")
    assert arrived.status_code == 303
    assert arrived.headers["location"] == "/staff/all"
    assert (await visitor.get("/staff/all")).status_code == 200


async def test_what_the_console_refuses(console: Console, provider: Provider) -> None:
    provider.email = "nobody-here@staff.example"
    refused, _ = await through_the_provider(console.visitor())
    assert refused.status_code == 403, "no account with that email"

    provider.email = await console.add_staff("caseworker", password=None)
    provider.email_verified = False
    refused, _ = await through_the_provider(console.visitor())
    assert refused.status_code == 403, "the provider does not vouch for the email"

    provider.email_verified = True
    provider.wrong_nonce = True
    visitor = console.visitor()
    refused, _ = await through_the_provider(visitor)
    assert refused.status_code == 403, "an ID token minted for another sign-in"
    assert "redress_staff_session" not in visitor.cookies

    provider.wrong_nonce = False
    visitor = console.visitor()
    sent = await visitor.get("/staff/sign-in/oidc")
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(sent.headers["location"])).headers["location"])
    code = parse_qs(back.query)["code"][0]
    forged = await visitor.get(f"{back.path}?{urlencode({'code': code, 'state': 'forged'})}")
    assert forged.status_code == 403, "a state that is not this browser's"
    stranger = console.visitor()
    stolen = await stranger.get(f"{back.path}?{back.query}")
    assert stolen.status_code == 403, "a callback in a browser that did not start the flow"
