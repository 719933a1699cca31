"""Label facts per botulinum toxin product and indication: youngest age, largest dose.

Read on first use from ``chemoden/data/label_ages.csv`` (the youngest age in whole
years that the product's US label covers for an indication) and
``chemoden/data/label_doses.csv`` (the largest single-session dose in product units the
label gives for an indication), both keyed by drug code and chemodenervation procedure
code.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import attrs

from chemoden.reference.facts import Confidence, parse_date, read_csv_rows

__all__ = ["LabelAge", "LabelDose", "label_age_on", "label_ages", "label_dose_on", "label_doses"]


@attrs.frozen
class LabelAge:
    """The youngest labeled age for one product and indication."""

    hcpcs: str
    indication: str
    min_age_years: int
    confidence: Confidence
    source: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def in_effect(self, day: dt.date) -> bool:
        """Tell whether the row applies on a date of service."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )


@functools.cache
def label_ages() -> Mapping[tuple[str, str], tuple[LabelAge, ...]]:
    """Return the labeled minimum ages by (drug code, procedure code), every dated row."""
    ages: dict[tuple[str, str], tuple[LabelAge, ...]] = {}
    for row in read_csv_rows("label_ages.csv"):
        age = LabelAge(
            hcpcs=row["hcpcs"],
            indication=row["indication"],
            min_age_years=int(row["min_age_years"]),
            confidence=Confidence(row["confidence"]),
            source=row["source"],
            valid_from=parse_date(row["valid_from"]),
            valid_to=parse_date(row["valid_to"]),
        )
        for procedure in row["procedures"].split():
            ages[(age.hcpcs, procedure)] = (*ages.get((age.hcpcs, procedure), ()), age)
    return ages


def label_age_on(hcpcs: str, procedure: str, day: dt.date) -> LabelAge | None:
    """Return the labeled minimum age for a drug and procedure on a date, if any."""
    return next((age for age in label_ages().get((hcpcs, procedure), ()) if age.in_effect(day)), None)


@attrs.frozen
class LabelDose:
    """The largest single-session dose in product units for one product and indication."""

    hcpcs: str
    indication: str
    max_units: int
    confidence: Confidence
    source: str
    note: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def in_effect(self, day: dt.date) -> bool:
        """Tell whether the row applies on a date of service."""
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )


@functools.cache
def label_doses() -> Mapping[tuple[str, str], tuple[LabelDose, ...]]:
    """Return the labeled maximum doses by (drug code, procedure code), every dated row."""
    doses: dict[tuple[str, str], tuple[LabelDose, ...]] = {}
    for row in read_csv_rows("label_doses.csv"):
        dose = LabelDose(
            hcpcs=row["hcpcs"],
            indication=row["indication"],
            max_units=int(row["max_units"]),
            confidence=Confidence(row["confidence"]),
            source=row["source"],
            note=row.get("note", ""),
            valid_from=parse_date(row["valid_from"]),
            valid_to=parse_date(row["valid_to"]),
        )
        for procedure in row["procedures"].split():
            doses[(dose.hcpcs, procedure)] = (*doses.get((dose.hcpcs, procedure), ()), dose)
    return doses


def label_dose_on(hcpcs: str, procedure: str, day: dt.date) -> LabelDose | None:
    """Return the labeled maximum dose for a drug and procedure on a date, if any."""
    return next((dose for dose in label_doses().get((hcpcs, procedure), ()) if dose.in_effect(day)), None)
