"""Helpers shared by the coverage rule modules: policy citation, severity and line wording.

A finding's source cites the policy version in force on the date of service, marked when
the sources do not confirm its effective dates. An error becomes a warning when the
sources do not confirm which version was in force, or when no primary source confirms
the policy fact behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chemoden.context import NumberedLine
from chemoden.coverage.analysis import ClaimCoverage
from chemoden.findings import Severity
from chemoden.reference.facts import Confidence
from chemoden.rules._common import lines_text

_LCD = "the payer's coverage policy (Medicare LCD and its billing and coding article)"


def _source(coverage: ClaimCoverage, detail: str = "") -> str:
    version = coverage.version
    text = version.citation()
    if not version.dates_confidence.is_confirmed:
        text += " [effective dates unconfirmed]"
    return f"{text}; {detail}" if detail else text


def _severity(coverage: ClaimCoverage, severity: Severity) -> Severity:
    if coverage.uncertain and severity is Severity.ERROR:
        return Severity.WARNING
    return severity


def _confirmed(confidence: Confidence) -> Severity:
    return Severity.ERROR if confidence.is_confirmed else Severity.WARNING


def _numbers(lines: Iterable[NumberedLine]) -> tuple[int, ...]:
    return tuple(numbered.number for numbered in lines)


def _lines_label(numbers: Sequence[int]) -> str:
    """Return ``Line 2`` or ``Lines 2 and 3``: `lines_text` capitalized to start a message."""
    text = lines_text(numbers)
    return text[0].upper() + text[1:]
