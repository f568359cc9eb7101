"""`streamlit run` on a free loopback port, for the browser tests and the benchmarks (never used by the app)."""

import socket
import subprocess
import sys
import time
import urllib.request


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
