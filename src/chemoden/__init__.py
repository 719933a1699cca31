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

from chemoden.claims_io import (
    ClaimFileError,
    ClaimInputError,
    InvalidClaimsError,
    claim_from_dict,
    iter_claims,
    load_claims,
)
from chemoden.coverage.model import PayerPolicy, PolicyVersion
from chemoden.engine import Validator, validate
from chemoden.findings import Finding, Severity, ValidationReport
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

__version__ = "0.1.0.dev0"

__all__ = [
    "Claim",
    "ClaimFileError",
    "ClaimInputError",
    "Diagnosis",
    "DrugLine",
    "Family",
    "Finding",
    "InvalidClaimsError",
    "InvalidField",
    "Line",
    "Patient",
    "PayerPolicy",
    "PolicyVersion",
    "PriorService",
    "Procedure",
    "Rule",
    "RuleSettings",
    "Severity",
    "ValidationReport",
    "Validator",
    "__version__",
    "all_rules",
    "claim_from_dict",
    "get_rule",
    "iter_claims",
    "load_claims",
    "make_line",
    "validate",
]
