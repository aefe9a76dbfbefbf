"""Intake's HTTP models (docs/design.md §5, a contract): the bodies of `POST /v1/complaints` and
`POST /v1/eligibility`, and their answers.

A request is validated strictly, every error naming its field (domain/values.py says what a
valid value is; field_errors.py words the errors), and then becomes the domain's `Complaint`
(or `EligibilityQuestion`) once: nothing below the API sees a request model. The answers are
built from what the domain decided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    model_serializer,
    model_validator,
)

from services.intake.domain import (
    AdvocacyService,
    Complainant,
    Complaint,
    EligibilityQuestion,
    EligibilityResult,
    IntakeChannel,
    ReasonableAdjustment,
    Received,
    Representative,
)
from services.intake.domain.values import (
    Address,
    AdjustmentDetails,
    DesiredOutcome,
    DirectoryId,
    Email,
    Impact,
    Language,
    Name,
    PastDate,
    Phone,
    ReasonForDelay,
    Relationship,
    Summary,
    can_receive_sms,
    check_date_order,
    field_error,
)
from shared.events import ContactMethod, Organisation, Sector

# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


class _Request(BaseModel):
    # hide_input_in_errors: error payloads and logs must not echo personal data or 1 MB strings.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


_CONTACT_WORDS: Final = {
    ContactMethod.EMAIL: "email",
    ContactMethod.SMS: "text message",
    ContactMethod.PHONE: "phone",
    ContactMethod.LETTER: "letter",
}


def _dedupe_adjustments(values: list[ReasonableAdjustment]) -> list[ReasonableAdjustment]:
    return list(dict.fromkeys(values))


class ComplainantRequest(_Request):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    address: Address | None = None
    preferred_contact: ContactMethod
    reasonable_adjustments: Annotated[
        list[ReasonableAdjustment],
        Field(max_length=2 * len(ReasonableAdjustment)),
        AfterValidator(_dedupe_adjustments),
    ] = Field(default_factory=list)
    adjustment_details: AdjustmentDetails | None = None
    language: Language | None = None

    @model_validator(mode="after")
    def _reachable(self) -> ComplainantRequest:
        if self.email is None and self.phone is None and self.address is None:
            raise field_error(
                "contact_missing",
                "email",
                "Enter at least one way to contact you: an email address, a phone number "
                "or a postal address.",
            )
        needed = {
            ContactMethod.EMAIL: ("email", self.email, "an email address"),
            ContactMethod.SMS: ("phone", self.phone, "a mobile phone number"),
            ContactMethod.PHONE: ("phone", self.phone, "a phone number"),
            ContactMethod.LETTER: ("address", self.address, "a postal address"),
        }
        field, value, what = needed[self.preferred_contact]
        if value is None:
            raise field_error(
                "contact_mismatch",
                field,
                f"Enter {what}, because you asked us to contact you by "
                f"{_CONTACT_WORDS[self.preferred_contact]}.",
            )
        if self.preferred_contact is ContactMethod.SMS and not can_receive_sms(value):
            raise field_error(
                "contact_mismatch",
                "phone",
                "Enter a mobile phone number, because you asked us to contact you by text message.",
            )
        return self


class RepresentativeRequest(_Request):
    """The person the complainant is complaining for (HSCA 1993 s9(3))."""

    name: Name
    relationship: Relationship
    has_authority: StrictBool


class OrganisationRequest(_Request):
    name: Name
    sector: Sector
    # Additive (issue 13): the directory entry the complainant chose from the suggestions.
    id: DirectoryId | None = None

    @model_serializer(mode="wrap")
    def _without_absent_id(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Stored records and fingerprints from before the directory have no `id`: keep them so.
        dumped: dict[str, Any] = handler(self)
        if dumped.get("id") is None:
            dumped.pop("id", None)
        return dumped


class ComplaintRequest(_Request):
    """`POST /v1/complaints` body (docs/design.md §5)."""

    complainant: ComplainantRequest
    on_behalf_of: RepresentativeRequest | None = None
    organisation: OrganisationRequest
    summary: Summary
    desired_outcome: DesiredOutcome
    impact: Impact | None = None
    first_aware_on: PastDate
    complained_to_organisation_on: PastDate | None = None
    organisation_response_on: PastDate | None = None
    # Asked for when the complaint may be late (docs/reference/domain-rules.md §1.1: the PHSO form
    # asks for it).
    reason_for_delay: ReasonForDelay | None = None
    mp_referral: StrictBool = False
    needs_support: StrictBool = False
    channel: IntakeChannel = IntakeChannel.WEB

    @model_validator(mode="after")
    def _dates_in_order(self) -> ComplaintRequest:
        check_date_order(
            self.first_aware_on, self.complained_to_organisation_on, self.organisation_response_on
        )
        return self

    def to_complaint(self) -> Complaint:
        """The complaint as the domain holds it: parsed once, here."""
        person = self.complainant
        representative = self.on_behalf_of
        return Complaint(
            complainant=Complainant(
                name=person.name,
                preferred_contact=person.preferred_contact,
                email=person.email,
                phone=person.phone,
                address=person.address,
                reasonable_adjustments=tuple(person.reasonable_adjustments),
                adjustment_details=person.adjustment_details,
                language=person.language,
            ),
            organisation=Organisation(
                name=self.organisation.name,
                sector=self.organisation.sector,
                id=self.organisation.id,
            ),
            summary=self.summary,
            desired_outcome=self.desired_outcome,
            first_aware_on=self.first_aware_on,
            on_behalf_of=None
            if representative is None
            else Representative(
                name=representative.name,
                relationship=representative.relationship,
                has_authority=representative.has_authority,
            ),
            impact=self.impact,
            complained_to_organisation_on=self.complained_to_organisation_on,
            organisation_response_on=self.organisation_response_on,
            reason_for_delay=self.reason_for_delay,
            mp_referral=self.mp_referral,
            needs_support=self.needs_support,
            channel=self.channel,
        )


class EligibilityRequest(_Request):
    """`POST /v1/eligibility` body: just the facts the pre-check needs; nothing is stored."""

    sector: Sector
    first_aware_on: PastDate
    complained_to_organisation_on: PastDate | None = None
    organisation_response_on: PastDate | None = None
    mp_referral: StrictBool = False
    on_behalf_of_someone_else: StrictBool = False
    has_authority: StrictBool | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> EligibilityRequest:
        check_date_order(
            self.first_aware_on, self.complained_to_organisation_on, self.organisation_response_on
        )
        return self

    def to_question(self) -> EligibilityQuestion:
        return EligibilityQuestion(
            sector=self.sector,
            first_aware_on=self.first_aware_on,
            complained_to_organisation_on=self.complained_to_organisation_on,
            organisation_response_on=self.organisation_response_on,
            mp_referral=self.mp_referral,
            representative_has_authority=(
                self.has_authority is True if self.on_behalf_of_someone_else else None
            ),
        )


# --------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AdvocacyServiceOut(_Response):
    name: str
    description: str
    url: str | None = None
    phone: str | None = None

    @classmethod
    def from_domain(cls, service: AdvocacyService) -> AdvocacyServiceOut:
        return cls(
            name=service.name, description=service.description, url=service.url, phone=service.phone
        )


class EligibilityResponse(_Response):
    """`POST /v1/eligibility` answer; the flags are additive to the contract's three fields."""

    eligible: bool
    reasons: list[str]
    next_steps: list[str]
    out_of_time: bool = False
    premature: bool = False
    needs_mp_referral: bool = False
    representative_without_authority: bool = False
    parliament_dissolved: bool = False

    @classmethod
    def from_result(cls, result: EligibilityResult) -> EligibilityResponse:
        flags = result.flags
        return cls(
            eligible=result.eligible,
            reasons=list(result.reasons),
            next_steps=list(result.next_steps),
            out_of_time=flags.out_of_time,
            premature=flags.premature,
            needs_mp_referral=flags.needs_mp_referral,
            representative_without_authority=flags.representative_without_authority,
            parliament_dissolved=result.parliament_dissolved,
        )


class ComplaintAccepted(_Response):
    """`201` answer to `POST /v1/complaints` (docs/design.md §5)."""

    reference: str
    tracking_token: str
    status: Literal["received"] = "received"
    received_at: datetime
    next_steps: list[str]
    advocacy_services: list[AdvocacyServiceOut]
    eligibility: EligibilityResponse

    @classmethod
    def of(cls, received: Received) -> ComplaintAccepted:
        return cls(
            reference=received.reference,
            tracking_token=received.tracking_token,
            received_at=received.received_at,
            next_steps=received.next_steps,
            advocacy_services=[
                AdvocacyServiceOut.from_domain(s) for s in received.advocacy_services
            ],
            eligibility=EligibilityResponse.from_result(received.eligibility),
        )
