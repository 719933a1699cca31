"""Tests of the scale-out recipes: Dask on a local cluster and Spark in local mode."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import chemoden

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from chemoden import frames, scale  # noqa: E402  (after the optional imports are known to exist)

SAMPLE_JSON = Path(__file__).parent / "fixtures" / "samples" / "claims.json"
COPIES = 20


def many_claims() -> list[chemoden.Claim]:
    """Return the sample claims repeated under new ids: a few hundred lines."""
    claims = [claim for claim in chemoden.iter_claims(SAMPLE_JSON) if isinstance(claim, chemoden.Claim)]
    return [
        attrs.evolve(claim, id=f"{claim.id}-{copy}", prior_services=())
        for copy in range(COPIES)
        for claim in claims
    ]


def line_frame_with_bad_row() -> Any:
    frame = frames.lines_frame(many_claims())
    frame["units"] = frame["units"].astype(object)
    frame.loc[frame.index[-1], "units"] = "two"
    return frame


def sorted_rows(findings: Any) -> list[tuple[Any, ...]]:
    columns = list(findings.columns)
    rows = [
        tuple(None if pd.isna(value) else value for value in row)
        for row in findings[columns].astype(object).itertuples(index=False)
    ]
    return sorted(rows, key=repr)


def test_validate_batches_joins_split_claims() -> None:
    frame = line_frame_with_bad_row()
    expected = frames.validate_frame(frame)
    batches = [frame.iloc[start : start + 7] for start in range(0, len(frame), 7)]

    results = list(scale.validate_batches(iter(batches)))

    assert len(results) == 1
    assert sorted_rows(results[0]) == sorted_rows(expected)


def test_validate_batches_empty_partition() -> None:
    assert list(scale.validate_batches(iter([]))) == []


def test_dask_local_cluster() -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")

    frame = line_frame_with_bad_row()
    expected = frames.validate_frame(frame)
    # Four partitions on claim boundaries, so no claim is split.
    claim_ids = frame["claim_id"].unique()
    frame = frame.set_index(pd.Index(range(len(frame))))
    boundaries = [int(frame.index[frame["claim_id"] == claim_ids[i]][0]) for i in (0, 30, 60, 90)]
    lines = dd.from_pandas(frame, npartitions=1).repartition(divisions=[*boundaries, len(frame) - 1])

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        findings = lines.map_partitions(scale.validate_partition, meta=scale.finding_meta())
        result = findings.compute()
        builds = client.run(lambda: scale.worker_validator.cache_info().misses)

    assert lines.npartitions == 4
    assert sorted_rows(result) == sorted_rows(expected)
    assert "invalid-claim-input" in set(result["rule"])
    assert len(builds) == 2
    assert all(count <= 1 for count in builds.values())
    assert sum(builds.values()) >= 1


def java_problem() -> str | None:
    """Return why Java cannot run Spark here, or None when `java -version` works."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "java is not installed"
    try:
        subprocess.run(["java", "-version"], capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"java -version failed: {error}"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    problem = java_problem()
    if problem is not None:
        pytest.skip(f"Spark needs Java: {problem}")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # keep the driver on the loopback interface
    session = (
        SparkSession.builder.master("local[2]")
        .appName("chemoden-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50")
        .getOrCreate()
    )
    yield session
    session.stop()


# pyspark 4.x warns that its pandas 3 support is incomplete; mapInPandas with these
# column types gives the same findings, which the test checks.
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_map_in_pandas(spark: Any) -> None:
    frame = line_frame_with_bad_row()
    expected = frames.validate_frame(frame)
    frame["date_of_service"] = frame["date_of_service"].dt.date
    frame["patient_birth_date"] = None
    frame["units"] = frame["units"].astype(str)

    lines = spark.createDataFrame(frame.astype(object).where(frame.notna(), None))
    findings = lines.repartition(2, "claim_id").mapInPandas(
        scale.validate_batches, schema=scale.SPARK_FINDING_SCHEMA
    )
    rows = findings.collect()

    assert findings.columns == list(expected.columns)

    # Row labels in input-error messages are positions within the Spark partition.
    def without_row_labels(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            re.sub(r"row \d+ ", "row N ", value) if isinstance(value, str) else value for value in row
        )

    got = sorted((without_row_labels(tuple(row)) for row in rows), key=repr)
    assert got == sorted((without_row_labels(row) for row in sorted_rows(expected)), key=repr)
