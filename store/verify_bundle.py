"""Verify a Caseguard evidence bundle without Caseguard: python3 verify_bundle.py bundle.zip.

Standalone on purpose (the bundle carries a copy): Python 3's standard library, and the `openssl`
command for the timestamps. It checks
1. every file against the SHA-256 the manifest lists, and that nothing is missing or added;
2. the evidence chain of ledger.json: each payload's SHA-256, each entry's hash over its fields
   and the previous entry's hash, the sequence without gaps, and the manifest's head;
3. every RFC 3161 timestamp token in timestamps/: `openssl ts -verify` of the stamped head against
   the authority's CA (--ca-file, else timestamps/tsa-ca.pem shipped in the bundle), and that the
   stamped head is the hash of that entry of the ledger.
Exit status 0 when everything holds; 1 with the first problem of each kind otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
REDACTED = "_redacted"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_text(at: str) -> str:
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_files(files: dict[str, bytes], manifest: dict[str, Any]) -> list[str]:
    listed = manifest.get("files", {})
    problems = [f"{name}: listed in the manifest but missing" for name in listed
                if name not in files]
    problems += [f"{name}: in the bundle but not in the manifest" for name in files
                 if name not in listed and name != "manifest.json"]
    problems += [f"{name}: SHA-256 differs from the manifest (file altered)"
                 for name, digest in listed.items()
                 if name in files and hashlib.sha256(files[name]).hexdigest() != digest]
    return problems


def check_chain(entries: list[dict[str, Any]], manifest: dict[str, Any]) -> list[str]:
    prev, expected = GENESIS, 1
    for e in entries:
        redacted = set(e["payload"]) == {REDACTED}
        if e["seq"] != expected:
            return [f"entry {e['seq']} stands where entry {expected} should: an entry is missing"]
        if not redacted and sha256(canonical(e["payload"])) != e["payload_sha256"]:
            return [f"entry {e['seq']}: the payload no longer matches its SHA-256"]
        if e["prev_hash"] != prev:
            return [f"entry {e['seq']}: prev_hash is not the previous entry's hash"]
        fields = {"subject_id": e["subject_id"], "seq": e["seq"], "at": utc_text(e["at"]),
                  "actor": e["actor"], "kind": e["kind"], "payload_sha256": e["payload_sha256"],
                  "prev_hash": e["prev_hash"]}
        if sha256(canonical(fields)) != e["entry_hash"]:
            return [f"entry {e['seq']}: its hash does not match its time, actor or kind"]
        prev, expected = e["entry_hash"], e["seq"] + 1
    chain = manifest.get("chain", {})
    if chain.get("head") != prev or chain.get("entries") != len(entries):
        return ["the manifest's chain head or entry count is not the ledger's"]
    return []


def check_stamps(files: dict[str, bytes], entries: list[dict[str, Any]],
                 ca_file: Path | None) -> tuple[list[str], list[str]]:
    """(problems, what each token proves) for every timestamps/*.tsr."""
    tokens = sorted(n for n in files if n.startswith("timestamps/") and n.endswith(".tsr"))
    index = {n.removesuffix(".tsr") + ".json": n for n in tokens}
    hashes = {e["seq"]: e["entry_hash"] for e in entries}
    problems: list[str] = []
    proofs: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        ca = ca_file
        if ca is None and "timestamps/tsa-ca.pem" in files:
            ca = Path(tmp, "ca.pem")
            ca.write_bytes(files["timestamps/tsa-ca.pem"])
        for meta_name, token_name in index.items():
            meta = json.loads(files.get(meta_name, b"{}"))
            head, seq = meta.get("head", ""), meta.get("seq")
            if hashes.get(seq) != head:
                problems.append(f"{token_name}: stamps head {head[:16]}… which is not the hash of "
                                f"entry {seq} of the ledger (chain rewritten?)")
                continue
            if ca is None:
                problems.append(f"{token_name}: no CA to verify it (pass --ca-file)")
                continue
            data, token = Path(tmp, "head.txt"), Path(tmp, "token.tsr")
            data.write_text(head, encoding="ascii")
            token.write_bytes(files[token_name])
            run = subprocess.run(["openssl", "ts", "-verify", "-data", str(data), "-in",
                                  str(token), "-token_in", "-CAfile", str(ca)],
                                 capture_output=True, text=True, check=False)
            if run.returncode != 0 or "Verification: OK" not in run.stdout:
                problems.append(f"{token_name}: openssl ts -verify failed: "
                                f"{(run.stdout + run.stderr).strip()[:300]}")
            else:
                proofs.append(f"entry {seq} (head {head[:16]}…) existed at {meta.get('gen_time')}")
    return problems, proofs


def verify(bundle: Path, ca_file: Path | None = None, require_stamp: bool = False) -> list[str]:
    """Every problem found in the bundle (empty: it verifies)."""
    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    if "manifest.json" not in files or "ledger.json" not in files:
        return ["manifest.json or ledger.json is missing"]
    manifest = json.loads(files["manifest.json"])
    entries = json.loads(files["ledger.json"])
    problems = check_files(files, manifest) + check_chain(entries, manifest)
    stamp_problems, proofs = check_stamps(files, entries, ca_file)
    problems += stamp_problems
    if require_stamp and not proofs:
        problems.append("no timestamp token verifies the ledger")
    for proof in proofs:
        print(f"timestamp OK: {proof}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--ca-file", type=Path, help="the TSA's CA certificate(s), PEM")
    parser.add_argument("--require-timestamp", action="store_true",
                        help="fail unless at least one timestamp token verifies")
    args = parser.parse_args(argv)
    problems = verify(args.bundle, args.ca_file, args.require_timestamp)
    for problem in problems:
        print(f"FAILED: {problem}")
    print("bundle verifies: files, chain and timestamps hold" if not problems
          else f"bundle does NOT verify ({len(problems)} problem(s))")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
