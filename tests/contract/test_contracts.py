"""The committed contracts match the models; public payloads cannot carry personal data."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel

from shared import contracts
from shared.events import EVENT_TYPES, CaseEvent, FeedbackSubmitted, NotificationStatusChanged

# Names that would mean the complainant's personal data is on a public topic.
PERSONAL_FIELD_NAMES = {
    "name",
    "email",
    "phone",
    "address",
    "complainant",
    "on_behalf_of",
    "representative",
    "summary",
    "desired_outcome",
    "impact",
    "tracking_token",
    "comments",
    "body",
    "message",
    "description",
    "personalisation",
    "recipient",
    "to",
    "reason",
}
PUBLIC_MODELS = [m for m in EVENT_TYPES.values() if issubclass(m, CaseEvent)] + [
    NotificationStatusChanged
]


def test_committed_contract_files_match_the_models() -> None:
    stale = [
        relative
        for relative, text in contracts.rendered().items()
        if not (contracts.CONTRACTS_DIR / relative).is_file()
        or (contracts.CONTRACTS_DIR / relative).read_text() != text
    ]
    assert not stale, f"contracts drifted; run `python -m shared.contracts`: {stale}"


def test_every_event_type_belongs_to_exactly_one_topic() -> None:
    placed = [t for types in contracts.TOPIC_EVENT_TYPES.values() for t in types]
    assert sorted(placed) == sorted(EVENT_TYPES)


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen or set()
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in _models_in(field.annotation):
            names |= _field_names(inner, seen)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) is not None or get_args(annotation):
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def test_public_payloads_have_no_personal_data_fields() -> None:
    for model in PUBLIC_MODELS:
        leaked = _field_names(model) & PERSONAL_FIELD_NAMES
        # Organisation.name is the organisation's, and caseworker_name is staff: both are public.
        leaked -= {"name"} if _only_organisation_names(model) else set()
        assert not leaked, f"{model.__name__} carries {leaked}"


def _only_organisation_names(model: type[BaseModel]) -> bool:
    return "name" not in model.model_fields


def test_feedback_answers_carry_no_reference() -> None:
    assert "reference" not in FeedbackSubmitted.model_fields
