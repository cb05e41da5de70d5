"""A real RFC 3161 time-stamping authority on loopback: `openssl ts -reply` behind an HTTP handler,
signing with a TSA certificate of a CA made for the test. A request that breaks the RFC is
refused by openssl, so the tests fail if ours does."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ v3_tsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
"""


@dataclass(frozen=True)
class Tsa:
    url: str
    ca_file: Path
    requests: list[bytes]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(root: Path) -> None:
    """A test CA and a TSA certificate it issues (extendedKeyUsage timeStamping, critical)."""
    (root / "tsa.cnf").write_text(CONFIG.format(dir=root))
    (root / "serial").write_text("01\n")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.pem", "-days", "30", "-subj", "/CN=Caseguard Test TSA Root", "-config",
             "tsa.cnf", "-extensions", "v3_ca", cwd=root)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", "/CN=Caseguard Test TSA", cwd=root)
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.pem", "-days", "30", "-extfile", "tsa.cnf",
             "-extensions", "v3_tsa", cwd=root)


@contextmanager
def running_tsa() -> Iterator[Tsa]:
    """Serve RFC 3161 over HTTP on 127.0.0.1 until the block ends."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_ca(root)
        requests: list[bytes] = []
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    requests.append(body)
                    (root / "req.tsq").write_bytes(body)
                    run = subprocess.run(
                        ["openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", "req.tsq",
                         "-out", "resp.tsr"], cwd=root, capture_output=True, check=False)
                    answer = (root / "resp.tsr").read_bytes() if run.returncode == 0 else b""
                    (root / "resp.tsr").unlink(missing_ok=True)
                if self.headers.get("Content-Type") != "application/timestamp-query" or not answer:
                    self.send_response(400)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Tsa(f"http://127.0.0.1:{server.server_address[1]}/tsa", root / "ca.pem",
                      requests)
        finally:
            server.shutdown()
            server.server_close()
