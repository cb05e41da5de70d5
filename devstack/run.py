"""`make run`: the Temporal dev server (SQLite under var/), the worker and the API, stopped by Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from api.web.dev_logins import FILE, dev_logins
from devstack import stop_process, temporal_cli, wait_for_port
from settings import KeyHolder, Settings
from store.db import migrate

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    settings = Settings()
    host, _, port = settings.temporal_address.rpartition(":")
    api_port = int(os.environ.get("CASEGUARD_API_PORT", "8000"))
    ui_port = int(port) + 1000
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    keys = settings.resolved_api_keys()
    migrate(settings.db_url)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(subprocess.Popen([
            str(temporal_cli()), "server", "start-dev", "--ip", host, "--port", port,
            "--ui-port", str(ui_port), "--db-filename", str(settings.var_dir / "temporal.db"),
            "--namespace", settings.temporal_namespace, "--log-level", "warn",
            "--ui-disable-news-fetch",
            "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        ], start_new_session=True, umask=0o077))  # var/temporal.db holds histories: 0600
        wait_for_port(host, int(port))
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT,
                                      start_new_session=True))
        procs.append(subprocess.Popen([
            sys.executable, "-m", "uvicorn", "--factory", "api.main:app", "--host", "127.0.0.1",
            "--port", str(api_port), "--log-level", "warning"], cwd=ROOT, start_new_session=True))
        wait_for_port("127.0.0.1", api_port)
        _banner(settings, api_port, ui_port, keys)
        return _supervise(procs)
    finally:
        _stop(procs)


def _banner(settings: Settings, api_port: int, ui_port: int, keys: dict[str, KeyHolder]) -> None:
    print(f"\nCaseguard is running ({settings.env.value}, time scale {settings.time_scale:g})")
    print(f"  API docs     http://127.0.0.1:{api_port}/docs")
    print(f"  Temporal UI  http://127.0.0.1:{ui_port}")
    print(f"  codec        http://127.0.0.1:{api_port}/api/v1/codec  (payloads in Temporal are "
          f"encrypted, key {settings.payload_keyring()[0]!r})")
    print(f"  database     {settings.db_url}")
    if not settings.api_keys:
        print(f"  API keys (dev, from {settings.dev_keys_file}):")
        for key, holder in keys.items():
            print(f"    {holder.role:<11} {key}")
    if logins := dev_logins(settings):
        print(f"  HR workspace http://127.0.0.1:{api_port}/hr/  "
              f"(dev logins, from {settings.var_dir / FILE}):")
        for role, login in logins.items():
            print(f"    {role:<11} {login['email']}  {login['password']}")
    print("Ctrl-C stops all three.\n", flush=True)
    (settings.var_dir / "run.json").write_text(json.dumps({"api": f"http://127.0.0.1:{api_port}"}))


def _supervise(procs: list[subprocess.Popen[bytes]]) -> int:
    stop = {"now": False}

    def _on_signal(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    parent = os.getppid()
    while not stop["now"] and os.getppid() == parent:  # also stop when `make` itself is killed
        for proc in procs:
            if proc.poll() is not None:
                print(f"{_program(proc)} exited with {proc.returncode}; stopping", file=sys.stderr)
                return 1
        time.sleep(0.3)
    print("\nstopping API, worker and Temporal …", flush=True)
    return 0


def _program(proc: subprocess.Popen[bytes]) -> str:
    """The program a process runs (its first argument), for messages."""
    args = proc.args
    return os.fsdecode(args if isinstance(args, str | bytes | os.PathLike) else args[0])


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):
        stop_process(proc)


if __name__ == "__main__":
    sys.exit(main())
