"""The ASGI middleware every service's HTTP app has (shared/app.py adds them): request metrics and
the request body limit. Pure ASGI, so they see every request and response, errors included."""

from __future__ import annotations

import re

from fastapi.responses import JSONResponse
from prometheus_client import Counter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "redress_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)


class RequestMetrics:
    """Counts every HTTP request in `redress_http_requests_total` by its final status.

    Pure ASGI rather than BaseHTTPMiddleware: an unhandled exception never returns from
    `call_next`, so it was never counted and a 5xx alert could not fire; here it counts as 500.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # unless a response starts, the server answers 500

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            # The router records the matched route in the scope; its template keeps labels few.
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()


class BodySizeLimit:
    """Answers 413 for bodies over `max_bytes`, counted as they stream (Content-Length may lie)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, self_limited: re.Pattern[str] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.self_limited = self_limited

    def _limits_itself(self, scope: Scope) -> bool:
        return (
            self.self_limited is not None
            and scope.get("method") == "POST"
            and self.self_limited.fullmatch(scope.get("path", "")) is not None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._limits_itself(scope):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _BodyTooLargeError(self.max_bytes)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLargeError:
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        response = JSONResponse(
            {"error": f"The request body is larger than {self.max_bytes} bytes."}, 413
        )
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class _BodyTooLargeError(StarletteHTTPException):
    # An HTTPException so that FastAPI's body parsing re-raises it as is (it turns any other
    # error reading the body into a 400) and the error handler answers 413.
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, detail=f"The request body is larger than {max_bytes} bytes.")
