"""Coverage rules on the drug lines: the botulinum toxin product and its dose.

`drug-not-covered-for-indication` and `dose-above-policy-limit` check the drug's HCPCS
code and the administered dose in product units (lines without the JW modifier) against
the payer's policy for the indication: the Medicare LCD and its billing and coding
article. Without prior services on the claim, chemoden cannot tell a first treatment
from a later one, so the larger of the initial and subsequent limits applies.
`dose-above-label-maximum` runs without a payer too, and checks the dose for one session
against the US FDA label maximum in chemoden's drug code table. Both dose rules leave a
drug whose billed units ignore its HCPCS billing unit to `drug-units-ignore-billing-unit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from chemoden.context import ClaimContext, NumberedLine
from chemoden.coverage.analysis import claim_coverage, drug_facts, product_units
from chemoden.coverage.model import CoverageGroup, DoseLimit
from chemoden.findings import Severity
from chemoden.reference.labels import LabelDose, label_dose_on
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import fact_source, lines_text, units_ignore_billing_unit
from chemoden.rules._coverage_common import _LCD, _confirmed, _numbers, _severity, _source


def _drug_lines_by_code(context: ClaimContext) -> dict[tuple[dt.date, str], list[NumberedLine]]:
    found: dict[tuple[dt.date, str], list[NumberedLine]] = {}
    for numbered in context.drugs:
        found.setdefault((numbered.date, numbered.code), []).append(numbered)
    return found


def _administered(lines: Iterable[NumberedLine]) -> list[NumberedLine]:
    return [numbered for numbered in lines if not numbered.line.has_modifier("JW")]


def _format_units(value: float) -> str:
    """Return a number of units with thousands separators: ``500,000`` or ``2.5``."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


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
        indication = _indication_dose(context, code, day)
        if indication is not None and indication.max_units < float(fact.value):
            cap = float(indication.max_units)
            what = f"the US label's maximum for {indication.indication}"
            note, confidence = indication.note, indication.confidence
            source = indication.source
            if not confidence.is_confirmed:
                source += f" [{confidence.value}]"
        else:
            cap = float(fact.value)
            what = "the US label's maximum"
            note, confidence, source = fact.note, fact.confidence, fact_source(fact)
        if total <= cap:
            continue
        message = _dose_message(
            code,
            given,
            total,
            cap,
            what,
            f"Check the dose and the units billed ({note})."
            if note
            else "Check the dose and the units billed.",
        )
        yield Hit(
            message,
            lines=_numbers(given),
            codes=(code,),
            severity=_confirmed(confidence),
            source=source,
        )


def _indication_dose(context: ClaimContext, code: str, day: dt.date) -> LabelDose | None:
    """Return the label's per-indication maximum when every same-day injection shares one.

    A dose given for two indications in one session cannot be split between them, so
    the drug-wide maximum applies then.
    """
    found = {label_dose_on(code, numbered.code, day) for numbered in context.chemodenervation_lines(day)}
    if len(found) != 1:
        return None
    (dose,) = found
    return dose
