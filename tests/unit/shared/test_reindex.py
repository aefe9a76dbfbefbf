"""shared/crypto.py's look-up key rotation and shared/reindex.py's paging, on SQLite files shaped
like intake's complaints and notifications' suppressions and contacts (the job reflects them)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet

from shared.crypto import Cipher
from shared.reindex import BATCH_ROWS, reindex

KEY = Fernet.generate_key().decode()
OLD = Cipher(KEY, "old-lookup-key")
TRANSITION = Cipher(KEY, "new-lookup-key", " old-lookup-key , older-lookup-key ")
NEW = Cipher(KEY, "new-lookup-key")
# More rows than two batches, so every paged loop of the job goes round more than once.
ROWS = 2 * BATCH_ROWS + 50


def test_new_digests_use_the_newest_lookup_key_and_lookups_match_under_every_listed_one() -> None:
    assert TRANSITION.lookup_digest("Jane@Example.org ") == NEW.lookup_digest("jane@example.org")
    older = Cipher(KEY, "older-lookup-key").lookup_digest("jane@example.org")
    assert TRANSITION.lookup_digests("jane@example.org") == [
        NEW.lookup_digest("jane@example.org"),
        OLD.lookup_digest("jane@example.org"),
        older,
    ]
    assert NEW.lookup_digests("jane@example.org") == [NEW.lookup_digest("jane@example.org")]
    # An encryption key rotation changes no digest.
    rotated = Cipher(f"{Fernet.generate_key().decode()},{KEY}", "new-lookup-key")
    assert rotated.lookup_digests("x") == NEW.lookup_digests("x")


def _complaints(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE complaints (complaint_id TEXT PRIMARY KEY, personal_data BLOB,"
            " email_digest TEXT, phone_digest TEXT, name_digest TEXT)"
        )
        rows: list[tuple[str, bytes | None, str | None, None, str | None]] = []
        for index in range(ROWS):
            name, email = f"Person {index}", f"p{index}@example.org"
            person = {"name": name, "email": email, "phone": None}
            rows.append(
                (
                    f"c{index:04}",
                    OLD.encrypt_json({"complainant": person}),
                    OLD.lookup_digest(email),
                    None,
                    OLD.lookup_digest(name),
                )
            )
        # An anonymised complaint: no source, no digests, nothing to do.
        rows.append(("zz-anonymised", None, None, None, None))
        connection.executemany("INSERT INTO complaints VALUES (?, ?, ?, ?, ?)", rows)


async def test_every_in_row_digest_moves_to_the_new_key_across_batches(tmp_path: Path) -> None:
    path = tmp_path / "intake.db"
    _complaints(path)
    result = await reindex(f"sqlite+aiosqlite:///{path}", TRANSITION)
    assert (result.reindexed, result.kept, result.unreadable) == (ROWS, 0, [])
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT email_digest, phone_digest, name_digest FROM complaints ORDER BY complaint_id"
        ).fetchall()
    expected = [
        (NEW.lookup_digest(f"p{i}@example.org"), None, NEW.lookup_digest(f"Person {i}"))
        for i in range(ROWS)
    ]
    assert rows == [*expected, (None, None, None)]
    again = await reindex(f"sqlite+aiosqlite:///{path}", TRANSITION)
    assert (again.reindexed, again.kept, again.unreadable) == (0, 0, [])


async def test_digest_only_rows_move_when_their_value_is_known_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "notifications.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE contacts (reference TEXT PRIMARY KEY, personal_data BLOB)")
        connection.execute("CREATE TABLE suppressions (address_digest TEXT PRIMARY KEY)")
        addresses = [f"bounced{index}@example.org" for index in range(ROWS)]
        connection.executemany(
            "INSERT INTO contacts VALUES (?, ?)",
            [(f"r{i:04}", OLD.encrypt_json({"email": a})) for i, a in enumerate(addresses)],
        )
        digests = [OLD.lookup_digest(address) for address in addresses]
        # One address suppressed again since the rotation: its old twin is dropped, not copied.
        digests.append(NEW.lookup_digest(addresses[0]))
        digests.append(OLD.lookup_digest("nowhere-else@example.org"))
        connection.executemany("INSERT INTO suppressions VALUES (?)", [(d,) for d in digests])
    result = await reindex(f"sqlite+aiosqlite:///{path}", TRANSITION)
    assert (result.reindexed, result.kept, result.unreadable) == (ROWS, 1, [])
    with sqlite3.connect(path) as connection:
        stored = {row[0] for row in connection.execute("SELECT address_digest FROM suppressions")}
    assert stored == {NEW.lookup_digest(a) for a in addresses} | {
        OLD.lookup_digest("nowhere-else@example.org")
    }
