"""Pure intake rules: eligibility, signposting, references, tokens and duplicates."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain import (
    DEFAULT_RULES,
    REFERENCE_ALPHABET,
    DuplicateKey,
    IntakeRules,
    advocacy_services,
    check_eligibility,
    extract_postcode,
    is_out_of_time,
    is_reference,
    likely_duplicate,
    new_reference,
    new_tracking_token,
    next_steps_after_submission,
    time_limit_ends_on,
)
from shared.events import Sector

TODAY = date(2026, 3, 16)


@dataclass(frozen=True)
class Facts:
    sector: Sector = Sector.HEALTH
    first_aware_on: date = date(2025, 11, 1)
    complained_to_organisation_on: date | None = date(2025, 11, 10)
    organisation_response_on: date | None = date(2026, 1, 20)
    mp_referral: bool = False
    representative_has_authority: bool | None = None


# --- eligibility -------------------------------------------------------------------------------


def test_a_timely_health_complaint_after_local_resolution_is_eligible() -> None:
    result = check_eligibility(Facts(), TODAY)
    assert result.eligible
    assert result.reasons == []
    assert result.next_steps == []
    assert result.flags.eligible
    assert not any(
        [
            result.flags.out_of_time,
            result.flags.premature,
            result.flags.needs_mp_referral,
            result.flags.representative_without_authority,
        ]
    )


def test_twelve_months_to_the_day_is_still_in_time() -> None:
    aware = date(2025, 3, 16)
    assert time_limit_ends_on(aware, DEFAULT_RULES) == TODAY
    assert check_eligibility(Facts(first_aware_on=aware), TODAY).eligible
    late = check_eligibility(Facts(first_aware_on=aware), TODAY + timedelta(days=1))
    assert late.flags.out_of_time
    assert not late.eligible


def test_exclusive_boundary_is_configurable() -> None:
    rules = IntakeRules(time_limit_boundary_inclusive=False)
    assert is_out_of_time(date(2025, 3, 16), TODAY, rules)
    assert not is_out_of_time(date(2025, 3, 17), TODAY, rules)


def test_leap_day_awareness_ends_on_28_february() -> None:
    assert time_limit_ends_on(date(2024, 2, 29), DEFAULT_RULES) == date(2025, 2, 28)


def test_out_of_time_explains_the_date_and_asks_for_the_reason() -> None:
    result = check_eligibility(Facts(first_aware_on=date(2024, 1, 5)), TODAY)
    assert result.flags.out_of_time
    assert any("12 months" in reason and "5 January 2025" in reason for reason in result.reasons)
    assert any("why you could not complain sooner" in step for step in result.next_steps)


def test_without_discretion_no_reason_for_delay_is_asked() -> None:
    rules = IntakeRules(time_limit_discretion=False)
    result = check_eligibility(Facts(first_aware_on=date(2024, 1, 5)), TODAY, rules)
    assert result.flags.out_of_time
    assert not any("sooner" in step for step in result.next_steps)


@given(
    aware=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2031, 1, 1)),
    later_by=st.integers(min_value=0, max_value=3_000),
)
def test_once_out_of_time_always_out_of_time(aware: date, today: date, later_by: int) -> None:
    if is_out_of_time(aware, today, DEFAULT_RULES):
        assert is_out_of_time(aware, today + timedelta(days=later_by), DEFAULT_RULES)


@given(aware=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)))
def test_never_out_of_time_within_eleven_months(aware: date) -> None:
    assert not is_out_of_time(aware, aware + timedelta(days=334), DEFAULT_RULES)
    assert is_out_of_time(aware, aware + timedelta(days=367), DEFAULT_RULES)


def test_not_yet_complained_to_the_organisation_is_premature() -> None:
    facts = Facts(complained_to_organisation_on=None, organisation_response_on=None)
    result = check_eligibility(facts, TODAY)
    assert result.flags.premature
    assert not result.eligible
    assert any("complain to the organisation first" in r.lower() for r in result.reasons)
    assert any("complaints procedure" in step for step in result.next_steps)


def test_waiting_for_a_reply_is_premature_until_the_reasonable_time_has_passed() -> None:
    facts = Facts(complained_to_organisation_on=date(2025, 9, 17), organisation_response_on=None)
    waiting = check_eligibility(facts, TODAY)
    assert waiting.flags.premature
    assert any("not replied" in reason for reason in waiting.reasons)
    long_silence = replace(facts, complained_to_organisation_on=date(2025, 9, 16))
    assert not check_eligibility(long_silence, TODAY).flags.premature


def test_local_resolution_switch_turns_off_the_premature_check() -> None:
    facts = Facts(complained_to_organisation_on=None, organisation_response_on=None)
    rules = IntakeRules(local_resolution_required=False)
    assert check_eligibility(facts, TODAY, rules).eligible


def test_parliamentary_complaint_needs_an_mp() -> None:
    result = check_eligibility(Facts(sector=Sector.PARLIAMENTARY), TODAY)
    assert result.flags.needs_mp_referral
    assert not result.eligible
    assert any("MP" in reason for reason in result.reasons)
    assert any("Ask your MP" in step for step in result.next_steps)
    referred = check_eligibility(Facts(sector=Sector.PARLIAMENTARY, mp_referral=True), TODAY)
    assert referred.eligible


@pytest.mark.parametrize("sector", [Sector.HEALTH, Sector.OTHER])
def test_only_parliamentary_complaints_need_an_mp(sector: Sector) -> None:
    assert not check_eligibility(Facts(sector=sector), TODAY).flags.needs_mp_referral


def test_dissolution_blocks_parliamentary_but_not_health() -> None:
    rules = IntakeRules(parliament_dissolved=True)
    parliamentary = check_eligibility(
        Facts(sector=Sector.PARLIAMENTARY, mp_referral=True), TODAY, rules
    )
    assert not parliamentary.eligible
    assert parliamentary.parliament_dissolved
    assert not parliamentary.flags.needs_mp_referral  # no MP can refer it anyway
    assert any("election" in reason for reason in parliamentary.reasons)
    health = check_eligibility(Facts(), TODAY, rules)
    assert health.eligible
    assert not health.parliament_dissolved


def test_representative_without_authority_is_flagged() -> None:
    result = check_eligibility(Facts(representative_has_authority=False), TODAY)
    assert result.flags.representative_without_authority
    assert not result.eligible
    assert any("permission" in reason for reason in result.reasons)
    assert check_eligibility(Facts(representative_has_authority=True), TODAY).eligible


def test_several_problems_are_all_reported() -> None:
    facts = Facts(
        sector=Sector.PARLIAMENTARY,
        first_aware_on=date(2023, 1, 1),
        complained_to_organisation_on=None,
        organisation_response_on=None,
        representative_has_authority=False,
    )
    result = check_eligibility(facts, TODAY)
    flags = result.flags
    assert flags.out_of_time
    assert flags.premature
    assert flags.needs_mp_referral
    assert flags.representative_without_authority
    assert len(result.reasons) == 4
    assert flags.reasons == result.reasons


def test_reasons_and_steps_are_short_plain_sentences() -> None:
    facts = Facts(
        sector=Sector.PARLIAMENTARY,
        first_aware_on=date(2023, 1, 1),
        complained_to_organisation_on=None,
        organisation_response_on=None,
        representative_has_authority=False,
    )
    result = check_eligibility(facts, TODAY)
    for text in result.reasons + result.next_steps:
        assert text.endswith(".")
        for sentence in re.split(r"(?<=\.) ", text):
            assert len(sentence.split()) <= 25, sentence  # GOV.UK: keep sentences short


# --- advocacy and next steps -------------------------------------------------------------------


def test_health_support_lists_statutory_nhs_advocacy_first() -> None:
    services = advocacy_services(Sector.HEALTH, needs_support=True)
    names = [service.name for service in services]
    assert names[0] == "NHS complaints advocacy"
    assert {"POhWER", "Citizens Advice", "Healthwatch"} <= set(names)
    assert [s.name for s in advocacy_services(Sector.HEALTH, needs_support=False)] == names[:1]


def test_parliamentary_support_starts_with_the_mp() -> None:
    names = [s.name for s in advocacy_services(Sector.PARLIAMENTARY, needs_support=True)]
    assert names == ["Your MP's office", "Citizens Advice"]


@pytest.mark.parametrize("sector", list(Sector))
def test_every_signpost_is_https_and_described(sector: Sector) -> None:
    for service in advocacy_services(sector, needs_support=True):
        assert service.description
        assert service.url is None or service.url.startswith("https://")


def test_next_steps_promise_timescales_and_reassure() -> None:
    steps = next_steps_after_submission(check_eligibility(Facts(), TODAY), DEFAULT_RULES)
    text = " ".join(steps)
    assert "within 2 working days" in text
    assert "within 20 working days" in text
    assert "will not affect" in text
    assert "confidential" in text


def test_next_steps_follow_the_rules_and_eligibility() -> None:
    rules = IntakeRules(acknowledgement_working_days=1, assessment_decision_working_days=15)
    ineligible = check_eligibility(Facts(sector=Sector.PARLIAMENTARY), TODAY, rules)
    steps = next_steps_after_submission(ineligible, rules)
    text = " ".join(steps)
    assert "within 1 working days" in text
    assert "within 15 working days" in text
    assert all(step in steps for step in ineligible.next_steps)


# --- references and tokens ---------------------------------------------------------------------


def test_reference_format() -> None:
    rng = random.Random(7)
    reference = new_reference(datetime(2026, 1, 1, tzinfo=UTC), rng.choice)
    assert re.fullmatch(r"RDR-2026-[2-9A-HJKMNP-TV-Z]{6}", reference)
    assert is_reference(reference)


@given(seed=st.integers(), year=st.integers(min_value=2000, max_value=2999))
def test_references_use_only_the_unambiguous_alphabet(seed: int, year: int) -> None:
    reference = new_reference(datetime(year, 6, 1, tzinfo=UTC), random.Random(seed).choice)
    assert is_reference(reference)
    assert reference.startswith(f"RDR-{year}-")
    assert not set(reference[9:]) & set("01IOLU")


def test_reference_uses_the_given_randomness() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert new_reference(now, lambda alphabet: alphabet[-1]) == "RDR-2026-ZZZZZZ"
    assert REFERENCE_ALPHABET[0] == "2"


@pytest.mark.parametrize("text", ["RDR-2026-7K3M9O", "rdr-2026-7K3M9Q", "RDR-26-7K3M9Q", ""])
def test_not_references(text: str) -> None:
    assert not is_reference(text)


def test_tracking_token_is_url_safe_and_256_bit() -> None:
    token = new_tracking_token(lambda n: bytes(range(n)))
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert new_tracking_token(lambda n: b"\xff" * n) != token


def test_tracking_token_refuses_short_randomness() -> None:
    with pytest.raises(ValueError, match="32 random bytes"):
        new_tracking_token(lambda n: b"x" * (n - 1))


# --- duplicates --------------------------------------------------------------------------------

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
SUMMARY = "The ward lost my mother's medication list twice during her stay in February."


def key(reference: str = "RDR-2026-AAAAAA", **changes: object) -> DuplicateKey:
    base = DuplicateKey(
        reference=reference,
        received_at=NOW - timedelta(days=3),
        name="Jo Bloggs",
        organisation_name="Leeds Teaching Hospitals NHS Trust",
        summary=SUMMARY,
        email="jo@example.com",
        phone="+447911123456",
        address="1 High Street\nLeeds\nLS1 1AA",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


NEW = key("RDR-2026-NEWNEW", received_at=NOW)


def test_same_email_same_organisation_similar_text_is_a_duplicate() -> None:
    earlier = key(
        phone=None,
        address=None,
        email="JO@example.com",
        summary=SUMMARY.upper() + " Please help.",
        organisation_name="  leeds teaching hospitals NHS trust ",
    )
    assert likely_duplicate(NEW, [earlier], NOW) == "RDR-2026-AAAAAA"


def test_same_phone_is_the_same_person() -> None:
    earlier = key(email="other@example.com", address=None)
    assert likely_duplicate(NEW, [earlier], NOW) == "RDR-2026-AAAAAA"


def test_same_name_and_postcode_is_the_same_person() -> None:
    earlier = key(email=None, phone=None, name="JO  BLOGGS", address="Flat 2, 1 High St, ls11aa")
    assert likely_duplicate(NEW, [earlier], NOW) == "RDR-2026-AAAAAA"


def test_same_name_elsewhere_is_a_different_person() -> None:
    earlier = key(email=None, phone=None, address="9 Low Road\nYork\nYO1 7HH")
    assert likely_duplicate(NEW, [earlier], NOW) is None


@pytest.mark.parametrize(
    "earlier",
    [
        key(organisation_name="Sheffield Teaching Hospitals NHS Trust"),
        key(summary="My GP refused to refer me to a specialist for my knee."),
        key(received_at=NOW - timedelta(days=31)),
        key(received_at=NOW + timedelta(minutes=1)),
        key("RDR-2026-NEWNEW"),
    ],
    ids=["other organisation", "different story", "too old", "from the future", "itself"],
)
def test_not_duplicates(earlier: DuplicateKey) -> None:
    assert likely_duplicate(NEW, [earlier], NOW) is None


def test_window_edge_is_inclusive() -> None:
    assert likely_duplicate(NEW, [key(received_at=NOW - timedelta(days=30))], NOW) is not None


def test_the_closest_match_wins() -> None:
    loose = key("RDR-2026-LOOSE2", summary=SUMMARY + " Also the car park was expensive.")
    exact = key("RDR-2026-EXACT2", received_at=NOW - timedelta(days=20))
    assert likely_duplicate(NEW, [loose, exact], NOW) == "RDR-2026-EXACT2"


def test_threshold_is_configurable() -> None:
    edited = key(summary="Medication list was lost on the ward, twice, in February.")
    strict = IntakeRules(duplicate_similarity_threshold=0.99)
    assert likely_duplicate(NEW, [edited], NOW, strict) is None


@pytest.mark.parametrize(
    ("address", "postcode"),
    [
        ("1 High Street\nLeeds\nLS1 1AA", "LS11AA"),
        ("10 Downing St, London sw1a2aa", "SW1A2AA"),
        ("Flat 3, M1 1AE, then moved to M2 3BB", "M23BB"),
        ("no postcode here", None),
        (None, None),
    ],
)
def test_extract_postcode(address: str | None, postcode: str | None) -> None:
    assert extract_postcode(address) == postcode
