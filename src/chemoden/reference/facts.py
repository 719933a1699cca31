"""Dated, sourced facts read from the bundled CSV files.

Every bundled value is a fact: a value in effect from one date to another, with the
source it came from and a confidence mark. The marks are ``confirmed`` (a primary
source: CMS, a Medicare contractor, the product label, or CPT as quoted), ``secondary``
(a third-party summary), ``unconfirmed`` (inferred or not found) and ``conflict``
(sources disagree). Rules built on a fact that is not confirmed report a warning, not an
error.

The CSV files start with ``#`` comment lines that name their sources; blank
``valid_from`` or ``valid_to`` cells mean that the range is open on that side.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from collections.abc import Iterator
from importlib import resources

import attrs

__all__ = ["Confidence", "Fact", "data_text", "parse_date", "read_csv_rows"]


class Confidence(enum.Enum):
    """Confidence mark of a bundled value: how well a source supports it."""

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"
    CONFLICT = "conflict"

    @property
    def is_confirmed(self) -> bool:
        """True when a primary source confirms the value."""
        return self is Confidence.CONFIRMED


@attrs.frozen
class Fact:
    """A value in effect from `valid_from` to `valid_to`, both inclusive."""

    value: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    confidence: Confidence
    source: str
    note: str = ""

    def in_effect(self, day: dt.date) -> bool:
        """Tell whether the fact holds on `day`."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


def parse_date(text: str) -> dt.date | None:
    """Parse an ISO date cell; an empty cell gives None (an open range)."""
    text = text.strip()
    return dt.date.fromisoformat(text) if text else None


def data_text(name: str) -> str:
    """Return the text of a bundled data file under `chemoden/data`."""
    return resources.files("chemoden").joinpath("data", name).read_text(encoding="utf-8")


def read_csv_rows(name: str) -> Iterator[dict[str, str]]:
    """Yield the rows of a bundled CSV file as dicts, skipping ``#`` comment lines."""
    text = data_text(name)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    for row in reader:
        yield {key: (value or "").strip() for key, value in row.items()}
