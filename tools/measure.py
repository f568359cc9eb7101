"""Time and peak memory of one child process, for the benchmarks that run a command on a large file."""

import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path


def measured(argv: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of `argv` run to its end. The peak is the child's own maximum
    resident set (os.wait4), so what the caller holds (generated data, say) does not count."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=cwd, env=dict(env) if env else None, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        assert child.stderr is not None
        raise SystemExit(f"{argv[1:3]} failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024
