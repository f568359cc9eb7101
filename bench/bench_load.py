"""Load benchmark: N concurrent app sessions over Streamlit's own websocket protocol, no browser in the way.

One `streamlit run app.py` server on a free loopback port. First the largest N on the cold server (nothing imported
or read yet: a restart while visitors wait, or a shared link opened by many at once). Then for N = 1, 10, 50 (after
one warm-up session): N
sessions connect at once, each runs the Patient page with a different case in the query string; reported are
the p50 / p95 seconds from the rerun request to the script's `script_finished`, failures (a timeout, a lost
connection, a page exception), the server's resident memory per open session, and its memory once the sessions
have closed. Target: 50 sessions with p95 under 2 s and no failure (on this 2-core machine).

Run from the repository root:  .venv/bin/python bench/bench_load.py [--sessions 1 10 50]
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from core.engine.case_params import as_params  # noqa: E402
from core.engine.case_text import case_from_text, case_to_text  # noqa: E402
from tools.streamlit_client import run_page  # noqa: E402
from tools.streamlit_server import start_streamlit, stop
from tools.synthetic import synthetic_cases  # noqa: E402

SETTLE_SECONDS = 5.0  # after closing, before reading memory (the server drops disconnected sessions)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def queries(count: int, seed: int) -> list[str]:
    """Different valid cases as Patient-page query strings (the shareable-link form)."""
    frame = synthetic_cases(count, seed=seed).drop(columns=["case_id"]).astype(object)
    out = []
    for row in frame.to_dict("records"):
        values = {k: v for k, v in row.items() if v is not None and v is not pd.NA and v != ""}
        values["proposed"] = [p for p in str(values.get("proposed", "")).split(";") if p]
        out.append(urlencode(as_params(case_to_text(case_from_text(values))), doseq=True))
    return out


async def one_round(url: str, pid: int, sessions: int, seed: int) -> dict:
    before = rss_mb(pid)
    tasks = [run_page(url, "patient", q) for q in queries(sessions, seed)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    runs = [r for r in results if not isinstance(r, BaseException)]
    failures = len(results) - len(runs) + sum(r.exception for r in runs)
    open_rss = rss_mb(pid)
    for r in runs:
        await r.connection.close()
    await asyncio.sleep(SETTLE_SECONDS)
    times = sorted(r.seconds for r in runs)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] if times else float("nan")  # noqa: E731
    return {
        "sessions": sessions,
        "p50": statistics.median(times) if times else float("nan"),
        "p95": pick(0.95),
        "max": times[-1] if times else float("nan"),
        "failures": failures,
        "per_session_mb": (open_rss - before) / sessions,
        "open_mb": open_rss,
        "closed_mb": rss_mb(pid),
        "before_mb": before,
    }


async def bench(url: str, pid: int, counts: list[int]) -> list[dict]:
    cold = await one_round(url, pid, max(counts), seed=0)
    warm = await run_page(url, "patient", "red_flags=false")
    await warm.connection.close()
    return [{**cold, "sessions": f"{cold['sessions']} (cold server)"}] + [
        await one_round(url, pid, n, seed=n) for n in counts
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    server, url = start_streamlit(ROOT / "app.py")
    try:
        started = rss_mb(server.pid)
        rows = asyncio.run(bench(url, server.pid, args.sessions))
    finally:
        stop(server)
    print(f"server after start-up: {started:.0f} MB resident")
    print(
        "| sessions | p50 s | p95 s | max s | failures | MB per open session | MB with sessions open | "
        "MB after they close |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['sessions']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | {r['failures']} | "
            f"{r['per_session_mb']:.1f} | {r['open_mb']:.0f} | {r['closed_mb']:.0f} |"
        )
    print("target: 50 sessions with p95 < 2 s and no failure")


if __name__ == "__main__":
    started_at = time.time()
    main()
    print(f"({time.time() - started_at:.0f} s in all)")
