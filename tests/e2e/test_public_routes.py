"""deploy/Caddyfile in the Caddy release docker-compose.yml runs (`make caddy`): the paths people and
Twilio must reach go to the API, everything else answers 404 without reaching it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devstack import free_port, stop_process, wait_for_port
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
UPSTREAM = "reverse_proxy api:8000"


def _caddy() -> Path:
    for candidate in (Path(sys.executable).parent / "caddy", shutil.which("caddy")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    message = "caddy not found: `make caddy` installs the release docker-compose.yml runs"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message + "; CI never skips this")


def test_the_caddy_under_test_is_the_one_compose_runs():
    compose = (ROOT / "docker-compose.yml").read_text()
    version = subprocess.run([str(_caddy()), "version"], capture_output=True, text=True,
                             check=True).stdout.split()[0]
    assert f"image: caddy:{version.removeprefix('v')}\n" in compose


def test_the_production_caddyfile_is_valid_with_a_real_domain(tmp_path: Path):
    checked = subprocess.run(
        [str(_caddy()), "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        env={**os.environ, "CASEGUARD_DOMAIN": "caseguard.example.com",
             "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr


class _Api(BaseHTTPRequestHandler):
    """Stands in for the API: says which request reached it."""

    def _answer(self) -> None:
        body = f"api {self.command} {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Caddy on loopback with the production Caddyfile, plain HTTP, in front of a stand-in API."""
    tmp_path = tmp_path_factory.mktemp("caddy")
    api = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    port, admin = free_port(), free_port()
    text = CADDYFILE.read_text()
    assert text.count(UPSTREAM) == 1
    config = tmp_path / "Caddyfile"
    # Loopback only, and the stand-in API instead of the compose service name.
    config.write_text(f"{{\n\tdefault_bind 127.0.0.1\n\tadmin 127.0.0.1:{admin}\n}}\n\n"
                      + text.replace(UPSTREAM, f"reverse_proxy 127.0.0.1:{api.server_port}"))
    env = {**os.environ, "CASEGUARD_DOMAIN": f"http://127.0.0.1:{port}",
           "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    with (tmp_path / "caddy.log").open("wb") as log:
        caddy = subprocess.Popen([str(_caddy()), "run", "--adapter", "caddyfile",
                                  "--config", str(config)],
                                 env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port("127.0.0.1", port, timeout=20)
        time.sleep(0.2)  # the port opens as the config finishes loading
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(caddy)
        api.shutdown()


def _get(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/r/a-signed-token"), ("POST", "/r/a-signed-token"), ("GET", "/r/a-signed-token/o.gif"),
    ("POST", "/webhooks/twilio/status"), ("POST", "/webhooks/twilio/inbound"),
    ("GET", "/api/v1/cases?status=open"), ("POST", "/api/v1/onboardings"), ("GET", "/healthz"),
])
def test_what_must_be_public_reaches_the_api(proxy: str, method: str, path: str):
    assert _get(proxy + path, method) == (200, f"api {method} {path}")


@pytest.mark.parametrize("path", [
    "/", "/docs", "/redoc", "/openapi.json", "/api", "/rx", "/healthz/more", "/webhooks",
    "/r/../docs", "/api/../openapi.json", "/r/%2e%2e/docs",
])
def test_everything_else_is_404_and_never_reaches_the_api(proxy: str, path: str):
    status, body = _get(proxy + path)
    assert status == 404 and not body.startswith("api ")
