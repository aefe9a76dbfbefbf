"""The document store on the local filesystem and on a real S3 API (S3Proxy): documents kept
encrypted under random keys, read back, missing, removed, and kept apart per service."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ClientError
from cryptography.fernet import Fernet

from shared.crypto import Cipher
from shared.documents.blobs import BlobStore, MissingBlobError, new_object_key
from shared.documents.sealing import CHUNK_SIZE
from shared.documents.settings import DocumentStoreSettings
from shared.documents.vault import DocumentVault
from tests.kit.s3proxy import S3Server, running_s3proxy

pytestmark = pytest.mark.integration

PLAINTEXT = b"Letter from the hospital trust about Alex's treatment. " * 3000  # several frames


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with running_s3proxy() as server:
        yield server


def _s3_settings(server: S3Server, bucket: str) -> DocumentStoreSettings:
    return DocumentStoreSettings.model_validate(
        {
            "REDRESS_DOCUMENT_STORE": "s3",
            "REDRESS_DOCUMENT_S3_BUCKET": bucket,
            "REDRESS_DOCUMENT_S3_ENDPOINT_URL": server.endpoint_url,
            "REDRESS_DOCUMENT_S3_REGION": server.region,
            "REDRESS_DOCUMENT_S3_ACCESS_KEY_ID": server.access_key_id,
            "REDRESS_DOCUMENT_S3_SECRET_ACCESS_KEY": server.secret_access_key,
        }
    )


@pytest.fixture(scope="module")
async def s3_settings(s3_server: S3Server) -> DocumentStoreSettings:
    settings = _s3_settings(s3_server, f"redress-test-{secrets.token_hex(4)}")
    async with get_session().create_client("s3", **settings.s3_client_options()) as client:
        # S3Proxy's filesystem backend has no regions and refuses a LocationConstraint.
        await client.create_bucket(Bucket=settings.s3_bucket)
    return settings


@pytest.fixture(params=["filesystem", "s3"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStoreSettings:
    if request.param == "s3":
        s3: DocumentStoreSettings = request.getfixturevalue("s3_settings")
        return s3
    return DocumentStoreSettings.model_validate({"REDRESS_DOCUMENT_DIR": str(tmp_path)})


@pytest.fixture
async def blobs(settings: DocumentStoreSettings) -> AsyncIterator[BlobStore]:
    store = settings.blob_store("intake")
    yield store
    await store.close()


def _vault(blobs: BlobStore) -> DocumentVault:
    return DocumentVault(blobs, Cipher(Fernet.generate_key().decode()))


async def _stored(blobs: BlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in blobs.get(key)])


async def test_a_kept_document_reads_back_and_is_stored_encrypted(blobs: BlobStore) -> None:
    vault = _vault(blobs)
    kept = await vault.keep(PLAINTEXT)
    assert kept.size == len(PLAINTEXT)
    assert len(kept.object_key) == 43
    assert await vault.read(kept.object_key, kept.wrapped_key) == PLAINTEXT
    streamed = [chunk async for chunk in vault.open(kept.object_key, kept.wrapped_key)]
    assert len(streamed) > 1
    assert all(len(chunk) <= CHUNK_SIZE for chunk in streamed)

    stored = await _stored(blobs, kept.object_key)
    assert b"hospital trust" not in stored
    assert len(stored) > len(PLAINTEXT)
    # The data key is in the service's row only, never beside the blob.
    assert kept.wrapped_key not in stored


async def test_a_missing_document_is_reported_as_missing(blobs: BlobStore) -> None:
    vault = _vault(blobs)
    kept = await vault.keep(b"x")
    absent = new_object_key()
    assert not await blobs.exists(absent)
    with pytest.raises(MissingBlobError):
        await vault.read(absent, kept.wrapped_key)


async def test_a_removed_document_is_gone_and_removing_again_is_harmless(blobs: BlobStore) -> None:
    vault = _vault(blobs)
    kept = await vault.keep(b"to be removed at the end of retention")
    assert await vault.exists(kept.object_key)
    await vault.remove(kept.object_key)
    assert not await vault.exists(kept.object_key)
    with pytest.raises(MissingBlobError):
        await vault.read(kept.object_key, kept.wrapped_key)
    await vault.remove(kept.object_key)


async def test_each_service_keeps_its_documents_apart(settings: DocumentStoreSettings) -> None:
    intake, casework = settings.blob_store("intake"), settings.blob_store("casework")
    try:
        key = new_object_key()
        await intake.put(key, b"sealed bytes")
        assert await intake.exists(key)
        assert not await casework.exists(key)
        with pytest.raises(MissingBlobError):
            await _stored(casework, key)
    finally:
        await intake.close()
        await casework.close()


async def test_the_filesystem_store_fans_out_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    settings = DocumentStoreSettings.model_validate({"REDRESS_DOCUMENT_DIR": str(tmp_path)})
    blobs = settings.blob_store("casework")
    key = new_object_key()
    await blobs.put(key, b"sealed bytes")
    assert (tmp_path / "casework" / key[:2] / key).read_bytes() == b"sealed bytes"
    assert [path.name for path in (tmp_path / "casework" / key[:2]).iterdir()] == [key]


async def test_the_s3_store_names_objects_under_the_service_prefix(
    s3_settings: DocumentStoreSettings,
) -> None:
    blobs = s3_settings.blob_store("casework")
    try:
        key = new_object_key()
        await blobs.put(key, b"sealed bytes")
    finally:
        await blobs.close()
    options = s3_settings.s3_client_options()
    async with get_session().create_client("s3", **options) as client:
        listed = await client.list_objects_v2(Bucket=s3_settings.s3_bucket, Prefix="casework/")
    assert f"casework/{key}" in [item["Key"] for item in listed.get("Contents", [])]


async def test_wrong_s3_credentials_are_refused(s3_server: S3Server) -> None:
    wrong = _s3_settings(S3Server(s3_server.endpoint_url, secret_access_key="wrong"), "any")
    blobs = wrong.blob_store("intake")
    try:
        with pytest.raises(ClientError) as refused:
            await blobs.put(new_object_key(), b"x")
        assert refused.value.response["Error"]["Code"] in {"SignatureDoesNotMatch", "AccessDenied"}
    finally:
        await blobs.close()
