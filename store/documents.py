"""Documents: content-addressed files (SHA-256) behind a storage interface, metadata in the database.

Two stores: a local folder (the `make run` default) and S3-compatible object storage (MinIO in
docker-compose), which every API and worker process shares. Both name content by its SHA-256 and
check it on every read: a file changed at rest is an error, never evidence.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from settings import DocumentStore, Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class ContentStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, sha256: str) -> bytes: ...
    def delete(self, sha256: str) -> None: ...
    def describe(self) -> str: ...


class CorruptContent(Exception):
    """Stored content no longer hashes to its name: it changed at rest."""


def _checked(sha256: str, data: bytes) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise CorruptContent(f"stored content {sha256[:12]}… no longer matches its SHA-256")
    return data


def _check_digest(sha256: str) -> None:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")


class LocalContentStore:
    """Files under a folder, named by their SHA-256; the same content is stored once."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, sha256: str) -> Path:
        _check_digest(sha256)
        return self._root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)  # 0600, kept by the rename
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
        return digest

    def get(self, sha256: str) -> bytes:
        return _checked(sha256, self._path(sha256).read_bytes())

    def delete(self, sha256: str) -> None:
        """Remove the content (retention, store/retention.py); content already gone is no error."""
        self._path(sha256).unlink(missing_ok=True)

    def describe(self) -> str:
        return str(self._root)


class S3ContentStore:
    """Objects in an S3-compatible bucket under `sha256/<2 hex>/<digest>`; stored once."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @staticmethod
    def key(sha256: str) -> str:
        _check_digest(sha256)
        return f"sha256/{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        key = self.key(digest)
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
            return digest  # content-addressed: what is there is this content
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data,
                                Metadata={"sha256": digest})
        return digest

    def get(self, sha256: str) -> bytes:
        answer = self._client.get_object(Bucket=self._bucket, Key=self.key(sha256))
        return _checked(sha256, answer["Body"].read())

    def delete(self, sha256: str) -> None:
        """Remove the object (retention); S3 answers a missing key with success too."""
        self._client.delete_object(Bucket=self._bucket, Key=self.key(sha256))

    def describe(self) -> str:
        return f"s3://{self._bucket}"


@cache
def _s3_client(endpoint_url: str, region: str, access_key: str, secret_key: str) -> S3Client:
    # One client per process: creating one costs tens of milliseconds; clients are thread-safe.
    # boto3 (~22 MB resident) is imported only by a process whose documents live in S3.
    import boto3
    from botocore.config import Config

    client: S3Client = boto3.client(
        "s3", endpoint_url=endpoint_url or None, region_name=region,
        aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
        config=Config(retries={"max_attempts": 5, "mode": "standard"},
                      s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30))
    return client


def content_store(settings: Settings) -> ContentStore:
    """The document store every process of a deployment shares (settings.document_store)."""
    if settings.document_store is DocumentStore.s3:
        client = _s3_client(settings.s3_endpoint_url, settings.s3_region,
                            settings.s3_access_key, settings.s3_secret_key)
        return S3ContentStore(client, settings.s3_bucket)
    return LocalContentStore(settings.documents_dir)
