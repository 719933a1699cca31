"""Laterality and units: bilateral and unilateral codes, modifiers 50, RT and LT, MUE.

CPT describes some chemodenervation codes as bilateral (64611 both sets of salivary
glands, 64615 both sides for chronic migraine): they take no 50, RT or LT and are
reported once. Others are unilateral (64612 facial nerve, 64616 neck, 64617 larynx).
On Medicare physician claims both sides go on one line with modifier 50 and 1 unit,
which the PFS pays at 150 % (bilateral surgery indicator 1). An ambulatory surgical
center (place of service 24) reports RT and LT lines instead. Units above the
practitioner MUE are denied.

Sources: CPT descriptors; CMS Claims Processing Manual ch. 12 s40.7 (bilateral surgery,
as quoted by MAC pages); First Coast (MAC) botulinum toxin review page; CMS MUE.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from chemoden.context import ClaimContext, NumberedLine
from chemoden.findings import Severity
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import fact_source, lines_text, lines_verb, severity_for

_SIDES = ("RT", "LT")
_ONE_UNIT_LATERALITIES = frozenset({"bilateral", "unilateral"})
"""Lateralities whose own rules report more than 1 unit on a line."""
_ASC = "24"
_BILATERAL_SOURCE = "CPT code descriptor; CMS bilateral surgery indicator"
_UNILATERAL_SOURCE = (
    "CPT code descriptor; CMS Claims Processing Manual ch. 12 s40.7 (bilateral surgery); "
    "First Coast (MAC) botulinum toxin review page"
)


class _Basis(NamedTuple):
    """Severity and source overrides for a hit that rests on a laterality fact."""

    severity: Severity | None
    source: str | None


_CONFIRMED = _Basis(None, None)


def _laterality_lines(context: ClaimContext, laterality: str) -> list[tuple[NumberedLine, _Basis]]:
    """Return the procedure lines whose code has this laterality, with the fact's basis."""
    key = f"laterality:{laterality}"
    cached: list[tuple[NumberedLine, _Basis]] | None = context.memo.get(key)
    if cached is not None:
        return cached
    found: list[tuple[NumberedLine, _Basis]] = []
    for numbered in context.procedures:
        fact = numbered.facts.get("laterality")
        if fact is None or fact.value != laterality:
            continue
        if fact.confidence.is_confirmed:
            found.append((numbered, _CONFIRMED))
        else:
            found.append((numbered, _Basis(severity_for(fact.confidence), fact_source(fact))))
    context.memo[key] = found
    return found


@rule(
    "bilateral-code-with-modifier-50",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source=_BILATERAL_SOURCE,
    summary="A code that is bilateral by definition (64611, 64615) carries modifier 50.",
    requires=("modifier:50",),
)
def bilateral_code_with_modifier_50(context: ClaimContext) -> Iterator[Hit]:
    for numbered, basis in _laterality_lines(context, "bilateral"):
        if "50" in numbered.line.modifiers:
            yield Hit(
                f"{numbered.code} is bilateral by definition; remove modifier 50 from line "
                f"{numbered.number} and bill 1 unit.",
                lines=(numbered.number,),
                codes=(numbered.code, "50"),
                severity=basis.severity,
                source=basis.source,
            )


@rule(
    "bilateral-code-with-side-modifier",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source=_BILATERAL_SOURCE,
    summary="A code that is bilateral by definition carries RT or LT.",
    requires=("modifier:side",),
)
def bilateral_code_with_side_modifier(context: ClaimContext) -> Iterator[Hit]:
    for numbered, basis in _laterality_lines(context, "bilateral"):
        sides = [modifier for modifier in numbered.line.modifiers if modifier in _SIDES]
        if sides:
            yield Hit(
                f"{numbered.code} is bilateral by definition and covers both sides; remove "
                f"{' and '.join(sides)} from line {numbered.number}.",
                lines=(numbered.number,),
                codes=(numbered.code, *sides),
                severity=basis.severity,
                source=basis.source,
            )


@rule(
    "bilateral-code-over-one-unit",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source=_BILATERAL_SOURCE,
    summary="A code that is bilateral by definition is billed for more than 1 unit in a day.",
    requires=("procedure-units-or-repeats",),
)
def bilateral_code_over_one_unit(context: ClaimContext) -> Iterator[Hit]:
    groups: dict[tuple[str, object], list[NumberedLine]] = {}
    bases: dict[str, _Basis] = {}
    for numbered, basis in _laterality_lines(context, "bilateral"):
        groups.setdefault((numbered.code, numbered.date), []).append(numbered)
        bases[numbered.code] = basis
    for (code, _), group in groups.items():
        units = sum(numbered.line.units for numbered in group)
        if units <= 1:
            continue
        numbers = [numbered.number for numbered in group]
        basis = bases[code]
        yield Hit(
            f"{code} is bilateral by definition and is reported once per session, but "
            f"{lines_verb(numbers, 'bills', 'bill')} {units} units. Bill 1 unit on one line.",
            lines=tuple(numbers),
            codes=(code,),
            severity=basis.severity,
            source=basis.source,
        )


@rule(
    "unilateral-code-multiple-units",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source=_UNILATERAL_SOURCE,
    summary="A unilateral code (64612, 64616, 64617) is billed with more than 1 unit on a line.",
    requires=("multi-unit-procedure",),
)
def unilateral_code_multiple_units(context: ClaimContext) -> Iterator[Hit]:
    for numbered, basis in _laterality_lines(context, "unilateral"):
        units = numbered.line.units
        if units <= 1:
            continue
        yield Hit(
            f"{numbered.code} describes one side and is billed once per side, whatever the "
            f"number of injections, but line {numbered.number} bills {units} units; units above "
            "its MUE of 1 are denied. For both "
            "sides on a Medicare physician claim, bill 1 unit with modifier 50; an ambulatory "
            "surgical center bills one RT line and one LT line.",
            lines=(numbered.number,),
            codes=(numbered.code,),
            severity=basis.severity,
            source=basis.source,
        )


@rule(
    "modifier-50-with-side-modifier",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source="CMS Claims Processing Manual ch. 12 s40.7 (bilateral surgery)",
    summary="A line carries modifier 50 together with RT or LT.",
    requires=(
        "modifier:50",
        "modifier:side",
    ),
)
def modifier_50_with_side_modifier(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.lines:
        modifiers = numbered.line.modifiers
        if "50" not in modifiers:
            continue
        sides = [modifier for modifier in modifiers if modifier in _SIDES]
        if sides:
            yield Hit(
                f"Line {numbered.number} ({numbered.code}) carries modifier 50 and "
                f"{' and '.join(sides)}. Modifier 50 already means both sides: keep 50 alone "
                "for a bilateral procedure, or one side modifier for one side.",
                lines=(numbered.number,),
                codes=(numbered.code, "50", *sides),
            )


def _sides_of(numbered: NumberedLine) -> tuple[str, ...]:
    modifiers = numbered.line.modifiers
    if "50" in modifiers:
        return ("RT", "LT")
    return tuple(modifier for modifier in modifiers if modifier in _SIDES)


@rule(
    "same-side-billed-twice",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source=_UNILATERAL_SOURCE,
    summary="A unilateral code is billed twice for the same side on one date, or on lines without a side.",
    requires=("repeated-procedure",),
)
def same_side_billed_twice(context: ClaimContext) -> Iterator[Hit]:
    groups: dict[tuple[str, object], list[tuple[NumberedLine, _Basis]]] = {}
    for numbered, basis in _laterality_lines(context, "unilateral"):
        groups.setdefault((numbered.code, numbered.date), []).append((numbered, basis))

    for (code, _), group in groups.items():
        if len(group) < 2:
            continue
        basis = group[0][1]
        seen: dict[str, list[int]] = {}
        unsided: list[int] = []
        for numbered, _basis in group:
            sides = _sides_of(numbered)
            if not sides:
                unsided.append(numbered.number)
            for side in sides:
                seen.setdefault(side, []).append(numbered.number)
        repeated = {side: numbers for side, numbers in seen.items() if len(numbers) > 1}
        for side, numbers in sorted(repeated.items()):
            side_name = "right" if side == "RT" else "left"
            yield Hit(
                f"{code} is billed for the {side_name} side on {lines_text(numbers)} of the "
                "same date; each side is billed once per session. Remove the duplicate, or "
                "correct the side modifiers (RT, LT, or 50 for both sides).",
                lines=tuple(numbers),
                codes=(code, side),
                severity=basis.severity,
                source=basis.source,
            )
        if len(unsided) > 1 or (unsided and seen):
            numbers = sorted({*unsided, *(n for ns in seen.values() for n in ns)})
            yield Hit(
                f"{code} is billed on {lines_text(numbers)} of the same date and "
                f"{lines_verb(unsided, 'names', 'name')} no side. Bill both sides as one line with "
                "modifier 50 (Medicare physician claims), or mark each line RT or LT.",
                lines=tuple(numbers),
                codes=(code,),
                severity=basis.severity,
                source=basis.source,
            )


@rule(
    "modifier-50-not-allowed",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source="CMS PFS bilateral surgery indicator",
    summary="Modifier 50 on a code whose bilateral surgery indicator is not 1 (add-ons, 64642-64647).",
    requires=("modifier:50",),
)
def modifier_50_not_allowed(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.procedures:
        if "50" not in numbered.line.modifiers:
            continue
        if numbered.value("laterality") == "bilateral":
            continue  # reported by bilateral-code-with-modifier-50
        indicator = numbered.facts.get("bilateral_indicator")
        if indicator is None and "addon_primaries" in numbered.facts:
            yield Hit(
                f"Modifier 50 does not apply to add-on code {numbered.code} (line "
                f"{numbered.number}): an add-on is reported per additional site or unit, never "
                "as bilateral. Remove modifier 50 and bill the units the add-on's descriptor "
                "counts.",
                lines=(numbered.number,),
                codes=(numbered.code, "50"),
                severity=Severity.WARNING,
                source="codingahead.com modifier 50 guide (no modifier 50 on add-on codes) [secondary]",
            )
            continue
        if indicator is None or indicator.value == "1":
            continue
        yield Hit(
            f"Modifier 50 does not apply to {numbered.code} (line {numbered.number}): its "
            f"bilateral surgery indicator is {indicator.value}, so the payer makes no "
            "bilateral adjustment. Remove modifier 50; for another limb or region use the "
            "add-on or per-site code that CPT provides.",
            lines=(numbered.number,),
            codes=(numbered.code, "50"),
            severity=severity_for(indicator.confidence),
            source=fact_source(indicator),
        )


@rule(
    "extremity-base-code-repeated",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.WARNING,
    source="CPT guidelines for 64642-64647 as summarized by iframe.ai and codingmcw [secondary]",
    summary="More than one extremity base code (64642, 64644) in a day; further limbs take the add-ons.",
    requires=("procedure",),
)
def extremity_base_code_repeated(context: ClaimContext) -> Iterator[Hit]:
    by_date: dict[object, list[NumberedLine]] = {}
    for numbered in context.procedures:
        facts = numbered.facts
        if numbered.value("laterality") == "per-extremity" and "addon_primaries" not in facts:
            by_date.setdefault(numbered.date, []).append(numbered)
    for lines in by_date.values():
        units = sum(numbered.line.units for numbered in lines)
        if units < 2:
            continue
        numbers = [numbered.number for numbered in lines]
        codes = sorted({numbered.code for numbered in lines})
        yield Hit(
            f"{' and '.join(codes)} ({lines_text(numbers)}) bill {units} extremity base units on "
            "one date. Report one base code per session (64644 when any limb had 5 or more "
            "muscles injected, else 64642) and each further limb with an add-on: 64643 for 1 to "
            "4 muscles, 64645 for 5 or more.",
            lines=tuple(numbers),
            codes=tuple(codes),
        )


@rule(
    "modifier-50-in-asc",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.WARNING,
    source="AAO and codingahead guidance on ASC bilateral billing (secondary sources)",
    summary="An ASC claim (place of service 24) uses modifier 50 on a unilateral code.",
    requires=(
        "modifier:50",
        "place-24",
    ),
)
def modifier_50_in_asc(context: ClaimContext) -> Iterator[Hit]:
    for numbered, _basis in _laterality_lines(context, "unilateral"):
        if numbered.place_of_service == _ASC and "50" in numbered.line.modifiers:
            yield Hit(
                f"Line {numbered.number} bills {numbered.code} with modifier 50 at place of "
                "service 24. Ambulatory surgical centers do not use modifier 50: bill one RT "
                "line and one LT line, 1 unit each.",
                lines=(numbered.number,),
                codes=(numbered.code, "50"),
            )


@rule(
    "bilateral-billed-as-side-lines",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.WARNING,
    source="CMS Claims Processing Manual ch. 12 s40.7 (bilateral surgery), as quoted by MAC pages",
    summary="A unilateral code is billed on an RT line and an LT line outside an ASC.",
    requires=(
        "modifier:side",
        "repeated-code",
    ),
)
def bilateral_billed_as_side_lines(context: ClaimContext) -> Iterator[Hit]:
    groups: dict[tuple[str, object], list[NumberedLine]] = {}
    for numbered, _basis in _laterality_lines(context, "unilateral"):
        modifiers = numbered.line.modifiers
        if numbered.place_of_service == _ASC or "50" in modifiers:
            continue
        if "RT" in modifiers and "LT" in modifiers:
            continue  # side-modifiers-on-one-line reports it
        groups.setdefault((numbered.code, numbered.date), []).append(numbered)
    for (code, _), group in groups.items():
        right = [n.number for n in group if "RT" in n.line.modifiers]
        left = [n.number for n in group if "LT" in n.line.modifiers]
        if len(right) == 1 and len(left) == 1:
            numbers = sorted(right + left)
            yield Hit(
                f"{code} is billed on an RT line and an LT line ({lines_text(numbers)}). "
                "Medicare physician claims report a bilateral procedure on one line with "
                "modifier 50 and 1 unit; keep RT and LT lines only if the payer asks for them.",
                lines=tuple(numbers),
                codes=(code, "RT", "LT"),
            )


@rule(
    "side-modifiers-on-one-line",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.WARNING,
    source="CMS Claims Processing Manual ch. 12 s40.7 (bilateral surgery), as quoted by MAC pages",
    summary="A unilateral code carries both RT and LT on one line.",
    requires=("modifier:side",),
)
def side_modifiers_on_one_line(context: ClaimContext) -> Iterator[Hit]:
    for numbered, _basis in _laterality_lines(context, "unilateral"):
        modifiers = numbered.line.modifiers
        if "RT" in modifiers and "LT" in modifiers and "50" not in modifiers:
            yield Hit(
                f"Line {numbered.number} bills {numbered.code} with both RT and LT. For both "
                "sides, Medicare physician claims use modifier 50 on one line with 1 unit; an "
                "ambulatory surgical center or a payer that asks for it uses one RT line and one "
                "LT line.",
                lines=(numbered.number,),
                codes=(numbered.code, "RT", "LT"),
            )


@rule(
    "units-over-mue",
    family=Family.LATERALITY_AND_UNITS,
    severity=Severity.ERROR,
    source="CMS Medically Unlikely Edits (practitioner)",
    summary="A line bills more units than the code's MUE.",
    requires=("multi-unit",),
)
def units_over_mue(context: ClaimContext) -> Iterator[Hit]:
    # NOTE: no MUE adjudication indicator is bundled, so each line is compared with
    # the MUE on its own. A date-of-service MUE (indicator 2 or 3) would also sum lines.
    for numbered in context.lines:
        mue = numbered.facts.get("mue")
        if mue is None:
            continue
        limit = int(mue.value)
        if numbered.line.units <= limit:
            continue
        if limit == 1 and numbered.value("laterality") in _ONE_UNIT_LATERALITIES:
            continue  # the laterality rules report it, with the same fix
        if numbered.kind == "guidance":
            continue  # guidance-over-one-unit-per-day reports it, with the same fix
        yield Hit(
            f"Line {numbered.number} bills {numbered.line.units} units of {numbered.code}, "
            f"above its MUE of {limit}; the units over the MUE will be denied. Bill at most "
            f"{limit} per line, or check the units and laterality modifiers.",
            lines=(numbered.number,),
            codes=(numbered.code,),
            severity=severity_for(mue.confidence),
            source=fact_source(mue),
        )
