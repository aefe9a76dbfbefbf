"""Case references and tracking tokens: short, readable, unguessable where they must be.

No randomness of its own: callers pass `secrets.choice` and `secrets.token_bytes`, so every rule
here is deterministic under test.
"""

from __future__ import annotations

import re
from base64 import urlsafe_b64encode
from collections.abc import Callable, Sequence
from datetime import datetime

REFERENCE_PREFIX = "RDR"
# No 0/O, 1/I/L or U: easy to read aloud and type from a letter (Crockford-style).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# 30**6 is about 729 million per year; the store's unique constraint catches the rare clash.
REFERENCE_RANDOM_LENGTH = 6
REFERENCE_PATTERN = re.compile(
    rf"^{REFERENCE_PREFIX}-\d{{4}}-[{REFERENCE_ALPHABET}]{{{REFERENCE_RANDOM_LENGTH}}}$"
)
# 256 bits: the token is the only secret guarding a complainant's tracking page (docs/design.md §5).
TRACKING_TOKEN_BYTES = 32


def new_reference(now: datetime, choose: Callable[[Sequence[str]], str]) -> str:
    """A case reference like `RDR-2026-7K3M9Q`; pass `secrets.choice` as `choose`."""
    suffix = "".join(choose(REFERENCE_ALPHABET) for _ in range(REFERENCE_RANDOM_LENGTH))
    return f"{REFERENCE_PREFIX}-{now.year:04d}-{suffix}"


def is_reference(text: str) -> bool:
    return REFERENCE_PATTERN.fullmatch(text) is not None


def new_tracking_token(token_bytes: Callable[[int], bytes]) -> str:
    """A URL-safe secret; pass `secrets.token_bytes` as `token_bytes`."""
    raw = token_bytes(TRACKING_TOKEN_BYTES)
    if len(raw) != TRACKING_TOKEN_BYTES:
        raise ValueError(f"expected {TRACKING_TOKEN_BYTES} random bytes, got {len(raw)}")
    return urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
