"""The rule registry: every rule with its stable id, family, severity and source.

Rules are small functions grouped by family in `chemoden.rules`. Each takes the
per-claim `ClaimContext` and yields a `Hit` for every problem it finds. The engine
turns hits into `Finding`s with the rule's id, severity and source. A rule id is
kebab-case, says what is wrong, and is never reused for another check.

The registry is filled once, when the rule modules are first imported, and is not
changed afterwards. Callers choose which rules run, and at which severity, with
`RuleSettings` and `chemoden.Validator`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from chemoden.findings import Severity

if TYPE_CHECKING:
    from chemoden.context import ClaimContext

__all__ = ["Family", "Hit", "Rule", "RuleSettings", "all_rules", "get_rule", "rule"]


class Family(enum.Enum):
    """The kinds of mistake that chemoden checks for."""

    CODE_VALIDITY = "code validity"
    LATERALITY_AND_UNITS = "laterality and units"
    CODE_PAIRS = "code pairs"
    DRUG_LINES = "drug lines"
    DIAGNOSIS_POINTERS = "diagnosis pointers"
    COVERAGE = "coverage"


@attrs.frozen
class Hit:
    """One problem found by a rule, before the engine makes it a `Finding`.

    `severity` overrides the rule's default for this hit only, for example a warning
    in place of an error when the datum behind it is not confirmed by a primary
    source. `source` replaces the rule's source when the hit rests on a specific
    record (an NCCI pair, an LCD version).
    """

    message: str
    lines: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    severity: Severity | None = None
    source: str | None = None


Check = Callable[["ClaimContext"], Iterable[Hit]]


@attrs.frozen
class Rule:
    """A registered rule: its id, family, default severity, source and check.

    `requires` lists claim features (see `ClaimContext.features`) that must all be
    present for the rule to find anything. The engine skips the rule on a claim that
    lacks one, so a claim's cost follows what it bills.
    """

    id: str
    family: Family
    severity: Severity
    source: str
    summary: str
    check: Check = attrs.field(repr=False)
    requires: frozenset[str] = frozenset()


FEATURES = frozenset(
    {
        "procedure",
        "drug",
        "toxin",
        "ndc",
        "multi-unit",
        "repeated-code",
        "units-or-repeats",
        "multi-unit-procedure",
        "repeated-procedure",
        "procedure-units-or-repeats",
        "multiple-procedures",
        "bilateral-candidate",
        "pointer-problem",
        "many-diagnoses",
        "after-newest-icd",
        "icd-gap",
        "no-prior-authorization",
        "policy-uncertain",
        "no-facts",
        "addon",
        "pair-candidates",
        "diagnoses",
        "prior-services",
        "patient-birth-date",
        "payer",
        "no-payer",
        "policy",
        "place-24",
        "modifier:50",
        "modifier:side",
        "modifier:JW",
        "modifier:JZ",
        "kind:chemodenervation",
        "kind:em",
        "kind:guidance",
        "kind:supply",
    }
)
"""Claim features that rules may require; `ClaimContext.features` computes them."""

_REGISTRY: dict[str, Rule] = {}
_RULE_MODULES = (
    "chemoden.rules.validity",
    "chemoden.rules.laterality",
    "chemoden.rules.pairs",
    "chemoden.rules.drugs",
    "chemoden.rules.pointers",
    "chemoden.rules.patient",
    "chemoden.rules.icd10cm",
    "chemoden.rules.coverage",
    "chemoden.rules.coverage_diagnoses",
    "chemoden.rules.coverage_drugs",
    "chemoden.rules.coverage_services",
)
_loaded = False


def rule(
    rule_id: str,
    *,
    family: Family,
    severity: Severity,
    source: str,
    summary: str,
    requires: Iterable[str] = (),
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of rule `rule_id`.

    `requires` names the claim features without which the check cannot find anything.
    """

    def register(check: Check) -> Check:
        if rule_id in _REGISTRY:
            raise ValueError(f"rule id {rule_id!r} is registered twice")
        unknown = set(requires) - FEATURES
        if unknown:
            raise ValueError(f"rule {rule_id!r} requires unknown claim features {sorted(unknown)}")
        _REGISTRY[rule_id] = Rule(rule_id, family, severity, source, summary, check, frozenset(requires))
        return check

    return register


def _load_rule_modules() -> None:
    global _loaded
    if _loaded:
        return
    import importlib

    for name in _RULE_MODULES:
        importlib.import_module(name)
    _loaded = True


def all_rules() -> tuple[Rule, ...]:
    """Return every registered rule, ordered by family and id."""
    _load_rule_modules()
    families = list(Family)
    return tuple(sorted(_REGISTRY.values(), key=lambda r: (families.index(r.family), r.id)))


def get_rule(rule_id: str) -> Rule:
    """Return the rule with this id, or raise KeyError naming the known ids."""
    _load_rule_modules()
    try:
        return _REGISTRY[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}; run `chemoden rules` for the list") from None


def _to_rule_ids(value: Iterable[str]) -> frozenset[str]:
    # A single id given as a string means that id, not its letters.
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


@attrs.frozen
class RuleSettings:
    """Settings that choose which rules run and at which severity.

    `disabled` lists rule ids that do not run. `severity` maps a rule id to the
    severity its findings get, whatever the rule would report. `by_payer` maps a
    claim's `payer` value (``L35170``, ``01182``) to settings that replace these for
    claims of that payer. Unknown rule ids raise KeyError when the validator is built.
    """

    disabled: frozenset[str] = attrs.field(default=frozenset(), converter=_to_rule_ids)
    severity: Mapping[str, Severity] = attrs.field(factory=dict)
    by_payer: Mapping[str, RuleSettings] = attrs.field(factory=dict)

    def check_rule_ids(self) -> None:
        """Raise KeyError for a rule id that no rule has."""
        for rule_id in (*self.disabled, *self.severity):
            get_rule(rule_id)
        for settings in self.by_payer.values():
            settings.check_rule_ids()
