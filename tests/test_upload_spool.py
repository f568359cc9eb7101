"""Uploads stay off persistent disk: the web server spools an upload above 1 MB to a temporary file, so the app is
started (scripts/run-app.sh) with its temporary directory in memory (scripts/app-env.sh). This test starts the
server the same way, sends a 3 MB cohort upload over Streamlit's own upload route in two halves, and looks at the
server's open files in between: the spool file exists, and it is in /dev/shm, not on disk."""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools.streamlit_client import run_page
from tools.streamlit_server import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_BYTES = 3_000_000


def app_env() -> dict[str, str]:
    """The environment scripts/run-app.sh gives the server."""
    out = subprocess.run(
        ["bash", "-c", "source scripts/app-env.sh && env -0"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "TMPDIR"},
    )
    return dict(line.split("=", 1) for line in out.stdout.decode().split("\0") if "=" in line)


def open_files(pid: int) -> set[str]:
    names = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            names.add(os.readlink(fd))
        except OSError:
            continue
    return {n for n in names if n.startswith("/")}


def xsrf_cookie(url: str) -> str:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
        cookie = response.headers.get("Set-Cookie", "")
    return cookie.split(";", 1)[0].split("=", 1)[1]


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no memory-backed /dev/shm on this machine")
def test_a_large_upload_is_spooled_in_memory_never_on_disk():
    env = app_env()
    assert env["TMPDIR"].startswith("/dev/shm/")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        # In a thread of its own: a browser test in the same session may hold this thread's event loop.
        with ThreadPoolExecutor(1) as pool:
            session = pool.submit(lambda: asyncio.run(run_page(url, "cohort", ""))).result().session_id
        token = xsrf_cookie(url)
        body_start = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="cases.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nred_flags\r\n"
        )
        payload = b"true\r\n" * (UPLOAD_BYTES // 6)
        body_end = b"\r\n--b--\r\n"
        length = len(body_start) + len(payload) + len(body_end)
        before = open_files(server.pid)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(
                f"PUT /_stcore/upload_file/{session}/file-1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}\r\n"
                f"X-Xsrftoken: {token}\r\nCookie: _streamlit_xsrf={token}\r\n\r\n".encode()
            )
            conn.sendall(body_start + payload[: len(payload) * 2 // 3])
            spooled: set[str] = set()
            deadline = time.monotonic() + 20
            while not spooled and time.monotonic() < deadline:
                time.sleep(0.2)
                spooled = open_files(server.pid) - before
            conn.sendall(payload[len(payload) * 2 // 3 :] + body_end)
            status = conn.recv(200).split(b"\r\n", 1)[0]
        assert b" 204 " in status + b" ", status
        assert spooled, "the upload was never spooled to a file: nothing was checked"
        assert all(name.startswith(env["TMPDIR"] + "/") for name in spooled), spooled
        assert open_files(server.pid) - before <= spooled  # and closed again (no file left open)
        assert list(Path(env["TMPDIR"]).iterdir()) == []
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_server_listens_on_loopback_unless_exposed_on_purpose():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    script = (ROOT / "scripts" / "run-app.sh").read_text()
    assert "source scripts/app-env.sh" in script and "0.0.0.0" not in script.split("exec", 1)[1]
    assert "--server.address 0.0.0.0" in (ROOT / "README.md").read_text()
