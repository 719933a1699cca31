"""Partition functions for validating line frames on Dask and Spark.

Each worker process builds one `Validator` on first use and keeps it in a module-level
cache, so the reference data is read once per worker process, not once per partition
or per claim. The functions take and return pandas DataFrames:

- Dask: ``lines.map_partitions(validate_partition, meta=finding_meta())``;
- Spark: ``lines.mapInPandas(validate_batches, schema=SPARK_FINDING_SCHEMA)``.

All rows of a claim must be in the same partition (for example, repartition by
`claim_id`), and a `line` column keeps the line order when the engine shuffles rows.
See docs/scale-out.md for the full recipes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

from chemoden.engine import Validator
from chemoden.output import FINDING_COLUMNS

__all__ = [
    "SPARK_FINDING_SCHEMA",
    "finding_meta",
    "validate_batches",
    "validate_partition",
    "worker_validator",
]

SPARK_FINDING_SCHEMA = ", ".join(
    f"{name} {'bigint' if name == 'line' else 'string'}" for name in FINDING_COLUMNS
)
"""Spark DDL schema of the findings that `validate_batches` returns."""


@functools.cache
def worker_validator() -> Validator:
    """Return this process's validator with the default rules, built on the first call."""
    return Validator()


def finding_meta() -> Any:
    """Return an empty pandas findings frame: the `meta` of a Dask `map_partitions` call."""
    from chemoden.frames import findings_frame

    return findings_frame([])


def validate_partition(frame: Any) -> Any:
    """Validate the claims of one pandas partition and return its findings frame."""
    from chemoden.frames import validate_frame

    return validate_frame(frame, validator=worker_validator())


def validate_batches(batches: Iterable[Any]) -> Iterator[Any]:
    """Validate a Spark partition given as pandas batches (`mapInPandas`), and yield its findings.

    Spark cuts a partition into Arrow batches of at most
    ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows (10,000 by default), which
    may split a claim. The batches of the partition are therefore joined before the
    claims are read, and memory use grows with the partition size.
    """
    import pandas as pd

    frames = [batch for batch in batches if len(batch)]
    if not frames:
        return
    partition = pd.concat(frames, ignore_index=True)
    yield validate_partition(partition)
