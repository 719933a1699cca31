"""Benchmark the bundled ICD-10-CM releases: load time, memory and lookup time.

Each release is measured in a fresh Python process, so that its load is cold:

- load: wall time of the first access to ``Release.table`` (read the bundled file,
  split it, build the index), the median of 5 fresh processes;
- memory: bytes that tracemalloc reports as allocated by that load and still held, in a
  separate fresh process (tracemalloc slows the load, so it is not timed there);
- lookup: median time per call over 200,000 calls on a mix of billable codes, headers,
  7-character codes and unknown codes, for ``Release.lookup(code)``,
  ``chemoden.icd10cm.lookup(code, date)`` and the table's ``kind(code)``, and for
  ``Release.lookup`` of one dotted billable code (the common case on a claim).

Run: ``python benchmarks/bench_icd10cm.py`` (prints a Markdown table).
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys

RELEASE_DATES = {"FY2026-04": "2026-05-12", "FY2025-04": "2025-05-12", "FY2021-01": "2021-05-12"}
CODES = ["G43.709", "G43.7", "G51.31", "S00.00XA", "T36.0X1D", "G43.79", "g43709", "Z99.89"]
RUNS = 5
CALLS = 200_000

_LOAD = """
import datetime as dt, json, time
from chemoden import icd10cm
release = icd10cm.release_for(dt.date.fromisoformat({day!r}))
start = time.perf_counter()
release.table
print(json.dumps(time.perf_counter() - start))
"""

_MEMORY = """
import datetime as dt, json, tracemalloc
from chemoden import icd10cm
release = icd10cm.release_for(dt.date.fromisoformat({day!r}))
tracemalloc.start()
release.table
current, _ = tracemalloc.get_traced_memory()
print(json.dumps(current))
"""

_LOOKUP = """
import datetime as dt, json, timeit
from chemoden import icd10cm
day = dt.date.fromisoformat({day!r})
release = icd10cm.release_for(day)
table = release.table
codes = {codes!r}
calls = {calls}
rounds = calls // len(codes)
def per_call(statement, namespace):
    times = timeit.repeat(statement, globals=namespace, number=rounds, repeat=5)
    return min(times) / (rounds * len(codes))
namespace = dict(codes=codes, release=release, table=table, icd10cm=icd10cm, day=day)
print(json.dumps({{
    "release.lookup": per_call("for c in codes: release.lookup(c)", namespace),
    "icd10cm.lookup": per_call("for c in codes: icd10cm.lookup(c, day)", namespace),
    "table.kind": per_call("for c in codes: table.kind(c)", namespace),
    "dotted billable": per_call("for c in codes: release.lookup(c)", dict(namespace, codes=["G43.709"] * 8)),
}}))
"""


def _run(script: str) -> object:
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def measure(release_id: str, day: str) -> dict[str, float]:
    """Return load seconds, memory bytes and per-call lookup seconds for one release."""
    loads = [float(_run(_LOAD.format(day=day))) for _ in range(RUNS)]  # type: ignore[arg-type]
    memory = float(_run(_MEMORY.format(day=day)))  # type: ignore[arg-type]
    lookups = _run(_LOOKUP.format(day=day, codes=CODES, calls=CALLS))
    assert isinstance(lookups, dict)
    return {"load": statistics.median(loads), "memory": memory, **{k: float(v) for k, v in lookups.items()}}


def main() -> None:
    """Measure every bundled release and print a Markdown table."""
    processor = platform.processor() or "unknown processor"
    print(f"Python {platform.python_version()} on {platform.machine()}, {processor}")
    print()
    print(
        "| release | load (ms) | memory (MB) | Release.lookup, mix (µs) | icd10cm.lookup, mix (µs) "
        "| table.kind, mix (µs) | Release.lookup, G43.709 (µs) |"
    )
    print("|---|---|---|---|---|---|---|")
    for release_id, day in RELEASE_DATES.items():
        result = measure(release_id, day)
        print(
            f"| {release_id} | {result['load'] * 1000:.1f} | {result['memory'] / 1e6:.1f} "
            f"| {result['release.lookup'] * 1e6:.2f} | {result['icd10cm.lookup'] * 1e6:.2f} "
            f"| {result['table.kind'] * 1e6:.2f} | {result['dotted billable'] * 1e6:.2f} |"
        )


if __name__ == "__main__":
    main()
