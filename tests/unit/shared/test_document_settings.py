"""The document store's configuration: which store, under which prefix, and refusing settings
that cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.documents.blobs import FilesystemBlobStore, S3BlobStore, new_object_key
from shared.documents.settings import MEBIBYTE, DocumentStoreSettings


def _settings(**env: str) -> DocumentStoreSettings:
    return DocumentStoreSettings.model_validate(env)


def test_the_default_is_the_filesystem_with_a_directory_per_service(tmp_path: Path) -> None:
    settings = _settings(REDRESS_DOCUMENT_DIR=str(tmp_path))
    store = settings.blob_store("intake")
    assert isinstance(store, FilesystemBlobStore)
    key = new_object_key()
    assert store.path(key) == tmp_path / "intake" / key[:2] / key
    assert settings.limits().max_file_bytes == 25 * MEBIBYTE
    assert settings.scanner() is None


def test_s3_needs_a_bucket_and_names_objects_under_the_service() -> None:
    with pytest.raises(ValidationError, match="REDRESS_DOCUMENT_S3_BUCKET"):
        _settings(REDRESS_DOCUMENT_STORE="s3")
    settings = _settings(REDRESS_DOCUMENT_STORE="s3", REDRESS_DOCUMENT_S3_BUCKET="evidence")
    store = settings.blob_store("casework")
    assert isinstance(store, S3BlobStore)
    key = new_object_key()
    assert store.object_name(key) == f"casework/{key}"
    assert "aws_access_key_id" not in settings.s3_client_options()


@pytest.mark.parametrize(
    "env",
    [
        {"REDRESS_DOCUMENT_MAX_FILE_BYTES": "0"},
        {"REDRESS_DOCUMENT_MAX_FILE_BYTES": "2000", "REDRESS_DOCUMENT_MAX_CASE_BYTES": "1000"},
        {"REDRESS_CLAMD_ADDRESS": "clamd-without-port"},
        {"REDRESS_DOCUMENT_STORE": "ftp"},
    ],
)
def test_settings_that_cannot_work_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        _settings(**env)


def test_a_configured_clamd_address_makes_a_scanner() -> None:
    scanner = _settings(REDRESS_CLAMD_ADDRESS="clamd.internal:3310").scanner()
    assert scanner is not None
    assert (scanner.host, scanner.port) == ("clamd.internal", 3310)


@pytest.mark.parametrize("service", ["../intake", "", "Intake", "a/b"])
def test_a_service_prefix_cannot_climb_out(service: str) -> None:
    with pytest.raises(ValueError, match="service name"):
        _settings().blob_store(service)
