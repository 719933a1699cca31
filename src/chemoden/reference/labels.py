"""Youngest labeled patient age per botulinum toxin product and indication.

Read from ``chemoden/data/label_ages.csv`` on first use: for a drug code and a
chemodenervation procedure code, the indication and the youngest age in whole years
that the product's US label covers for it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import attrs

from chemoden.reference.facts import Confidence, read_csv_rows

__all__ = ["LabelAge", "label_ages"]


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
