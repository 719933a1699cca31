"""The per-claim view that rules read: lines by kind and code, dates, reference data.

`ClaimContext` is built once per `validate()` call so that each rule finds what it
needs without scanning the claim again. Line numbers are 1-based positions in the
claim's `lines`, as in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chemoden.icd10cm import ReleaseCatalog, SelectionStatus, bundled_catalog
from chemoden.model import Claim, DrugLine, Line, Procedure
from chemoden.reference.coding import CodingTables
from chemoden.reference.facts import Fact

if TYPE_CHECKING:
    from chemoden.coverage.model import PolicyVersion

__all__ = ["ClaimContext", "NumberedLine"]

_SIDE_MODIFIERS = frozenset({"RT", "LT"})
_FEATURE_MODIFIERS = frozenset({"50", "JW", "JZ"})
_MAX_POINTERS = 4
_MAX_DIAGNOSES = 12


class NumberedLine:
    """A claim line with its 1-based number, date of service and the facts about its code.

    `facts` maps an attribute of the code's reference data (``kind``, ``laterality``,
    ``mue``...) to the fact in effect on the line's date. It is empty for a code that
    chemoden has no data for.
    """

    __slots__ = ("date", "facts", "kind", "line", "number", "place_of_service")

    def __init__(
        self,
        number: int,
        line: Line,
        date: dt.date,
        place_of_service: str | None,
        facts: Mapping[str, Fact],
    ) -> None:
        self.number = number
        self.line = line
        self.date = date
        self.place_of_service = place_of_service
        self.facts = facts
        kind = facts.get("kind")
        self.kind = kind.value if kind is not None else None

    def value(self, attribute: str) -> str | None:
        """Return the value of one attribute of the line's code on its date, if known."""
        fact = self.facts.get(attribute)
        return fact.value if fact is not None else None

    @property
    def code(self) -> str:
        """The line's CPT or HCPCS code."""
        return self.line.code


class ClaimContext:
    """What the rules read about one claim.

    `icd10cm` is the catalog of ICD-10-CM releases to judge diagnoses with.
    `policy` is the payer policy version in force on the claim's date of service, or
    None when the claim names no payer or chemoden has no policy for it;
    `payer_problem` then gives the reason, for the report.
    """

    __slots__ = (
        "by_code",
        "claim",
        "dates",
        "drugs",
        "features",
        "icd10cm",
        "lines",
        "memo",
        "payer_problem",
        "policy",
        "procedures",
        "tables",
    )

    def __init__(
        self,
        claim: Claim,
        tables: CodingTables,
        policy: PolicyVersion | None = None,
        payer_problem: str | None = None,
        icd10cm: ReleaseCatalog | None = None,
    ) -> None:
        self.claim = claim
        self.tables = tables
        self.policy = policy
        self.payer_problem = payer_problem
        self.icd10cm = icd10cm if icd10cm is not None else bundled_catalog()

        lines: list[NumberedLine] = []
        procedures: list[NumberedLine] = []
        drugs: list[NumberedLine] = []
        by_code: dict[str, list[NumberedLine]] = {}
        dates: set[dt.date] = set()
        claim_date = claim.date_of_service
        claim_pos = claim.place_of_service
        for index, line in enumerate(claim.lines):
            date = line.date_of_service or claim_date
            assert date is not None  # Claim guarantees a date for every line
            pos = line.place_of_service if line.place_of_service is not None else claim_pos
            numbered = NumberedLine(index + 1, line, date, pos, tables.facts_on(line.code, date))
            lines.append(numbered)
            if isinstance(line, DrugLine):
                drugs.append(numbered)
            elif isinstance(line, Procedure):
                procedures.append(numbered)
            by_code.setdefault(line.code, []).append(numbered)
            dates.add(date)

        self.lines = tuple(lines)
        self.procedures = tuple(procedures)
        self.drugs = tuple(drugs)
        self.by_code = by_code
        self.dates = frozenset(dates)
        self.features = self._features()
        self.memo: dict[str, Any] = {}
        """Views derived once per claim and shared by several rules, by name."""

    def _features(self) -> frozenset[str]:
        """Return the claim features that decide which rules can find anything.

        A rule that requires a feature the claim lacks is not run (`Rule.requires`).
        """
        claim = self.claim
        features: set[str] = set()
        pair_candidates = 0
        has_pair_edits = self.tables.has_pair_edits
        diagnosis_count = len(claim.diagnoses)
        for numbered in self.lines:
            line = numbered.line
            facts = numbered.facts
            if "status" not in facts:
                features.add("no-facts")
            if line.units > 1:
                features.add("multi-unit")
            if numbered.kind is not None:
                features.add(f"kind:{numbered.kind}")
            if "billing_unit" in facts:
                features.add("toxin")
            if "addon_primaries" in facts:
                features.add("addon")
            if line.ndc is not None:
                features.add("ndc")
            if numbered.place_of_service == "24":
                features.add("place-24")
            for modifier in line.modifiers:
                if modifier in _SIDE_MODIFIERS:
                    features.add("modifier:side")
                elif modifier in _FEATURE_MODIFIERS:
                    features.add(f"modifier:{modifier}")
            if has_pair_edits(line.code):
                pair_candidates += 1
            pointers = line.diagnosis_pointers
            if (
                not pointers
                or len(pointers) > _MAX_POINTERS
                or min(pointers) < 1
                or max(pointers) > diagnosis_count
            ):
                features.add("pointer-problem")
        for numbered in self.procedures:
            if numbered.line.units > 1:
                features.add("multi-unit-procedure")
        if self.procedures:
            features.add("procedure")
            if len(self.procedures) > 1:
                features.add("multiple-procedures")
        if self.drugs:
            features.add("drug")
        if pair_candidates > 1:
            features.add("pair-candidates")
        if any(len(numbered_lines) > 1 for numbered_lines in self.by_code.values()):
            features.add("repeated-code")
        if len({numbered.code for numbered in self.procedures}) < len(self.procedures):
            features.add("repeated-procedure")
        if "repeated-code" in features or "multi-unit" in features:
            features.add("units-or-repeats")
        if "repeated-procedure" in features or "multi-unit-procedure" in features:
            features.add("procedure-units-or-repeats")
        if features & {"modifier:50", "modifier:side", "multi-unit-procedure"}:
            features.add("bilateral-candidate")
        if claim.diagnoses:
            features.add("diagnoses")
            if diagnosis_count > _MAX_DIAGNOSES:
                features.add("many-diagnoses")
            # A diagnosis that no line points at takes the claim's date.
            days = self.dates if claim.date_of_service is None else {*self.dates, claim.date_of_service}
            for day in days:
                status = self.icd10cm.select(day).status
                if status is SelectionStatus.NOT_BUNDLED:
                    features.add("icd-gap")
                elif status is SelectionStatus.AFTER_NEWEST:
                    features.add("after-newest-icd")
        if claim.prior_services:
            features.add("prior-services")
        if claim.patient is not None and claim.patient.birth_date is not None:
            features.add("patient-birth-date")
        if not claim.prior_authorization:
            features.add("no-prior-authorization")
        features.add("payer" if claim.payer is not None else "no-payer")
        if self.policy is not None:
            features.add("policy")
            if self.payer_problem is not None:
                features.add("policy-uncertain")
        return frozenset(features)

    def lines_with(self, code: str) -> list[NumberedLine]:
        """Return the lines that bill `code`, in claim order."""
        return self.by_code.get(code, [])

    def procedure_kind(self, numbered: NumberedLine) -> str | None:
        """Return the kind of a procedure line's code (``chemodenervation``, ``em``...)."""
        return self.tables.procedures.value(numbered.code, "kind", numbered.date)

    def chemodenervation_lines(self, date: dt.date | None = None) -> list[NumberedLine]:
        """Return the chemodenervation procedure lines, on one date if given."""
        return [
            numbered
            for numbered in self.procedures
            if (date is None or numbered.date == date) and self.procedure_kind(numbered) == "chemodenervation"
        ]
