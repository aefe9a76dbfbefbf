"""Commands: what someone asks the case to do, as imperatives (the results are past-tense events).

`Command` is a union discriminated on `action`, so the staff API body `{action, ...}` and the
complainant endpoints parse straight into one of these (`parse_command`). Unknown fields are
refused, so bad input is a 4xx with a message per field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.directory import ID_PATTERN
from shared.events import (
    DeclineReason,
    Organisation,
    Outcome,
    RecommendationStatus,
    RecommendationType,
    Sector,
)

from .model import ReviewGround

Role = Literal["caseworker", "manager", "admin", "complainant", "system"]
STAFF_ROLES: frozenset[Role] = frozenset({"caseworker", "manager", "admin", "system"})

NonBlank = Annotated[str, Field(min_length=1)]
# An organisation's name as the caseworker types it; it must match one the case concerns.
OrganisationName = Annotated[str, Field(min_length=1, max_length=200)]


class Actor(BaseModel):
    """Who is acting: a member of staff (from the JWT), the complainant, or the system."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: NonBlank
    name: str
    role: Role

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Assign(_Command):
    action: Literal["assign"] = "assign"
    caseworker_id: NonBlank
    caseworker_name: NonBlank


class Accept(_Command):
    """Accept the complaint for investigation."""

    action: Literal["accept"] = "accept"


class Decline(_Command):
    action: Literal["decline"] = "decline"
    reason: DeclineReason


class ResolveEarly(_Command):
    action: Literal["resolve_early"] = "resolve_early"


class Withdraw(_Command):
    action: Literal["withdraw"] = "withdraw"


class RequestEvidence(_Command):
    action: Literal["request_evidence"] = "request_evidence"
    description: NonBlank
    due_on: date | None = None


class AddOrganisation(_Command):
    """The case also concerns this body: it gets its own findings and recommendations."""

    action: Literal["add_organisation"] = "add_organisation"
    name: OrganisationName
    sector: Sector


class ConfirmOrganisation(_Command):
    """Staff say which directory entry a body of the case is (issue 13 item 6): from then on
    public events name it by the entry instead of "unlisted"."""

    action: Literal["confirm_organisation"] = "confirm_organisation"
    organisation_id: Annotated[str, Field(pattern=ID_PATTERN)]
    # Which body, as the case names it; None: the lead body.
    organisation: OrganisationName | None = None
    # The entry as intake's directory has it: the API looks it up and sets it, replacing
    # anything a caller sent, so no caller can publish a name of their own.
    entry: Organisation | None = None


class RecordEvidenceUnavailable(_Command):
    """Evidence asked for cannot be obtained; say how the decision will deal with its absence."""

    action: Literal["record_evidence_unavailable"] = "record_evidence_unavailable"
    request_id: NonBlank
    how_decision_deals_with_it: NonBlank


class RecordExpertAdvice(_Command):
    action: Literal["record_expert_advice"] = "record_expert_advice"
    adviser_role: NonBlank
    summary: NonBlank


class ArrangeDraftDate(_Command):
    """The complainant chooses the day their draft decision is sent."""

    action: Literal["arrange_draft_date"] = "arrange_draft_date"
    send_on: date


class ReceiveEvidence(_Command):
    """Record that the evidence asked for has arrived (meets its deadline)."""

    action: Literal["receive_evidence"] = "receive_evidence"
    request_id: NonBlank


class RecommendationInput(_Command):
    type: RecommendationType
    description: NonBlank
    due_on: date | None = None
    severity: int | None = Field(default=None, ge=1, le=6)
    # Which organisation must act; None means the lead body.
    organisation: OrganisationName | None = None


class FindingInput(_Command):
    """The decision about one organisation; None means the lead body."""

    organisation: OrganisationName | None = None
    outcome: Outcome
    summary: NonBlank


class IssueDraft(_Command):
    """Share the draft decision, now or at a date arranged with the complainant. It proposes
    what the final decision would say (issue 14); every content field is optional so older
    clients that send only `scheduled_for` still work, but `summary` needs `outcome`."""

    action: Literal["issue_draft"] = "issue_draft"
    scheduled_for: date | None = None
    outcome: Outcome | None = None
    summary: NonBlank | None = None
    recommendations: list[RecommendationInput] = Field(default_factory=list)
    findings: list[FindingInput] = Field(default_factory=list)
    how_we_reached_it: NonBlank | None = None


class IssueFinal(_Command):
    """The final decision. `outcome` and `summary` are the case's overall ones (and the lead
    body's, unless `findings` has its own); `how_we_reached_it` and `next_steps` default to
    plain-English text built from the case."""

    action: Literal["issue_final"] = "issue_final"
    outcome: Outcome
    summary: NonBlank
    recommendations: list[RecommendationInput] = Field(default_factory=list)
    findings: list[FindingInput] = Field(default_factory=list)
    how_we_reached_it: NonBlank | None = None
    # Steps particular to this case; the review and support steps are always added after them.
    next_steps: list[NonBlank] = Field(default_factory=list)
    # What changed since the draft and why ("After your comments we ..."); needed when the
    # outcome or the recommendations differ from a draft that carried its content.
    changes_since_draft: NonBlank | None = None


class CompleteReview(_Command):
    action: Literal["complete_review"] = "complete_review"
    outcome: Literal["decision_upheld", "decision_changed"]


class UpdateRecommendation(_Command):
    action: Literal["update_recommendation"] = "update_recommendation"
    recommendation_id: NonBlank
    status: RecommendationStatus


class Pause(_Command):
    action: Literal["pause"] = "pause"
    reason: str | None = None


class Resume(_Command):
    action: Literal["resume"] = "resume"


class TagThemes(_Command):
    action: Literal["tag_themes"] = "tag_themes"
    themes: list[NonBlank] = Field(min_length=1)


class SubmitComments(_Command):
    """The complainant's comments on the draft. `comments` is for the handler layer to store:
    the domain never keeps or emits it."""

    action: Literal["submit_comments"] = "submit_comments"
    comments: str = ""


class RequestReview(_Command):
    action: Literal["request_review"] = "request_review"
    grounds: list[ReviewGround]
    reason: str = ""


class PostMessage(_Command):
    """A message between complainant and caseworker. `body` is for the handler layer (stored
    internally, sent through notifications): the domain never keeps or emits it."""

    action: Literal["post_message"] = "post_message"
    direction: Literal["to_complainant", "to_caseworker"]
    body: str = ""


Command = Annotated[
    Assign
    | Accept
    | Decline
    | ResolveEarly
    | Withdraw
    | RequestEvidence
    | ReceiveEvidence
    | AddOrganisation
    | ConfirmOrganisation
    | RecordEvidenceUnavailable
    | RecordExpertAdvice
    | ArrangeDraftDate
    | IssueDraft
    | IssueFinal
    | CompleteReview
    | UpdateRecommendation
    | Pause
    | Resume
    | TagThemes
    | SubmitComments
    | RequestReview
    | PostMessage,
    Field(discriminator="action"),
]

_COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)


def parse_command(data: object) -> Command:
    """Validate a JSON-like body into a command; raises pydantic.ValidationError."""
    return _COMMAND_ADAPTER.validate_python(data)


# Every action name, in the order `allowed_actions` lists them.
ACTIONS: tuple[str, ...] = (
    "assign",
    "accept",
    "decline",
    "resolve_early",
    "withdraw",
    "request_evidence",
    "receive_evidence",
    "record_evidence_unavailable",
    "record_expert_advice",
    "arrange_draft_date",
    "issue_draft",
    "submit_comments",
    "issue_final",
    "request_review",
    "complete_review",
    "update_recommendation",
    "pause",
    "resume",
    "tag_themes",
    "post_message",
    "add_organisation",
    "confirm_organisation",
)
# What a complainant may do themselves; staff may also do these on their behalf (phone, letter).
COMPLAINANT_ACTIONS = frozenset(
    {"withdraw", "submit_comments", "request_review", "post_message", "arrange_draft_date"}
)
