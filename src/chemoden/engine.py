"""`validate()` and `Validator`: run the registered rules over a claim.

A `Validator` is built once from `RuleSettings` and the payer policies to use, and
then checks any number of claims. `chemoden.validate(claim)` uses a default validator
that is built on the first call and cached. Validation reads no clock and no network:
the same claim and the same data version give the same report.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from chemoden.context import ClaimContext
from chemoden.findings import Finding, Severity, ValidationReport
from chemoden.icd10cm import Release, bundled_catalog
from chemoden.model import Claim
from chemoden.reference.coding import CodingTables, coding_tables
from chemoden.registry import Rule, RuleSettings, all_rules

__all__ = ["RULE_FAILED", "Validator", "validate"]

RULE_FAILED = "rule-failed"
"""Rule id of the finding reported when a rule raised; a bug to report, never expected."""

_ActiveRule = tuple[Rule, Severity | None]
_APPLICABLE_CACHE_SIZE = 4096


class Validator:
    """Checks claims with a fixed set of rules, severities and payer policies.

    `settings` chooses the rules and severities (see `RuleSettings`). `policies`
    adds payer policies, for example loaded with `chemoden.load_policy`, to the
    bundled ones; a claim's `payer` is looked up among both. `icd10cm_releases` adds
    ICD-10-CM releases loaded with `chemoden.icd10cm.load_release` to the bundled ones
    (a release with the id of a bundled one replaces it). `tables` replaces the bundled
    coding tables, for tests on small fixture tables.
    """

    def __init__(
        self,
        settings: RuleSettings | None = None,
        *,
        policies: Iterable[object] = (),
        tables: CodingTables | None = None,
        icd10cm_releases: Iterable[Release] = (),
    ) -> None:
        self.settings = settings or RuleSettings()
        self.settings.check_rule_ids()
        self._tables: CodingTables = tables or coding_tables()
        self._icd10cm = bundled_catalog()
        for release in icd10cm_releases:
            self._icd10cm = self._icd10cm.with_release(release)
        self._rules = self._active_rules(self.settings)
        self._applicable_cache: dict[tuple[int, frozenset[str]], tuple[_ActiveRule, ...]] = {}
        self._rules_by_payer: Mapping[str, tuple[_ActiveRule, ...]] = {
            payer: self._active_rules(payer_settings)
            for payer, payer_settings in self.settings.by_payer.items()
        }
        from chemoden.coverage.catalog import PolicyCatalog

        self._catalog = PolicyCatalog.with_bundled(policies)

    def _applicable(
        self, rules: tuple[_ActiveRule, ...], features: frozenset[str]
    ) -> tuple[_ActiveRule, ...]:
        """Return the rules whose required claim features are all present; cached."""
        key = (id(rules), features)
        cached = self._applicable_cache.get(key)
        if cached is None:
            if len(self._applicable_cache) >= _APPLICABLE_CACHE_SIZE:
                self._applicable_cache.clear()
            cached = tuple(item for item in rules if item[0].requires <= features)
            self._applicable_cache[key] = cached
        return cached

    @staticmethod
    def _active_rules(settings: RuleSettings) -> tuple[_ActiveRule, ...]:
        return tuple(
            (rule, settings.severity.get(rule.id)) for rule in all_rules() if rule.id not in settings.disabled
        )

    def validate(self, claim: Claim) -> ValidationReport:
        """Check one claim and return its report.

        A rule that raises becomes a `rule-failed` error finding, so that a well-formed
        claim never makes this raise. The property tests check this on random claims.
        """
        policy, payer_problem = self._catalog.resolve_for_claim(claim)
        context = ClaimContext(claim, self._tables, policy, payer_problem, self._icd10cm)
        rules = self._rules
        if claim.payer is not None and claim.payer in self._rules_by_payer:
            rules = self._rules_by_payer[claim.payer]
        rules = self._applicable(rules, context.features)

        findings: list[Finding] = []
        for rule, forced_severity in rules:
            try:
                for hit in rule.check(context):
                    findings.append(
                        Finding(
                            rule=rule.id,
                            severity=forced_severity or hit.severity or rule.severity,
                            message=hit.message,
                            lines=hit.lines,
                            codes=hit.codes,
                            source=hit.source or rule.source,
                        )
                    )
            except Exception as error:  # a rule bug must not stop the other rules
                findings.append(
                    Finding(
                        rule=RULE_FAILED,
                        severity=Severity.ERROR,
                        message=(
                            f"Rule {rule.id} failed on this claim ({type(error).__name__}: "
                            f"{error}); the claim was not fully checked. Please report this "
                            "as a chemoden bug with the claim."
                        ),
                        source="chemoden",
                    )
                )

        if len(findings) > 1:
            findings.sort(key=Finding.sort_key)
        checked_under = policy.citation() if policy is not None else None
        return ValidationReport(claim_id=claim.id, findings=tuple(findings), policy=checked_under)

    def validate_many(self, claims: Iterable[Claim]) -> list[ValidationReport]:
        """Check claims in order and return their reports."""
        return [self.validate(claim) for claim in claims]


@functools.cache
def _default_validator() -> Validator:
    return Validator()


def validate(claim: Claim, validator: Validator | None = None) -> ValidationReport:
    """Check a claim with the default rules and the bundled payer policies.

    Pass a `Validator` to disable rules, change severities or add policies.
    """
    return (validator or _default_validator()).validate(claim)
