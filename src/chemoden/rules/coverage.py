"""Coverage rules: what the payer's policy covers on the date of service.

This module reports when coverage could not be checked: the claim names no payer, or
chemoden has no policy for it on that date.
"""

from __future__ import annotations

from collections.abc import Iterator

from chemoden.context import ClaimContext
from chemoden.findings import Severity
from chemoden.registry import Family, Hit, rule


@rule(
    "coverage-not-checked",
    family=Family.COVERAGE,
    severity=Severity.INFO,
    source="chemoden",
    summary="The claim names no payer, so only the coding rules and label dose checks ran.",
)
def coverage_not_checked(context: ClaimContext) -> Iterator[Hit]:
    if context.claim.payer is None:
        yield Hit(
            "Coverage was not checked because the claim names no payer; only the coding "
            "rules ran. Set payer to a policy id (such as L35170), a MAC contract number "
            "or a state code to check the payer's coverage policy."
        )


@rule(
    "payer-policy-not-found",
    family=Family.COVERAGE,
    severity=Severity.WARNING,
    source="chemoden",
    summary="chemoden has no coverage policy for the claim's payer on the date of service.",
)
def payer_policy_not_found(context: ClaimContext) -> Iterator[Hit]:
    if context.claim.payer is not None and context.policy is None:
        yield Hit(
            f"Coverage was not checked: {context.payer_problem}. Check the payer's policy "
            "by hand, or load it with --policy FILE.",
            codes=(context.claim.payer,),
        )
