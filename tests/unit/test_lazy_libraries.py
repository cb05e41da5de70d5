"""A worker or an API process loads a channel's client library with the channel's first use, not
at start: Twilio's (with requests) and aiohttp are some 17 MB of every process that never sends
through them (issue 21, figure 4)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

from activities.notices.providers import load_apart

ROOT = Path(__file__).resolve().parents[2]
LOADED = """
import sys
sys.path.insert(0, sys.argv[1])
import {modules}
print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"aiohttp", "requests", "yarl"}}),
      sorted(name for name in sys.modules if name.startswith("twilio.")))
"""


def loaded(*modules: str) -> str:
    ran = subprocess.run([sys.executable, "-c", LOADED.format(modules=", ".join(modules)),
                          str(ROOT)], capture_output=True, text=True, timeout=120, check=True)
    return ran.stdout.strip()


def test_the_worker_and_the_api_start_without_the_channels_http_libraries():
    # The API checks Twilio's webhook signatures: that module alone, without Twilio's client.
    assert loaded("worker", "api.main") == "[] ['twilio.request_validator']"


def test_the_first_sms_loads_twilio_and_aiohttp():
    assert loaded("activities.notices.twilio_sms").startswith("['aiohttp', 'requests', 'yarl'] [")


def test_a_library_loads_off_the_event_loop(tmp_path: Path, monkeypatch):
    (tmp_path / "slow_client_library.py").write_text(
        "import threading\nIMPORTED_IN = threading.current_thread().name\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    async def first_send() -> str:
        await load_apart("slow_client_library")
        import slow_client_library

        return str(slow_client_library.IMPORTED_IN)

    assert asyncio.run(first_send()) != threading.current_thread().name
    monkeypatch.delitem(sys.modules, "slow_client_library")
