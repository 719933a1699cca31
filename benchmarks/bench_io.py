"""Measure 837P parse throughput and DataFrame validation on a Dask local cluster.

Run from the repository root with the dask extra installed:

    python benchmarks/bench_io.py                      # defaults: 20,000 claims, 1,000,000 lines
    python benchmarks/bench_io.py --claims 2000 --lines 100000

The input is synthetic: the JSON sample claims (tests/fixtures/samples/claims.json)
and the 837P sample (tests/fixtures/x12/claims.837), repeated under new claim ids.
Results go to docs/benchmarks-io.md by hand, with the machine they ran on.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

import attrs

import chemoden
from chemoden.x12 import parse_837p

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_837 = ROOT / "tests" / "fixtures" / "x12" / "claims.837"
SAMPLE_JSON = ROOT / "tests" / "fixtures" / "samples" / "claims.json"


def synthetic_837(claim_count: int) -> bytes:
    """Return an 837P interchange with `claim_count` claims, cycling the sample's claims."""
    text = SAMPLE_837.read_text(encoding="ascii")
    segments = [segment.strip() for segment in text.split("~") if segment.strip()]
    start = next(i for i, segment in enumerate(segments) if segment.startswith("HL*2*"))
    end = next(i for i, segment in enumerate(segments) if segment.startswith("SE*"))
    header, body = segments[3:start], segments[start:end]

    blocks: list[list[str]] = []
    for segment in body:
        if segment.startswith("HL*"):
            blocks.append([])
        blocks[-1].append(segment)

    out = [*segments[:3], *header]
    for number in range(claim_count):
        block = blocks[number % len(blocks)]
        for segment in block:
            if segment.startswith("HL*"):
                segment = f"HL*{number + 2}*1*22*0"
            elif segment.startswith("CLM*"):
                segment = re.sub(r"^CLM\*([^*]+)", f"CLM*\\1-{number}", segment)
            out.append(segment)
    transaction_segments = len(out) - 2 + 1
    out += [f"SE*{transaction_segments}*0001", "GE*1*101", "IEA*1*000000101"]
    return ("~\n".join(out) + "~\n").encode("ascii")


def bench_parse(claim_count: int, repeats: int) -> dict[str, float]:
    raw = synthetic_837(claim_count)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        claims = list(parse_837p(raw, file="bench.837"))
        best = min(best, time.perf_counter() - started)
    assert len(claims) == claim_count
    assert all(isinstance(claim, chemoden.Claim) for claim in claims)
    return {
        "claims": claim_count,
        "megabytes": len(raw) / 1e6,
        "seconds": best,
        "claims_per_second": claim_count / best,
    }


def line_frame(line_count: int) -> Any:
    """Return a pandas line frame of at least `line_count` lines, index = claim number."""
    from chemoden.frames import lines_frame

    samples = [
        attrs.evolve(claim, prior_services=())
        for claim in chemoden.iter_claims(SAMPLE_JSON)
        if isinstance(claim, chemoden.Claim)
    ]
    lines_per_round = sum(len(claim.lines) for claim in samples)
    rounds = -(-line_count // lines_per_round)
    claims = [attrs.evolve(claim, id=f"{claim.id}-{copy}") for copy in range(rounds) for claim in samples]
    frame = lines_frame(claims)
    claim_numbers = frame["claim_id"].ne(frame["claim_id"].shift()).cumsum()
    return frame.set_index(claim_numbers.rename("claim_number"))


def bench_dask(line_count: int, partitions: int) -> dict[str, float]:
    from chemoden import scale

    # Typed as Any: dask and distributed ship partial annotations.
    dd: Any = importlib.import_module("dask.dataframe")
    distributed: Any = importlib.import_module("distributed")

    frame = line_frame(line_count)
    # A sorted index keeps each claim number inside one partition.
    lines = dd.from_pandas(frame, npartitions=partitions, sort=True)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lines = client.persist(lines)
        distributed.wait(lines)
        started = time.perf_counter()
        findings = lines.map_partitions(scale.validate_partition, meta=scale.finding_meta())
        finding_count = len(findings.compute())
        seconds = time.perf_counter() - started
    claim_count = frame["claim_id"].nunique()
    return {
        "lines": len(frame),
        "claims": claim_count,
        "findings": finding_count,
        "seconds": seconds,
        "lines_per_second": len(frame) / seconds,
        "claims_per_second": claim_count / seconds,
    }


def bench_one_process(line_count: int) -> dict[str, float]:
    from chemoden.frames import validate_frame

    frame = line_frame(line_count)
    validate_frame(frame.head(100))  # load the reference data before timing
    started = time.perf_counter()
    validate_frame(frame)
    seconds = time.perf_counter() - started
    return {"lines": len(frame), "seconds": seconds, "lines_per_second": len(frame) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000, help="claims in the 837P file")
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines in the DataFrame")
    parser.add_argument("--partitions", type=int, default=16, help="Dask partitions")
    parser.add_argument("--repeats", type=int, default=3, help="parse runs; the best is kept")
    arguments = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"chemoden {chemoden.__version__}")
    parse = bench_parse(arguments.claims, arguments.repeats)
    print(
        f"837P parse: {parse['claims']:.0f} claims ({parse['megabytes']:.1f} MB) in "
        f"{parse['seconds']:.2f} s = {parse['claims_per_second']:,.0f} claims/s (best of "
        f"{arguments.repeats})"
    )
    single = bench_one_process(min(arguments.lines, 100_000))
    print(
        f"one process: {single['lines']:.0f} lines in {single['seconds']:.2f} s = "
        f"{single['lines_per_second']:,.0f} lines/s"
    )
    dask = bench_dask(arguments.lines, arguments.partitions)
    print(
        f"Dask, 2 worker processes: {dask['lines']:.0f} lines ({dask['claims']:.0f} claims, "
        f"{dask['findings']:.0f} findings) in {dask['seconds']:.1f} s = "
        f"{dask['lines_per_second']:,.0f} lines/s, {dask['claims_per_second']:,.0f} claims/s"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
