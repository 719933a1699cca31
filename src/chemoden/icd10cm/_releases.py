"""ICD-10-CM releases and their choice by date of service.

CMS and NCHS publish one ICD-10-CM release per fiscal year, in effect from October 1
(the fiscal year is named after the calendar year in which it ends). An update within
the year (January 1 or April 1) replaces it from its own first day to September 30. A
release never applies in another fiscal year.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import functools
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import attrs

from chemoden.icd10cm._table import CodeKind, CodeTable, parse_order_file
from chemoden.model import is_well_formed_icd10cm, normalize_icd10cm
from chemoden.reference.facts import data_text

__all__ = [
    "CodeLookup",
    "CodeStatus",
    "Release",
    "ReleaseCatalog",
    "ReleaseNotBundled",
    "ReleaseSelection",
    "SelectionStatus",
    "bundled_catalog",
    "fiscal_year_of",
    "load_release",
]

_SELECTION_CACHE_SIZE = 4096
MEMO_SIZE = 65_536


def fiscal_year_of(day: dt.date) -> int:
    """Return the federal fiscal year of a date: FY2026 runs 2025-10-01 to 2026-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


class CodeStatus(enum.Enum):
    """Status of a code in the release for a date of service."""

    BILLABLE = "billable"
    HEADER = "header"
    """A valid category or subcategory that needs more characters to be billed."""
    UNKNOWN = "unknown"
    """Not a code of the release."""
    NOT_CHECKED = "not checked"
    """No bundled or loaded release applies on the date."""


class CodeLookup(NamedTuple):
    """Result of `lookup`: a code's status in the release in effect on a date.

    `release` is None only when the status is ``NOT_CHECKED``. `description` is the
    CMS long title, or an empty string for an unknown or unchecked code.
    """

    code: str
    status: CodeStatus
    description: str
    release: Release | None

    @property
    def valid(self) -> bool:
        """True when the code exists in the release, billable or header."""
        return self.status is CodeStatus.BILLABLE or self.status is CodeStatus.HEADER

    @property
    def billable(self) -> bool:
        """True when the code can be billed as it is."""
        return self.status is CodeStatus.BILLABLE


class Release:
    """One ICD-10-CM release: its name, dates, source and code table.

    The code table of a bundled release is read on first use and kept; a release
    loaded with `load_release` holds its table from the start. Treat the attributes as
    read-only.
    """

    __slots__ = ("_file", "_table", "fiscal_year", "id", "name", "source", "valid_from", "valid_to")

    def __init__(
        self,
        *,
        id: str,
        name: str,
        valid_from: dt.date,
        valid_to: dt.date,
        source: str,
        file: str | None = None,
        table: CodeTable | None = None,
    ) -> None:
        if (file is None) == (table is None):
            raise ValueError("a release needs either a bundled file name or a code table")
        if valid_to < valid_from:
            raise ValueError(f"release {id}: valid_to {valid_to} is before valid_from {valid_from}")
        self.id = id
        self.name = name
        self.fiscal_year = fiscal_year_of(valid_from)
        if fiscal_year_of(valid_to) != self.fiscal_year:
            raise ValueError(
                f"release {id}: {valid_from} and {valid_to} fall in different fiscal years; "
                "a release applies within one fiscal year (October 1 to September 30)"
            )
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.source = source
        self._file = file
        self._table = table

    def __repr__(self) -> str:
        return f"Release({self.id!r}, {self.name!r}, {self.valid_from} to {self.valid_to})"

    @property
    def table(self) -> CodeTable:
        """The release's code table, read from the bundled file on first use."""
        table = self._table
        if table is None:
            assert self._file is not None  # one of the two is set at construction
            table = CodeTable.from_text(data_text(f"icd10cm/{self._file}"))
            self._table = table
        return table

    def covers(self, day: dt.date) -> bool:
        """Tell whether the release is in effect on a date."""
        return self.valid_from <= day <= self.valid_to

    def lookup(self, code: str) -> CodeLookup:
        """Return a code's status and title in this release; accepts codes without the dot."""
        table = self._table
        if table is None:
            table = self.table
        entry = table.find(code)
        if entry is None:
            normalized = normalize_icd10cm(code)
            if normalized != code:
                code = normalized
                entry = table.find(code)
        if entry is None:
            return CodeLookup(code, CodeStatus.UNKNOWN, "", self)
        status = CodeStatus.BILLABLE if entry[0] is CodeKind.BILLABLE else CodeStatus.HEADER
        return CodeLookup(code, status, entry[1], self)

    def children(self, code: str) -> tuple[str, ...]:
        """Return the billable codes under a header, in tabular order; none for other codes."""
        return self.table.billable_descendants(normalize_icd10cm(code))


class SelectionStatus(enum.Enum):
    """Outcome of the choice of release for a date of service."""

    IN_EFFECT = "in effect"
    AFTER_NEWEST = "after newest"
    """The date is past the newest release, which is used in its place."""
    NOT_BUNDLED = "not bundled"
    """No release applies: the date's fiscal year or part of it is missing."""


@attrs.frozen
class ReleaseSelection:
    """The release chosen for a date of service, and how it was chosen."""

    date: dt.date
    status: SelectionStatus
    release: Release | None
    fiscal_year: int


class ReleaseNotBundled(LookupError):
    """No ICD-10-CM release applies on a date of service.

    `date` is the date and `fiscal_year` its fiscal year. Load the release in effect on
    that date with `load_release` to check it.
    """

    def __init__(self, date: dt.date, fiscal_year: int) -> None:
        self.date = date
        self.fiscal_year = fiscal_year
        super().__init__(
            f"no ICD-10-CM release for {date.isoformat()} (FY{fiscal_year}) is bundled or loaded; "
            "load it with chemoden.icd10cm.load_release"
        )


class ReleaseCatalog:
    """A set of releases to choose from by date of service, newest first."""

    __slots__ = ("_selections", "memo", "releases")

    def __init__(self, releases: Iterable[Release]) -> None:
        ordered = sorted(releases, key=lambda release: (release.valid_from, release.id), reverse=True)
        if not ordered:
            raise ValueError("a release catalog needs at least one release")
        self.releases: tuple[Release, ...] = tuple(ordered)
        self._selections: dict[dt.date, ReleaseSelection] = {}
        self.memo: dict[object, object] = {}
        """Cache for callers' results that depend only on this catalog, such as a code's
        judgement on a date; emptied when it reaches `MEMO_SIZE` entries."""

    @property
    def newest(self) -> Release:
        """The release that starts last."""
        return self.releases[0]

    def with_release(self, release: Release) -> ReleaseCatalog:
        """Return a catalog with one more release; one with the same id is replaced."""
        return ReleaseCatalog([*(known for known in self.releases if known.id != release.id), release])

    def select(self, day: dt.date) -> ReleaseSelection:
        """Choose the release for a date of service.

        The release in effect is the one of the date's fiscal year that started last
        on or before the date. A date past the newest release gets the newest, with
        status ``AFTER_NEWEST``; any other date without a release gets ``NOT_BUNDLED``.
        """
        selection = self._selections.get(day)
        if selection is not None:
            return selection
        selection = self._select(day)
        if len(self._selections) >= _SELECTION_CACHE_SIZE:
            self._selections.clear()
        self._selections[day] = selection
        return selection

    def _select(self, day: dt.date) -> ReleaseSelection:
        fiscal_year = fiscal_year_of(day)
        for release in self.releases:
            if release.fiscal_year == fiscal_year and release.covers(day):
                return ReleaseSelection(day, SelectionStatus.IN_EFFECT, release, fiscal_year)
        newest_end = max(release.valid_to for release in self.releases)
        if day > newest_end:
            return ReleaseSelection(day, SelectionStatus.AFTER_NEWEST, self.newest, fiscal_year)
        return ReleaseSelection(day, SelectionStatus.NOT_BUNDLED, None, fiscal_year)

    def neighbours(self, day: dt.date) -> tuple[Release, Release] | None:
        """Return the release that ends last before `day` and the one that starts first after it.

        None when the date has no release on one side, so that nothing brackets it.
        """
        before = max((r for r in self.releases if r.valid_to < day), key=lambda r: r.valid_to, default=None)
        after = min(
            (r for r in self.releases if r.valid_from > day), key=lambda r: r.valid_from, default=None
        )
        if before is None or after is None:
            return None
        return before, after

    def release_for(self, day: dt.date, *, strict: bool = False) -> Release:
        """Return the release for a date of service, or raise `ReleaseNotBundled`.

        A date past the newest release gets the newest one, unless `strict` is set.
        """
        selection = self.select(day)
        if selection.release is None or (strict and selection.status is not SelectionStatus.IN_EFFECT):
            raise ReleaseNotBundled(day, selection.fiscal_year)
        return selection.release

    def lookup(self, code: str, day: dt.date) -> CodeLookup:
        """Return a code's status in the release for a date; never raises for a date."""
        selection = self._selections.get(day) or self.select(day)
        release = selection.release
        if release is None:
            return CodeLookup(normalize_icd10cm(code), CodeStatus.NOT_CHECKED, "", None)
        return release.lookup(code)

    def children(self, code: str, day: dt.date) -> tuple[str, ...]:
        """Return the billable codes under a header on a date; raises `ReleaseNotBundled` in a gap."""
        return self.release_for(day).children(code)

    def releases_with(self, code: str) -> Iterator[tuple[Release, CodeLookup]]:
        """Yield each release that has a code, with the code's status there, newest first.

        This reads every release's table that it reaches, so the rules call it only
        for codes that the release in effect does not have.
        """
        for release in self.releases:
            found = release.lookup(code)
            if found.valid:
                yield release, found


def _bundled_releases() -> list[Release]:
    text = data_text("icd10cm/releases.csv")
    releases = []
    for row in csv.DictReader(io.StringIO(text)):
        releases.append(
            Release(
                id=row["id"],
                name=row["name"],
                valid_from=dt.date.fromisoformat(row["valid_from"]),
                valid_to=dt.date.fromisoformat(row["valid_to"]),
                source=row["source"],
                file=row["file"],
            )
        )
    return releases


@functools.cache
def bundled_catalog() -> ReleaseCatalog:
    """Return the catalog of the releases bundled with chemoden; tables load on first use."""
    return ReleaseCatalog(_bundled_releases())


def load_release(
    path: str | Path,
    *,
    valid_from: dt.date,
    name: str | None = None,
    valid_to: dt.date | None = None,
    release_id: str | None = None,
) -> Release:
    """Read a CMS ICD-10-CM code file into a `Release` that applies from `valid_from`.

    `path` is one of the files that CMS publishes with each release: the order file
    (``icd10cm_order_2027.txt``: order number, code, ``0``/``1`` billable flag, short
    and long titles) or the code file (``icd10cm_codes_2027.txt``: billable codes and
    their long titles only). From a code file the headers are derived: every shorter
    code that a billable code extends, without titles. The order file gives the
    titles of headers too, so prefer it.

    `valid_to` defaults to September 30 of the fiscal year of `valid_from`. Raises
    ValueError naming the file and the line when the file is of neither format, and
    OSError when it cannot be read.
    """
    file_path = Path(path)
    text = file_path.read_text(encoding="latin-1")
    try:
        rows = list(_rows_of_code_file(text))
    except ValueError as error:
        raise ValueError(f"{file_path}: {error}") from None
    if not rows:
        raise ValueError(
            f"{file_path}: the file contains no ICD-10-CM codes; expected a CMS order file or code file"
        )
    if valid_to is None:
        valid_to = dt.date(fiscal_year_of(valid_from), 9, 30)
    fiscal_year = fiscal_year_of(valid_from)
    return Release(
        id=release_id or f"FY{fiscal_year}-{valid_from.month:02d}-loaded",
        name=name or f"FY{fiscal_year} ICD-10-CM from {file_path.name}",
        valid_from=valid_from,
        valid_to=valid_to,
        source=f"loaded from {file_path}",
        table=CodeTable.from_rows(rows),
    )


def _is_order_file(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first[:5].isdigit() and first[14:15] in ("0", "1")


def _rows_of_code_file(text: str) -> Iterator[tuple[str, CodeKind, str]]:
    if _is_order_file(text):
        yield from parse_order_file(text)
        return

    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, _, title = line.partition(" ")
        if "." in code or code != code.upper() or not is_well_formed_icd10cm(normalize_icd10cm(code)):
            raise ValueError(
                f"line {number} is neither a CMS order file line nor a code file line "
                f"(code, spaces, long title): {raw[:80]!r}"
            )
        dotted = normalize_icd10cm(code)
        for length in range(3, len(dotted)):
            prefix = dotted[:length].rstrip(".")
            if prefix in seen or prefix.endswith("X") or len(prefix) < 3:
                continue
            seen.add(prefix)
            yield prefix, CodeKind.HEADER, ""
        seen.add(dotted)
        yield dotted, CodeKind.BILLABLE, title.strip()
