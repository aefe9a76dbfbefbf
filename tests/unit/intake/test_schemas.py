"""Intake request validation, plain-English errors and the form-to-JSON mapping."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.intake.domain import DEFAULT_RULES, ReasonableAdjustment, check_eligibility, receive
from services.intake.field_errors import FieldError, errors_by_field, field_id
from services.intake.forms import form_to_complaint_payload, form_to_eligibility_payload
from services.intake.schemas import (
    ComplaintAccepted,
    ComplaintRequest,
    EligibilityRequest,
    EligibilityResponse,
)
from shared.events import ComplaintReceived, ContactMethod, Sector

from .hostile_requests import HOSTILE_REQUESTS, INERT_BUT_NASTY, TODAY, valid_complaint

CONTEXT = {"today": TODAY}
HOSTILE_IDS = [label for label, _ in HOSTILE_REQUESTS]


def validate(body: Any, today: date = TODAY) -> ComplaintRequest:
    return ComplaintRequest.model_validate(body, context={"today": today})


def field_errors(body: Any) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        validate(body)
    return errors_by_field(caught.value)


def dig(payload: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        payload = getattr(payload, part)
    return payload


# --- the happy path and normalisation ----------------------------------------------------------


def test_valid_complaint_is_accepted_and_normalised() -> None:
    body = valid_complaint()
    body["complainant"]["name"] = "  Jo Bloggs \t"
    body["complainant"]["email"] = "Jo.Bloggs@EXAMPLE.COM"
    body["complainant"]["phone"] = "07911 123456"
    body["complainant"]["language"] = "EN-GB"
    body["complainant"]["reasonable_adjustments"] = ["braille", "large_print", "braille"]
    body["summary"] = "First line\r\nSecond line\rThird line"

    request = validate(body)

    assert request.complainant.name == "Jo Bloggs"
    assert request.complainant.email == "Jo.Bloggs@example.com"  # domain lower-cased only
    assert request.complainant.phone == "+447911123456"
    assert request.complainant.language == "en-GB"
    assert request.complainant.reasonable_adjustments == [
        ReasonableAdjustment.BRAILLE,
        ReasonableAdjustment.LARGE_PRINT,
    ]
    assert request.summary == "First line\nSecond line\nThird line"
    assert request.channel == "web"


def test_text_is_stored_in_nfc() -> None:
    decomposed = "Jose\u0301 Nu\u0301n\u0303ez"
    request = validate(_set(valid_complaint(), "complainant.name", decomposed))
    assert request.complainant.name == unicodedata.normalize("NFC", decomposed)


def test_channel_defaults_to_web_and_optional_fields_to_none() -> None:
    body = valid_complaint()
    for key in ("channel", "impact", "mp_referral", "needs_support"):
        del body[key]
    request = validate(body)
    assert request.channel == "web"
    assert request.impact is None
    assert request.mp_referral is False
    assert request.on_behalf_of is None


@pytest.mark.parametrize(
    ("preferred", "changes"),
    [
        ("email", {"phone": None, "address": None}),
        ("sms", {"email": None, "address": None}),
        ("phone", {"email": None, "phone": "0161 496 0000", "address": None}),
        ("letter", {"email": None, "phone": None}),
    ],
)
def test_each_contact_method_needs_only_its_own_detail(
    preferred: str, changes: dict[str, Any]
) -> None:
    body = valid_complaint()
    body["complainant"].update(changes, preferred_contact=preferred)
    assert validate(body).complainant.preferred_contact == ContactMethod(preferred)


def test_international_mobile_can_receive_sms() -> None:
    body = valid_complaint()
    body["complainant"].update(phone="+33 6 12 34 56 78", preferred_contact="sms")
    assert validate(body).complainant.phone == "+33612345678"


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        # The examples the error message gives (Ofcom's drama ranges) must themselves be accepted.
        ("01632 960 001", "+441632960001"),
        ("07700 900 982", "+447700900982"),
        ("+44 808 157 0192", "+448081570192"),
        ("(0113) 496 0000", "+441134960000"),
    ],
)
def test_any_possible_number_is_accepted_and_normalised_to_e164(written: str, e164: str) -> None:
    body = valid_complaint()
    body["complainant"].update(phone=written, preferred_contact="phone")
    assert validate(body).complainant.phone == e164


def test_a_mobile_in_a_drama_range_can_receive_sms() -> None:
    body = valid_complaint()
    body["complainant"].update(phone="07700 900 982", preferred_contact="sms")
    assert validate(body).complainant.phone == "+447700900982"


def test_the_phone_error_message_gives_examples_that_are_accepted() -> None:
    body = valid_complaint()
    body["complainant"].update(phone="123")
    (error,) = [e for e in field_errors(body) if e.field == "complainant.phone"]
    for example in ("01632 960 001", "07700 900 982", "+44 808 157 0192"):
        assert example in error.message
        body["complainant"].update(phone=example)
        assert validate(body).complainant.phone.startswith("+44")


# --- dates and the validation context ---------------------------------------------------------


def test_future_is_judged_against_the_context_today() -> None:
    tomorrow = TODAY + timedelta(days=1)
    body = _set(valid_complaint(), "first_aware_on", tomorrow.isoformat())
    for key in ("complained_to_organisation_on", "organisation_response_on"):
        del body[key]
    with pytest.raises(ValidationError):
        validate(body, today=TODAY)
    assert validate(body, today=tomorrow).first_aware_on == tomorrow


def test_without_a_today_in_the_context_no_date_is_judged() -> None:
    # There is no system date to fall back on: "in the past" is the caller's clock's call.
    with pytest.raises(RuntimeError, match="today"):
        ComplaintRequest.model_validate(valid_complaint())


def test_dates_on_the_same_day_are_in_order() -> None:
    body = valid_complaint()
    body.update(
        first_aware_on="2026-01-05",
        complained_to_organisation_on="2026-01-05",
        organisation_response_on="2026-01-05",
    )
    assert validate(body).organisation_response_on == date(2026, 1, 5)


# --- the hostile corpus ----------------------------------------------------------------------


def test_hostile_corpus_is_big_enough() -> None:
    assert len(HOSTILE_REQUESTS) >= 60
    labels = [label for label, _ in HOSTILE_REQUESTS]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(("label", "body"), HOSTILE_REQUESTS, ids=HOSTILE_IDS)
def test_hostile_request_is_refused_naming_the_field(label: str, body: Any) -> None:
    expected_field = label.split(":", 1)[0]
    errors = field_errors(body)
    assert expected_field in {error.field for error in errors}, errors
    for error in errors:
        assert error.message
        assert error.anchor == f"#{field_id(error.field)}"


@pytest.mark.parametrize(("label", "body"), HOSTILE_REQUESTS, ids=HOSTILE_IDS)
def test_hostile_request_is_refused_as_json_text(label: str, body: Any) -> None:
    with pytest.raises(ValidationError):
        ComplaintRequest.model_validate_json(json.dumps(body), context=CONTEXT)


@pytest.mark.parametrize(
    ("label", "field", "body"), INERT_BUT_NASTY, ids=[label for label, _, _ in INERT_BUT_NASTY]
)
def test_nasty_looking_text_is_kept_verbatim(label: str, field: str, body: dict[str, Any]) -> None:
    submitted = body
    for part in field.split("."):
        submitted = submitted[part]
    request = validate(body)
    assert dig(request, field) == unicodedata.normalize("NFC", str(submitted).strip())


def test_errors_do_not_echo_the_input() -> None:
    secret = "jo.bloggs-very-private@@example.com"
    with pytest.raises(ValidationError) as caught:
        validate(_set(valid_complaint(), "complainant.email", secret))
    assert secret not in str(caught.value)
    assert all(secret not in error.message for error in errors_by_field(caught.value))


# --- text hygiene properties -----------------------------------------------------------------

FORBIDDEN = st.sampled_from(
    [chr(c) for c in range(0x20) if chr(c) not in "\n\t\r"]
    + ["\x7f", "\x85", "\u200b", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\ud800"]
)
SAFE_TEXT = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")),
    min_size=10,
    max_size=200,
).filter(lambda text: len(text.strip()) >= 10)


@given(prefix=SAFE_TEXT, bad=FORBIDDEN, suffix=SAFE_TEXT)
def test_any_hidden_or_control_character_is_refused_in_free_text(
    prefix: str, bad: str, suffix: str
) -> None:
    body = _set(valid_complaint(), "summary", prefix + bad + suffix)
    assert "summary" in {error.field for error in field_errors(body)}


@given(text=SAFE_TEXT)
def test_ordinary_text_survives_apart_from_trimming_and_nfc(text: str) -> None:
    request = validate(_set(valid_complaint(), "summary", text))
    assert request.summary == unicodedata.normalize("NFC", text.strip())


# --- plain-English errors ----------------------------------------------------------------------


def test_missing_fields_say_what_to_do() -> None:
    body = valid_complaint()
    del body["summary"]
    body["complainant"]["name"] = "   "
    messages = {error.field: error.message for error in field_errors(body)}
    assert messages["summary"] == "Tell us what happened"
    assert messages["complainant.name"] == "Enter your full name"


def test_cross_field_errors_point_at_the_field_to_fix() -> None:
    body = valid_complaint()
    body["complainant"].update(preferred_contact="letter", address=None)
    [error] = field_errors(body)
    assert error.field == "complainant.address"
    assert error.anchor == "#complainant-address"
    assert "postal address" in error.message
    assert "letter" in error.message


def test_length_errors_quote_the_limit() -> None:
    errors = field_errors(_set(valid_complaint(), "summary", "too short"))
    assert errors == [
        FieldError("summary", "What happened must be at least 10 characters", "#summary")
    ]


def test_one_message_per_field_for_list_items() -> None:
    body = _set(valid_complaint(), "complainant.reasonable_adjustments", ["x", "y", "z"])
    errors = field_errors(body)
    assert [error.field for error in errors] == ["complainant.reasonable_adjustments"]


def test_root_errors_link_to_the_form() -> None:
    [error] = field_errors(["not", "an", "object"])
    assert error == FieldError(
        "body", "The request must be a JSON object with named fields", "#complaint-form"
    )


# --- form -> JSON ----------------------------------------------------------------------------

FORM: dict[str, str | list[str]] = {
    "complainant.name": " Jo Bloggs ",
    "complainant.email": "jo@example.com",
    "complainant.phone": "",
    "complainant.address": "",
    "complainant.preferred_contact": "email",
    "complainant.reasonable_adjustments": ["braille", "more_time"],
    "complainant.language": "",
    "organisation.name": "Leeds Teaching Hospitals NHS Trust",
    "organisation.sector": "health",
    "summary": "They lost my records twice.\r\nNobody apologised.",
    "desired_outcome": "An apology",
    "impact": "",
    "first_aware_on.day": "2",
    "first_aware_on.month": "11",
    "first_aware_on.year": "2025",
    "complained_to_organisation_on.day": "",
    "complained_to_organisation_on.month": "",
    "complained_to_organisation_on.year": "",
    "mp_referral": "no",
    "needs_support": "yes",
    "acting_for_someone_else": "no",
    "on_behalf_of.name": "Ignored because the answer above is no",
    "csrf_token": "abc",
}


def test_form_fields_become_the_nested_json() -> None:
    payload = form_to_complaint_payload(FORM)
    assert payload["complainant"]["name"] == "Jo Bloggs"
    assert payload["complainant"]["phone"] is None
    assert payload["complainant"]["reasonable_adjustments"] == ["braille", "more_time"]
    assert payload["organisation"] == {
        "name": "Leeds Teaching Hospitals NHS Trust",
        "sector": "health",
    }
    assert payload["first_aware_on"] == "2025-11-02"
    assert payload["complained_to_organisation_on"] is None
    assert payload["mp_referral"] is False
    assert payload["needs_support"] is True
    assert "on_behalf_of" not in payload
    assert "csrf_token" not in payload
    request = validate(payload)
    assert request.summary == "They lost my records twice.\nNobody apologised."


def test_single_checkbox_and_representative_section() -> None:
    form = dict(FORM)
    form.update(
        {
            "complainant.reasonable_adjustments": "bsl",
            "acting_for_someone_else": "yes",
            "on_behalf_of.name": "Ann Bloggs",
            "on_behalf_of.relationship": "mother",
            "on_behalf_of.has_authority": "no",
        }
    )
    request = validate(form_to_complaint_payload(form))
    assert request.complainant.reasonable_adjustments == [ReasonableAdjustment.BSL]
    assert request.on_behalf_of is not None
    assert request.on_behalf_of.has_authority is False
    assert request.to_complaint().representative_has_authority is False


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("31", "2", "2025"),
        ("x", "1", "2025"),
        ("1", "1", "25"),
        ("", "1", "2025"),
        ("1" * 99, "1", "2025"),
    ],
)
def test_impossible_form_dates_fail_on_that_date(day: str, month: str, year: str) -> None:
    form = dict(FORM)
    form.update(
        {"first_aware_on.day": day, "first_aware_on.month": month, "first_aware_on.year": year}
    )
    errors = field_errors(form_to_complaint_payload(form))
    assert "first_aware_on" in {error.field for error in errors}


def test_odd_yes_no_answers_are_reported_not_guessed() -> None:
    form = dict(FORM, mp_referral="perhaps")
    errors = field_errors(form_to_complaint_payload(form))
    assert [error.field for error in errors] == ["mp_referral"]


def test_blank_required_form_fields_read_as_missing() -> None:
    errors = field_errors(form_to_complaint_payload({}))
    fields = {error.field: error.message for error in errors}
    assert fields["complainant.name"] == "Enter your full name"
    assert fields["summary"] == "Tell us what happened"
    assert fields["first_aware_on"] == "Enter the date you found out about the problem"
    assert fields["organisation.sector"] == "Select the type of organisation"


def test_eligibility_form_payload() -> None:
    payload = form_to_eligibility_payload(
        {
            "sector": "parliamentary",
            "first_aware_on.day": "1",
            "first_aware_on.month": "2",
            "first_aware_on.year": "2026",
            "mp_referral": "no",
            "on_behalf_of_someone_else": "yes",
        }
    )
    request = EligibilityRequest.model_validate(payload, context=CONTEXT)
    assert request.sector is Sector.PARLIAMENTARY
    assert request.first_aware_on == date(2026, 2, 1)
    # said yes, did not confirm authority
    assert request.to_question().representative_has_authority is False


# --- eligibility request and the response models ---------------------------------------------


def test_eligibility_request_refuses_unknown_fields_and_bad_order() -> None:
    with pytest.raises(ValidationError):
        EligibilityRequest.model_validate(
            {"sector": "health", "first_aware_on": "2026-01-01", "name": "Jo"}, context=CONTEXT
        )
    with pytest.raises(ValidationError) as caught:
        EligibilityRequest.model_validate(
            {
                "sector": "health",
                "first_aware_on": "2026-01-10",
                "complained_to_organisation_on": "2026-01-01",
            },
            context=CONTEXT,
        )
    assert [e.field for e in errors_by_field(caught.value)] == ["complained_to_organisation_on"]


def test_complaint_becomes_the_internal_event() -> None:
    request = validate(valid_complaint())
    received = receive(
        request.to_complaint(),
        complaint_id="c-1",
        reference="RDR-2026-7K3M9Q",
        tracking_token="t" * 43,
        now=datetime(2026, 3, 16, 9, 30, tzinfo=UTC),
        earlier=[],
        rules=DEFAULT_RULES,
    )
    eligibility = received.eligibility
    again = ComplaintReceived.model_validate_json(received.event().model_dump_json())
    assert again.complainant.phone == "+447911123456"
    assert again.complainant.reasonable_adjustments == ["large_print"]
    assert again.eligibility.eligible is eligibility.eligible
    assert again.organisation.sector is Sector.HEALTH
    assert again.channel == "web"


def test_accepted_response_shape() -> None:
    request = validate(valid_complaint())
    result = check_eligibility(request.to_complaint(), TODAY)
    accepted = ComplaintAccepted(
        reference="RDR-2026-7K3M9Q",
        tracking_token="t" * 43,
        received_at=datetime(2026, 3, 16, tzinfo=UTC),
        next_steps=["We will confirm"],
        advocacy_services=[],
        eligibility=EligibilityResponse.from_result(result),
    )
    dumped = accepted.model_dump(mode="json")
    assert dumped["status"] == "received"
    assert set(dumped["eligibility"]) >= {"eligible", "reasons", "next_steps"}


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, leaf = dotted.split(".")
    node = body
    for parent in parents:
        node = node[parent]
    node[leaf] = value
    return body


# --- the domain complaint keeps what was submitted -------------------------------------------


@pytest.mark.parametrize(("label", "field", "body"), INERT_BUT_NASTY[:40])
def test_the_stored_record_is_the_body_as_validated(label: str, field: str, body: Any) -> None:
    """`Complaint.record()` is what intake keeps and fingerprints: it must be the validated body
    exactly, or a repeated Idempotency-Key from before would no longer match."""
    request = validate(body)
    assert request.to_complaint().record() == request.model_dump(mode="json"), label


def test_a_full_complaint_keeps_every_field_through_the_domain() -> None:
    body = valid_complaint()
    body["on_behalf_of"] = {"name": "Ann Bloggs", "relationship": "mother", "has_authority": True}
    body["complainant"]["reasonable_adjustments"] = ["braille", "large_print"]
    body.update(impact="I could not work.", reason_for_delay="I was in hospital.", mp_referral=True)
    request = validate(body)
    complaint = request.to_complaint()
    assert complaint.record() == request.model_dump(mode="json")
    assert complaint.fingerprint() == validate(body).to_complaint().fingerprint()
    assert (
        complaint.fingerprint()
        != validate({**body, "impact": "Other."}).to_complaint().fingerprint()
    )
