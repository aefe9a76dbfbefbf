"""The form for each case action: exactly the fields its command needs, and how a posted form
becomes the command's JSON shape for `parse_command` (the domain's own validation; no rule of the
case is repeated here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from services.casework.domain import Case
from shared.events import DeclineReason, Outcome, RecommendationStatus, RecommendationType, Sector

# Recommendations a final decision form offers rows for; empty rows are ignored.
RECOMMENDATION_ROWS = 3
DATE_HINT = "For example, 2027-03-31"
# A decision form's repeated rows are named <kind>-<index>-<field>.
ROW_KEY = re.compile(r"(recommendations|findings)-(\d{1,3})-[a-z_]+")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, date, select, radios, checkboxes
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    # Given by a template response when the staff member picks one.
    templated: bool = False


@dataclass(frozen=True)
class ActionForm:
    title: str
    button: str
    fields: tuple[Field, ...] = ()
    hint: str = ""
    warning: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _choices(values: Any) -> tuple[tuple[str, str], ...]:
    return tuple((v.value, v.value.replace("_", " ").capitalize()) for v in values)


def _date(name: str, label: str, hint: str = DATE_HINT) -> Field:
    return Field(name, label, "date", hint=hint)


FORMS: dict[str, ActionForm] = {
    "accept": ActionForm("Accept for investigation", "Accept the complaint"),
    "decline": ActionForm(
        "Decline the complaint",
        "Decline",
        (Field("reason", "Why we cannot look into it", "radios", options=_choices(DeclineReason)),),
        warning=True,
    ),
    "resolve_early": ActionForm("Resolve early", "Resolve early", warning=True),
    "withdraw": ActionForm(
        "Record that the complainant withdrew", "Withdraw the complaint", warning=True
    ),
    "request_evidence": ActionForm(
        "Request evidence",
        "Request evidence",
        (
            Field("description", "What evidence is needed, and from whom", "textarea"),
            _date("due_on", "Due by (optional)", f"Leave blank for the usual time. {DATE_HINT}"),
        ),
    ),
    "receive_evidence": ActionForm(
        "Record evidence received",
        "Record as received",
        (Field("request_id", "Which request", "select"),),
    ),
    "record_evidence_unavailable": ActionForm(
        "Record evidence that cannot be obtained",
        "Record",
        (
            Field("request_id", "Which request", "select"),
            Field("how_decision_deals_with_it", "How the decision will deal with this", "textarea"),
        ),
    ),
    "record_expert_advice": ActionForm(
        "Record expert advice",
        "Record advice",
        (
            Field("adviser_role", "The adviser's role", hint="For example, clinical adviser"),
            Field("summary", "Summary of the advice", "textarea"),
        ),
    ),
    "arrange_draft_date": ActionForm(
        "Arrange the day the draft is sent", "Arrange", (_date("send_on", "Send the draft on"),)
    ),
    "issue_draft": ActionForm(
        "Issue the draft decision",
        "Issue the draft decision",
        (
            # What the final decision would say, so the complainant has something to comment on.
            Field("outcome", "Proposed outcome", "radios", options=_choices(Outcome)),
            Field("summary", "Summary of the proposed decision", "textarea"),
            Field(
                "how_we_reached_it",
                "How we reached it (optional)",
                "textarea",
                hint="Leave blank for the standard explanation built from the case",
            ),
            _date(
                "scheduled_for",
                "Send on a later day (optional)",
                f"Leave blank to send it now. {DATE_HINT}",
            ),
        ),
        extra={"recommendation_rows": RECOMMENDATION_ROWS},
    ),
    "submit_comments": ActionForm(
        "Record the complainant's comments on the draft",
        "Record comments",
        (
            Field(
                "comments",
                "Their comments",
                "textarea",
                hint="As they gave them by phone or letter",
            ),
        ),
    ),
    "issue_final": ActionForm(
        "Issue the final decision",
        "Issue the final decision",
        (
            Field("outcome", "Outcome", "radios", options=_choices(Outcome)),
            Field("summary", "Summary of the decision", "textarea", templated=True),
            Field(
                "how_we_reached_it",
                "How we reached it (optional)",
                "textarea",
                hint="Leave blank for the standard explanation built from the case",
            ),
            Field(
                "changes_since_draft",
                "What changed since the draft, and why (optional)",
                "textarea",
                hint="Needed if the outcome or recommendations differ from the draft. "
                "For example: After your comments we ...",
            ),
        ),
        extra={"recommendation_rows": RECOMMENDATION_ROWS},
    ),
    "request_review": ActionForm(
        "Record a review request",
        "Record the request",
        (
            Field(
                "grounds",
                "Grounds",
                "checkboxes",
                options=(
                    ("inaccurate_facts", "The decision was based on inaccurate facts"),
                    ("new_information", "There is new information"),
                    ("overlooked_or_misunderstood", "Something was overlooked or misunderstood"),
                ),
            ),
            Field("reason", "Their reason", "textarea"),
        ),
    ),
    "complete_review": ActionForm(
        "Complete the review",
        "Complete the review",
        (
            Field(
                "outcome",
                "Outcome of the review",
                "radios",
                options=(
                    ("decision_upheld", "The decision stands"),
                    ("decision_changed", "The decision is changed"),
                ),
            ),
        ),
    ),
    "update_recommendation": ActionForm(
        "Update a recommendation",
        "Update",
        (
            Field("recommendation_id", "Recommendation", "select"),
            Field("status", "Status", "select", options=_choices(RecommendationStatus)),
        ),
    ),
    "pause": ActionForm(
        "Pause the case", "Pause", (Field("reason", "Why (optional)", "textarea"),)
    ),
    "resume": ActionForm("Resume the case", "Resume"),
    "tag_themes": ActionForm(
        "Tag themes",
        "Save themes",
        (
            Field(
                "themes",
                "Themes",
                hint="Separate themes with commas, for example: delay, communication",
            ),
        ),
    ),
    "post_message": ActionForm(
        "Send a message to the complainant",
        "Send message",
        (Field("body", "Message", "textarea", templated=True),),
    ),
    "add_organisation": ActionForm(
        "Add another organisation",
        "Add organisation",
        (
            Field("name", "Organisation name"),
            Field("sector", "Sector", "radios", options=_choices(Sector)),
        ),
    ),
    "confirm_organisation": ActionForm(
        "Confirm the organisation from the directory",
        "Confirm organisation",
        (
            Field(
                "organisation_id",
                "Directory id of the organisation",
                hint="For example, RNS01 or org-dwp (intake's directory: /v1/organisations?q=)",
            ),
            Field(
                "organisation",
                "Which organisation of the case (optional)",
                hint="Leave blank for the lead organisation.",
            ),
        ),
    ),
    "assign": ActionForm(
        "Reassign the case", "Reassign", (Field("caseworker_id", "Caseworker", "select"),)
    ),
}


# What the success banner says after each action.
DONE: dict[str, str] = {
    "accept": "Accepted for investigation",
    "decline": "The complaint is declined",
    "resolve_early": "Resolved early",
    "withdraw": "Recorded as withdrawn",
    "request_evidence": "Evidence requested",
    "receive_evidence": "Evidence recorded as received",
    "record_evidence_unavailable": "Recorded that the evidence cannot be obtained",
    "record_expert_advice": "Expert advice recorded",
    "arrange_draft_date": "The draft's day is arranged",
    "issue_draft": "Draft decision issued",
    "submit_comments": "Comments recorded",
    "issue_final": "Final decision issued",
    "request_review": "Review request recorded",
    "complete_review": "Review completed",
    "update_recommendation": "Recommendation updated",
    "pause": "Case paused",
    "resume": "Case resumed",
    "tag_themes": "Themes saved",
    "post_message": "Message sent",
    "add_organisation": "Organisation added",
    "confirm_organisation": "Organisation confirmed from the directory",
    "assign": "Case reassigned",
}


def select_options(
    action: str, field_name: str, case: Case, roster: list[dict[str, Any]]
) -> tuple[tuple[str, str], ...]:
    """Choices that come from the case itself (its requests, recommendations) or the roster."""
    if field_name == "request_id":
        return tuple(
            (r.request_id, r.description[:80]) for r in case.evidence_requests if r.is_outstanding
        )
    if field_name == "recommendation_id":
        return tuple(
            (r.recommendation_id, f"{r.type.value.replace('_', ' ')}: {r.description[:60]}")
            for r in case.recommendations
        )
    if field_name == "caseworker_id":
        return tuple((p["caseworker_id"], p["name"]) for p in roster if p["active"])
    return FORMS[action].fields[[f.name for f in FORMS[action].fields].index(field_name)].options


def _value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional(form: FormData, name: str) -> str | None:
    return _value(form, name) or None


def command_body(action: str, form: FormData, roster: list[dict[str, Any]]) -> dict[str, Any]:
    """The posted form as the command's JSON body. Blank optional fields are left out so the
    command's defaults apply; required ones are passed blank so the domain names them."""
    body: dict[str, Any] = {"action": action}
    spec = FORMS[action]
    for item in spec.fields:
        if item.kind == "checkboxes":
            body[item.name] = [v for v in form.getlist(item.name) if isinstance(v, str)]
        elif item.kind == "date" or "optional" in item.label:
            if _optional(form, item.name) is not None:
                body[item.name] = _value(form, item.name)
        else:
            body[item.name] = _value(form, item.name)
    if action == "tag_themes":
        body["themes"] = [t.strip() for t in _value(form, "themes").split(",") if t.strip()]
    elif action == "post_message":
        body["direction"] = "to_complainant"
    elif action == "assign":
        names = {p["caseworker_id"]: p["name"] for p in roster}
        body["caseworker_name"] = names.get(body["caseworker_id"], "")
    elif action in ("issue_final", "issue_draft"):
        body["recommendations"] = _recommendations(form)
        body["findings"] = _findings(form)
    return body


def recommendation_rows(prefilled: dict[str, Any]) -> int:
    """Rows the decision forms offer: the usual number, or more for a draft that proposed more
    (through the API), so none of its recommendations is dropped from the final form."""
    return max(RECOMMENDATION_ROWS, _row_count(prefilled, "recommendations"))


def _row_count(values: Any, kind: str) -> int:
    """How many `kind` rows the names in `values` (a form, or prefilled values) reach."""
    found = (ROW_KEY.fullmatch(str(key)) for key in values)
    indices = [int(m.group(2)) for m in found if m is not None and m.group(1) == kind]
    return max(indices, default=-1) + 1


def _recommendations(form: FormData) -> list[dict[str, Any]]:
    rows = []
    for index in range(max(RECOMMENDATION_ROWS, _row_count(form, "recommendations"))):
        prefix = f"recommendations-{index}-"
        row = {k: _value(form, prefix + k) for k in ("type", "description", "due_on")}
        if not any(row.values()):
            continue
        chosen = {k: v for k, v in row.items() if v or k != "due_on"}
        if _optional(form, prefix + "organisation"):
            chosen["organisation"] = _value(form, prefix + "organisation")
        rows.append(chosen)
    return rows


def _findings(form: FormData) -> list[dict[str, Any]]:
    """One row per other organisation; a row left blank means no finding of its own."""
    rows = []
    for index in range(_row_count(form, "findings")):
        prefix = f"findings-{index}-"
        outcome, summary = _value(form, prefix + "outcome"), _value(form, prefix + "summary")
        if outcome or summary:
            organisation = _value(form, prefix + "organisation")
            rows.append({"organisation": organisation, "outcome": outcome, "summary": summary})
    return rows


RECOMMENDATION_TYPES = _choices(RecommendationType)
OUTCOMES = _choices(Outcome)
