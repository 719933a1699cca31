"""The payer policies bundled with chemoden, one TOML file per policy and version.

The files live under ``chemoden/data/policies/`` and are read on the first call of
`bundled_policies`, then cached. Files that share a policy id (``L35170`` v54 and v60)
are merged into one `PayerPolicy` whose versions are ordered by their start date.
"""

from __future__ import annotations

import functools
from importlib import resources

from chemoden.coverage.model import PayerPolicy
from chemoden.coverage.schema import policy_from_text

__all__ = ["bundled_policies", "merge_policies"]


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


@functools.cache
def bundled_policies() -> tuple[PayerPolicy, ...]:
    """Return the bundled payer policies, sorted by id, with every version.

    Each version has its effective dates, its sources and its billing article; see
    docs/policies/ for what each one confirms and what it derives.
    """
    folder = resources.files("chemoden").joinpath("data", "policies")
    by_id: dict[str, list[PayerPolicy]] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        policy = policy_from_text(entry.read_text(encoding="utf-8"), f"chemoden/data/policies/{entry.name}")
        by_id.setdefault(policy.id, []).append(policy)
    return tuple(merge_policies(parts) for _, parts in sorted(by_id.items()))
