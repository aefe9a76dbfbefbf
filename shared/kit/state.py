"""Typed access to what a service's composition root hands its routes.

`app.py` puts each use case on the app once; a route asks for it by key, as a FastAPI dependency:

    INTAKE: StateKey[ComplaintIntake] = StateKey("intake")      # in api.py
    INTAKE.put(app, intake)                                       # in app.py
    async def route(intake: Annotated[ComplaintIntake, Depends(INTAKE)]) -> ...
"""

from __future__ import annotations

from typing import Generic, TypeVar, cast

from fastapi import FastAPI, Request

from shared.app import Service

T = TypeVar("T")


class StateKey(Generic[T]):
    """One named thing on `app.state`, with its type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def put(self, app: FastAPI, value: T) -> None:
        setattr(app.state, self.name, value)

    def of(self, app: FastAPI) -> T:
        try:
            return cast(T, getattr(app.state, self.name))
        except AttributeError:
            raise LookupError(f"app.py did not put {self.name!r} on app.state") from None

    def __call__(self, request: Request) -> T:
        """As a FastAPI dependency: the value for the app serving `request`."""
        return self.of(request.app)


def service_of(request: Request) -> Service:
    """The `Service` the app factory (shared/app.py) put on the app."""
    service: Service = request.app.state.service
    return service
