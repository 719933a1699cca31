"""chemoden: check US chemodenervation (botulinum toxin) claims before they go to a payer.

Build a `Claim` (or read claim files with `load_claims`), call `validate`, and read the
`ValidationReport`: findings with a stable rule id, a severity, a message that names
the codes and the fix, the 1-based lines, and the source of the rule.

    >>> import chemoden
    >>> claim = chemoden.claim_from_dict({
    ...     "date_of_service": "2026-03-10",
    ...     "diagnoses": ["G43.709"],
    ...     "lines": [{"code": "64615", "modifiers": ["50"], "units": 1,
    ...                "diagnosis_pointers": [1]}],
    ... })
    >>> report = chemoden.validate(claim)
    >>> report.ok
    False
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

# Public names and the module that defines each. They are imported on first access
# (PEP 562), so that `import chemoden` stays cheap for programs that only pin it.
_EXPORTS: dict[str, str] = {
    "Claim": "chemoden.model",
    "ClaimFileError": "chemoden.claims_io",
    "ClaimInputError": "chemoden.claims_io",
    "CodeLookup": "chemoden.icd10cm",
    "CodeStatus": "chemoden.icd10cm",
    "Diagnosis": "chemoden.model",
    "DrugLine": "chemoden.model",
    "Family": "chemoden.registry",
    "Finding": "chemoden.findings",
    "InvalidClaimsError": "chemoden.claims_io",
    "InvalidField": "chemoden.model",
    "Line": "chemoden.model",
    "Patient": "chemoden.model",
    "PayerPolicy": "chemoden.coverage.model",
    "PolicySchemaError": "chemoden.coverage.schema",
    "PolicyVersion": "chemoden.coverage.model",
    "PriorService": "chemoden.model",
    "Procedure": "chemoden.model",
    "ReleaseNotBundled": "chemoden.icd10cm",
    "Rule": "chemoden.registry",
    "RuleSettings": "chemoden.registry",
    "Severity": "chemoden.findings",
    "ValidationReport": "chemoden.findings",
    "Validator": "chemoden.engine",
    "all_rules": "chemoden.registry",
    "bundled_policies": "chemoden.coverage.bundled",
    "claim_from_dict": "chemoden.claims_io",
    "get_rule": "chemoden.registry",
    "iter_claims": "chemoden.claims_io",
    "load_policy": "chemoden.coverage.schema",
    "load_claims": "chemoden.claims_io",
    "make_line": "chemoden.model",
    "validate": "chemoden.engine",
}

__all__ = [
    "Claim",
    "ClaimFileError",
    "ClaimInputError",
    "CodeLookup",
    "CodeStatus",
    "Diagnosis",
    "DrugLine",
    "Family",
    "Finding",
    "InvalidClaimsError",
    "InvalidField",
    "Line",
    "Patient",
    "PayerPolicy",
    "PolicySchemaError",
    "PolicyVersion",
    "PriorService",
    "Procedure",
    "ReleaseNotBundled",
    "Rule",
    "RuleSettings",
    "Severity",
    "ValidationReport",
    "Validator",
    "__version__",
    "all_rules",
    "bundled_policies",
    "claim_from_dict",
    "get_rule",
    "iter_claims",
    "load_claims",
    "load_policy",
    "make_line",
    "validate",
]

if TYPE_CHECKING:
    from chemoden.claims_io import (
        ClaimFileError,
        ClaimInputError,
        InvalidClaimsError,
        claim_from_dict,
        iter_claims,
        load_claims,
    )
    from chemoden.coverage import PolicySchemaError, bundled_policies, load_policy
    from chemoden.coverage.model import PayerPolicy, PolicyVersion
    from chemoden.engine import Validator, validate
    from chemoden.findings import Finding, Severity, ValidationReport
    from chemoden.icd10cm import CodeLookup, CodeStatus, ReleaseNotBundled
    from chemoden.model import (
        Claim,
        Diagnosis,
        DrugLine,
        InvalidField,
        Line,
        Patient,
        PriorService,
        Procedure,
        make_line,
    )
    from chemoden.registry import Family, Rule, RuleSettings, all_rules, get_rule


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'chemoden' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
