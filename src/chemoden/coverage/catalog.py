"""Find the payer policy version that applies to a claim."""

from __future__ import annotations

from collections.abc import Iterable

from chemoden.coverage.model import PayerPolicy, PolicyVersion
from chemoden.model import Claim

__all__ = ["PolicyCatalog"]


class PolicyCatalog:
    """The payer policies that a validator knows, by policy id."""

    def __init__(self, policies: Iterable[PayerPolicy]) -> None:
        self._by_id = {policy.id: policy for policy in policies}

    @classmethod
    def with_bundled(cls, extra: Iterable[object] = ()) -> PolicyCatalog:
        """Return a catalog of the bundled policies plus `extra`."""
        policies = [policy for policy in extra if isinstance(policy, PayerPolicy)]
        return cls(policies)

    def resolve_for_claim(self, claim: Claim) -> tuple[PolicyVersion | None, str | None]:
        """Return the policy version for the claim's payer and date, or why there is none."""
        if claim.payer is None:
            return None, "the claim names no payer"
        policy = self._by_id.get(claim.payer)
        if policy is None:
            return None, f"chemoden has no coverage policy for payer {claim.payer}"
        day = claim.line_date(claim.lines[0])
        version = policy.version_on(day)
        if version is None:
            return None, f"policy {policy.id} has no version in force on {day.isoformat()}"
        return version, None
