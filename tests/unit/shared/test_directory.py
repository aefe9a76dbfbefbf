"""The directory of organisations (shared/directory): the seed file, matching and suggestions."""

from __future__ import annotations

import re

import pytest

from shared.directory import ID_PATTERN, UNLISTED, Directory, Nation, match_key, read_seed
from shared.events import Sector

SEED = read_seed()
DIRECTORY = Directory(SEED)

# Names the rest of the tests complain about: each must be a directory entry, so journeys that
# name them publish the entry rather than "unlisted".
NAMES_THE_TESTS_USE = (
    "Northshire NHS Trust",
    "Northshire Hospitals NHS Trust",
    "Leeds Teaching Hospitals NHS Trust",
    "Department for Work and Pensions",
    "Northshire County Council",
    "Eastfield Council",
    "Golden Valley NHS Trust",
    "Hillside Surgery",
    "Riverside Surgery",
    "Riverside Medical Practice",
    "HM Revenue and Customs",
)

# What complainants have typed as "the organisation": none of it may match an entry.
HOSTILE_NAMES = (
    "Dr Grace Hopper practice, grace.hopper@example.org, 07911 123456, LS1 1AA",
    "grace.hopper@example.org",
    "07911 123456",
    "LS1 1AA",
    "Northshire NHS Trust (Dr Jane Smith, jane@example.org)",
)


def test_the_seed_is_a_few_dozen_entries_with_unique_well_formed_ids() -> None:
    ids = [entry.id for entry in SEED]
    assert len(SEED) >= 30
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(ID_PATTERN, entry_id) for entry_id in ids), ids
    assert {entry.sector for entry in SEED} == set(Sector)
    assert Nation.WALES in {entry.nation for entry in SEED}


def test_no_two_entries_share_a_name_or_alias() -> None:
    keys = [key for entry in SEED for key in entry.match_keys()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("name", NAMES_THE_TESTS_USE)
def test_the_names_the_tests_use_are_entries(name: str) -> None:
    entry = DIRECTORY.match(name)
    assert entry is not None, name
    assert entry.name == name


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("  northshire   nhs trust ", "Northshire NHS Trust"),
        ("The Department for Work & Pensions", "Department for Work and Pensions"),
        ("DWP", "Department for Work and Pensions"),
        ("guys and st thomas", "Guy's and St Thomas' NHS Foundation Trust"),
        ("Bwrdd Iechyd Prifysgol Betsi Cadwaladr", "Betsi Cadwaladr University Health Board"),
    ],
)
def test_what_was_typed_matches_ignoring_case_punctuation_and_spacing(
    typed: str, official: str
) -> None:
    entry = DIRECTORY.match(typed)
    assert entry is not None
    assert entry.name == official
    assert entry.organisation().model_dump() == {
        "name": official,
        "sector": entry.sector,
        "id": entry.id,
    }


@pytest.mark.parametrize("typed", HOSTILE_NAMES)
def test_names_with_personal_data_match_nothing(typed: str) -> None:
    assert DIRECTORY.match(typed) is None


def test_a_blank_or_punctuation_only_name_matches_nothing() -> None:
    assert DIRECTORY.match("") is None
    assert DIRECTORY.match(" ,.- ") is None
    assert match_key("The") == ""


def test_suggestions_match_word_starts_and_put_the_exact_match_first() -> None:
    names = [entry.name for entry in DIRECTORY.suggest("north")]
    assert "Northshire NHS Trust" in names
    assert "Northshire County Council" in names
    assert all("northshire" in match_key(name) for name in names)
    assert DIRECTORY.suggest("Northshire NHS Trust")[0].name == "Northshire NHS Trust"
    assert [entry.name for entry in DIRECTORY.suggest("hmrc")] == ["HM Revenue and Customs"]


def test_suggestions_are_few_and_empty_for_an_empty_query() -> None:
    assert DIRECTORY.suggest("") == []
    assert DIRECTORY.suggest("   ") == []
    assert len(DIRECTORY.suggest("nhs")) == 10
    assert DIRECTORY.suggest("grace.hopper@example.org") == []


def test_unlisted_is_the_public_word_for_a_body_not_in_the_directory() -> None:
    assert UNLISTED == "unlisted"
    assert DIRECTORY.match(UNLISTED) is None
