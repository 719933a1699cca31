"""Match a claim against a policy version: which coverage groups each line falls under.

The coverage rules share one `ClaimCoverage` per claim, built on first use and cached
(see `claim_coverage`). For each chemodenervation line it holds the candidate groups
(those that list the line's procedure code) and the supported groups (candidates whose
covered diagnoses include a diagnosis that the line points to). Drug lines are tied to
the supported groups of the procedure lines on the same date that share a diagnosis.
"""

from __future__ import annotations

import datetime as dt
import functools

from chemoden.context import ClaimContext, NumberedLine
from chemoden.coverage.model import CoverageGroup, DiagnosisMapping, PolicyVersion

__all__ = ["ClaimCoverage", "LineCoverage", "claim_coverage", "product_units"]


class LineCoverage:
    """A procedure line with its candidate and supported coverage groups."""

    __slots__ = ("candidates", "diagnoses", "line", "mappings", "supported")

    def __init__(
        self,
        line: NumberedLine,
        diagnoses: tuple[str, ...],
        candidates: tuple[CoverageGroup, ...],
        supported: tuple[CoverageGroup, ...],
        mappings: tuple[DiagnosisMapping, ...],
    ) -> None:
        self.line = line
        self.diagnoses = diagnoses
        self.candidates = candidates
        self.supported = supported
        self.mappings = mappings


class ClaimCoverage:
    """The coverage view of one claim under one policy version."""

    __slots__ = ("by_date", "diagnoses", "lines", "uncertain", "version")

    def __init__(self, context: ClaimContext, version: PolicyVersion) -> None:
        self.version = version
        self.uncertain = context.payer_problem is not None
        claim = context.claim
        self.diagnoses = tuple(diagnosis.code for diagnosis in claim.diagnoses)
        lines: list[LineCoverage] = []
        by_date: dict[dt.date, list[LineCoverage]] = {}
        groups = version.groups
        for numbered in context.procedures:
            indexes = version.groups_for_procedure(numbered.code)
            if not indexes and context.procedure_kind(numbered) != "chemodenervation":
                continue
            diagnoses = self._pointed(numbered)
            candidate_set = set(indexes)
            supported: list[int] = []
            mappings: list[DiagnosisMapping] = []
            for code in diagnoses:
                for index, mapping in version.match_diagnosis(code):
                    if index in candidate_set:
                        if index not in supported:
                            supported.append(index)
                        mappings.append(mapping)
            coverage = LineCoverage(
                numbered,
                diagnoses,
                tuple(groups[index] for index in indexes),
                tuple(groups[index] for index in sorted(supported)),
                tuple(mappings),
            )
            lines.append(coverage)
            by_date.setdefault(numbered.date, []).append(coverage)
        self.lines = tuple(lines)
        self.by_date = by_date

    def _pointed(self, numbered: NumberedLine) -> tuple[str, ...]:
        pointers = numbered.line.diagnosis_pointers
        count = len(self.diagnoses)
        pointed = tuple(self.diagnoses[pointer - 1] for pointer in pointers if 1 <= pointer <= count)
        return pointed or self.diagnoses

    def groups_for_drug(self, drug: NumberedLine) -> tuple[CoverageGroup, ...]:
        """Return the supported groups that a drug line serves.

        These are the groups of the same-date procedure lines that share a diagnosis
        with the drug line, or of every same-date procedure line when none does.
        """
        same_date = self.by_date.get(drug.date, [])
        pointed = set(self._pointed(drug))
        sharing = [coverage for coverage in same_date if pointed.intersection(coverage.diagnoses)]
        found: list[CoverageGroup] = []
        for coverage in sharing or same_date:
            for group in coverage.supported:
                if group not in found:
                    found.append(group)
        return tuple(found)


@functools.lru_cache(maxsize=8)
def _build(context: ClaimContext) -> ClaimCoverage | None:
    if context.policy is None:
        return None
    return ClaimCoverage(context, context.policy)


def claim_coverage(context: ClaimContext) -> ClaimCoverage | None:
    """Return the claim's coverage view, or None when no policy version applies.

    The view is cached per context, so that every coverage rule reads the same one.
    """
    if context.policy is None:
        return None
    return _build(context)


def product_units(context: ClaimContext, numbered: NumberedLine) -> float | None:
    """Return a drug line's units in product units, or None without a billing unit."""
    billing_unit = context.tables.drugs.value(numbered.code, "billing_unit", numbered.date)
    if billing_unit is None:
        return None
    try:
        return numbered.line.units * float(billing_unit)
    except ValueError:
        return None
