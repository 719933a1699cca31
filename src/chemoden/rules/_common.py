"""Helpers shared by the rule modules: severity from data confidence, wording of lines."""

from __future__ import annotations

from collections.abc import Sequence

from chemoden.findings import Severity
from chemoden.reference.facts import Confidence, Fact

__all__ = ["fact_source", "lines_text", "severity_for"]


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
