"""Where sealed documents are kept: one small interface, the local filesystem or the S3 API.

Objects are named by random keys (`new_object_key`), never by a name a user typed, and every key
is checked (`check_key`) before it becomes a path or an S3 key, so no key can climb out of its
directory or prefix. Each service passes its own prefix (`DocumentStoreSettings.blob_store`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final, Protocol

from aiobotocore.session import get_session
from botocore.exceptions import ClientError

# Read size when streaming a stored object back: one sealed frame (sealing.FRAME_SIZE) and a bit.
READ_SIZE: Final = 64 * 1024
# secrets.token_urlsafe(32): 32 random bytes, 43 urlsafe-base64 characters without padding.
_KEY_BYTES: Final = 32
_KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{43}")


class MissingBlobError(Exception):
    """No object is stored under the key."""


class InvalidObjectKeyError(ValueError):
    """The key is not one `new_object_key` makes."""


def new_object_key() -> str:
    return secrets.token_urlsafe(_KEY_BYTES)


def check_key(key: str) -> str:
    """`key` if it is a key `new_object_key` could have made, else `InvalidObjectKeyError`."""
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise InvalidObjectKeyError("not a document object key")
    return key


class BlobStore(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; `MissingBlobError` (on first iteration) if absent."""
        ...

    async def delete(self, key: str) -> None:
        """Removes the object; removing an absent one is not an error (retention may retry)."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def close(self) -> None: ...


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _make_durable_directories(directory: Path) -> None:
    """Creates `directory` and any missing parents, each made durable in its own parent."""
    missing = [d for d in [directory, *directory.parents] if not d.exists()]
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        _fsync_directory(created.parent)


class FilesystemBlobStore:
    """Objects as files under `root`, fanned out by the key's first two characters (4096
    directories at most) so no directory grows to millions of entries."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def path(self, key: str) -> Path:
        check_key(key)
        return self._root / key[:2] / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        # A temporary file, made durable, then renamed over the name and the directory made
        # durable: after a crash the name holds the whole object or nothing.
        directory = path.parent
        _make_durable_directories(directory)
        temporary = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
        try:
            with temporary.open("xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_directory(directory)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        path = self.path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError as error:
            raise MissingBlobError("no document stored under this key") from error
        try:
            while chunk := await asyncio.to_thread(file.read, READ_SIZE):
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        path = self.path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def close(self) -> None:
        return None


class S3BlobStore:
    """Objects in an S3 bucket under `prefix`, through aiobotocore. One client, made on first use
    and closed by `close`."""

    def __init__(self, bucket: str, prefix: str, client_options: dict[str, Any]) -> None:
        self._bucket = bucket
        self._prefix = prefix
        self._client_options = client_options
        self._client: Any = None
        self._exit_stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    def object_name(self, key: str) -> str:
        return self._prefix + check_key(key)

    async def _s3(self) -> Any:
        async with self._lock:
            if self._client is None:
                session = get_session()
                self._client = await self._exit_stack.enter_async_context(
                    session.create_client("s3", **self._client_options)
                )
            return self._client

    async def put(self, key: str, data: bytes) -> None:
        # One PUT is atomic in S3: the object appears whole or not at all.
        client = await self._s3()
        await client.put_object(Bucket=self._bucket, Key=self.object_name(key), Body=data)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        client = await self._s3()
        try:
            response = await client.get_object(Bucket=self._bucket, Key=self.object_name(key))
        except client.exceptions.NoSuchKey as error:
            raise MissingBlobError("no document stored under this key") from error
        async with response["Body"] as body:
            while chunk := await body.read(READ_SIZE):
                yield chunk

    async def delete(self, key: str) -> None:
        client = await self._s3()
        await client.delete_object(Bucket=self._bucket, Key=self.object_name(key))

    async def exists(self, key: str) -> bool:
        client = await self._s3()
        try:
            await client.head_object(Bucket=self._bucket, Key=self.object_name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    async def close(self) -> None:
        async with self._lock:
            await self._exit_stack.aclose()
            self._client = None
            self._exit_stack = contextlib.AsyncExitStack()
