"""shared/crypto.py: encryption with rotation, and look-up digests that survive it (issue 13 #8)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from shared.crypto import Cipher, DecryptionError
from shared.reencrypt import reencrypt

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
LOOKUP_KEY = "lookup-key-for-tests"


def test_a_value_round_trips_and_json_too() -> None:
    cipher = Cipher(OLD_KEY, LOOKUP_KEY)
    assert cipher.decrypt(cipher.encrypt("Jane Doe")) == "Jane Doe"
    value = {"name": "Siân Ó Briain", "phones": ["+447700900982"]}
    assert cipher.decrypt_json(cipher.encrypt_json(value)) == value
    assert b"Jane" not in cipher.encrypt("Jane Doe")


def test_after_prepending_a_key_old_tokens_still_decrypt_and_new_ones_use_the_new_key() -> None:
    before = Cipher(OLD_KEY, LOOKUP_KEY)
    after = Cipher(f"{NEW_KEY}, {OLD_KEY}", LOOKUP_KEY)
    assert after.decrypt(before.encrypt("kept")) == "kept"
    assert Fernet(NEW_KEY.encode()).decrypt(after.encrypt("new")) == b"new"


def test_a_token_under_an_unknown_key_or_damaged_is_a_decryption_error() -> None:
    token = Cipher(OLD_KEY, LOOKUP_KEY).encrypt("secret")
    with pytest.raises(DecryptionError):
        Cipher(NEW_KEY, LOOKUP_KEY).decrypt(token)
    with pytest.raises(DecryptionError):
        Cipher(OLD_KEY, LOOKUP_KEY).decrypt(token[:-4] + b"AAAA")


def test_no_key_is_refused() -> None:
    with pytest.raises(ValueError, match="encryption key"):
        Cipher(" , ")
    with pytest.raises(ValueError, match="look-up key"):
        Cipher(OLD_KEY, " ")


def test_lookup_digests_still_match_after_an_encryption_key_is_prepended() -> None:
    # The defect: the digest key came from the newest encryption key, so the suppression list,
    # duplicate detection and inbound-mail de-duplication stopped matching after a rotation.
    before = Cipher(OLD_KEY, LOOKUP_KEY).lookup_digest("jane@example.org")
    after = Cipher(f"{NEW_KEY},{OLD_KEY}", LOOKUP_KEY).lookup_digest("jane@example.org")
    assert before == after


def test_lookup_digests_normalise_case_and_spaces_and_depend_on_the_lookup_key() -> None:
    cipher = Cipher(OLD_KEY, LOOKUP_KEY)
    assert cipher.lookup_digest(" Jane@Example.ORG ") == cipher.lookup_digest("jane@example.org")
    assert cipher.lookup_digest("jane@example.org") != cipher.lookup_digest("john@example.org")
    other = Cipher(OLD_KEY, "another-lookup-key").lookup_digest("jane@example.org")
    assert other != cipher.lookup_digest("jane@example.org")
    assert "jane" not in cipher.lookup_digest("jane@example.org")


def test_rotate_rewrites_a_token_under_the_newest_key() -> None:
    token = Cipher(OLD_KEY, LOOKUP_KEY).encrypt("moved")
    rotated = Cipher(f"{NEW_KEY},{OLD_KEY}", LOOKUP_KEY).rotate(token)
    assert Cipher(NEW_KEY, LOOKUP_KEY).decrypt(rotated) == "moved"
    with pytest.raises(DecryptionError):
        Cipher(NEW_KEY, LOOKUP_KEY).rotate(token)


def _database(path: Path, tokens: list[bytes]) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, body BLOB, note BLOB)")
        connection.executemany(
            "INSERT INTO contacts (id, body, note) VALUES (?, ?, ?)",
            [(index, token, b"not a token") for index, token in enumerate(tokens)],
        )


async def test_the_reencryption_job_moves_every_row_to_the_new_key(tmp_path: Path) -> None:
    path = tmp_path / "service.db"
    old = Cipher(OLD_KEY, LOOKUP_KEY)
    # More rows than one batch, so the job's paging is exercised.
    _database(path, [old.encrypt(f"person {index}") for index in range(450)])
    result = await reencrypt(f"sqlite+aiosqlite:///{path}", Cipher(f"{NEW_KEY},{OLD_KEY}"))
    assert (result.rotated, result.unreadable) == (450, 0)
    only_new = Cipher(NEW_KEY, LOOKUP_KEY)
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT id, body, note FROM contacts ORDER BY id").fetchall()
    assert [only_new.decrypt(body) for _, body, _ in rows] == [f"person {i}" for i in range(450)]
    assert {note for _, _, note in rows} == {b"not a token"}


async def test_the_reencryption_job_counts_and_keeps_a_token_no_key_opens(tmp_path: Path) -> None:
    path = tmp_path / "service.db"
    stranger = Cipher(Fernet.generate_key().decode(), LOOKUP_KEY).encrypt("unknown key")
    _database(path, [Cipher(OLD_KEY, LOOKUP_KEY).encrypt("known"), stranger])
    result = await reencrypt(f"sqlite+aiosqlite:///{path}", Cipher(f"{NEW_KEY},{OLD_KEY}"))
    assert (result.rotated, result.unreadable) == (1, 1)
    with sqlite3.connect(path) as connection:
        kept = connection.execute("SELECT body FROM contacts WHERE id = 1").fetchone()[0]
    assert kept == stranger
