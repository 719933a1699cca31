"""Code pairs: CPT and NCCI pair edits, add-on codes, guidance units, same-day E/M, supplies.

A pair edit bars two codes from one date of service. 64615 already includes the
muscles of 64612, 64616, 64617 and 64642-64647, and 64617 includes its EMG guidance.
Only one guidance method (95873 or 95874) is reported per session. An NCCI-associated
modifier (59, XE, XS, XP, XU) on the column 2 line bypasses an NCCI edit with modifier
indicator 1, but nothing bypasses a CPT instruction.
Add-on codes (95873, 95874, 64643, 64645) need their primary code on the same date.
An office visit on the day of a minor procedure needs modifier 25 and a separately
identifiable service, and surgical trays are not separately payable.

Sources: CPT Assistant Jan 2014 and Dec 2008 as quoted by AAPC; NCCI Policy Manual
ch. I s.D; CMS Claims Processing Manual ch. 12 s30.6.6 and s20.4.4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from chemoden.context import ClaimContext, NumberedLine
from chemoden.findings import Severity
from chemoden.reference.coding import CodePair
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import fact_source, lines_text, severity_for

_NCCI_BYPASS = frozenset({"59", "XE", "XS", "XP", "XU"})
_GUIDANCE_CODES = ("95873", "95874")


def _pair_source(pair: CodePair) -> str:
    kind = {"cpt": "CPT instruction", "ncci": "NCCI PTP edit", "both": "CPT instruction and NCCI PTP edit"}
    label = kind.get(pair.basis, pair.basis)
    marked = "" if pair.confidence.is_confirmed else f" [{pair.confidence.value}]"
    return f"{label}: {pair.source}{marked}"


def _pair_hit(pair: CodePair, first: NumberedLine, second: NumberedLine) -> Hit | None:
    if pair.modifier_indicator == "9":
        return None  # NCCI deleted the edit
    column1, column2 = (first, second) if first.code == pair.column1 else (second, first)
    bypass = [m for m in column2.line.modifiers if m in pair.bypass_modifiers or m in _NCCI_BYPASS]
    severity = severity_for(pair.confidence)
    lines = tuple(sorted((column1.number, column2.number)))

    if bypass and pair.modifier_indicator == "1" and pair.bypass_modifiers & set(bypass):
        return None
    if bypass and pair.modifier_indicator == "0":
        advice = (
            f"modifier {bypass[0]} does not bypass this edit (modifier indicator 0); remove {column2.code}"
        )
    elif bypass:
        advice = (
            f"{bypass[0]} on line {column2.number} may not be honored: chemoden does not know "
            "that this pair can be bypassed. Keep it only if the services were truly separate "
            "and documented as such; otherwise remove "
            f"{column2.code}"
        )
        severity = Severity.WARNING
    else:
        advice = f"remove {column2.code} (line {column2.number})"
        if pair.modifier_indicator == "1":
            advice += (
                ", or, if it was a separate site or session, add the NCCI modifier that "
                f"applies ({', '.join(sorted(pair.bypass_modifiers or _NCCI_BYPASS))}) "
                "with documentation"
            )
    return Hit(
        f"{column2.code} (line {column2.number}) is not reported with {column1.code} "
        f"(line {column1.number}) on the same date: {pair.reason}. Fix: {advice}.",
        lines=lines,
        codes=(column1.code, column2.code),
        severity=severity,
        source=_pair_source(pair),
    )


@rule(
    "code-pair-not-reported-together",
    family=Family.CODE_PAIRS,
    severity=Severity.ERROR,
    source="CPT instructions; NCCI procedure-to-procedure edits",
    summary="Two codes that CPT or NCCI bar together are on the same date of service.",
    requires=("pair-candidates",),
)
def code_pair_not_reported_together(context: ClaimContext) -> Iterator[Hit]:
    tables = context.tables
    candidates = [n for n in context.procedures if tables.has_pair_edits(n.code)]
    if len(candidates) < 2:
        return
    reported: set[tuple[str, str, dt.date]] = set()
    for index, first in enumerate(candidates):
        for second in candidates[index + 1 :]:
            if first.code == second.code or first.date != second.date:
                continue
            if first.kind == "guidance" and second.kind == "guidance":
                continue  # guidance-over-one-unit-per-day reports two guidance codes, with the fix
            for pair in tables.pair_edits(first.code, second.code, first.date):
                key = (pair.column1, pair.column2, first.date)
                if key in reported:
                    continue
                hit = _pair_hit(pair, first, second)
                if hit is not None:
                    reported.add(key)
                    yield hit


@rule(
    "addon-code-without-primary",
    family=Family.CODE_PAIRS,
    severity=Severity.ERROR,
    source="CPT add-on code convention; NCCI add-on code edits",
    summary="An add-on code (95873, 95874, 64643, 64645) has no primary code on the same date.",
    requires=("addon",),
)
def addon_code_without_primary(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.procedures:
        primaries_fact = numbered.facts.get("addon_primaries")
        if primaries_fact is None:
            continue
        primaries = primaries_fact.value.split()
        same_day = [
            other
            for other in context.procedures
            if other.date == numbered.date and other.number != numbered.number
        ]
        listed = [other for other in same_day if other.code in primaries]
        if listed:
            continue
        chemodenervation = [
            other for other in same_day if other.kind == "chemodenervation" and other.code != numbered.code
        ]
        # A primary that a pair edit bars with the add-on is reported by the pair rule.
        unlisted = [
            other
            for other in chemodenervation
            if not context.tables.pair_edits(other.code, numbered.code, numbered.date)
        ]
        if chemodenervation and not unlisted:
            continue
        if unlisted:
            codes = sorted({other.code for other in unlisted})
            yield Hit(
                f"Add-on code {numbered.code} (line {numbered.number}) is billed with "
                f"{', '.join(codes)}, which is not among its primary codes "
                f"({', '.join(primaries)}); the add-on may be denied. Check the NCCI add-on "
                "code file for this pairing.",
                lines=(numbered.number,),
                codes=(numbered.code, *codes),
                severity=Severity.WARNING,
                source=fact_source(primaries_fact),
            )
            continue
        yield Hit(
            f"Add-on code {numbered.code} (line {numbered.number}) is billed without a "
            f"primary procedure on {numbered.date.isoformat()}. Add the primary code "
            f"({', '.join(primaries)}) or remove the add-on.",
            lines=(numbered.number,),
            codes=(numbered.code,),
        )


@rule(
    "guidance-over-one-unit-per-day",
    family=Family.CODE_PAIRS,
    severity=Severity.ERROR,
    source="CPT Assistant Dec 2008 and Jan 2014, as quoted by AAPC",
    summary="More than 1 unit of chemodenervation guidance (95873 and 95874 together) in a day.",
    requires=("kind:guidance",),
)
def guidance_over_one_unit_per_day(context: ClaimContext) -> Iterator[Hit]:
    by_date: dict[dt.date, list[NumberedLine]] = {}
    for code in _GUIDANCE_CODES:
        for numbered in context.lines_with(code):
            by_date.setdefault(numbered.date, []).append(numbered)
    for day, group in sorted(by_date.items()):
        units = sum(numbered.line.units for numbered in group)
        if units <= 1:
            continue
        numbers = sorted(numbered.number for numbered in group)
        codes = sorted({numbered.code for numbered in group})
        yield Hit(
            f"{' and '.join(codes)} {'bills' if len(codes) == 1 else 'bill'} {units} units of "
            f"chemodenervation guidance on "
            f"{day.isoformat()} ({lines_text(numbers)}). Guidance is reported once per day, "
            "with one method (95873 electrical stimulation or 95874 needle EMG), whatever "
            "the number of muscles or injections: keep 1 unit of the method used.",
            lines=tuple(numbers),
            codes=tuple(codes),
        )


@rule(
    "em-same-day-without-modifier-25",
    family=Family.CODE_PAIRS,
    severity=Severity.ERROR,
    source="NCCI Policy Manual ch. I s.D; CMS Claims Processing Manual ch. 12 s30.6.6",
    summary="An office visit (99202-99215) on the day of a chemodenervation procedure lacks modifier 25.",
    requires=(
        "kind:em",
        "kind:chemodenervation",
    ),
)
def em_same_day_without_modifier_25(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.procedures:
        if numbered.kind != "em" or "25" in numbered.line.modifiers:
            continue
        procedures = context.chemodenervation_lines(numbered.date)
        if not procedures:
            continue
        codes = sorted({procedure.code for procedure in procedures})
        yield Hit(
            f"Office visit {numbered.code} (line {numbered.number}) is on the same day as "
            f"{', '.join(codes)}. The visit that leads to a minor procedure is part of it; "
            "bill the visit only when it was significant and separately identifiable, with "
            "modifier 25 and documentation, or remove it.",
            lines=(numbered.number,),
            codes=(numbered.code, *codes),
        )


@rule(
    "modifier-25-on-non-em-code",
    family=Family.CODE_PAIRS,
    severity=Severity.WARNING,
    source="CMS Claims Processing Manual ch. 12 s30.6.6 (modifier 25 on E/M services)",
    summary="Modifier 25 is on a line that is not an E/M service.",
    requires=("procedure",),
)
def modifier_25_on_non_em_code(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.procedures:
        if "25" not in numbered.line.modifiers or numbered.kind in ("em", None):
            continue
        yield Hit(
            f"Line {numbered.number} bills {numbered.code} with modifier 25, which marks a "
            "significant, separately identifiable E/M service and belongs on the office visit "
            f"line. Remove 25 from {numbered.code} and put it on the E/M line if the visit "
            "qualifies.",
            lines=(numbered.number,),
            codes=(numbered.code, "25"),
        )


@rule(
    "em-in-global-period",
    family=Family.CODE_PAIRS,
    severity=Severity.WARNING,
    source="CMS Claims Processing Manual ch. 12 s40 (global surgery)",
    summary="An office visit falls in the 10-day global period of an earlier chemodenervation.",
    requires=("kind:em", "prior-services"),
)
def em_in_global_period(context: ClaimContext) -> Iterator[Hit]:
    tables = context.tables
    for numbered in context.procedures:
        if numbered.kind != "em" or numbered.line.has_modifier("24", "25", "57"):
            continue
        for prior in context.claim.prior_services:
            global_days = tables.facts_on(prior.code, prior.date_of_service).get("global_days")
            if global_days is None or not global_days.value.isdigit() or int(global_days.value) == 0:
                continue
            days_after = (numbered.date - prior.date_of_service).days
            if not 0 < days_after <= int(global_days.value):
                continue
            yield Hit(
                f"Office visit {numbered.code} (line {numbered.number}) is {days_after} days after "
                f"{prior.code} on {prior.date_of_service.isoformat()}, inside its "
                f"{int(global_days.value)}-day global period, which includes related follow-up "
                "visits. Bill the visit only if it was for an unrelated problem, with modifier 24 "
                "and documentation.",
                lines=(numbered.number,),
                codes=(numbered.code, prior.code),
                source=f"CMS Claims Processing Manual ch. 12 s40 (global surgery); global days: "
                f"{fact_source(global_days)}",
            )
            break


@rule(
    "supply-not-separately-payable",
    family=Family.CODE_PAIRS,
    severity=Severity.ERROR,
    source="CMS Claims Processing Manual ch. 12 s20.4.4",
    summary="A supply (A4550 surgical tray, 99070) that Medicare does not pay separately is billed.",
    requires=("kind:supply",),
)
def supply_not_separately_payable(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.procedures:
        fact = numbered.facts.get("separately_payable")
        if fact is None or fact.value != "no":
            continue
        yield Hit(
            f"{numbered.code} (line {numbered.number}) is not separately payable: the "
            "supplies for the procedure are paid within its practice expense. Remove the "
            "line.",
            lines=(numbered.number,),
            codes=(numbered.code,),
            severity=severity_for(fact.confidence),
            source=fact_source(fact),
        )
