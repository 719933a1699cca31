"""Payer coverage policies: a policy with dated versions, each with its coverage groups.

A Medicare local coverage determination (LCD) states which indications are covered and
on what terms. Its billing and coding article lists the CPT/HCPCS codes and the ICD-10-CM
codes that support medical necessity, in numbered groups. chemoden stores one
`PolicyVersion` per LCD version, with the article revision it was read with, and one
`CoverageGroup` per indication: the procedure codes, the covered diagnoses, the drugs,
the dose limits in product units, the minimum interval between treatments, required
secondary diagnoses and the indication's exclusions.

Every list and limit keeps its source and a confidence mark (`Confidence`), and every
diagnosis mapping says whether it was read from the article or derived from the LCD text
(`DiagnosisBasis`). The coverage rules report an error only where the data is confirmed
(or the mapping is unambiguous) and a warning otherwise.

Diagnosis codes in a mapping are exact codes (``K11.7``) or prefixes written with a
trailing hyphen (``G43.7-``), which cover every code that starts with the characters
before the hyphen. Matching is by exact code and by prefix only; it needs no ICD-10-CM
table. Each version builds its lookup tables once, at construction, so that a claim is
matched with dictionary look-ups.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping

import attrs

from chemoden.reference.facts import Confidence

__all__ = [
    "ArticleRef",
    "CoverageGroup",
    "DiagnosisBasis",
    "DiagnosisList",
    "DiagnosisMapping",
    "DoseLimit",
    "Exclusion",
    "Jurisdiction",
    "PayerPolicy",
    "PolicyVersion",
    "PriorAuthorization",
    "ProcedureList",
    "SameDayRule",
    "SecondaryDiagnosisRule",
    "match_code",
]


class DiagnosisBasis(enum.Enum):
    """The origin of a covered-diagnosis mapping."""

    ARTICLE = "article"
    """Listed in the billing and coding article's ICD-10-CM table."""

    LCD_TEXT = "lcd-text"
    """Derived from the indication named in the LCD text, not read from the article."""


class DiagnosisList(enum.Enum):
    """The share of a group's covered-diagnosis list that chemoden contains."""

    COMPLETE = "complete"
    """The article's whole list for the group: a code outside it is not covered."""

    DERIVED = "derived"
    """Codes derived from the LCD text: a code outside it is probably not covered."""

    PARTIAL = "partial"
    """Only some codes are known: a code outside them could not be checked."""


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in value)


def match_code(code: str, patterns: Iterable[str]) -> bool:
    """Tell whether an ICD-10-CM code equals a pattern or starts with a ``-`` prefix."""
    for pattern in patterns:
        if pattern.endswith("-"):
            if code.startswith(pattern[:-1]):
                return True
        elif code == pattern:
            return True
    return False


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _frozen(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _optional_frozen(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


def _mappings(value: Iterable[DiagnosisMapping]) -> tuple[DiagnosisMapping, ...]:
    return tuple(value)


def _doses(value: Iterable[DoseLimit]) -> tuple[DoseLimit, ...]:
    return tuple(value)


def _secondaries(value: Iterable[SecondaryDiagnosisRule]) -> tuple[SecondaryDiagnosisRule, ...]:
    return tuple(value)


def _exclusions(value: Iterable[Exclusion]) -> tuple[Exclusion, ...]:
    return tuple(value)


def _groups(value: Iterable[CoverageGroup]) -> tuple[CoverageGroup, ...]:
    return tuple(value)


def _same_days(value: Iterable[SameDayRule]) -> tuple[SameDayRule, ...]:
    return tuple(value)


def _versions(value: Iterable[PolicyVersion]) -> tuple[PolicyVersion, ...]:
    return tuple(value)


@attrs.frozen
class Jurisdiction:
    """The contractor that issues a policy and where it applies."""

    contractor: str
    jurisdiction: str = ""
    contract_numbers: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    states: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    states_confidence: Confidence = Confidence.CONFIRMED
    source: str = ""


@attrs.frozen
class ArticleRef:
    """The billing and coding article that a policy version was read with."""

    id: str
    title: str = ""
    revision: str = ""
    confidence: Confidence = Confidence.CONFIRMED
    source: str = ""

    def label(self) -> str:
        """Return ``A57185 R13`` style text, or the id alone without a revision."""
        return f"{self.id} {self.revision}".strip()


@attrs.frozen
class ProcedureList:
    """The CPT/HCPCS codes that a policy version lists, and whether the list is whole."""

    codes: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    complete: bool = False
    source: str = ""


@attrs.frozen
class DiagnosisMapping:
    """ICD-10-CM codes or ``-`` prefixes that support a group's procedures.

    `unambiguous` marks a mapping derived from the LCD text whose codes are exactly the
    indication's codes (for example chronic migraine, G43.7- and G43.E-), so that a code
    outside it is an error even though no article table was read. `reason` gives why.
    """

    codes: tuple[str, ...] = attrs.field(converter=_codes)
    basis: DiagnosisBasis
    confidence: Confidence
    source: str
    unambiguous: bool = False
    reason: str = ""

    def matches(self, code: str) -> bool:
        """Tell whether a claim diagnosis falls under this mapping."""
        return match_code(code, self.codes)


@attrs.frozen
class DoseLimit:
    """Dose limits for one drug in one coverage group, in product units per session.

    `initial` applies to the first treatment, `subsequent` to later ones and `maximum`
    to any treatment. A limit that the policy gives per site, muscle or gland is kept in
    `note` only, because the claim does not carry the number of sites.
    """

    drug: str
    confidence: Confidence
    source: str
    initial: float | None = None
    subsequent: float | None = None
    maximum: float | None = None
    note: str = ""


@attrs.frozen
class SecondaryDiagnosisRule:
    """A diagnosis that needs a second diagnosis from another list on the claim.

    `applies_to` contains the group codes or prefixes that need the second code (empty:
    every code of the group). `required` contains the codes or prefixes of which one must
    be on the claim; empty means that the policy requires one but chemoden does not
    hold the list, so the rule can only remind the coder. `exempt` contains the codes or
    prefixes that need no second code because they name the required condition
    themselves (cerebral palsy, G80, is itself of central nervous system origin).
    """

    confidence: Confidence
    source: str
    applies_to: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    required: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    exempt: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    note: str = ""


@attrs.frozen
class Exclusion:
    """A condition that the policy does not cover under an indication.

    With `codes`, a claim diagnosis among them is reported. Without codes (ICD-10-CM
    cannot tell the condition from a covered one), the rule reminds the coder to make
    sure the record shows the covered condition.
    """

    description: str
    confidence: Confidence
    source: str
    codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)


@attrs.frozen
class SameDayRule:
    """Services that the policy calls not reasonable and necessary on an injection day.

    A line whose procedure kind is in `kinds` (``trigger-point``, ``sedation``,
    ``imaging``) or whose code is in `codes` is reported when the claim has, on the same
    date, a chemodenervation line of one of `groups` (empty: any group). `severity` is
    ``error`` or ``warning``; a warning marks a statement that the policy contradicts
    elsewhere.
    """

    reason: str
    severity: str
    confidence: Confidence
    source: str
    kinds: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    codes: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    groups: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)


@attrs.frozen
class PriorAuthorization:
    """A prior authorization program: which services on which places need one."""

    places_of_service: frozenset[str] = attrs.field(converter=_frozen)
    procedure_codes: frozenset[str] = attrs.field(converter=_frozen)
    drug_codes: frozenset[str] = attrs.field(converter=_frozen)
    valid_from: dt.date
    confidence: Confidence
    source: str
    name: str = "prior authorization"


@attrs.frozen
class CoverageGroup:
    """One covered indication of a policy version."""

    key: str
    indication: str
    diagnoses: tuple[DiagnosisMapping, ...] = attrs.field(converter=_mappings)
    diagnosis_list: DiagnosisList
    procedure_codes: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    all_procedures: bool = False
    procedure_basis: str = ""
    drug_codes: frozenset[str] | None = attrs.field(default=None, converter=_optional_frozen)
    drug_confidence: Confidence = Confidence.CONFIRMED
    drug_source: str = ""
    dose_limits: tuple[DoseLimit, ...] = attrs.field(default=(), converter=_doses)
    min_interval_days: int | None = None
    interval_by_drug: Mapping[str, int] = attrs.field(factory=dict)
    interval_confidence: Confidence = Confidence.CONFIRMED
    interval_source: str = ""
    interval_note: str = ""
    secondary_diagnoses: tuple[SecondaryDiagnosisRule, ...] = attrs.field(default=(), converter=_secondaries)
    exclusions: tuple[Exclusion, ...] = attrs.field(default=(), converter=_exclusions)
    no_bilateral_same_session: bool = False
    bilateral_source: str = ""
    notes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    _dose_by_drug: Mapping[str, DoseLimit] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_dose_by_drug", {limit.drug: limit for limit in self.dose_limits})

    def dose_limit(self, drug: str) -> DoseLimit | None:
        """Return the dose limit of a drug code in this group, if the policy gives one."""
        return self._dose_by_drug.get(drug)

    def covers_procedure(self, code: str) -> bool:
        """Tell whether the group applies to a procedure code."""
        return self.all_procedures or code in self.procedure_codes

    def interval_days(self, drugs: Iterable[str], default: int | None) -> int | None:
        """Return the minimum days between treatments with the given drug codes.

        A drug-specific interval wins over the group's; with several drugs the longest
        interval applies. `default` is the version's interval for groups with none.
        """
        intervals = [self.interval_by_drug[drug] for drug in drugs if drug in self.interval_by_drug]
        if intervals:
            return max(intervals)
        return self.min_interval_days if self.min_interval_days is not None else default


_GroupMatch = tuple[int, DiagnosisMapping]


@attrs.frozen
class PolicyVersion:
    """One version of a payer policy, in force from `valid_from` to `valid_to`.

    `dates_confidence` marks effective dates that no primary source confirms, and the
    catalog then states that in the report. `article` is the billing article and revision
    the version was read with.
    """

    policy_id: str
    version: str
    title: str
    valid_from: dt.date
    valid_to: dt.date | None
    sources: tuple[str, ...] = attrs.field(converter=_strings)
    dates_confidence: Confidence = Confidence.CONFIRMED
    dates_note: str = ""
    article: ArticleRef | None = None
    procedure_list: ProcedureList = attrs.field(factory=ProcedureList)
    default_min_interval_days: int | None = None
    default_interval_source: str = ""
    groups: tuple[CoverageGroup, ...] = attrs.field(default=(), converter=_groups)
    same_day: tuple[SameDayRule, ...] = attrs.field(default=(), converter=_same_days)
    cosmetic_diagnoses: tuple[DiagnosisMapping, ...] = attrs.field(default=(), converter=_mappings)
    prior_authorization: PriorAuthorization | None = None
    notes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    _groups_by_procedure: Mapping[str, tuple[int, ...]] = attrs.field(init=False, eq=False, repr=False)
    _all_procedure_groups: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _exact: Mapping[str, tuple[_GroupMatch, ...]] = attrs.field(init=False, eq=False, repr=False)
    _prefixes: Mapping[str, tuple[_GroupMatch, ...]] = attrs.field(init=False, eq=False, repr=False)
    _prefix_lengths: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_procedure: dict[str, list[int]] = {}
        all_procedures: list[int] = []
        exact: dict[str, list[_GroupMatch]] = {}
        prefixes: dict[str, list[_GroupMatch]] = {}
        for index, group in enumerate(self.groups):
            if group.all_procedures:
                all_procedures.append(index)
            for code in group.procedure_codes:
                by_procedure.setdefault(code, []).append(index)
            for mapping in group.diagnoses:
                for pattern in mapping.codes:
                    if pattern.endswith("-"):
                        prefixes.setdefault(pattern[:-1], []).append((index, mapping))
                    else:
                        exact.setdefault(pattern, []).append((index, mapping))
        object.__setattr__(
            self, "_groups_by_procedure", {code: tuple(ids) for code, ids in by_procedure.items()}
        )
        object.__setattr__(self, "_all_procedure_groups", tuple(all_procedures))
        object.__setattr__(self, "_exact", {code: tuple(found) for code, found in exact.items()})
        object.__setattr__(self, "_prefixes", {code: tuple(found) for code, found in prefixes.items()})
        object.__setattr__(self, "_prefix_lengths", tuple(sorted({len(key) for key in prefixes})))

    def in_effect(self, day: dt.date) -> bool:
        """Tell whether this version is in force on `day`."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def citation(self) -> str:
        """Return the version as a finding names it: policy, version and article."""
        text = f"{self.policy_id} v{self.version}" if self.version else self.policy_id
        if self.title:
            text += f" ({self.title})"
        if self.article is not None:
            text += f", article {self.article.label()}"
        return text

    def lists_procedure(self, code: str) -> bool:
        """Tell whether a group names this procedure code itself (not as "any procedure")."""
        return code in self._groups_by_procedure

    def groups_for_procedure(self, code: str) -> tuple[int, ...]:
        """Return the indexes of the groups that apply to a procedure code."""
        specific = self._groups_by_procedure.get(code, ())
        if not self._all_procedure_groups:
            return specific
        return specific + self._all_procedure_groups

    def match_diagnosis(self, code: str) -> tuple[_GroupMatch, ...]:
        """Return (group index, mapping) for every group mapping that covers a code."""
        found = self._exact.get(code, ())
        for length in self._prefix_lengths:
            if len(code) >= length:
                more = self._prefixes.get(code[:length])
                if more:
                    found = found + more
        return found

    def matches_cosmetic(self, code: str) -> DiagnosisMapping | None:
        """Return the cosmetic-use mapping that a diagnosis falls under, if any."""
        for mapping in self.cosmetic_diagnoses:
            if mapping.matches(code):
                return mapping
        return None


@attrs.frozen
class PayerPolicy:
    """A payer's coverage policy with its dated versions, oldest first.

    `successor` names the policy that replaces this one when its last version ends (a
    new LCD id for the same contractor), so that a claim naming the old id is checked
    under the policy in force on its date of service.
    """

    id: str
    title: str
    versions: tuple[PolicyVersion, ...] = attrs.field(converter=_versions)
    jurisdiction: Jurisdiction | None = None
    payer: str = ""
    successor: str | None = None
    origin: str = ""

    def version_on(self, day: dt.date) -> PolicyVersion | None:
        """Return the version in force on `day`, if any (the latest-starting one)."""
        found: PolicyVersion | None = None
        for version in self.versions:
            if version.in_effect(day) and (found is None or version.valid_from > found.valid_from):
                found = version
        return found

    def versions_on(self, day: dt.date) -> tuple[PolicyVersion, ...]:
        """Return every version in force on `day`; more than one means the dates overlap."""
        return tuple(version for version in self.versions if version.in_effect(day))
