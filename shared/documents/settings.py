"""Configuration of the document store (docs/design.md §6, a contract).

`REDRESS_DOCUMENT_STORE` picks where sealed documents live: `filesystem` (the default, for
`make run`, under `REDRESS_DOCUMENT_DIR`) or `s3` (a bucket through the S3 API, for deployments).
Each service keeps its documents under its own prefix: `<dir>/<service>/` or `<service>/` in the
bucket. S3 credentials may be left unset to use the usual AWS credential chain (instance role,
`AWS_*` variables).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from aiobotocore.config import AioConfig
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.documents.blobs import BlobStore, FilesystemBlobStore, S3BlobStore
from shared.documents.checks import DocumentLimits
from shared.documents.scanning import ClamdScanner
from shared.settings import PROJECT_ROOT

MEBIBYTE = 1024 * 1024
_SERVICE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class DocumentStoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    store: Literal["filesystem", "s3"] = Field(
        "filesystem", validation_alias="REDRESS_DOCUMENT_STORE"
    )
    directory: Path = Field(
        PROJECT_ROOT / ".local" / "documents", validation_alias="REDRESS_DOCUMENT_DIR"
    )
    s3_bucket: str = Field("", validation_alias="REDRESS_DOCUMENT_S3_BUCKET")
    s3_endpoint_url: str | None = Field(None, validation_alias="REDRESS_DOCUMENT_S3_ENDPOINT_URL")
    # London, where a UK ombudsman's data is expected to stay.
    s3_region: str = Field("eu-west-2", validation_alias="REDRESS_DOCUMENT_S3_REGION")
    s3_access_key_id: SecretStr | None = Field(
        None, validation_alias="REDRESS_DOCUMENT_S3_ACCESS_KEY_ID"
    )
    s3_secret_access_key: SecretStr | None = Field(
        None, validation_alias="REDRESS_DOCUMENT_S3_SECRET_ACCESS_KEY"
    )
    # 25 MiB per file: Gmail's attachment limit (support.google.com/mail/answer/6584, 25 MB), so
    # any file a complainant could email to us can also be uploaded.
    max_file_bytes: int = Field(
        25 * MEBIBYTE, gt=0, validation_alias="REDRESS_DOCUMENT_MAX_FILE_BYTES"
    )
    # 500 MiB per case: our assumption, to revisit with a year's figures: twenty files at the
    # per-file limit, room for a full medical-records bundle.
    max_case_bytes: int = Field(
        500 * MEBIBYTE, gt=0, validation_alias="REDRESS_DOCUMENT_MAX_CASE_BYTES"
    )
    # host:port of a clamd that scans every file (INSTREAM); empty, the default, scans nothing.
    clamd_address: str = Field("", validation_alias="REDRESS_CLAMD_ADDRESS")
    # See ClamdScanner.timeout_seconds for the figure.
    clamd_timeout_seconds: float = Field(
        30.0, gt=0, validation_alias="REDRESS_CLAMD_TIMEOUT_SECONDS"
    )

    @model_validator(mode="after")
    def _coherent(self) -> DocumentStoreSettings:
        if self.store == "s3" and not self.s3_bucket:
            raise ValueError("REDRESS_DOCUMENT_S3_BUCKET is needed when REDRESS_DOCUMENT_STORE=s3")
        if self.max_case_bytes < self.max_file_bytes:
            raise ValueError("REDRESS_DOCUMENT_MAX_CASE_BYTES is below the per-file limit")
        if self.clamd_address:
            ClamdScanner.from_address(self.clamd_address)
        return self

    def limits(self) -> DocumentLimits:
        return DocumentLimits(
            max_file_bytes=self.max_file_bytes, max_case_bytes=self.max_case_bytes
        )

    def scanner(self) -> ClamdScanner | None:
        if not self.clamd_address:
            return None
        return ClamdScanner.from_address(self.clamd_address, self.clamd_timeout_seconds)

    def s3_client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "region_name": self.s3_region,
            # Checksums only when an operation requires them: S3-compatible servers (S3Proxy,
            # older MinIO) refuse the CRC headers botocore sends by default since 1.36.
            "config": AioConfig(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        }
        if self.s3_endpoint_url:
            options["endpoint_url"] = self.s3_endpoint_url
        if self.s3_access_key_id and self.s3_secret_access_key:
            options["aws_access_key_id"] = self.s3_access_key_id.get_secret_value()
            options["aws_secret_access_key"] = self.s3_secret_access_key.get_secret_value()
        return options

    def blob_store(self, service: str) -> BlobStore:
        """The store of `service`'s documents, under its own prefix."""
        if not _SERVICE_NAME.fullmatch(service):
            raise ValueError("a service name is lower-case letters, digits, '-' or '_'")
        if self.store == "s3":
            return S3BlobStore(self.s3_bucket, f"{service}/", self.s3_client_options())
        return FilesystemBlobStore(self.directory / service)
