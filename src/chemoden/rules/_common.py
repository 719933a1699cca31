"""Helpers shared by the rule modules: severity from data confidence, wording of lines."""

from __future__ import annotations

from collections.abc import Sequence

from chemoden.findings import Severity
from chemoden.reference.facts import Confidence, Fact

__all__ = ["fact_source", "lines_text", "lines_verb", "severity_for", "units_ignore_billing_unit"]


def severity_for(confidence: Confidence, default: Severity = Severity.ERROR) -> Severity | None:
    """Return the severity for a hit that rests on data of this confidence.

    Data that no primary source confirms gives a warning in place of an error. None
    means the rule's default severity.
    """
    if default is Severity.ERROR and not confidence.is_confirmed:
        return Severity.WARNING
    return None


def fact_source(fact: Fact) -> str:
    """Return a fact's source, marked when no primary source confirms it."""
    if fact.confidence.is_confirmed:
        return fact.source
    return f"{fact.source} [{fact.confidence.value}]"


def lines_text(numbers: Sequence[int]) -> str:
    """Return ``line 2`` or ``lines 2 and 3`` or ``lines 1, 2 and 4``."""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    head = ", ".join(str(number) for number in numbers[:-1])
    return f"lines {head} and {numbers[-1]}"


def lines_verb(numbers: Sequence[int], singular: str, plural: str) -> str:
    """Return ``line 3 bills`` or ``lines 2 and 3 bill``: the lines with a verb that agrees."""
    return f"{lines_text(numbers)} {singular if len(numbers) == 1 else plural}"


def units_ignore_billing_unit(billing_unit: float, billed_units: int, label_max: Fact | None) -> bool:
    """Tell whether a drug's billed units look like product units entered as billing units.

    That is the case when one billing unit is more than 1 product unit and the billed
    (administered, not JW) units of one drug code on one date, times the billing unit,
    exceed the label maximum for one session. `drug-units-ignore-billing-unit` reports
    such a drug, and the dose rules leave it alone until the units are fixed.
    """
    if billing_unit <= 1 or label_max is None:
        return False
    return billed_units * billing_unit > float(label_max.value)
