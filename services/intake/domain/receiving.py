"""Receiving a complaint: what intake decides about it, in one place.

Given a valid complaint, its new reference and the complainant's earlier complaints, the domain
decides whether the ombudsman can help (eligibility), whether it repeats an earlier one
(duplicates), what the complainant is told next and who can help them, and what the rest of the
suite is told: the `redress.complaint.received` event (internal topic: it carries personal data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.complaint import Complaint
from services.intake.domain.duplicates import DuplicateKey, likely_duplicate
from services.intake.domain.eligibility import EligibilityResult, check_eligibility
from services.intake.domain.guidance import (
    AdvocacyService,
    advocacy_services,
    next_steps_after_submission,
)
from services.intake.domain.rules import IntakeRules
from shared.directory import Entry
from shared.events import Channel, Complainant, ComplaintReceived, Organisation, Representative


@dataclass(frozen=True)
class Received:
    """A complaint intake has taken in, with everything decided about it."""

    complaint_id: str
    reference: str
    tracking_token: str
    received_at: datetime
    complaint: Complaint
    eligibility: EligibilityResult
    next_steps: list[str]
    advocacy_services: list[AdvocacyService]
    duplicate_of: str | None
    # The directory entry the organisation was matched to; None: unlisted until staff confirm.
    listed: Entry | None = None

    @property
    def organisation(self) -> Organisation:
        """The body as the suite knows it: the directory entry, or what was typed (id None)."""
        typed = self.complaint.organisation
        if self.listed is None:
            return Organisation(name=typed.name, sector=typed.sector)
        return self.listed.organisation()

    def event(self) -> ComplaintReceived:
        """The internal `redress.complaint.received` payload."""
        complaint = self.complaint
        person = complaint.complainant
        representative = complaint.on_behalf_of
        return ComplaintReceived(
            complaint_id=self.complaint_id,
            reference=self.reference,
            received_at=self.received_at,
            channel=Channel(complaint.channel.value),
            complainant=Complainant(
                name=person.name,
                email=person.email,
                phone=person.phone,
                address=person.address,
                preferred_contact=person.preferred_contact,
                reasonable_adjustments=[str(item) for item in person.reasonable_adjustments],
                language=person.language,
                adjustment_details=person.adjustment_details,
            ),
            on_behalf_of=None
            if representative is None
            else Representative(
                name=representative.name,
                relationship=representative.relationship,
                has_authority=representative.has_authority,
            ),
            organisation=self.organisation,
            organisation_as_typed=complaint.organisation.name,
            organisation_nation=None if self.listed is None else self.listed.nation.value,
            summary=complaint.summary,
            desired_outcome=complaint.desired_outcome,
            impact=complaint.impact,
            first_aware_on=complaint.first_aware_on,
            complained_to_organisation_on=complaint.complained_to_organisation_on,
            organisation_response_on=complaint.organisation_response_on,
            mp_referral=complaint.mp_referral,
            needs_support=complaint.needs_support,
            eligibility=self.eligibility.flags,
            tracking_token=self.tracking_token,
            duplicate_of=self.duplicate_of,
            reason_for_delay=complaint.reason_for_delay,
        )


def receive(
    complaint: Complaint,
    *,
    complaint_id: str,
    reference: str,
    tracking_token: str,
    now: datetime,
    earlier: Iterable[DuplicateKey],
    rules: IntakeRules,
    listed: Entry | None = None,
) -> Received:
    """Decide about one complaint received at `now`; `earlier` are the same person's recent
    complaints (the store finds them by keyed digests); `listed` the directory entry of the
    organisation (None: not in the directory)."""
    eligibility = check_eligibility(complaint, now.date(), rules)
    new = complaint.duplicate_key(reference, now)
    return Received(
        complaint_id=complaint_id,
        reference=reference,
        tracking_token=tracking_token,
        received_at=now,
        complaint=complaint,
        eligibility=eligibility,
        next_steps=next_steps_after_submission(eligibility, rules),
        advocacy_services=advocacy_services(complaint.organisation.sector, complaint.needs_support),
        duplicate_of=likely_duplicate(new, earlier, now, rules),
        listed=listed,
    )
