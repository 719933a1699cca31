"""Match a claim against a policy version: which coverage groups each line falls under.

The coverage rules share one `ClaimCoverage` per claim, built on first use and cached
(see `claim_coverage`). For each chemodenervation line it contains the candidate groups
(those that list the line's procedure code) and the supported groups (candidates whose
covered diagnoses include a diagnosis that the line points to). Drug lines are tied to
the supported groups of the procedure lines on the same date that share a diagnosis.
"""

from __future__ import annotations

import datetime as dt
import functools

from chemoden.context import ClaimContext, NumberedLine
from chemoden.coverage.model import CoverageGroup, DiagnosisMapping, PolicyVersion
from chemoden.reference.coding import CodingTables
from chemoden.reference.facts import Fact

__all__ = [
    "ClaimCoverage",
    "DrugFacts",
    "DrugUse",
    "LineCoverage",
    "claim_coverage",
    "drug_facts",
    "product_units",
]


class LineCoverage:
    """A procedure line with its candidate and supported coverage groups."""

    __slots__ = ("candidates", "diagnoses", "keys", "line", "mappings", "supported")

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
        self.keys = frozenset(group.key for group in supported or candidates)


class DrugUse:
    """The lines of one drug code on one date, with the coverage groups they serve."""

    __slots__ = ("administered", "administered_groups", "code", "date", "groups", "lines")

    def __init__(self, date: dt.date, code: str) -> None:
        self.date = date
        self.code = code
        self.lines: list[NumberedLine] = []
        self.administered: list[NumberedLine] = []
        self.groups: list[CoverageGroup] = []
        self.administered_groups: list[CoverageGroup] = []


class ClaimCoverage:
    """The coverage view of one claim under one policy version."""

    __slots__ = ("_pointed_cache", "by_date", "diagnoses", "drug_uses", "lines", "uncertain", "version")

    def __init__(self, context: ClaimContext, version: PolicyVersion) -> None:
        self.version = version
        self.uncertain = context.payer_problem is not None
        self.diagnoses = tuple(diagnosis.code for diagnosis in context.claim.diagnoses)
        self._pointed_cache: dict[tuple[int, ...], tuple[str, ...]] = {}
        groups = version.groups
        lines: list[LineCoverage] = []
        by_date: dict[dt.date, list[LineCoverage]] = {}
        for numbered in context.procedures:
            # A group of "any procedure" covers the chemodenervation lines only; other lines
            # (an office visit, a trigger-point injection) count where a group names them.
            if numbered.kind != "chemodenervation" and not version.lists_procedure(numbered.code):
                continue
            indexes = version.groups_for_procedure(numbered.code)
            diagnoses = self._pointed(numbered.line.diagnosis_pointers)
            supported: list[int] = []
            mappings: list[DiagnosisMapping] = []
            if indexes:
                for code in diagnoses:
                    for index, mapping in version.match_diagnosis(code):
                        if index in indexes:
                            if index not in supported:
                                supported.append(index)
                            mappings.append(mapping)
            supported.sort()
            coverage = LineCoverage(
                numbered,
                diagnoses,
                tuple(groups[index] for index in indexes),
                tuple(groups[index] for index in supported),
                tuple(mappings),
            )
            lines.append(coverage)
            if numbered.date in by_date:
                by_date[numbered.date].append(coverage)
            else:
                by_date[numbered.date] = [coverage]
        self.lines = tuple(lines)
        self.by_date = by_date
        self.drug_uses = self._drug_uses(context) if lines else ()

    def _drug_uses(self, context: ClaimContext) -> tuple[DrugUse, ...]:
        uses: dict[tuple[dt.date, str], DrugUse] = {}
        for drug in context.drugs:
            key = (drug.date, drug.code)
            use = uses.get(key)
            if use is None:
                use = uses[key] = DrugUse(drug.date, drug.code)
            use.lines.append(drug)
            served = self.groups_for_drug(drug)
            for group in served:
                if group not in use.groups:
                    use.groups.append(group)
            if "JW" not in drug.line.modifiers:
                use.administered.append(drug)
                for group in served:
                    if group not in use.administered_groups:
                        use.administered_groups.append(group)
        return tuple(uses.values())

    def _pointed(self, pointers: tuple[int, ...]) -> tuple[str, ...]:
        cached = self._pointed_cache.get(pointers)
        if cached is not None:
            return cached
        count = len(self.diagnoses)
        pointed = tuple(self.diagnoses[pointer - 1] for pointer in pointers if 1 <= pointer <= count)
        result = pointed or self.diagnoses
        self._pointed_cache[pointers] = result
        return result

    def groups_for_drug(self, drug: NumberedLine) -> tuple[CoverageGroup, ...]:
        """Return the supported groups that a drug line serves.

        These are the groups of the same-date procedure lines that share a diagnosis
        with the drug line, or of every same-date procedure line when none does.
        """
        same_date = self.by_date.get(drug.date)
        if not same_date:
            return ()
        if len(same_date) == 1:
            return same_date[0].supported
        pointed = self._pointed(drug.line.diagnosis_pointers)
        sharing = [coverage for coverage in same_date if any(code in coverage.diagnoses for code in pointed)]
        found: list[CoverageGroup] = []
        for coverage in sharing or same_date:
            for group in coverage.supported:
                if group not in found:
                    found.append(group)
        return tuple(found)


def claim_coverage(context: ClaimContext) -> ClaimCoverage | None:
    """Return the claim's coverage view, or None when no policy version applies.

    The view is built once per claim and kept in the context, so that every coverage
    rule reads the same one.
    """
    if context.policy is None:
        return None
    coverage: ClaimCoverage | None = context.memo.get("coverage")
    if coverage is None:
        coverage = ClaimCoverage(context, context.policy)
        context.memo["coverage"] = coverage
    return coverage


class DrugFacts:
    """Billing unit, label maximum and cosmetic mark of one drug code on one date."""

    __slots__ = ("billing_unit", "cosmetic_only", "label_max")

    def __init__(self, tables: CodingTables, code: str, day: dt.date) -> None:
        drugs = tables.drugs
        unit = drugs.value(code, "billing_unit", day)
        try:
            self.billing_unit: float | None = float(unit) if unit is not None else None
        except ValueError:
            self.billing_unit = None
        self.label_max: Fact | None = drugs.fact(code, "label_max_units", day)
        self.cosmetic_only: Fact | None = drugs.fact(code, "cosmetic_only", day)


@functools.lru_cache(maxsize=1024)
def drug_facts(tables: CodingTables, code: str, day: dt.date) -> DrugFacts:
    """Return the billing unit, label maximum and cosmetic mark of a drug code, cached."""
    return DrugFacts(tables, code, day)


def product_units(context: ClaimContext, numbered: NumberedLine) -> float | None:
    """Return a drug line's units in product units, or None without a billing unit."""
    billing_unit = drug_facts(context.tables, numbered.code, numbered.date).billing_unit
    if billing_unit is None:
        return None
    return numbered.line.units * billing_unit
