"""RFC 3161 timestamps of ledger heads against a real authority on loopback (openssl ts -reply)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import tsp

from store import evidence, timestamps
from tests.tsa import Tsa, running_tsa

HEAD = "ab" * 32


@pytest.fixture(scope="module")
def tsa() -> Iterator[Tsa]:
    with running_tsa() as authority:
        yield authority


def _append(db_url: str, subject: str, n: int) -> None:
    evidence.append(db_url, evidence.NewEntry(
        subject_id=subject, idempotency_key=f"{subject}:{n}", at=datetime.now(UTC),
        actor="hr-alice", kind="delay_reason_recorded", payload={"reason": f"第{n}次"}))


def _openssl_verifies(token: bytes, head: str, ca: Path, tmp: Path) -> bool:
    (tmp / "head.txt").write_text(head)
    (tmp / "t.tsr").write_bytes(token)
    run = subprocess.run(["openssl", "ts", "-verify", "-data", str(tmp / "head.txt"), "-in",
                          str(tmp / "t.tsr"), "-token_in", "-CAfile", str(ca)],
                         capture_output=True, text=True, check=False)
    return run.returncode == 0 and "Verification: OK" in run.stdout


def test_the_request_is_rfc_3161_and_the_token_verifies_with_openssl(tsa: Tsa, tmp_path: Path):
    request = tsp.TimeStampReq.load(timestamps.request_der(HEAD, 42))
    assert request["version"].native == "v1" and request["nonce"].native == 42
    assert request["cert_req"].native is True
    assert request["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    token = timestamps.request_token(tsa.url, HEAD, 5)
    assert _openssl_verifies(token, HEAD, tsa.ca_file, tmp_path)
    assert not _openssl_verifies(token, "cd" * 32, tsa.ca_file, tmp_path)
    assert abs((timestamps.stamp_time(token) - datetime.now(UTC)).total_seconds()) < 60


def test_an_answer_for_another_head_or_nonce_or_a_refusal_is_not_taken(tsa: Tsa):
    import httpx

    answer = httpx.post(tsa.url, content=timestamps.request_der(HEAD, 7),
                        headers={"Content-Type": "application/timestamp-query"}).content
    assert timestamps.token_of(answer, HEAD, 7)
    with pytest.raises(timestamps.TimestampError, match="another message"):
        timestamps.token_of(answer, "cd" * 32, 7)
    with pytest.raises(timestamps.TimestampError, match="nonce"):
        timestamps.token_of(answer, HEAD, 8)
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["bad request"]}).dump()
    refused = bytes([0x30, len(status)]) + status  # a TimeStampResp of the status alone
    with pytest.raises(timestamps.TimestampError, match="refused the request: rejection"):
        timestamps.token_of(refused, HEAD, 7)
    with pytest.raises(timestamps.TimestampError, match="not a TimeStampResp"):
        timestamps.token_of(b"<html>proxy error</html>", HEAD, 7)
    with pytest.raises(timestamps.TimestampError, match="could not be reached"):
        timestamps.request_token("http://127.0.0.1:9/tsa", HEAD, 2)


def test_the_schedule_stamps_each_head_that_changed_once(tsa: Tsa, sqlite_url: str,
                                                          tmp_path: Path):
    for subject in ("onboarding-E1", "onboarding-E2"):
        _append(sqlite_url, subject, 1)
    stamped, failed = timestamps.stamp_all(sqlite_url, tsa.url, 5)
    assert sorted(stamped) == ["onboarding-E1", "onboarding-E2"] and failed == []
    assert timestamps.stamp_all(sqlite_url, tsa.url, 5) == ([], [])  # nothing new since
    _append(sqlite_url, "onboarding-E2", 2)
    assert timestamps.stamp_all(sqlite_url, tsa.url, 5) == (["onboarding-E2"], [])

    _, entries = evidence.page(sqlite_url, "onboarding-E2", limit=100)
    found = timestamps.stamps(entries)
    assert [s.seq for s in found] == [1, 3]
    by_seq = {e.seq: e.entry_hash for e in entries}
    for stamp in found:
        assert stamp.head == by_seq[stamp.seq]
        assert _openssl_verifies(stamp.token, stamp.head, tsa.ca_file, tmp_path)
    assert evidence.verify(sqlite_url, "onboarding-E2").valid

    down = timestamps.stamp_all(sqlite_url, "http://127.0.0.1:9/tsa", 2)
    assert down == ([], [])  # every head is stamped: the authority is not even asked
    _append(sqlite_url, "onboarding-E1", 2)
    stamped, failed = timestamps.stamp_all(sqlite_url, "http://127.0.0.1:9/tsa", 2)
    assert stamped == [] and failed[0].startswith("onboarding-E1: the TSA")
