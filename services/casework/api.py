"""Casework's HTTP routes: the complainant's tracking page and API, and the staff API."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import (
    ValidationError,
)

from services.casework import views
from services.casework.api_models import (
    CONFLICT_OPENAPI,
    MAX_TEXT,
    ROSTER_OPENAPI,
    CaseworkerIn,
    CommentsIn,
    DraftDateIn,
    MessageIn,
    ReviewRequestIn,
    actions_openapi,
)
from services.casework.cases import CaseNotFoundError, Casework
from services.casework.confirmations import with_directory_entry
from services.casework.domain import (
    ActionNotAllowed,
    Actor,
    ArrangeDraftDate,
    Command,
    DomainRuleBroken,
    PostMessage,
    RequestReview,
    ReviewGround,
    SubmitComments,
    parse_command,
)
from services.casework.journal import api as journal_api
from services.casework.store import StaleCaseError
from shared.app import request_now, validation_error_body
from shared.auth import Role, StaffUser, TrackingToken, staff_auth
from shared.bounds import MAX_PAGE_OFFSET
from shared.kit.i18n import LocalisedTemplates

# The public tracking page, in Welsh or English (shared/kit/i18n.py, docs/welsh.md).
TEMPLATES = LocalisedTemplates.load(
    FilePath(__file__).parent / "templates", FilePath(__file__).parent / "locale"
)
NOT_FOUND = "No case with that reference and tracking token."

router = APIRouter()


def casework_of(request: Request) -> Casework:
    casework: Casework = request.app.state.casework
    return casework


StaffOnly = Annotated[StaffUser, Depends(staff_auth())]
ManagerOnly = Annotated[StaffUser, Depends(staff_auth(Role.MANAGER, Role.ADMIN))]
CaseworkDep = Annotated[Casework, Depends(casework_of)]


# ----------------------------------------------------------------------------- complainants


async def _case_for_token(casework: Casework, reference: str, token: str | None) -> Any:
    """The case, or 404 for an unknown reference and a wrong token alike (no oracle)."""
    case = await casework.load_for_complainant(reference, token)
    if case is None:
        raise HTTPException(404, NOT_FOUND)
    return case


async def _tracking_view(casework: Casework, reference: str, token: str | None) -> dict[str, Any]:
    case = await _case_for_token(casework, reference, token)
    return await views.complainant_view(casework.uow, case, casework.clock(), casework.rules)


@router.get("/v1/track/{reference}", tags=["tracking"])
async def track(reference: str, casework: CaseworkDep, token: TrackingToken) -> JSONResponse:
    """Where the complaint is, what happens next and when (needs the tracking token)."""
    return JSONResponse(jsonable_encoder(await _tracking_view(casework, reference, token)))


@router.get("/track/{reference}", response_class=HTMLResponse, include_in_schema=False)
async def track_page(
    request: Request,
    reference: str,
    casework: CaseworkDep,
    token: TrackingToken,
    notice: str | None = None,
) -> HTMLResponse:
    try:
        view = await _tracking_view(casework, reference, token)
    except HTTPException:
        return TEMPLATES.page(request, "not_found.html", 404, reference=reference)
    return TEMPLATES.page(request, "track.html", case=view, token=token, notice=notice)


async def _complainant_acts(
    casework: Casework, reference: str, token: str | None, command: Command
) -> dict[str, Any]:
    await _case_for_token(casework, reference, token)
    actor = Actor(id=f"complainant:{reference}", name="You", role="complainant")
    await _act(casework, reference, command, actor)
    return await _tracking_view(casework, reference, token)


@router.post("/v1/track/{reference}/comments", tags=["tracking"], openapi_extra=CONFLICT_OPENAPI)
async def comment_on_draft(
    reference: str, body: CommentsIn, casework: CaseworkDep, token: TrackingToken
) -> JSONResponse:
    view = await _complainant_acts(
        casework, reference, token, SubmitComments(comments=body.comments)
    )
    return JSONResponse(jsonable_encoder(view))


@router.post(
    "/v1/track/{reference}/review-request", tags=["tracking"], openapi_extra=CONFLICT_OPENAPI
)
async def ask_for_review(
    reference: str, body: ReviewRequestIn, casework: CaseworkDep, token: TrackingToken
) -> JSONResponse:
    view = await _complainant_acts(
        casework, reference, token, RequestReview(grounds=body.grounds, reason=body.reason)
    )
    return JSONResponse(jsonable_encoder(view))


@router.post("/v1/track/{reference}/messages", tags=["tracking"], openapi_extra=CONFLICT_OPENAPI)
async def write_to_caseworker(
    reference: str, body: MessageIn, casework: CaseworkDep, token: TrackingToken
) -> JSONResponse:
    command = PostMessage(direction="to_caseworker", body=body.message)
    return JSONResponse(
        jsonable_encoder(await _complainant_acts(casework, reference, token, command))
    )


@router.post("/v1/track/{reference}/draft-date", tags=["tracking"], openapi_extra=CONFLICT_OPENAPI)
async def arrange_draft_date(
    reference: str, body: DraftDateIn, casework: CaseworkDep, token: TrackingToken
) -> JSONResponse:
    """Choose the day we send your draft decision (while we are investigating); 422 with the
    reason for a day that has passed or is too far ahead."""
    view = await _complainant_acts(
        casework, reference, token, ArrangeDraftDate(send_on=body.send_on)
    )
    return JSONResponse(jsonable_encoder(view))


# The tracking page's notices, in English; the page shows them in Welsh by the catalog
# (`| translated`, services/casework/locale), as it does the domain's refusals.
FORM_DATE_HINT = "Please give the date as year-month-day, for example 2026-02-20."
FORM_EMPTY_HINT = "Please write something before you send it."
FORM_GROUNDS_HINT = "Please choose from the reasons listed."
RECEIVED_NOTICE = "Thank you. We have received it."


def _form_command(what: str, text: str, grounds: list[str], send_on: str) -> Command | str | None:
    """The command a tracking-page form asks for; a notice string for unusable input; None for
    a form that does not exist."""
    if what == "draft-date":
        try:
            return ArrangeDraftDate(send_on=date.fromisoformat(send_on.strip()))
        except ValueError:
            return FORM_DATE_HINT
    builders: dict[str, Callable[[], Command]] = {
        "comments": lambda: SubmitComments(comments=text),
        "messages": lambda: PostMessage(direction="to_caseworker", body=text),
        "review-request": lambda: RequestReview(
            grounds=[ReviewGround(g) for g in grounds], reason=text
        ),
    }
    if what not in builders:
        return None
    return builders[what]() if text.strip() else FORM_EMPTY_HINT


def _back_to_page(reference: str, token: str, notice: str | None) -> RedirectResponse:
    query = urlencode({"token": token, "notice": notice or ""})
    return RedirectResponse(f"/track/{reference}?{query}", status_code=303)


@router.post("/track/{reference}/{what}", include_in_schema=False)
async def tracking_form_posted(
    reference: str,
    what: str,
    casework: CaseworkDep,
    token: Annotated[str, Form(max_length=200)],
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    grounds: Annotated[list[str] | None, Form()] = None,
    send_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The no-JavaScript forms on the tracking page; answers by redirecting back to it."""
    try:
        command = _form_command(what, text, grounds or [], send_on)
    except ValueError:
        command = FORM_GROUNDS_HINT
    if command is None or isinstance(command, str):
        return _back_to_page(reference, token, command)
    try:
        await _complainant_acts(casework, reference, token, command)
        notice = RECEIVED_NOTICE
    except HTTPException as error:
        if error.status_code == 404:
            raise
        notice = (
            error.detail.get("message") or error.detail.get("error")
            if isinstance(error.detail, dict)
            else str(error.detail)
        )
    return _back_to_page(reference, token, notice)


# ----------------------------------------------------------------------------------- staff


async def _act(casework: Casework, reference: str, command: Command, actor: Actor) -> None:
    for attempt in range(2):
        try:
            await casework.act(reference, command, actor)
            return
        except StaleCaseError:
            if attempt == 1:
                raise HTTPException(
                    409, {"error": "The case changed while you were acting on it. Try again."}
                ) from None
        except CaseNotFoundError:
            raise HTTPException(404, {"error": NOT_FOUND}) from None
        except ActionNotAllowed as refused:
            raise HTTPException(
                409,
                {
                    "error": f"'{refused.action}' is not allowed in stage {refused.stage}.",
                    "allowed_actions": refused.allowed,
                },
            ) from None
        except DomainRuleBroken as broken:
            raise HTTPException(422, {"error": str(broken), "message": str(broken)}) from None


def _actor(user: StaffUser) -> Actor:
    return Actor(id=user.sub, name=user.name, role=user.role.value)


@router.get("/v1/cases", tags=["staff"])
async def list_cases(
    casework: CaseworkDep,
    user: StaffOnly,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    caseworker: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> JSONResponse:
    async with casework.uow.reading() as stores:
        rows = await stores.cases.listing(
            stage=stage, caseworker_id=caseworker, limit=limit, offset=offset
        )
    return JSONResponse(jsonable_encoder({"cases": rows}))


def _actor_of(user: StaffUser) -> tuple[str, str, str]:
    return user.sub, user.name, user.role.value


def _seen(complaint: dict[str, Any] | None, draft_comments: list[dict[str, Any]]) -> list[str]:
    """The staff view shows the case, the complaint as received (with the complainant's contact
    details), the messages and any comments on the draft."""
    contact = [journal_api.CONTACT_DETAILS] if (complaint or {}).get("complainant") else []
    comments = [journal_api.DRAFT_COMMENTS] if draft_comments else []
    return [journal_api.CASE, journal_api.COMPLAINT, *contact, journal_api.MESSAGES, *comments]


@router.get("/v1/cases/{reference}", tags=["staff"])
async def get_case(
    reference: str, casework: CaseworkDep, user: StaffOnly, request: Request
) -> JSONResponse:
    async with casework.uow.reading() as stores:
        store = stores.cases
        loaded = await store.load(reference)
        if loaded is None:
            raise HTTPException(404, {"error": NOT_FOUND})
        complaint = await store.complaint(reference)
        messages = await store.messages(reference)
        comments = await store.draft_comments(reference)
    seen = _seen(complaint, comments)
    await journal_api.note_staff_read(request, reference, _actor_of(user), seen)
    view = views.staff(loaded[0], casework.clock(), casework.rules, complaint, messages)
    return JSONResponse(jsonable_encoder({**view, "draft_comments": comments}))


@router.post("/v1/cases/{reference}/actions", tags=["staff"], openapi_extra=actions_openapi())
async def act_on_case(
    reference: str,
    casework: CaseworkDep,
    user: StaffOnly,
    request: Request,
    body: Annotated[Any, Body(examples=[{"action": "decline", "reason": "premature"}])],
) -> JSONResponse:
    """Apply one action; 409 with the allowed actions when it is not allowed in this stage."""
    try:
        command = parse_command(body)
    except ValidationError as error:
        return JSONResponse(
            validation_error_body(json.loads(error.json(include_input=False))), status_code=422
        )
    command = await with_directory_entry(command, request.app.state.intake_client)
    await _act(casework, reference, command, _actor(user))
    return await get_case(reference, casework, user, request)


@router.get("/v1/caseworkers", tags=["staff"], openapi_extra=ROSTER_OPENAPI)
async def roster(casework: CaseworkDep, user: StaffOnly) -> JSONResponse:
    async with casework.uow.reading() as stores:
        people = await stores.cases.roster()
        workload = await stores.cases.open_workload()
    return JSONResponse([{**p, "open_cases": workload.get(p["caseworker_id"], 0)} for p in people])


@router.put("/v1/caseworkers/{caseworker_id}", tags=["staff"])
async def put_caseworker(
    caseworker_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")],
    body: CaseworkerIn,
    casework: CaseworkDep,
    user: ManagerOnly,
    request: Request,
) -> JSONResponse:
    sectors = [s.value for s in body.sectors]
    async with casework.uow.transaction() as work:
        await work.stores.cases.put_caseworker(
            caseworker_id, body.name, sectors, body.active, request_now(request)
        )
    return JSONResponse(
        {
            "caseworker_id": caseworker_id,
            "name": body.name,
            "sectors": sectors,
            "active": body.active,
        }
    )
