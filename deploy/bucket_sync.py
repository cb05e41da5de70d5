"""Copy the documents bucket into a folder and back, for deploy/backup.sh and deploy/restore.sh.

    python3 deploy/bucket_sync.py download DIR   every object to DIR/<key> (DIR must not exist)
    python3 deploy/bucket_sync.py upload DIR     every file under DIR back to <key>, bucket created
                                                 if missing

Settings are the API's: CASEGUARD_S3_ENDPOINT_URL (empty: AWS), _BUCKET, _REGION, _ACCESS_KEY,
_SECRET_KEY. Needs only boto3, so it runs in the backup image (Debian's python3-boto3) and from a
checkout. Documents are named by their SHA-256 (`sha256/<2 hex>/<digest>`, store/documents.py):
each is checked both ways, and a copy that no longer matches its name fails the run.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

CONTENT_PREFIX = "sha256/"


def client() -> Any:
    """An S3 client configured like the API's (path-style addressing works with MinIO)."""
    env = os.environ.get
    return boto3.client(
        "s3", endpoint_url=env("CASEGUARD_S3_ENDPOINT_URL") or None,
        region_name=env("CASEGUARD_S3_REGION") or "us-east-1",
        aws_access_key_id=env("CASEGUARD_S3_ACCESS_KEY") or None,
        aws_secret_access_key=env("CASEGUARD_S3_SECRET_KEY") or None,
        config=Config(retries={"max_attempts": 5, "mode": "standard"},
                      s3={"addressing_style": "path"}))


def bucket() -> str:
    name = os.environ.get("CASEGUARD_S3_BUCKET", "")
    if not name:
        sys.exit("bucket_sync: set CASEGUARD_S3_BUCKET")
    return name


def mismatch(key: str, data: bytes) -> str | None:
    """Why a content-addressed object's bytes are not what its key names, or None."""
    if not key.startswith(CONTENT_PREFIX):
        return None
    digest = key.rsplit("/", 1)[-1]
    actual = hashlib.sha256(data).hexdigest()
    return None if actual == digest else f"{key}: its bytes hash to {actual}"


def file_for(root: Path, key: str) -> Path:
    """Where an object goes under root; a key that would leave root is refused."""
    path = (root / key).resolve()
    if key.endswith("/") or not path.is_relative_to(root.resolve()):
        raise ValueError(f"object key {key!r} does not name a file under {root}")
    return path


def download(s3: Any, name: str, root: Path) -> list[str]:
    """Every object of the bucket into root; the objects whose bytes do not match their name."""
    root.mkdir(parents=True, exist_ok=False)
    bad: list[str] = []
    count = size = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            key = item["Key"]
            data = s3.get_object(Bucket=name, Key=key)["Body"].read()
            path = file_for(root, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            count, size = count + 1, size + len(data)
            if reason := mismatch(key, data):
                bad.append(reason)  # copied all the same: the backup keeps what there is
    print(f"bucket_sync: {count} objects ({size} bytes) from s3://{name} to {root}")
    return bad


def upload(s3: Any, name: str, root: Path) -> list[str]:
    """Every file under root back into the bucket (created if missing); the files refused."""
    if not root.is_dir():
        sys.exit(f"bucket_sync: {root} is not a folder")
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        s3.create_bucket(Bucket=name)
    bad: list[str] = []
    count = size = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        data = path.read_bytes()
        if reason := mismatch(key, data):
            bad.append(reason)  # never put a damaged copy over what may be a good one
            continue
        extra = {"Metadata": {"sha256": key.rsplit("/", 1)[-1]}} \
            if key.startswith(CONTENT_PREFIX) else {}
        s3.put_object(Bucket=name, Key=key, Body=data, **extra)
        count, size = count + 1, size + len(data)
    print(f"bucket_sync: {count} objects ({size} bytes) from {root} to s3://{name}")
    return bad


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("download", "upload"):
        print(__doc__, file=sys.stderr)
        return 2
    action, root = argv[0], Path(argv[1])
    bad = (download if action == "download" else upload)(client(), bucket(), root)
    for reason in bad:
        print(f"bucket_sync: does not match its SHA-256 name: {reason}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
