"""The case page (`GET /staff/cases/{reference}`) and its action forms (`POST
/staff/cases/{reference}/actions/{action}`), which go through `parse_command` and `Casework.act`
like the JSON API: the domain decides, and a refusal is shown as its reason in an error summary."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from services.casework.cases import CaseNotFoundError, Casework
from services.casework.confirmations import (
    NOT_ANSWERING,
    UNKNOWN_ENTRY,
    UnknownEntryError,
    resolved,
)
from services.casework.console import action_forms, case_view
from services.casework.console.rendering import ConsolePageError, page
from services.casework.console.session import Staff, checked_form
from services.casework.domain import (
    ActionNotAllowed,
    Actor,
    Case,
    DomainRuleBroken,
    allowed_actions,
    parse_command,
)
from services.casework.intake_client import IntakeUnavailableError
from services.casework.journal import access_log
from services.casework.journal import api as journal_api
from services.casework.staff import StaffSession
from services.casework.store import StaleCaseError
from shared.app import request_now
from shared.timekeeping import uk_date

router = APIRouter(prefix="/staff/cases", include_in_schema=False)

NOT_FOUND = "There is no case with that reference."
# The case page shows the latest reads; the whole journal is at /v1/cases/{reference}/access-log.
ACCESS_LOG_ROWS = 50
STALE = (
    "The case changed while you were acting on it, so nothing was saved. Check it and try again."
)


async def _load(casework: Casework, reference: str) -> tuple[Case, Any, list[dict[str, Any]]]:
    async with casework.uow.reading() as stores:
        store = stores.cases
        loaded = await store.load(reference)
        if loaded is None:
            raise ConsolePageError(404, "Case not found", NOT_FOUND)
        return loaded[0], await store.complaint(reference), await store.messages(reference)


async def _draft_comments(casework: Casework, case: Case) -> list[dict[str, Any]]:
    if case.draft is None:
        return []
    async with casework.uow.reading() as stores:
        return await stores.cases.draft_comments(case.reference)


async def _case_page(
    request: Request,
    staff: StaffSession,
    reference: str,
    *,
    errors: list[dict[str, str]] | None = None,
    field_errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
    open_action: str | None = None,
    status_code: int = 200,
) -> Response:
    casework: Casework = request.app.state.casework
    case, complaint, messages = await _load(casework, reference)
    now = request_now(request)
    today = uk_date(now)
    async with casework.uow.reading() as stores:
        roster = await stores.cases.roster()
        templates = await stores.staff.templates()
    comments = await _draft_comments(casework, case)
    prefills = {"issue_final": case_view.final_prefill(case)}
    prefill = _template_prefill(request, templates, prefills)
    actions = allowed_actions(case, now, casework.rules)
    see_contact = case_view.may_see_contact_details(staff, case)
    seen_by = await _journalled(request, staff, reference, _seen(see_contact, bool(comments)))
    return page(
        request,
        "case.html",
        title=f"Case {case.reference}",
        staff=staff,
        section="mine",
        errors=errors,
        case=case,
        complaint=complaint or {},
        contact=(complaint or {}).get("complainant") if see_contact else None,
        see_contact=see_contact,
        clocks=case_view.clocks(case, today, casework.rules.nation),
        timeline=case_view.timeline(case, messages),
        **_action_forms(case, actions, roster),
        draft=case_view.draft(case, comments),
        prefills=prefills,
        field_errors=field_errors or {},
        posted=posted or prefill.get("values", {}),
        open_action=open_action or prefill.get("action"),
        done=action_forms.DONE.get(request.query_params.get("done") or ""),
        templates=templates,
        csrf_token=staff.csrf_token,
        access_log=seen_by,
        status_code=status_code,
    )


def _action_forms(case: Case, actions: list[str], roster: list[dict[str, Any]]) -> dict[str, Any]:
    """What the page's action forms need: the actions on offer and their choices."""
    return {
        "actions": [a for a in actions if a in action_forms.FORMS],
        "forms": action_forms.FORMS,
        "options": lambda action, name: action_forms.select_options(action, name, case, roster),
        "recommendation_types": action_forms.RECOMMENDATION_TYPES,
        "recommendation_rows": action_forms.recommendation_rows,
        "outcomes": action_forms.OUTCOMES,
        "organisation_names": tuple((o.name, o.name) for o in case.all_organisations),
    }


async def _journalled(
    request: Request, staff: StaffSession, reference: str, seen: list[str]
) -> dict[str, Any] | None:
    """Record the read before the page is shown; managers see who else has looked."""
    await journal_api.note_staff_read(
        request, reference, (staff.account_id, staff.name, staff.role), seen
    )
    return await _access_log(request, reference) if staff.is_manager else None


async def _access_log(request: Request, reference: str) -> dict[str, Any]:
    log = await access_log(journal_api.journal_of(request), reference)
    return {**log, "shown": ACCESS_LOG_ROWS}


def _seen(see_contact: bool, see_comments: bool) -> list[str]:
    contact = [journal_api.CONTACT_DETAILS] if see_contact else []
    comments = [journal_api.DRAFT_COMMENTS] if see_comments else []
    return [journal_api.CASE, journal_api.COMPLAINT, *contact, journal_api.MESSAGES, *comments]


def _template_prefill(
    request: Request, templates: list[dict[str, Any]], prefills: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """`?template=<id>&for=<action>`: start that action's text from a stored template (over
    what the action's form already starts from, such as the draft for the final decision)."""
    wanted, action = request.query_params.get("template"), request.query_params.get("for")
    chosen = next((t for t in templates if t["template_id"] == wanted), None)
    if chosen is None or action not in ("post_message", "issue_final"):
        return {}
    field = "body" if action == "post_message" else "summary"
    return {"action": action, "values": {**prefills.get(action, {}), field: chosen["body"]}}


@router.get("/{reference}")
async def case_page(reference: str, request: Request, staff: Staff) -> Response:
    return await _case_page(request, staff, reference)


def _field_errors(action: str, error: ValidationError) -> dict[str, str]:
    labels = {f.name: f.label for f in action_forms.FORMS[action].fields}
    found: dict[str, str] = {}
    for item in json.loads(error.json(include_input=False)):
        location = [str(part) for part in item["loc"]]
        if location and location[0] == action:
            location = location[1:]
        name = "-".join(location) or "form"
        label = labels.get(location[0], location[0].replace("_", " ")) if location else "form"
        if item["type"] in ("missing", "string_too_short", "too_short", "enum", "literal_error"):
            message = f"{label}: enter or choose a value"
        else:
            message = f"{label}: {item['msg'].removeprefix('Value error, ')}"
        found.setdefault(f"{action}-{name}", message)
    return found


def _posted(form: FormData) -> dict[str, Any]:
    return {k: (form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k)) for k in form}


@router.post("/{reference}/actions/{action}")
async def act(reference: str, action: str, request: Request, staff: Staff) -> Response:
    form = await checked_form(request, staff)
    casework: Casework = request.app.state.casework
    if action not in action_forms.FORMS:
        raise ConsolePageError(404, "No such action", f"There is no action called {action[:40]}.")
    async with casework.uow.reading() as stores:
        roster = await stores.cases.roster()
    posted = _posted(form)
    try:
        command = parse_command(action_forms.command_body(action, form, roster))
    except ValidationError as error:
        field_errors = _field_errors(action, error)
        summary = [{"text": text, "href": f"#{key}"} for key, text in field_errors.items()]
        return await _case_page(
            request,
            staff,
            reference,
            errors=summary,
            field_errors=field_errors,
            status_code=422,
            posted=posted,
            open_action=action,
        )
    try:
        command = await resolved(command, request.app.state.intake_client)
    except (UnknownEntryError, IntakeUnavailableError) as failed:
        return await _unresolved(request, staff, reference, action, failed, posted)
    actor = Actor(id=staff.account_id, name=staff.name, role=staff.role)
    try:
        await casework.act(reference, command, actor, request_now(request))
    except CaseNotFoundError:
        raise ConsolePageError(404, "Case not found", NOT_FOUND) from None
    except (ActionNotAllowed, DomainRuleBroken, StaleCaseError) as refused:
        return await _case_page(
            request,
            staff,
            reference,
            errors=[{"text": _reason(refused), "href": f"#action-{action}"}],
            status_code=409,
            posted=posted,
            open_action=action,
        )
    return RedirectResponse(f"/staff/cases/{reference}?done={action}", status_code=303)


async def _unresolved(
    request: Request,
    staff: StaffSession,
    reference: str,
    action: str,
    failed: Exception,
    posted: dict[str, Any],
) -> Response:
    """The case page again when the directory has no such entry (422) or does not answer (503)."""
    unknown = isinstance(failed, UnknownEntryError)
    return await _case_page(
        request,
        staff,
        reference,
        errors=[
            {
                "text": UNKNOWN_ENTRY if unknown else NOT_ANSWERING,
                "href": f"#{action}-organisation_id" if unknown else f"#action-{action}",
            }
        ],
        field_errors={f"{action}-organisation_id": UNKNOWN_ENTRY} if unknown else None,
        status_code=422 if unknown else 503,
        posted=posted,
        open_action=action,
    )


def _reason(refused: Exception) -> str:
    if isinstance(refused, ActionNotAllowed):
        allowed = ", ".join(a.replace("_", " ") for a in refused.allowed) or "nothing"
        return (
            f"You cannot {refused.action.replace('_', ' ')} while the case is at the "
            f"{str(refused.stage).replace('_', ' ')} stage. What you can do now: {allowed}."
        )
    if isinstance(refused, StaleCaseError):
        return STALE
    return str(refused)
