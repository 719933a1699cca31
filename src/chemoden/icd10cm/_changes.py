"""Dated ICD-10-CM code-set changes for dates of service between bundled releases.

``data/icd10cm/changes.csv`` lists the additions, deletions and header splits that
matter to chemodenervation claims, each with its effective date (blank when unknown),
its source and a confidence mark. The rules use it only where no bundled release
applies, so that a date in such a gap is still judged where the facts are known.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools

import attrs

from chemoden.reference.facts import Confidence, parse_date, read_csv_rows

__all__ = ["ChangeKind", "CodeChange", "changes_for", "code_changes"]


class ChangeKind(enum.Enum):
    """Kind of change to a code on its effective date."""

    ADDED = "added"
    BECAME_HEADER = "became-header"
    DELETED = "deleted"


@attrs.frozen
class CodeChange:
    """One change to one code: its kind, effective date, source and confidence."""

    code: str
    change: ChangeKind
    billable: bool
    effective: dt.date | None
    fiscal_year: int | None
    confidence: Confidence
    source: str
    note: str = ""


@functools.cache
def code_changes() -> dict[str, tuple[CodeChange, ...]]:
    """Return the bundled changes by dotted code, read once per process."""
    by_code: dict[str, list[CodeChange]] = {}
    for row in read_csv_rows("icd10cm/changes.csv"):
        change = CodeChange(
            code=row["code"],
            change=ChangeKind(row["change"]),
            billable=row["kind"] == "billable",
            effective=parse_date(row["effective"]),
            fiscal_year=int(row["fiscal_year"]) if row["fiscal_year"] else None,
            confidence=Confidence(row["confidence"]),
            source=row["source"],
            note=row["note"],
        )
        by_code.setdefault(change.code, []).append(change)
    return {code: tuple(changes) for code, changes in by_code.items()}


def changes_for(code: str) -> tuple[CodeChange, ...]:
    """Return the bundled changes to a dotted code, oldest first (none for most codes)."""
    return code_changes().get(code, ())
