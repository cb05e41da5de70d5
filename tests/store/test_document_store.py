"""Documents in storage every process shares: S3-compatible object storage on a real server (moto in
server mode on loopback), content-addressed and checked on every read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import boto3
import pytest

from activities.forms import FormActivities
from settings import Settings
from store.documents import CorruptContent, LocalContentStore, S3ContentStore, content_store
from tests.store.test_form_activity import FONT, needs_font, request

PDF = b"%PDF-1.7\n receipt of the bureau \n%%EOF\n"


def objects(settings: Settings) -> list[str]:
    client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    listed = client.list_objects_v2(Bucket=settings.s3_bucket)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_content_is_named_by_its_sha256_and_stored_once(s3_settings: Settings):
    store = content_store(s3_settings)
    assert isinstance(store, S3ContentStore)
    digest = store.put(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest()
    assert store.put(PDF) == digest
    assert objects(s3_settings) == [f"sha256/{digest[:2]}/{digest}"]
    assert store.get(digest) == PDF


def test_a_second_process_reads_what_the_first_wrote(s3_settings: Settings):
    digest = content_store(s3_settings).put(PDF)
    other = S3ContentStore(boto3.client(
        "s3", endpoint_url=s3_settings.s3_endpoint_url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test"), s3_settings.s3_bucket)
    assert other.get(digest) == PDF


def test_content_changed_at_rest_is_refused_on_read(s3_settings: Settings, tmp_path: Path):
    store = content_store(s3_settings)
    digest = store.put(PDF)
    client = boto3.client("s3", endpoint_url=s3_settings.s3_endpoint_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.put_object(Bucket=s3_settings.s3_bucket, Key=S3ContentStore.key(digest),
                      Body=PDF.replace(b"bureau", b"forged"))
    with pytest.raises(CorruptContent):
        store.get(digest)
    local = LocalContentStore(tmp_path)
    digest = local.put(PDF)
    (tmp_path / digest[:2] / digest).write_bytes(b"tampered")
    with pytest.raises(CorruptContent):
        local.get(digest)


def test_a_key_that_is_not_a_digest_is_refused(s3_settings: Settings):
    with pytest.raises(ValueError, match="SHA-256"):
        content_store(s3_settings).get("../../etc/passwd")


@needs_font
def test_the_worker_writes_its_generated_form_to_the_shared_store(s3_settings: Settings,
                                                                   sqlite_url: str):
    forms = FormActivities(sqlite_url, content_store(s3_settings), str(FONT))
    ref = forms.generate_determination_form(request())
    assert objects(s3_settings) == [S3ContentStore.key(ref.sha256)]
    assert content_store(s3_settings).get(ref.sha256).startswith(b"%PDF")
