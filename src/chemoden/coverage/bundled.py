"""The payer policies bundled with chemoden, one TOML file per policy and version.

The files live under ``chemoden/data/policies/``. Files that share a policy id
(``L35170`` v54 and v60) are merged into one `PayerPolicy` whose versions are ordered by
their start date. ``index.csv`` beside them lists each policy's files and the payer
values (contract numbers, states) that select it, so that validation parses only the
policy a claim names; `bundled_policy` reads one policy on first use and caches it.
``tools/build_policies.py`` writes the index with the files, and a test checks that the
two agree.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources

import attrs

from chemoden.coverage.model import PayerPolicy
from chemoden.coverage.schema import policy_from_text

__all__ = [
    "INDEX_COLUMNS",
    "IndexEntry",
    "bundled_index",
    "bundled_policies",
    "bundled_policy",
    "index_csv",
    "merge_policies",
]

INDEX_COLUMNS = ("policy_id", "files", "payer_keys", "successor")
"""Columns of ``index.csv``: `files` and `payer_keys` are space-separated lists."""


@attrs.frozen
class IndexEntry:
    """One bundled policy in the index: its files and the payer values that select it."""

    policy_id: str
    files: tuple[str, ...]
    payer_keys: tuple[str, ...]
    successor: str | None


def merge_policies(parts: list[PayerPolicy]) -> PayerPolicy:
    """Merge files of one policy id into one policy; the first file gives the header."""
    first = parts[0]
    versions = sorted(
        (version for part in parts for version in part.versions),
        key=lambda version: version.valid_from,
    )
    successor = next((part.successor for part in parts if part.successor), None)
    return PayerPolicy(
        id=first.id,
        title=versions[-1].title or first.title,
        versions=versions,
        jurisdiction=first.jurisdiction,
        payer=first.payer,
        successor=successor,
        origin=", ".join(part.origin for part in parts),
    )


def _policy_folder() -> resources.abc.Traversable:
    return resources.files("chemoden").joinpath("data", "policies")


@functools.cache
def bundled_index() -> tuple[IndexEntry, ...]:
    """Return the index of the bundled policies, sorted by policy id."""
    text = _policy_folder().joinpath("index.csv").read_text(encoding="utf-8")
    entries = []
    for row in csv.DictReader(io.StringIO(text)):
        entries.append(
            IndexEntry(
                policy_id=row["policy_id"],
                files=tuple(row["files"].split()),
                payer_keys=tuple(row["payer_keys"].split()),
                successor=row["successor"] or None,
            )
        )
    return tuple(sorted(entries, key=lambda entry: entry.policy_id))


@functools.cache
def bundled_policy(policy_id: str) -> PayerPolicy | None:
    """Return one bundled policy with every version, read on first use; None if unknown."""
    entry = next((entry for entry in bundled_index() if entry.policy_id == policy_id), None)
    if entry is None:
        return None
    folder = _policy_folder()
    parts = [
        policy_from_text(folder.joinpath(name).read_text(encoding="utf-8"), f"chemoden/data/policies/{name}")
        for name in entry.files
    ]
    return merge_policies(parts)


def bundled_policies() -> tuple[PayerPolicy, ...]:
    """Return the bundled payer policies, sorted by id, with every version.

    Each version has its effective dates, its sources and its billing article; see
    docs/policies/ for what each one confirms and what it derives.
    """
    found = (bundled_policy(entry.policy_id) for entry in bundled_index())
    return tuple(policy for policy in found if policy is not None)


def index_csv(policies: Iterable[PayerPolicy], files: Mapping[str, Sequence[str]]) -> str:
    """Return the text of ``index.csv`` for merged policies and their file names by id."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INDEX_COLUMNS)
    for policy in sorted(policies, key=lambda item: item.id):
        keys: list[str] = []
        if policy.jurisdiction is not None:
            keys.extend(policy.jurisdiction.contract_numbers)
            keys.extend(policy.jurisdiction.states)
        writer.writerow(
            [policy.id, " ".join(sorted(files[policy.id])), " ".join(keys), policy.successor or ""]
        )
    return buffer.getvalue()
