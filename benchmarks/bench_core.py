"""Measure chemoden's speed and memory against the targets in docs/benchmarks.md.

Run ``python benchmarks/bench_core.py`` for a report on stdout, or add ``--write`` to
replace the results section of docs/benchmarks.md. Every timing runs in fresh
subprocesses or over many repetitions and reports the median, so one slow run does
not decide a number. No test asserts on these numbers.

Measured:

- import time of ``chemoden`` against ``attrs`` (both minus the bare interpreter start);
- the first ``validate()`` in a fresh process, data loading included;
- the median time per sample claim, and for the typical claim (one procedure, two drug
  lines, one diagnosis);
- batch throughput on one core and on two processes;
- resident memory with every data file loaded, and the peak while loading.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import chemoden

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "samples" / "claims.json"
PAGE = ROOT / "docs" / "benchmarks.md"
MARK = "<!-- results: written by benchmarks/bench_core.py -->"
TYPICAL = "S-01"


def _child_environment() -> dict[str, str]:
    """Return the environment for fresh processes, with bytecode caching on.

    An installed package runs from compiled bytecode (pip compiles it on install), so
    the measures must not pay for compiling the sources in every process, as they would
    with PYTHONDONTWRITEBYTECODE set.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _python_seconds(code: str, runs: int) -> float:
    """Return the median wall time of ``python -c code`` over `runs` fresh processes."""
    subprocess.run([sys.executable, "-c", code], check=True, env=_child_environment())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=_child_environment())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_import(runs: int) -> dict[str, float]:
    base = _python_seconds("pass", runs)
    attrs_time = _python_seconds("import attrs", runs) - base
    chemoden_time = _python_seconds("import chemoden", runs) - base
    return {
        "attrs_ms": attrs_time * 1000,
        "chemoden_ms": chemoden_time * 1000,
        "ratio": chemoden_time / attrs_time if attrs_time > 0 else float("nan"),
    }


_FIRST_VALIDATE = """
import json, time, resource
import chemoden
claims = json.load(open({path!r}))
claim = chemoden.claim_from_dict(claims[0])
start = time.perf_counter()
chemoden.validate(claim)
first = time.perf_counter() - start
print(json.dumps({{"first_ms": first * 1000}}))
"""


def measure_first_validate(runs: int) -> dict[str, float]:
    """Return the median and the best first-call time in ms over fresh processes."""
    values = []
    script = _FIRST_VALIDATE.format(path=str(SAMPLES))
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, env=_child_environment())
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", script],
            check=True,
            capture_output=True,
            text=True,
            env=_child_environment(),
        )
        values.append(json.loads(result.stdout)["first_ms"])
    return {"median": float(statistics.median(values)), "best": min(values)}


_PEAK_MEMORY = """
import json, resource, datetime as dt
import chemoden
claims = [chemoden.claim_from_dict(c) for c in json.load(open({path!r}))]
for claim in claims:
    chemoden.validate(claim)
from chemoden import icd10cm
from chemoden.coverage import bundled_policies
for release in icd10cm.releases():
    release.lookup("G43.709")
bundled_policies()
import gc, os
gc.collect()
with open("/proc/self/statm") as statm:
    resident_pages = int(statm.read().split()[1])
print(json.dumps({{
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "resident_mb": resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20,
}}))
"""


def measure_memory() -> dict[str, float]:
    """Return the resident and the peak memory, in MB, with every data file loaded."""
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY.format(path=str(SAMPLES))],
        check=True,
        capture_output=True,
        text=True,
    )
    values = json.loads(result.stdout)
    return {"peak_mb": float(values["peak_mb"]), "resident_mb": float(values["resident_mb"])}


def _load_samples() -> list[chemoden.Claim]:
    return [chemoden.claim_from_dict(data) for data in json.loads(SAMPLES.read_text())]


def measure_per_claim(repeats: int) -> dict[str, tuple[float, float]]:
    """Return the median and best microseconds of one validate() call per sample claim."""
    validator = chemoden.Validator()
    result = {}
    for claim in _load_samples():
        validator.validate(claim)
        samples = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(repeats):
                validator.validate(claim)
            samples.append((time.perf_counter() - start) / repeats)
        result[claim.id or "?"] = (statistics.median(samples) * 1e6, min(samples) * 1e6)
    return result


def _validate_chunk(claims_json: str) -> int:
    claims = [chemoden.claim_from_dict(data) for data in json.loads(claims_json)]
    validator = chemoden.Validator()
    return sum(1 for claim in claims if validator.validate(claim).ok)


def measure_batch(count: int) -> dict[str, float]:
    """Return claims per second for `count` claims on one core and on two processes."""
    raw = json.loads(SAMPLES.read_text())
    batch = [{**raw[index % len(raw)], "id": f"B-{index}"} for index in range(count)]
    claims = [chemoden.claim_from_dict(data) for data in batch]
    validator = chemoden.Validator()

    start = time.perf_counter()
    validator.validate_many(claims)
    one_core = count / (time.perf_counter() - start)

    half = count // 2
    chunks = [json.dumps(batch[:half]), json.dumps(batch[half:])]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_validate_chunk, chunks))
    two_processes = count / (time.perf_counter() - start)
    return {"one_core": one_core, "two_processes_with_parsing": two_processes}


def _machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def render(results: dict[str, object]) -> str:
    imports = results["import"]
    per_claim = results["per_claim_us"]
    batch = results["batch"]
    memory = results["memory"]
    assert isinstance(memory, dict)
    assert isinstance(imports, dict)
    assert isinstance(per_claim, dict)
    assert isinstance(batch, dict)
    typical, typical_best = per_claim[TYPICAL]
    median_all = statistics.median(value[0] for value in per_claim.values())
    first = results["first_validate_ms"]
    assert isinstance(first, dict)
    lines = [
        MARK,
        "",
        f"Machine: {results['machine']}. Script: `python benchmarks/bench_core.py --write`.",
        "",
        "| measure | target | result |",
        "|---|---|---|",
        f"| `import chemoden` against `import attrs` | at most 1.5x | "
        f"{imports['chemoden_ms']:.1f} ms against {imports['attrs_ms']:.1f} ms ({imports['ratio']:.2f}x) |",
        f"| first `validate()` in a fresh process, data loading included | under 100 ms | "
        f"{first['median']:.1f} ms median, {first['best']:.1f} ms best |",
        f"| typical claim ({TYPICAL}: one procedure, two drug lines, one diagnosis) | "
        f"under 20 us | {typical:.1f} us median, {typical_best:.1f} us best |",
        f"| median over the {len(per_claim)} sample claims | - | {median_all:.1f} us |",
        f"| batch of {results['batch_size']:,} claims, one core | - | {batch['one_core']:,.0f} claims/s |",
        f"| same batch, two processes, JSON parsing included | - | "
        f"{batch['two_processes_with_parsing']:,.0f} claims/s |",
        f"| resident memory, every data file loaded | under 60 MB | {memory['resident_mb']:.1f} MB |",
        f"| peak resident memory while loading | - | {memory['peak_mb']:.1f} MB |",
        "",
        "Per sample claim (microseconds per `validate()` call, median and best of seven samples):",
        "",
        "| claim | median us | best us |",
        "|---|---|---|",
        *(f"| {claim_id} | {value[0]:.1f} | {value[1]:.1f} |" for claim_id, value in per_claim.items()),
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per startup measure")
    parser.add_argument("--repeats", type=int, default=2000, help="validate() calls per timing sample")
    parser.add_argument("--batch", type=int, default=20000, help="claims in the batch measure")
    arguments = parser.parse_args(argv)

    results: dict[str, object] = {
        "machine": _machine(),
        "import": measure_import(arguments.runs),
        "first_validate_ms": measure_first_validate(arguments.runs),
        "per_claim_us": measure_per_claim(arguments.repeats),
        "batch_size": arguments.batch,
        "batch": measure_batch(arguments.batch),
        "memory": measure_memory(),
    }
    text = render(results)
    print(text)
    if arguments.write:
        page = PAGE.read_text(encoding="utf-8")
        head = page.split(MARK)[0]
        PAGE.write_text(head + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
