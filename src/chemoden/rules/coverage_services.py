"""Coverage rules on when and where the injections were given.

These rules check the claim against the payer's policy for the date of service: the
Medicare LCD and its billing and coding article. A treatment must not repeat sooner than
the policy's minimum interval after a prior service on the claim. A service on the
injection day must not be one that the policy calls not reasonable and necessary. Both
sides must not be injected in one session where the policy covers one side at a time.
`opd-prior-authorization-missing` warns when 64612 or 64615 with a botulinum toxin in a
hospital outpatient department falls under Medicare's prior authorization program
(42 CFR 419.83) and the claim records no affirmed prior authorization.
"""

from __future__ import annotations

from collections.abc import Iterator

from chemoden.context import ClaimContext
from chemoden.coverage.analysis import claim_coverage
from chemoden.findings import Severity
from chemoden.registry import Family, Hit, rule
from chemoden.rules._coverage_common import _LCD, _lines_label, _numbers, _severity, _source


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
