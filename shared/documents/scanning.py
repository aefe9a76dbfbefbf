"""A malware-scan hook speaking ClamAV's clamd protocol (INSTREAM over TCP), off unless
`REDRESS_CLAMD_ADDRESS` is set.

No ClamAV signature database can be fetched on the machines Redress is built on, so scanning is
off by default and the tests speak the protocol to a local stand-in; a deployment that runs clamd
(with freshclam keeping its signatures current) sets the address. The protocol (clamd(8),
"INSTREAM"): send `zINSTREAM\\0`, then chunks each prefixed by its length as 4 bytes big-endian,
then a zero length; clamd answers `stream: OK`, `stream: <signature> FOUND` or `... ERROR`.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from typing import Final

from shared.documents.refusals import InfectedFileError, ScanUnavailableError

# Below clamd's StreamMaxLength default (25 MiB in older releases, 100 MiB since 0.104) per chunk
# by far; the whole stream is still bounded by the per-file limit.
_CHUNK: Final = 64 * 1024
# clamd answers a line at most a few hundred bytes long (a signature name); more is not clamd.
_MAX_REPLY: Final = 4096


@dataclass(frozen=True)
class ClamdScanner:
    host: str
    port: int
    # How long a scan may take before the file is refused as unscanned (503, try again):
    # clamd scans a 25 MiB file in a few seconds on one core; 30 s leaves room under load.
    timeout_seconds: float = 30.0

    @classmethod
    def from_address(cls, address: str, timeout_seconds: float = 30.0) -> ClamdScanner:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("REDRESS_CLAMD_ADDRESS must be host:port")
        return cls(host.strip("[]"), int(port), timeout_seconds)

    async def scan(self, content: bytes) -> None:
        """Returns if clamd finds nothing; `InfectedFileError` if it does; `ScanUnavailableError`
        if it cannot be asked or answers anything else."""
        try:
            reply = await asyncio.wait_for(self._ask(content), self.timeout_seconds)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
            raise _unavailable() from e
        if reply.endswith("FOUND"):
            raise InfectedFileError(
                "infected", "This file was refused by the malware scan and has not been kept."
            )
        if reply != "stream: OK":
            raise _unavailable()

    async def _ask(self, content: bytes) -> str:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=_MAX_REPLY)
        try:
            writer.write(b"zINSTREAM\0")
            for start in range(0, len(content), _CHUNK):
                chunk = content[start : start + _CHUNK]
                writer.write(struct.pack(">I", len(chunk)) + chunk)
                await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            reply = await reader.readuntil(b"\0")
        finally:
            writer.close()
            await writer.wait_closed()
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def _unavailable() -> ScanUnavailableError:
    return ScanUnavailableError(
        "scan_unavailable", "This file could not be checked for malware just now. Try again later."
    )
