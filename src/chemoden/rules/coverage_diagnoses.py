"""Coverage rules on the claim's diagnoses and procedure codes.

These rules check each chemodenervation line against the payer's policy for the date of
service (the Medicare LCD and its billing and coding article). They check that the
CPT/HCPCS code is in the policy's code list, where chemoden has the complete list, and
that an ICD-10-CM diagnosis of the line is among the covered diagnoses for it. They check
that a diagnosis which needs a secondary diagnosis has one, and that no diagnosis shows
cosmetic use or a condition the policy excludes. A covered-diagnosis list that chemoden
derived from the LCD text, not from the article's ICD-10-CM table, gives a warning in
place of an error. Where chemoden has only part of the policy's data, or a line has no
diagnosis, `coverage-not-verified` reports the unchecked line as info.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence, Sized

from chemoden.context import ClaimContext
from chemoden.coverage.analysis import ClaimCoverage, LineCoverage, claim_coverage, drug_facts
from chemoden.coverage.model import (
    CoverageGroup,
    DiagnosisList,
    Exclusion,
    SecondaryDiagnosisRule,
    match_code,
)
from chemoden.findings import Severity
from chemoden.icd10cm import CodeStatus
from chemoden.registry import Family, Hit, rule
from chemoden.rules._coverage_common import _LCD, _confirmed, _lines_label, _severity, _source


def _verb(items: Sized, singular: str, plural: str) -> str:
    return singular if len(items) == 1 else plural


def _and_list(codes: Sequence[str]) -> str:
    """Return ``A``, ``A and B`` or ``A, B and C``."""
    if len(codes) == 1:
        return codes[0]
    return f"{', '.join(codes[:-1])} and {codes[-1]}"


def _diagnoses_text(codes: Sequence[str]) -> str:
    """Return ``diagnosis G24.3`` or ``diagnoses I69.351 and G81.11``."""
    return f"{'diagnosis' if len(codes) == 1 else 'diagnoses'} {_and_list(codes)}"


def _reported_elsewhere(context: ClaimContext, coverage: ClaimCoverage, code: str, day: dt.date) -> bool:
    """Tell whether another rule already reports this diagnosis as the claim's mistake.

    A header or unknown code on the date is reported by the ICD-10-CM rules, and a
    cosmetic diagnosis by `cosmetic-use-not-covered`. Without an ICD-10-CM release for
    the date (status ``NOT_CHECKED``), no ICD-10-CM rule judges the code, so coverage does.
    """
    if coverage.version.matches_cosmetic(code) is not None:
        return True
    status = context.icd10cm.lookup(code, day).status
    return status is CodeStatus.HEADER or status is CodeStatus.UNKNOWN


def _diagnoses_to_check(
    context: ClaimContext, coverage: ClaimCoverage, item: LineCoverage
) -> tuple[str, ...]:
    """Return the line's diagnoses that no other rule reports, for the diagnosis-support check."""
    day = item.line.date
    return tuple(code for code in item.diagnoses if not _reported_elsewhere(context, coverage, code, day))


@rule(
    "coverage-not-verified",
    family=Family.COVERAGE,
    severity=Severity.INFO,
    source=_LCD,
    summary="A line's coverage could not be checked: too little of the policy is known, or no diagnosis.",
    requires=("policy",),
)
def coverage_not_verified(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    version = coverage.version
    # One note per reason, procedure code set and diagnoses, naming every line it concerns,
    # so that a 64642 + 64643 claim gets one note rather than one per line.
    notes: dict[tuple[str, tuple[str, ...]], list[LineCoverage]] = {}
    for item in coverage.lines:
        code = item.line.code
        if item.candidates and not item.diagnoses:
            # The claim has no diagnosis at all; the diagnosis-pointer rules report the error.
            notes.setdefault(("no-diagnosis", ()), []).append(item)
        elif not item.candidates:
            if version.procedure_list.complete and code not in version.procedure_list.codes:
                continue  # reported by procedure-not-covered-by-policy
            notes.setdefault(("no-group", (code,)), []).append(item)
        elif not item.supported and any(
            group.diagnosis_list is DiagnosisList.PARTIAL for group in item.candidates
        ):
            checked = _diagnoses_to_check(context, coverage, item)
            if checked:
                held = any(group.diagnoses for group in item.candidates)
                notes.setdefault(("partial" if held else "none-held", checked), []).append(item)
    for (reason, codes), items in notes.items():
        numbers = tuple(item.line.number for item in items)
        procedures = _and_list(list(dict.fromkeys(item.line.code for item in items)))
        if reason == "no-diagnosis":
            message = (
                f"{procedures} {_verb(items, 'has', 'have')} no diagnosis to check against "
                f"{version.citation()}, so coverage was not checked. Add the ICD-10-CM diagnosis "
                f"that the record supports and point {_verb(items, 'the line', 'the lines')} at it."
            )
        elif reason == "no-group":
            message = (
                f"chemoden has no coverage group for {procedures} under {version.citation()}, so "
                "the diagnosis, drug and dose were not checked against the policy. Check the "
                "article by hand."
            )
        elif reason == "none-held":
            message = (
                f"chemoden holds none of the covered-diagnosis list for {procedures} under "
                f"{version.citation()}, so {_diagnoses_text(codes)} could not be checked. Check the "
                "article's ICD-10-CM table, or load the article from the CMS Medicare Coverage "
                "Database download."
            )
        else:
            message = (
                f"chemoden holds only part of the covered-diagnosis list for {procedures} under "
                f"{version.citation()}, and {_diagnoses_text(codes)} {_verb(codes, 'is', 'are')} "
                "not in that part. Check the article's ICD-10-CM table, or load the article from "
                "the CMS Medicare Coverage Database download."
            )
        yield Hit(
            f"{_lines_label(numbers)}: {message}",
            lines=numbers,
            codes=tuple(dict.fromkeys((*(item.line.code for item in items), *codes))),
            source=_source(coverage),
        )


@rule(
    "procedure-not-covered-by-policy",
    family=Family.COVERAGE,
    severity=Severity.WARNING,
    source=_LCD,
    summary="A chemodenervation code is not in the policy's complete CPT/HCPCS list.",
    requires=("policy",),
)
def procedure_not_covered_by_policy(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    listed = coverage.version.procedure_list
    if not listed.complete:
        return
    for item in coverage.lines:
        if not item.candidates and item.line.code not in listed.codes:
            yield Hit(
                f"Line {item.line.number}: {item.line.code} is not among the CPT/HCPCS codes of "
                f"{coverage.version.citation()}, so the policy does not cover it. Check the code, "
                "or expect a denial.",
                lines=(item.line.number,),
                codes=(item.line.code,),
                source=_source(coverage, listed.source),
            )


@rule(
    "diagnosis-not-covered-for-procedure",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="No diagnosis of the line is among the policy's covered diagnoses for its procedure.",
    requires=("policy",),
)
def diagnosis_not_covered_for_procedure(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    for item in coverage.lines:
        if item.supported or not item.candidates or not item.diagnoses:
            continue  # a line without a diagnosis is reported by coverage-not-verified
        if any(group.diagnosis_list is DiagnosisList.PARTIAL for group in item.candidates):
            continue  # reported as info by coverage-not-verified
        shown_codes = _diagnoses_to_check(context, coverage, item)
        if not shown_codes:
            continue  # the ICD-10-CM rules or cosmetic-use-not-covered report these diagnoses
        certain = all(
            group.diagnosis_list is DiagnosisList.COMPLETE
            or all(mapping.unambiguous for mapping in group.diagnoses)
            for group in item.candidates
        )
        covered = "; ".join(
            f"{group.indication}: {', '.join(code for mapping in group.diagnoses for code in mapping.codes)}"
            for group in item.candidates
        )
        shown = _diagnoses_text(shown_codes)
        message = (
            f"Line {item.line.number}: {shown} {_verb(shown_codes, 'does', 'do')} not support "
            f"{item.line.code} under {coverage.version.citation()}. Covered diagnoses: {covered}."
        )
        if certain:
            message += (
                " Code the diagnosis that the record supports, or do not bill the service to this payer."
            )
        else:
            message += (
                " chemoden derived this list from the LCD text, not from the article's ICD-10-CM "
                "table; check the article before submitting."
            )
        reasons = sorted(
            {mapping.reason for group in item.candidates for mapping in group.diagnoses if mapping.reason}
        )
        yield Hit(
            message,
            lines=(item.line.number,),
            codes=(item.line.code, *shown_codes),
            severity=_severity(coverage, Severity.ERROR if certain else Severity.WARNING),
            source=_source(coverage, reasons[0] if certain and reasons else ""),
        )


@rule(
    "secondary-diagnosis-missing",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="The diagnosis needs a second diagnosis from another article group, and the claim has none.",
    requires=("policy",),
)
def secondary_diagnosis_missing(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    claim_codes = coverage.diagnoses
    # One finding per primary diagnosis and requirement, naming every line it concerns.
    missing: dict[tuple[str, int], tuple[CoverageGroup, SecondaryDiagnosisRule, list[int]]] = {}
    for item in coverage.lines:
        # A group whose list chemoden holds only in part may still need the second code.
        groups = item.supported or tuple(
            group for group in item.candidates if group.diagnosis_list is DiagnosisList.PARTIAL
        )
        for group in groups:
            for requirement in group.secondary_diagnoses:
                primary = _primary_without_second_code(item, group, requirement, claim_codes)
                if primary is None:
                    continue
                key = (primary, id(requirement))
                if key not in missing:
                    missing[key] = (group, requirement, [])
                numbers = missing[key][2]
                if item.line.number not in numbers:
                    numbers.append(item.line.number)
    citation = coverage.version.citation()
    for (primary, _), (group, requirement, numbers) in missing.items():
        label = _lines_label(numbers)
        if not requirement.required:
            yield Hit(
                f"{label}: under {citation}, {primary} needs a second diagnosis for "
                f"{group.indication} ({requirement.note}), and it is the only diagnosis on the claim. "
                "Add the second code that the record supports.",
                lines=tuple(numbers),
                codes=(primary,),
                severity=Severity.INFO,
                source=_source(coverage, requirement.source),
            )
            continue
        shown = ", ".join(requirement.required[:12]) + (" ..." if len(requirement.required) > 12 else "")
        yield Hit(
            f"{label}: {primary} needs a second diagnosis from {shown} under {citation}, and the "
            "claim has none. Add the secondary diagnosis that the record supports.",
            lines=tuple(numbers),
            codes=(primary,),
            severity=_severity(coverage, _confirmed(requirement.confidence)),
            source=_source(coverage, requirement.source),
        )


def _primary_without_second_code(
    item: LineCoverage,
    group: CoverageGroup,
    requirement: SecondaryDiagnosisRule,
    claim_codes: tuple[str, ...],
) -> str | None:
    """Return the line's diagnosis that needs a second code the claim lacks, or None.

    A primary is a diagnosis of the line that the requirement applies to (every code of
    the group when `applies_to` is empty). A code in `required` or `exempt` names the
    required condition itself, so it needs no second code and can be the second code of
    another primary. With the `required` list held, the claim must carry another code
    from it. Without the list, any other diagnosis on the claim may be the second code.
    """
    primaries = [
        code
        for code in item.diagnoses
        if (not item.supported or any(mapping.matches(code) for mapping in group.diagnoses))
        and (not requirement.applies_to or match_code(code, requirement.applies_to))
        and not match_code(code, requirement.exempt)
        and not match_code(code, requirement.required)
    ]
    for primary in primaries:
        others = [code for code in claim_codes if code != primary]
        if requirement.required:
            if not any(match_code(code, requirement.required) for code in others):
                return primary
        # NOTE: without the list, chemoden cannot tell whether the other code is one of
        # the required conditions, so any second diagnosis is accepted.
        elif not others:
            return primary
    return None


@rule(
    "cosmetic-use-not-covered",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="A cosmetic diagnosis or a cosmetic-only product is on the claim.",
    requires=("policy",),
)
def cosmetic_use_not_covered(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    for code in coverage.diagnoses:
        mapping = coverage.version.matches_cosmetic(code)
        if mapping is None:
            continue
        certain = mapping.unambiguous and mapping.confidence.is_confirmed
        yield Hit(
            f"Diagnosis {code} shows cosmetic use, which {coverage.version.citation()} does not cover; "
            "the whole claim (injection and drug) is not covered. Do not bill cosmetic injections "
            "to this payer.",
            codes=(code,),
            # Not lowered when the policy version is uncertain: every bundled version of every
            # policy excludes cosmetic use, so the choice of version does not change the result.
            severity=Severity.ERROR if certain else Severity.WARNING,
            source=_source(coverage, mapping.source),
        )
    for numbered in context.drugs:
        fact = drug_facts(context.tables, numbered.code, numbered.date).cosmetic_only
        if fact is not None and fact.value == "yes":
            yield Hit(
                f"Line {numbered.number}: {numbered.code} is a cosmetic-only product, which "
                f"{coverage.version.citation()} does not cover.",
                lines=(numbered.number,),
                codes=(numbered.code,),
                severity=_severity(coverage, _confirmed(fact.confidence)),
                source=_source(coverage, fact.source),
            )


@rule(
    "indication-excluded-by-policy",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary=(
        "A diagnosis on the claim is one the policy excludes; info where only the record can "
        "show the excluded condition."
    ),
    requires=("policy",),
)
def indication_excluded_by_policy(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    citation = coverage.version.citation()
    # One finding per exclusion, naming every line whose groups carry it.
    found: dict[int, tuple[Exclusion, CoverageGroup, list[LineCoverage]]] = {}
    for item in coverage.lines:
        for group in item.supported or item.candidates:
            for exclusion in group.exclusions:
                key = id(exclusion)
                if key not in found:
                    found[key] = (exclusion, group, [])
                if item not in found[key][2]:
                    found[key][2].append(item)
    for exclusion, group, items in found.values():
        numbers = tuple(item.line.number for item in items)
        procedures = tuple(dict.fromkeys(item.line.code for item in items))
        if not exclusion.codes:
            # No code on a claim can show this condition, so only the record can settle it:
            # a reminder, not a finding that the coder could fix from the codes.
            yield Hit(
                f"{_lines_label(numbers)}: {citation} does not cover {exclusion.description} "
                f"under {group.indication}, and ICD-10-CM cannot tell it apart from the covered "
                "condition. Make sure the record documents the covered condition.",
                lines=numbers,
                codes=procedures,
                severity=Severity.INFO,
                source=_source(coverage, exclusion.source),
            )
            continue
        excluded = [code for code in coverage.diagnoses if match_code(code, exclusion.codes)]
        if excluded:
            yield Hit(
                f"{_lines_label(numbers)}: {_diagnoses_text(excluded)} {_verb(excluded, 'is', 'are')} "
                f"listed as not covered ({exclusion.description}) under {citation}. Remove the "
                "service or code the covered condition that the record supports.",
                lines=numbers,
                codes=(*procedures, *excluded),
                severity=_severity(coverage, _confirmed(exclusion.confidence)),
                source=_source(coverage, exclusion.source),
            )
