"""Payer coverage policies (Medicare LCDs and their billing articles) as versioned data.

- `bundled_policies()` lists the policies that ship with chemoden, with their versions.
- `load_policy(path)` reads a policy from a TOML file in the same schema (docs/coverage.md).
- `policy_from_mcd(folder, article_id)` builds one from the CMS Medicare Coverage Database
  article download.

Pass loaded policies to ``chemoden.Validator(policies=[...])``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chemoden.coverage.bundled import bundled_policies
from chemoden.coverage.catalog import PolicyCatalog
from chemoden.coverage.model import (
    CoverageGroup,
    DiagnosisBasis,
    DiagnosisList,
    DiagnosisMapping,
    DoseLimit,
    PayerPolicy,
    PolicyVersion,
)
from chemoden.coverage.schema import PolicySchemaError, load_policy

if TYPE_CHECKING:
    from chemoden.coverage.mcd import policy_from_mcd

__all__ = [
    "CoverageGroup",
    "DiagnosisBasis",
    "DiagnosisList",
    "DiagnosisMapping",
    "DoseLimit",
    "PayerPolicy",
    "PolicyCatalog",
    "PolicySchemaError",
    "PolicyVersion",
    "bundled_policies",
    "load_policy",
    "policy_from_mcd",
]


def __getattr__(name: str) -> Any:
    # The MCD loader is imported on first use: validation never needs it.
    if name == "policy_from_mcd":
        from chemoden.coverage.mcd import policy_from_mcd

        return policy_from_mcd
    raise AttributeError(f"module 'chemoden.coverage' has no attribute {name!r}")
