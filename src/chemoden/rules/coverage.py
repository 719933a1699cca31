"""Coverage rules: what the payer's policy covers on the date of service.

The claim's ``payer`` selects a policy version (`chemoden.coverage.catalog`), and these
rules check the claim against it. They check that the diagnosis supports the procedure,
the drug is covered for the indication and the dose in product units is within the
policy's limits. They check that the treatment does not repeat too soon, that a required
secondary diagnosis is present, and that the claim has no cosmetic use, no same-day
service that the policy calls not reasonable and necessary, and the hospital outpatient
prior authorization where needed. Each finding names the policy version and its billing
article.

Severity follows the data: an error where the policy fact is confirmed (or the
diagnosis mapping is unambiguous), a warning where chemoden derived it from the LCD text
or a secondary source, and info where chemoden holds too little to check. When the
sources do not confirm which version was in force, errors become warnings.

Without a payer only `dose-above-label-maximum` runs here, with the US label limits of
the coding tables, and `coverage-not-checked` says that coverage was not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence, Sized

from chemoden.context import ClaimContext, NumberedLine
from chemoden.coverage.analysis import ClaimCoverage, LineCoverage, claim_coverage, drug_facts, product_units
from chemoden.coverage.model import (
    CoverageGroup,
    DiagnosisList,
    DoseLimit,
    Exclusion,
    SecondaryDiagnosisRule,
    match_code,
)
from chemoden.findings import Severity
from chemoden.icd10cm import CodeStatus
from chemoden.reference.facts import Confidence
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import fact_source, lines_text, units_ignore_billing_unit

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


def _drug_lines_by_code(context: ClaimContext) -> dict[tuple[dt.date, str], list[NumberedLine]]:
    found: dict[tuple[dt.date, str], list[NumberedLine]] = {}
    for numbered in context.drugs:
        found.setdefault((numbered.date, numbered.code), []).append(numbered)
    return found


def _administered(lines: Iterable[NumberedLine]) -> list[NumberedLine]:
    return [numbered for numbered in lines if not numbered.line.has_modifier("JW")]


def _numbers(lines: Iterable[NumberedLine]) -> tuple[int, ...]:
    return tuple(numbered.number for numbered in lines)


def _format_units(value: float) -> str:
    """Return a number of units with thousands separators: ``500,000`` or ``2.5``."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _lines_label(numbers: Sequence[int]) -> str:
    """Return ``Line 2`` or ``Lines 2 and 3``: `lines_text` capitalized to start a message."""
    text = lines_text(numbers)
    return text[0].upper() + text[1:]


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
    "coverage-not-checked",
    family=Family.COVERAGE,
    severity=Severity.INFO,
    source="chemoden",
    summary="The claim names no payer, so only the coding rules and label dose checks ran.",
    requires=("no-payer",),
)
def coverage_not_checked(context: ClaimContext) -> Iterator[Hit]:
    if context.claim.payer is None:
        yield Hit(
            "Coverage was not checked because the claim names no payer; only the coding "
            "rules and the label dose checks ran. Set payer to a policy id (such as L35170), "
            "a MAC contract number or a state code to check the payer's coverage policy."
        )


@rule(
    "payer-policy-not-found",
    family=Family.COVERAGE,
    severity=Severity.WARNING,
    source="chemoden",
    summary="chemoden has no coverage policy for the claim's payer on the date of service.",
    requires=("payer",),
)
def payer_policy_not_found(context: ClaimContext) -> Iterator[Hit]:
    if context.claim.payer is not None and context.policy is None:
        yield Hit(
            f"Coverage was not checked: {context.payer_problem}. Check the payer's policy "
            "by hand, or load it with --policy FILE.",
            codes=(context.claim.payer,),
        )


@rule(
    "policy-version-uncertain",
    family=Family.COVERAGE,
    severity=Severity.INFO,
    source="chemoden policy data",
    summary="The sources do not confirm which policy version was in force on the date of service.",
    requires=("policy", "policy-uncertain"),
)
def policy_version_uncertain(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is not None and coverage.uncertain:
        yield Hit(
            f"Coverage was checked under {coverage.version.citation()}, but {context.payer_problem}. "
            "Coverage findings are reported as warnings; confirm the policy in force with the "
            "contractor.",
            codes=(coverage.version.policy_id,),
            source=_source(coverage),
        )


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
                notes.setdefault(("partial", checked), []).append(item)
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
    "drug-not-covered-for-indication",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="The drug code is not covered for the indication that the claim's diagnosis supports.",
    requires=("policy",),
)
def drug_not_covered_for_indication(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    for use in coverage.drug_uses:
        code, lines, groups = use.code, use.lines, use.groups
        if not groups or any(group.drug_codes is None or code in group.drug_codes for group in groups):
            continue
        confirmed = all(group.drug_confidence.is_confirmed for group in groups)
        allowed = "; ".join(
            f"{group.indication}: {', '.join(sorted(group.drug_codes or ()))}" for group in groups
        )
        yield Hit(
            f"{code} ({lines_text(_numbers(lines))}) is not covered for the indication under "
            f"{coverage.version.citation()}. Covered drugs: {allowed}. Bill the product that was "
            "given only if the policy covers it for this indication.",
            lines=_numbers(lines),
            codes=(code,),
            severity=_severity(coverage, Severity.ERROR if confirmed else Severity.WARNING),
            source=_source(coverage, groups[0].drug_source),
        )


def _has_prior_treatment(context: ClaimContext, group: CoverageGroup, day: dt.date) -> bool:
    return any(
        prior.date_of_service < day and prior.code in group.procedure_codes
        for prior in context.claim.prior_services
    )


def _group_cap(context: ClaimContext, group: CoverageGroup, limit: DoseLimit, day: dt.date) -> float | None:
    """Return the limit that applies to this treatment: initial, subsequent or maximum.

    Without prior services on the claim, chemoden cannot tell a first treatment from a
    later one, so the larger of the initial and subsequent limits applies.
    """
    if _has_prior_treatment(context, group, day):
        phase = limit.subsequent
    elif context.claim.prior_services:
        phase = limit.initial
    elif limit.initial is not None and limit.subsequent is not None:
        phase = max(limit.initial, limit.subsequent)
    else:
        phase = None
    if phase is not None and limit.maximum is not None:
        return min(phase, limit.maximum)
    return phase if phase is not None else limit.maximum


def _units_ignore_billing_unit(
    context: ClaimContext, code: str, day: dt.date, given: list[NumberedLine]
) -> bool:
    """Tell whether `drug-units-ignore-billing-unit` reports these dose lines.

    The dose cannot be judged until the units are fixed, so the dose rules leave such
    a drug to that rule rather than report one mistake three times.
    """
    facts = drug_facts(context.tables, code, day)
    if facts.billing_unit is None:
        return False
    billed = sum(numbered.line.units for numbered in given)
    return units_ignore_billing_unit(facts.billing_unit, billed, facts.label_max)


def _dose_message(code: str, lines: list[NumberedLine], total: float, cap: float, what: str, fix: str) -> str:
    billed = sum(numbered.line.units for numbered in lines)
    billing_unit = total / billed
    return (
        f"{code} ({lines_text(_numbers(lines))}) gives {_format_units(total)} product units "
        f"({billed:,} billing units x {_format_units(billing_unit)}), above {what} of "
        f"{_format_units(cap)} units. {fix}"
    )


@rule(
    "dose-above-policy-limit",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="The administered dose, in product units, is above the policy's limit for the indication.",
    requires=("policy",),
)
def dose_above_policy_limit(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    for use in coverage.drug_uses:
        day, code, given, groups = use.date, use.code, use.administered, use.administered_groups
        if not given or not groups or _units_ignore_billing_unit(context, code, day, given):
            continue
        caps: list[float] = []
        limits: list[DoseLimit] = []
        for group in groups:
            limit = group.dose_limit(code)
            cap = _group_cap(context, group, limit, day) if limit is not None else None
            if limit is None or cap is None:
                break
            caps.append(cap)
            limits.append(limit)
        else:
            units = [product_units(context, numbered) for numbered in given]
            if any(value is None for value in units):
                continue
            total = sum(value for value in units if value is not None)
            cap_total = sum(caps)
            if total <= cap_total:
                continue
            indications = ", ".join(group.indication for group in groups)
            severity = (
                Severity.ERROR if all(limit.confidence.is_confirmed for limit in limits) else Severity.WARNING
            )
            message = _dose_message(
                code,
                given,
                total,
                cap_total,
                f"the policy's limit for {indications}",
                "Check the dose in the record; a higher dose needs the documented reason "
                "the policy asks for, and may be denied.",
            )
            yield Hit(
                message,
                lines=_numbers(given),
                codes=(code,),
                severity=_severity(coverage, severity),
                source=_source(coverage, "; ".join(sorted({limit.source for limit in limits}))),
            )


@rule(
    "dose-above-label-maximum",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source="FDA product label (US) as recorded in chemoden's drug code table",
    summary="The administered dose, in product units, is above the US label's maximum for one session.",
    requires=("toxin",),
)
def dose_above_label_maximum(context: ClaimContext) -> Iterator[Hit]:
    for (day, code), lines in _drug_lines_by_code(context).items():
        given = _administered(lines)
        fact = drug_facts(context.tables, code, day).label_max
        if not given or fact is None or _units_ignore_billing_unit(context, code, day, given):
            continue
        units = [product_units(context, numbered) for numbered in given]
        if any(value is None for value in units):
            continue
        total = sum(value for value in units if value is not None)
        cap = float(fact.value)
        if total <= cap:
            continue
        message = _dose_message(
            code,
            given,
            total,
            cap,
            "the US label's maximum",
            f"Check the dose and the units billed ({fact.note})."
            if fact.note
            else "Check the dose and the units billed.",
        )
        yield Hit(
            message,
            lines=_numbers(given),
            codes=(code,),
            severity=_confirmed(fact.confidence),
            source=fact_source(fact),
        )


@rule(
    "treatment-repeated-too-soon",
    family=Family.COVERAGE,
    severity=Severity.WARNING,
    source=_LCD,
    summary="The injection repeats sooner than the policy's minimum interval after the last one.",
    requires=(
        "policy",
        "prior-services",
    ),
)
def treatment_repeated_too_soon(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    prior_services = context.claim.prior_services
    if coverage is None or not prior_services:
        return
    version = coverage.version
    for item in coverage.lines:
        groups = item.supported or item.candidates
        if not groups:
            continue
        day = item.line.date
        drugs = {numbered.code for numbered in context.drugs if numbered.date == day}
        intervals = [
            days
            for days in (group.interval_days(drugs, version.default_min_interval_days) for group in groups)
            if days is not None
        ]
        related = {item.line.code}
        for group in groups:
            related.update(group.procedure_codes)
        earlier = [prior for prior in prior_services if prior.code in related and prior.date_of_service < day]
        if not earlier:
            continue
        last = max(earlier, key=lambda prior: prior.date_of_service)
        if not intervals:
            yield Hit(
                f"Line {item.line.number}: {item.line.code} follows {last.code} on "
                f"{last.date_of_service.isoformat()}, but chemoden holds no minimum interval for "
                f"{version.citation()}. Check the policy's frequency limit by hand.",
                lines=(item.line.number,),
                codes=(item.line.code, last.code),
                severity=Severity.INFO,
                source=_source(coverage),
            )
            continue
        interval = min(intervals)
        gap = (day - last.date_of_service).days
        if gap >= interval:
            continue
        notes = "; ".join(group.interval_note for group in groups if group.interval_note)
        weeks = f"{interval // 7} weeks" if interval % 7 == 0 else f"{interval} days"
        yield Hit(
            f"Line {item.line.number}: {item.line.code} on {day.isoformat()} is {gap} days after "
            f"{last.code} on {last.date_of_service.isoformat()}; {version.citation()} allows one "
            f"treatment every {weeks} for {', '.join(group.indication for group in groups)}."
            + (f" ({notes})" if notes else "")
            + " Expect a denial unless the record documents why the earlier repeat is needed.",
            lines=(item.line.number,),
            codes=(item.line.code, last.code),
            source=_source(coverage, groups[0].interval_source or version.default_interval_source),
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
            severity=_severity(coverage, Severity.ERROR if certain else Severity.WARNING),
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


@rule(
    "same-day-service-not-covered",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="A service on the injection day that the policy calls not reasonable and necessary.",
    requires=("policy", "multiple-procedures"),
)
def same_day_service_not_covered(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None or not coverage.version.same_day:
        return
    procedures = context.tables.procedures
    for same_day in coverage.version.same_day:
        reported: set[int] = set()
        for item in coverage.lines:
            if same_day.groups and same_day.groups.isdisjoint(item.keys):
                continue
            for other in context.procedures:
                if other.date != item.line.date or other.number in reported or other is item.line:
                    continue
                fact = procedures.fact(other.code, "kind", other.date)
                by_kind = fact is not None and fact.value in same_day.kinds
                if not by_kind and other.code not in same_day.codes:
                    continue
                reported.add(other.number)
                severity = Severity.ERROR if same_day.severity == "error" else Severity.WARNING
                if not same_day.confidence.is_confirmed or (
                    by_kind and fact is not None and not fact.confidence.is_confirmed
                ):
                    severity = Severity.WARNING
                yield Hit(
                    f"Line {other.number}: {other.code} on the day of {item.line.code} (line "
                    f"{item.line.number}): {same_day.reason} ({coverage.version.citation()}). "
                    "Expect a denial of this line unless the payer accepts the documentation.",
                    lines=(other.number, item.line.number),
                    codes=(other.code, item.line.code),
                    severity=_severity(coverage, severity),
                    source=_source(coverage, same_day.source),
                )


@rule(
    "bilateral-injection-not-covered",
    family=Family.COVERAGE,
    severity=Severity.ERROR,
    source=_LCD,
    summary="Both sides injected in one session where the policy covers one side at a time.",
    requires=("policy", "bilateral-candidate"),
)
def bilateral_injection_not_covered(context: ClaimContext) -> Iterator[Hit]:
    coverage = claim_coverage(context)
    if coverage is None:
        return
    for day, items in coverage.by_date.items():
        flagged = [
            item
            for item in items
            if any(group.no_bilateral_same_session for group in item.supported or item.candidates)
        ]
        if not flagged:
            continue
        lines = [item.line for item in flagged]
        sides = {
            modifier for numbered in lines for modifier in numbered.line.modifiers if modifier in ("RT", "LT")
        }
        bilateral = any(numbered.line.has_modifier("50") or numbered.line.units > 1 for numbered in lines)
        if not bilateral and sides != {"RT", "LT"}:
            continue
        group = next(
            group
            for item in flagged
            for group in item.supported or item.candidates
            if group.no_bilateral_same_session
        )
        yield Hit(
            f"{_lines_label(_numbers(lines))}: both sides injected on {day.isoformat()}; "
            f"{coverage.version.citation()} does not cover simultaneous bilateral injection for "
            f"{group.indication}. Inject one side and the other 2 to 4 weeks later, and bill each "
            "side on its date.",
            lines=_numbers(lines),
            codes=tuple(dict.fromkeys(numbered.code for numbered in lines)),
            severity=_severity(coverage, Severity.ERROR),
            source=_source(coverage, group.bilateral_source),
        )


@rule(
    "opd-prior-authorization-missing",
    family=Family.COVERAGE,
    severity=Severity.WARNING,
    source="42 CFR 419.83 (Medicare prior authorization for hospital outpatient department services)",
    summary=(
        "Hospital outpatient 64612/64615 with a botulinum toxin: the hospital needs an affirmed "
        "prior authorization, or related physician claims can be denied."
    ),
    requires=("policy", "no-prior-authorization"),
)
def opd_prior_authorization_missing(context: ClaimContext) -> Iterator[Hit]:
    # The hospital requests the prior authorization and puts its unique tracking number
    # (UTN) on its own institutional claim. chemoden's claims are professional claims, so
    # the finding tells the office to make sure the hospital has it; the claim's
    # prior_authorization field records that it was affirmed.
    coverage = claim_coverage(context)
    if coverage is None or context.claim.prior_authorization:
        return
    program = coverage.version.prior_authorization
    if program is None:
        return
    for numbered in context.procedures:
        if (
            numbered.code not in program.procedure_codes
            or numbered.place_of_service not in program.places_of_service
            or numbered.date < program.valid_from
        ):
            continue
        drugs = [
            drug for drug in context.drugs if drug.date == numbered.date and drug.code in program.drug_codes
        ]
        if not drugs:
            continue
        yield Hit(
            f"Line {numbered.number}: {numbered.code} with {drugs[0].code} in a hospital outpatient "
            f"department (place of service {numbered.place_of_service}) falls under {program.name}. "
            "Make sure the hospital obtained an affirmed prior authorization (unique tracking "
            "number, UTN) before the service, because Medicare can deny the related physician "
            "claims without it. Set prior_authorization on this claim once the hospital's request "
            "was affirmed.",
            lines=(numbered.number, *_numbers(drugs)),
            codes=(numbered.code, drugs[0].code),
            severity=Severity.WARNING,
            source=_source(coverage, program.source),
        )
