"""The internal intake topic: the complaint, with the complainant's personal data (never on the
public case topic)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from shared.events.vocabulary import Channel, ContactMethod, Organisation, Payload


class Complainant(Payload):
    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_contact: ContactMethod
    reasonable_adjustments: list[str] = Field(default_factory=list)
    adjustment_details: str | None = None
    language: str | None = None


class Representative(Payload):
    name: str
    relationship: str | None = None
    has_authority: bool | None = None


class EligibilityFlags(Payload):
    eligible: bool
    reasons: list[str] = Field(default_factory=list)
    out_of_time: bool = False
    premature: bool = False
    needs_mp_referral: bool = False
    representative_without_authority: bool = False
    parliament_dissolved: bool = False


class ComplaintDocument(Payload):
    """A document that came with the complaint (issue 16): no file name, no content. `kind` is
    shared.documents.checks' broad type, or absent for a refused attachment (`refused_reason`)."""

    id: str
    kind: str | None = None
    size: int
    added_by: str  # complainant (the web form) or email
    refused_reason: str | None = None


class ComplaintReceived(Payload):
    """`redress.complaint.received`: intake stored a complaint. Internal topic only."""

    complaint_id: str
    reference: str
    received_at: AwareDatetime
    channel: Channel
    complainant: Complainant
    on_behalf_of: Representative | None = None
    organisation: Organisation
    summary: str
    desired_outcome: str
    impact: str | None = None
    first_aware_on: date
    complained_to_organisation_on: date | None = None
    organisation_response_on: date | None = None
    mp_referral: bool = False
    needs_support: bool = False
    eligibility: EligibilityFlags
    tracking_token: str
    duplicate_of: str | None = None
    reason_for_delay: str | None = None
    # Additive (issue 13): the organisation's name as the complainant typed it, when
    # `organisation` is the directory entry it matched (internal topic: it may be personal data).
    organisation_as_typed: str | None = None
    # The directory entry's nation (shared/directory.Nation) when it matched one: a Welsh body
    # means Welsh first in every message (issue 14), whatever REDRESS_NATION says.
    organisation_nation: str | None = None
    # Additive (issue 16): the documents that came with it, kept by intake (its staff API
    # `/v1/staff/complaints/{reference}/documents`). Ids, kinds and sizes only, never names.
    documents: list[ComplaintDocument] = Field(default_factory=list)
