"""Coverage rules: what the payer's policy covers on the date of service.

The claim's ``payer`` selects a policy version (`chemoden.coverage.catalog`), and these
rules check the claim against it. They check that the diagnosis supports the procedure,
the drug is covered for the indication and the dose in product units is within the
policy's limits. They check that the treatment does not repeat too soon, that a required
secondary diagnosis is present, and that the claim has no cosmetic use, no same-day
service that the policy calls not reasonable and necessary, and the hospital outpatient
prior authorization where needed. Each finding names the policy version and its billing
article.

Severity follows the data: an error where the policy fact is confirmed (or the
diagnosis mapping is unambiguous), a warning where chemoden derived it from the LCD text
or a secondary source, and info where chemoden holds too little to check. When the
sources do not confirm which version was in force, errors become warnings.

Without a payer only `dose-above-label-maximum` runs among the coverage rules, with the
US label limits of the coding tables, and `coverage-not-checked` says that coverage was
not checked.

This module holds the rules about the payer and its policy version. The checks against
the policy's content are split by concept: diagnoses and procedure codes in
`coverage_diagnoses`, drug codes and doses in `coverage_drugs`, and the interval,
same-day services, bilateral injection and prior authorization in `coverage_services`.
Their shared helpers are in `_coverage_common`.
"""

from __future__ import annotations

from collections.abc import Iterator

from chemoden.context import ClaimContext
from chemoden.coverage.analysis import claim_coverage
from chemoden.findings import Severity
from chemoden.registry import Family, Hit, rule
from chemoden.rules._coverage_common import _source


@rule(
    "coverage-not-checked",
    family=Family.COVERAGE,
    severity=Severity.INFO,
    source="chemoden",
    summary="The claim names no payer, so only the coding rules and label dose checks ran.",
    requires=("no-payer",),
)
def coverage_not_checked(context: ClaimContext) -> Iterator[Hit]:
    if context.claim.payer is None:
        yield Hit(
            "Coverage was not checked because the claim names no payer; only the coding "
            "rules and the label dose checks ran. Set payer to a policy id (such as L35170), "
            "a MAC contract number or a state code to check the payer's coverage policy."
        )


@rule(
    "payer-policy-not-found",
    family=Family.COVERAGE,
    severity=Severity.WARNING,
    source="chemoden",
    summary="chemoden has no coverage policy for the claim's payer on the date of service.",
    requires=("payer",),
)
def payer_policy_not_found(context: ClaimContext) -> Iterator[Hit]:
    if context.claim.payer is not None and context.policy is None:
        yield Hit(
            f"Coverage was not checked: {context.payer_problem}. Check the payer's policy "
            "by hand, or load it with --policy FILE.",
            codes=(context.claim.payer,),
        )


@rule(
    "policy-version-uncertain",
    family=Family.COVERAGE,
    severity=Severity.INFO,
    source="chemoden policy data",
    summary="The sources do not confirm which policy version was in force on the date of service.",
    requires=("policy", "policy-uncertain"),
)
def policy_version_uncertain(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is not None and coverage.uncertain:
        yield Hit(
            f"Coverage was checked under {coverage.version.citation()}, but {context.payer_problem}. "
            "Coverage findings are reported as warnings; confirm the policy in force with the "
            "contractor.",
            codes=(coverage.version.policy_id,),
            source=_source(coverage),
        )
