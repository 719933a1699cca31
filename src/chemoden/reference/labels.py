"""Label facts per botulinum toxin product and indication: youngest age, largest dose.

Read on first use from ``chemoden/data/label_ages.csv`` (the youngest age in whole
years that the product's US label covers for an indication) and
``chemoden/data/label_doses.csv`` (the largest single-session dose in product units the
label gives for an indication), both keyed by drug code and chemodenervation procedure
code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import attrs

from chemoden.reference.facts import Confidence, read_csv_rows

__all__ = ["LabelAge", "LabelDose", "label_ages", "label_doses"]


@attrs.frozen
class LabelAge:
    """The youngest labeled age for one product and indication."""

    hcpcs: str
    indication: str
    min_age_years: int
    confidence: Confidence
    source: str


@functools.cache
def label_ages() -> Mapping[tuple[str, str], LabelAge]:
    """Return the labeled minimum ages by (drug code, procedure code)."""
    ages: dict[tuple[str, str], LabelAge] = {}
    for row in read_csv_rows("label_ages.csv"):
        age = LabelAge(
            hcpcs=row["hcpcs"],
            indication=row["indication"],
            min_age_years=int(row["min_age_years"]),
            confidence=Confidence(row["confidence"]),
            source=row["source"],
        )
        for procedure in row["procedures"].split():
            ages[(age.hcpcs, procedure)] = age
    return ages


@attrs.frozen
class LabelDose:
    """The largest single-session dose in product units for one product and indication."""

    hcpcs: str
    indication: str
    max_units: int
    confidence: Confidence
    source: str
    note: str


@functools.cache
def label_doses() -> Mapping[tuple[str, str], LabelDose]:
    """Return the labeled maximum doses by (drug code, procedure code)."""
    doses: dict[tuple[str, str], LabelDose] = {}
    for row in read_csv_rows("label_doses.csv"):
        dose = LabelDose(
            hcpcs=row["hcpcs"],
            indication=row["indication"],
            max_units=int(row["max_units"]),
            confidence=Confidence(row["confidence"]),
            source=row["source"],
            note=row.get("note", ""),
        )
        for procedure in row["procedures"].split():
            doses[(dose.hcpcs, procedure)] = dose
    return doses
