"""`make prod-check`: the production topology as processes on this machine, driven through the API.

What runs: this machine's PostgreSQL (a new database, dropped at the end), an S3-compatible server
(moto in server mode, standing in for MinIO), a Temporal server with its SQLite file (standing in
for the cluster), the API and two workers, each in its own empty working directory, with
CASEGUARD_ENV=prod: a real secret, API keys and payload key, shared object storage, every gateway
manual.
Like PostgreSQL, the object store is a service the deployment does not restart.

It prints one line per step and exits non-zero on the first failure.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import httpx
import psycopg
from temporalio.client import Client, WorkflowHistory

from devstack import (
    forget_workflow,
    free_port,
    start_object_storage,
    stop_process,
    temporal_cli,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_ADMIN = os.environ.get("CASEGUARD_PROD_CHECK_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
VALID_ID = "11010519491231002X"  # GB 11643 check digit valid; the README's example
RECEIPT = b"%PDF-1.4\n% the SI bureau's acceptance receipt (prod-check)\n%%EOF\n"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"prod-check accident photo".ljust(64, b"\x00")
KEYS = {"hr": secrets.token_urlsafe(24), "hr_manager": secrets.token_urlsafe(24),
        "admin": secrets.token_urlsafe(24)}  # the first admin: the API starts only with one


class CheckFailed(Exception):
    pass


@dataclass
class Topology:
    """The processes of the production shape and what they share."""

    root: Path
    database: str
    s3_endpoint: str
    bucket: str
    temporal_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}"

    def env(self, workdir: Path) -> dict[str, str]:
        holders = {KEYS["hr"]: {"name": "hr-li", "role": "hr"},
                   KEYS["hr_manager"]: {"name": "mgr-wang", "role": "hr_manager"},
                   KEYS["admin"]: {"name": "root", "role": "admin"}}
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("CASEGUARD_")},
            "PYTHONPATH": str(ROOT),
            "CASEGUARD_ENV": "prod",
            "CASEGUARD_VAR_DIR": str(workdir / "var"),
            "CASEGUARD_DATABASE_URL": self.database_url,
            "CASEGUARD_TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
            "CASEGUARD_API_KEYS": json.dumps(holders),
            "CASEGUARD_SECRET_KEY": SECRET,
            "CASEGUARD_PAYLOAD_KEYS": json.dumps({"prodcheck-1": PAYLOAD_KEY}),
            "CASEGUARD_PUBLIC_BASE_URL": self.api,
            "CASEGUARD_DOCUMENT_STORE": "s3",
            "CASEGUARD_S3_ENDPOINT_URL": self.s3_endpoint,
            "CASEGUARD_S3_BUCKET": self.bucket,
            "CASEGUARD_S3_ACCESS_KEY": "prod-check",
            "CASEGUARD_S3_SECRET_KEY": "prod-check",
            "CASEGUARD_ENROLLMENT_HOLD_MINUTES": "0.05",  # 3 s of maker-checker hold
        }

    def start_temporal(self) -> None:
        folder = self.root / "temporal"
        folder.mkdir(exist_ok=True)
        self._spawn("temporal", [
            str(temporal_cli()), "server", "start-dev", "--ip", "127.0.0.1",
            "--port", str(self.temporal_port), "--headless",
            "--db-filename", str(folder / "temporal.db"), "--log-level", "error"], folder)
        wait_for_port("127.0.0.1", self.temporal_port)

    def start_api(self) -> None:
        workdir = self._workdir("api")
        self._spawn("api", [sys.executable, "-m", "uvicorn", "--factory", "api.main:app",
                            "--host", "127.0.0.1", "--port", str(self.api_port),
                            "--log-level", "warning"], workdir)
        wait_for_port("127.0.0.1", self.api_port, timeout=90)

    def start_worker(self, name: str) -> None:
        self._spawn(name, [sys.executable, str(ROOT / "worker.py")], self._workdir(name))

    def stop(self, name: str, kill: bool = False) -> None:
        proc = self.procs.pop(name)
        if kill:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        else:
            stop_process(proc)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)

    def _workdir(self, name: str) -> Path:
        workdir = self.root / name
        workdir.mkdir(exist_ok=True)
        return workdir

    def _spawn(self, name: str, args: list[str], workdir: Path) -> None:
        log = (self.root / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(args, cwd=workdir, env=self.env(workdir), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)


SECRET = secrets.token_urlsafe(48)
PAYLOAD_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


def main() -> int:
    started = time.monotonic()
    with scratch_services() as topology:
        try:
            Scenario(topology).run()
        except CheckFailed as failure:
            print(f"FAIL {failure}", flush=True)
            print(f"     logs: {topology.root}/*.log", flush=True)
            return 1
    print(f"prod-check passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


@contextmanager
def scratch_services() -> Iterator[Topology]:
    """A new database and bucket, and a folder for the processes; removed afterwards (the folder
    is kept when the check fails, for its logs)."""
    database = f"caseguard_prodcheck_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    s3_port = free_port()
    root = Path(tempfile.mkdtemp(prefix="caseguard-prod-check-"))
    storage = start_object_storage(s3_port, log=root / "object-storage.log")
    topology = Topology(root=root, database=database, s3_endpoint=f"http://127.0.0.1:{s3_port}",
                        bucket="caseguard-documents")
    _s3(topology).create_bucket(Bucket=topology.bucket)
    try:
        yield topology
    finally:
        topology.stop_all()
        stop_process(storage)
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _s3(topology: Topology) -> Any:
    return boto3.client("s3", endpoint_url=topology.s3_endpoint, region_name="us-east-1",
                        aws_access_key_id="prod-check", aws_secret_access_key="prod-check")


class Scenario:
    def __init__(self, topology: Topology) -> None:
        self.t = topology
        self.http = httpx.Client(base_url=topology.api, timeout=30)
        self.hr = {"Authorization": f"Bearer {KEYS['hr']}"}
        self.manager = {"Authorization": f"Bearer {KEYS['hr_manager']}"}
        self.onboarding = "/api/v1/onboardings/onboarding-PC1"
        self.case = ""

    def run(self) -> None:
        for name, step in [
            ("start PostgreSQL database, object storage, Temporal, API, two workers", self.start),
            ("the API is healthy: database, Temporal, font, shared document store", self.healthy),
            ("the worker health check passes", self.worker_healthy),
            ("register a hire; submit and approve (maker-checker)", self.register_and_approve),
            ("Temporal holds the hire sealed: no ID number in its history", self.sealed),
            ("the manual SI-bureau task opens for HR (no simulator in prod)", self.bureau_task),
            ("HR records the bureau's reference with a receipt; enrolled", self.record_outcome),
            ("open a case; a worker writes its form; download it through the API", self.form),
            ("upload a document through the API; the bundle contains it", self.upload),
            ("kill one worker mid-scenario: the other carries on", self.kill_a_worker),
            ("stop everything, start it again: all state is there", self.restart),
            ("close the case, delete its workflow from Temporal, read it back", self.forget),
        ]:
            began = time.monotonic()
            try:
                step()
            except CheckFailed:
                raise
            except Exception as error:  # noqa: BLE001 - any error fails the step, named
                raise CheckFailed(f"{name}: {type(error).__name__}: {error}") from error
            print(f"ok   {name} ({time.monotonic() - began:.1f} s)", flush=True)

    # ---- steps -----------------------------------------------------------------------------

    def start(self) -> None:
        self.t.start_temporal()
        self.t.start_api()  # first: it applies the migrations before the workers start
        self.t.start_worker("worker-1")
        self.t.start_worker("worker-2")

    def healthy(self) -> None:
        body = self._until(lambda: self._ok(self.http.get("/healthz")), "healthz answers 200")
        down = [name for name, check in body["checks"].items() if not check["ok"]]
        _expect(not down, f"checks down: {down}")
        _expect(body["checks"]["documents"]["store"].startswith("s3://"),
                f"document store is {body['checks']['documents']}")

    def worker_healthy(self) -> None:
        env = self.t.env(self.t.root / "worker-1")
        def polls() -> bool:
            return subprocess.run([sys.executable, str(ROOT / "worker.py"), "--check"], env=env,
                                  cwd=self.t.root / "worker-1", capture_output=True).returncode == 0
        self._until(polls, "worker.py --check passes", timeout=60)

    def register_and_approve(self) -> None:
        today = datetime.now(SHANGHAI).date().isoformat()
        self._ok(self.http.post("/api/v1/onboardings", headers=self.hr, json={
            "employee": _employee("PC1"), "hire_date": today, "region": "beijing",
            "contribution_base": "8000"}), 201)
        self._ok(self.http.post(f"{self.onboarding}/enrollment", headers=self.hr,
                                json={"type": "new", "contribution_base": "8000"}))
        self._ok(self.http.post(f"{self.onboarding}/enrollment/approve", headers=self.manager,
                                json={}))

    def sealed(self) -> None:
        history = asyncio.run(_raw_history(f"127.0.0.1:{self.t.temporal_port}", "onboarding-PC1"))
        started = history.events[0].workflow_execution_started_event_attributes
        _expect(started.input.payloads[0].metadata.get("encoding") == b"binary/encrypted",
                f"the start input is stored as {started.input.payloads[0].metadata}")
        _expect(VALID_ID.encode() not in b"".join(e.SerializeToString() for e in history.events),
                "the ID number is in Temporal's history in clear")

    def bureau_task(self) -> None:
        def opened() -> dict[str, Any] | None:
            body = self._ok(self.http.get(self.onboarding, headers=self.hr))
            return body if any(e["kind"] == "bureau_task_opened" for e in body["events"]) else None
        body = self._until(opened, "bureau_task_opened", timeout=60)
        _expect(body["status"] == "enrollment_executing", f"status {body['status']}")

    def record_outcome(self) -> None:
        receipt = self._ok(self.http.post(
            f"{self.onboarding}/documents", headers=self.hr, data={"kind": "bureau_receipt"},
            files={"file": ("回执.pdf", RECEIPT, "application/pdf")}), 201)
        answer = self._ok(self.http.post(
            f"{self.onboarding}/enrollment/bureau-outcome", headers=self.hr,
            json={"outcome": "accepted", "reference": "BJ2026-PC-0001",
                  "receipt_document": receipt["id"]}))
        _expect(answer["status"] == "enrolled", f"status {answer['status']}")
        body = self._ok(self.http.get(self.onboarding, headers=self.hr))
        _expect("SIM-" not in json.dumps(body), "a simulated reference in production")
        executed = [e for e in body["events"] if e["kind"] == "enrollment_executed"]
        _expect(bool(executed) and "hr-li" in str(executed[0].get("source", "")),
                f"enrollment_executed names no source: {executed}")

    def form(self) -> None:
        accident = (datetime.now(SHANGHAI) - timedelta(hours=2)).isoformat()
        case = self._ok(self.http.post("/api/v1/cases", headers=self.hr, json={
            "employee": _employee("PC2"), "accident_at": accident, "location": "二号车间冲压机旁",
            "description": "操作冲压机时右手拇指被夹伤", "injury": "右手拇指肌腱断裂",
            "witnesses": [{"name": "李四", "phone": "13600136000"}], "si_enrolled": True,
            "region": "beijing"}), 201)
        self.case = f"/api/v1/cases/{case['id']}"

        def generated() -> dict[str, Any] | None:
            listed = self._ok(self.http.get(f"{self.case}/documents", headers=self.hr))
            forms = [d for d in listed["items"] if d["kind"] == "determination_form"]
            return forms[0] if forms else None
        form = self._until(generated, "the determination form", timeout=90)
        content = self.http.get(f"/api/v1/documents/{form['id']}", headers=self.hr)
        _expect(content.status_code == 200 and content.content.startswith(b"%PDF"),
                f"form download {content.status_code}")
        _expect(hashlib.sha256(content.content).hexdigest() == form["sha256"], "form hash")

    def upload(self) -> None:
        photo = self._ok(self.http.post(
            f"{self.case}/documents", headers=self.hr, data={"kind": "accident_report"},
            files={"file": ("现场.png", PHOTO, "image/png")}), 201)
        bundle = self.http.get(f"{self.case}/bundle", headers=self.hr)
        _expect(bundle.status_code == 200, f"bundle {bundle.status_code}: {bundle.text[:200]}")
        with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
            hashes = {hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()}
        _expect(photo["sha256"] in hashes, "the uploaded document is not in the bundle")

    def kill_a_worker(self) -> None:
        self.t.stop("worker-1", kill=True)
        view = self._ok(self.http.get(self.case, headers=self.hr))
        materials = view["missing_materials"][:1]
        answer = self._ok(self.http.post(f"{self.case}/actions/file_materials", headers=self.hr,
                                         json={"materials": materials}))
        _expect(answer["stage"] == "materials_filed", f"stage {answer['stage']}")

    def restart(self) -> None:
        before = [self._ok(self.http.get(url, headers=self.hr))
                  for url in (self.onboarding, self.case)]
        self.t.stop_all()
        self.t.start_temporal()
        self.t.start_api()
        self.t.start_worker("worker-1")
        self.t.start_worker("worker-2")
        self._until(lambda: self._ok(self.http.get("/healthz")), "healthz after restart")
        after = [self._ok(self.http.get(url, headers=self.hr))
                 for url in (self.onboarding, self.case)]
        for old, new in zip(before, after, strict=True):
            _expect(_settled(old) == _settled(new), f"state changed across the restart: {new['id']}")

    def forget(self) -> None:
        self._ok(self.http.post(f"{self.case}/actions/withdraw", headers=self.hr,
                                json={"reason": "prod-check: the employee chose otherwise"}))
        case_id = self.case.rsplit("/", 1)[1]

        def closed() -> bool:
            with psycopg.connect(self.t.database_url.replace("+psycopg", "")) as db:
                row = db.execute("SELECT 1 FROM closed_records WHERE subject_id = %s",
                                 (case_id,)).fetchone()
            return row is not None
        self._until(closed, "the closed case's final state in the database", timeout=60)
        before = self._ok(self.http.get(self.case, headers=self.hr))
        asyncio.run(_delete_workflow(f"127.0.0.1:{self.t.temporal_port}", case_id))
        after = self._ok(self.http.get(self.case, headers=self.hr))
        _expect(after == before and after["stage"] == "withdrawn", "the closed case changed")
        bundle = self.http.get(f"{self.case}/bundle", headers=self.hr)
        _expect(bundle.status_code == 200 and bundle.content[:2] == b"PK",
                f"bundle after Temporal forgot the case: {bundle.status_code}")

    # ---- helpers ---------------------------------------------------------------------------

    def _ok(self, response: httpx.Response, status: int = 200) -> Any:
        if response.status_code != status:
            raise CheckFailed(f"{response.request.method} {response.request.url.path}: "
                              f"{response.status_code} {response.text[:300]}")
        return response.json()

    def _until(self, probe: Callable[[], Any], what: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                found = probe()
                if found:
                    return found
            except (CheckFailed, httpx.HTTPError) as error:
                last = error
            time.sleep(0.3)
        raise CheckFailed(f"no {what} after {timeout:.0f} s" + (f" (last: {last})" if last else ""))


def _employee(employee_id: str) -> dict[str, Any]:
    return {"employee_id": employee_id, "name": "张三", "id_number": VALID_ID,
            "phone": "13800138000", "email": "zhangsan@example.com", "department": "生产部",
            "manager": {"name": "李经理", "phone": "13900139000", "email": "li@example.com"}}


def _settled(view: dict[str, Any]) -> dict[str, Any]:
    """A view without what moves with the clock alone (its `now` and the derived statuses)."""
    return {k: v for k, v in view.items() if k not in ("now", "deadlines", "tasks", "overdue")}


async def _raw_history(address: str, workflow_id: str) -> WorkflowHistory:
    """A workflow's history as Temporal stores it: a client without the payload codec."""
    client = await Client.connect(address)
    return await client.get_workflow_handle(workflow_id).fetch_history()


async def _delete_workflow(address: str, workflow_id: str) -> None:
    await forget_workflow(await Client.connect(address), workflow_id)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


if __name__ == "__main__":
    sys.exit(main())
