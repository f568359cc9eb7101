"""`streamlit run` on a free loopback port and Debian's chromium, for the browser tests and the benchmarks (never
used by the app)."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless on a closed network: no background fetches (they would be refused, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(script: str, port: int, *extra: str) -> list[str]:
    """The command that serves `script` headless on 127.0.0.1:`port`, without usage statistics."""
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra,
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Return once the server answers its health check; RuntimeError if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"streamlit not healthy after {timeout} s")


def start_streamlit(script: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """Serve `script` (from its own folder) and wait until it answers; returns the process and its URL."""
    port = free_port()
    process = subprocess.Popen(
        streamlit_command(script.name, port, *extra),
        cwd=script.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
    except RuntimeError:
        stop(process)
        raise
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
