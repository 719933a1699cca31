"""Drug lines: the toxin HCPCS code, its billing units, NDC, and the JW and JZ modifiers.

The drug goes on its own line as a HCPCS J-code, in billing units. One billing unit
of J0585, J0588 and J0589 is 1 product unit, of J0586 (Dysport) 5 and of J0587
(Myobloc) 100, so 500 Dysport units are 100 units of J0586. The drug and its administration go on
the same claim. All toxins come in single-dose vials. From 2023-07-01 a Medicare
claim reports the discarded amount on its own line with JW, or JZ on the dose line
when nothing was discarded. JW and JZ never share a line, and waste of less than one
billing unit is not billed.

Sources: HCPCS Level II descriptors of J0585-J0589; CMS Claims Processing Manual
ch. 17 s40 (JW and JZ); Noridian JW/JZ billing guidelines (A53024) and JZ page;
manufacturers' NDC lists.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping

from chemoden.context import ClaimContext, NumberedLine
from chemoden.findings import Severity
from chemoden.model import format_ndc
from chemoden.reference.coding import NdcProduct
from chemoden.reference.facts import Fact
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import (
    fact_source,
    lines_text,
    lines_verb,
    severity_for,
    units_ignore_billing_unit,
)

JZ_REQUIRED_FROM = dt.date(2023, 7, 1)
"""JW or JZ is required on single-dose drug lines from this date (CMS, ch. 17 s40)."""

_JW_JZ_SOURCE = (
    "CMS Claims Processing Manual ch. 17 s40 (JW and JZ modifiers, national policy), "
    "as explained in Noridian JW/JZ billing guidelines A53024"
)
_UNITS_SOURCE = "HCPCS Level II descriptors of J0586 (5 units) and J0587 (100 units)"
_NO_JW_JZ_PLACES = frozenset({"50", "72"})  # FQHC and RHC claims do not report JW or JZ
_FACILITY_PLACES = frozenset({"19", "21", "22", "23", "24"})


class _DrugGroup:
    """The lines of one toxin code on one date: dose lines and JW waste lines."""

    __slots__ = ("billing_unit", "code", "date", "dose", "facts", "waste")

    def __init__(self, code: str, date: dt.date, billing_unit: int, facts: Mapping[str, Fact]) -> None:
        self.code = code
        self.date = date
        self.billing_unit = billing_unit
        self.facts = facts
        self.dose: list[NumberedLine] = []
        self.waste: list[NumberedLine] = []

    @property
    def dose_units(self) -> int:
        return sum(numbered.line.units for numbered in self.dose)

    @property
    def waste_units(self) -> int:
        return sum(numbered.line.units for numbered in self.waste)

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted(numbered.number for numbered in (*self.dose, *self.waste)))


def _toxin_groups(context: ClaimContext) -> list[_DrugGroup]:
    """Return the toxin drug lines grouped by code and date; computed once per claim."""
    cached: list[_DrugGroup] | None = context.memo.get("toxin_groups")
    if cached is not None:
        return cached
    groups: dict[tuple[str, dt.date], _DrugGroup] = {}
    for numbered in context.drugs:
        billing_unit = numbered.value("billing_unit")
        if billing_unit is None:
            continue
        key = (numbered.code, numbered.date)
        group = groups.get(key)
        if group is None:
            group = _DrugGroup(numbered.code, numbered.date, int(billing_unit), numbered.facts)
            groups[key] = group
        if "JW" in numbered.line.modifiers:
            group.waste.append(numbered)
        else:
            group.dose.append(numbered)
    result = list(groups.values())
    context.memo["toxin_groups"] = result
    return result


def _shared_product(context: ClaimContext, group: _DrugGroup) -> NdcProduct | None:
    """Return the product when every line of the group names the same known NDC."""
    ndcs = {numbered.line.ndc for numbered in (*group.dose, *group.waste)}
    if len(ndcs) != 1:
        return None
    (ndc,) = ndcs
    if ndc is None:
        return None
    product = context.tables.ndc(ndc, group.date)
    if product is None or product.hcpcs != group.code:
        return None
    return product


@rule(
    "drug-without-chemodenervation",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source="MAC billing articles for botulinum toxins (drug and administration on one claim)",
    summary="A toxin drug line is billed with no chemodenervation procedure on the same date.",
    requires=("toxin",),
)
def drug_without_chemodenervation(context: ClaimContext) -> Iterator[Hit]:
    groups = _toxin_groups(context)
    by_date: dict[dt.date, list[_DrugGroup]] = {}
    for group in groups:
        by_date.setdefault(group.date, []).append(group)
    for day, day_groups in sorted(by_date.items()):
        if context.chemodenervation_lines(day):
            continue
        numbers = sorted(n for group in day_groups for n in group.numbers)
        codes = sorted({group.code for group in day_groups})
        yield Hit(
            f"{', '.join(codes)} ({lines_text(numbers)}) is billed with no chemodenervation "
            f"procedure on {day.isoformat()}. Add the injection procedure (such as 64612, "
            "64615 or 64616) that administered the drug, or remove the drug lines.",
            lines=tuple(numbers),
            codes=tuple(codes),
        )


@rule(
    "chemodenervation-without-drug",
    family=Family.DRUG_LINES,
    severity=Severity.WARNING,
    source="MAC billing articles for botulinum toxins (drug and administration on one claim)",
    summary="A toxin injection has no drug line; correct only if the drug was supplied by others.",
    requires=("kind:chemodenervation",),
)
def chemodenervation_without_drug(context: ClaimContext) -> Iterator[Hit]:
    drug_dates = {group.date for group in _toxin_groups(context)}
    by_date: dict[dt.date, list[NumberedLine]] = {}
    for numbered in context.procedures:
        if numbered.date in drug_dates or numbered.place_of_service in _FACILITY_PLACES:
            continue
        if numbered.value("toxin_injection") == "always":
            by_date.setdefault(numbered.date, []).append(numbered)
    for injections in by_date.values():
        numbers = [numbered.number for numbered in injections]
        codes = sorted({numbered.code for numbered in injections})
        yield Hit(
            f"{', '.join(codes)} ({lines_text(numbers)}) injects a botulinum toxin, but the "
            "claim has no drug line (J0585-J0589) for that date. Add the drug line with its "
            "units and NDC, unless the drug came from the patient's pharmacy or another supplier.",
            lines=tuple(numbers),
            codes=tuple(codes),
        )


@rule(
    "drug-units-ignore-billing-unit",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source=_UNITS_SOURCE + "; product labels",
    summary="Drug units look like product units: they exceed the label maximum or fill whole vials.",
    requires=(
        "toxin",
        "multi-unit",
    ),
)
def drug_units_ignore_billing_unit(context: ClaimContext) -> Iterator[Hit]:
    for group in _toxin_groups(context):
        if not group.dose:
            continue
        if group.billing_unit <= 1:
            continue
        maximum = group.facts.get("label_max_units")
        billed = group.dose_units
        brand_fact = group.facts.get("brand")
        brand = brand_fact.value if brand_fact is not None else group.code
        corrected = math.ceil(billed / group.billing_unit)
        numbers = [numbered.number for numbered in group.dose]
        if maximum is not None and units_ignore_billing_unit(group.billing_unit, billed, maximum):
            product_units = billed * group.billing_unit
            yield Hit(
                f"{billed:,} units of {group.code} ({lines_text(numbers)}) are "
                f"{product_units:,} {brand} units, above the label maximum of "
                f"{int(maximum.value):,} in a session: one billing unit of {group.code} is "
                f"{group.billing_unit} {brand} units. If {billed:,} {brand} units were given, "
                f"bill {corrected:,} units.",
                lines=tuple(numbers),
                codes=(group.code,),
                severity=severity_for(maximum.confidence),
                source=fact_source(maximum),
            )
            continue
        hit = _units_match_vial_contents(context, group, brand, corrected, numbers)
        if hit is not None:
            yield hit


def _units_match_vial_contents(
    context: ClaimContext, group: _DrugGroup, brand: str, corrected: int, numbers: list[int]
) -> Hit | None:
    """Return a warning when billed units equal whole vials counted in product units.

    300 units of J0586 with a 300-unit Dysport vial are 1,500 Dysport units, five vials
    used up with nothing left. Far more likely, one vial's 300 units were billed as if
    the billing unit were 1. This is a guess, so it gives a warning.
    """
    if group.billing_unit <= 1:
        return None
    product = _shared_product(context, group)
    if product is None:
        return None
    billed_total = group.dose_units + group.waste_units
    if billed_total % product.vial_units != 0:
        return None
    vials = billed_total // product.vial_units
    return Hit(
        f"{group.dose_units:,} units of {group.code} ({lines_text(numbers)}) equal the content of "
        f"{vials} vial{'s' if vials > 1 else ''} of {product.product} counted in {brand} units, but "
        f"one billing unit of {group.code} is {group.billing_unit} {brand} units, so the claim "
        f"bills {billed_total * group.billing_unit:,} {brand} units. If {group.dose_units:,} {brand} "
        f"units were given, bill {corrected:,} units.",
        lines=tuple(numbers),
        codes=(group.code, format_ndc(product.ndc)),
        severity=Severity.WARNING,
        source=_UNITS_SOURCE + "; manufacturers' vial sizes",
    )


@rule(
    "ndc-does-not-match-code",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source="Manufacturers' NDC lists; HCPCS Level II drug codes",
    summary="A drug line's NDC belongs to another product than its HCPCS code.",
    requires=("ndc",),
)
def ndc_does_not_match_code(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.drugs:
        ndc = numbered.line.ndc
        if ndc is None:
            continue
        product = context.tables.ndc(ndc, numbered.date)
        if product is None or product.hcpcs == numbered.code:
            continue
        yield Hit(
            f"NDC {format_ndc(ndc)} on line {numbered.number} is {product.product}, billed "
            f"as {product.hcpcs}, but the line bills {numbered.code}. Correct the HCPCS code "
            "or the NDC so that both name the product given.",
            lines=(numbered.number,),
            codes=(numbered.code, format_ndc(ndc), product.hcpcs),
            severity=severity_for(product.confidence),
            source=f"{product.source}"
            + ("" if product.confidence.is_confirmed else f" [{product.confidence.value}]"),
        )


@rule(
    "ndc-not-in-data",
    family=Family.DRUG_LINES,
    severity=Severity.INFO,
    source="chemoden NDC table",
    summary="chemoden does not know a drug line's NDC, so the NDC and vial checks did not run.",
    requires=("ndc",),
)
def ndc_not_in_data(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.drugs:
        ndc = numbered.line.ndc
        if ndc is None or context.tables.ndc(ndc, numbered.date) is not None:
            continue
        yield Hit(
            f"chemoden does not know NDC {format_ndc(ndc)} (line {numbered.number}), so it "
            f"could not check that it is a {numbered.code} product or its vial size. Check "
            "the NDC against the package.",
            lines=(numbered.number,),
            codes=(numbered.code, format_ndc(ndc)),
        )


@rule(
    "jw-jz-modifier-missing",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source=_JW_JZ_SOURCE,
    summary="A single-dose drug line on or after 2023-07-01 has neither JZ nor a JW line for its waste.",
    requires=("toxin",),
)
def jw_jz_modifier_missing(context: ClaimContext) -> Iterator[Hit]:
    for group in _toxin_groups(context):
        if group.date < JZ_REQUIRED_FROM or group.waste:
            continue
        single_dose = group.facts.get("single_dose")
        if single_dose is None or single_dose.value != "yes":
            continue
        for numbered in group.dose:
            if numbered.place_of_service in _NO_JW_JZ_PLACES or "JZ" in numbered.line.modifiers:
                continue
            yield Hit(
                f"{group.code} on line {numbered.number} comes from a single-dose vial and "
                "has neither JZ nor a JW line. From 2023-07-01 add JZ when nothing was "
                "discarded, or bill the discarded units on a separate line with JW.",
                lines=(numbered.number,),
                codes=(group.code,),
            )


@rule(
    "jw-jz-on-non-drug-line",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source=_JW_JZ_SOURCE,
    summary="JW or JZ is on a line that bills no drug, such as the injection procedure.",
    requires=("procedure",),
)
def jw_jz_on_non_drug_line(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.procedures:
        found = [modifier for modifier in numbered.line.modifiers if modifier in ("JW", "JZ")]
        if found:
            yield Hit(
                f"Line {numbered.number} bills {numbered.code} with {' and '.join(found)}, but JW and "
                "JZ describe discarded drug and belong on the drug's HCPCS line (J0585-J0589). "
                f"Remove {' and '.join(found)} from line {numbered.number} and put the modifier on the "
                "drug line.",
                lines=(numbered.number,),
                codes=(numbered.code, *found),
            )


@rule(
    "jw-and-jz-on-same-line",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source=_JW_JZ_SOURCE,
    summary="A drug line carries both JW and JZ.",
    requires=(
        "modifier:JW",
        "modifier:JZ",
    ),
)
def jw_and_jz_on_same_line(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.lines:
        if "JW" in numbered.line.modifiers and "JZ" in numbered.line.modifiers:
            yield Hit(
                f"Line {numbered.number} ({numbered.code}) carries both JW (amount discarded) "
                "and JZ (nothing discarded). Bill the dose on one line (with JZ if nothing "
                "was discarded) and any discarded units on a separate line with JW only.",
                lines=(numbered.number,),
                codes=(numbered.code, "JW", "JZ"),
            )


@rule(
    "jz-with-jw-waste",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source=_JW_JZ_SOURCE,
    summary="A dose line says nothing was discarded (JZ) while a JW line bills waste of the same drug.",
    requires=(
        "modifier:JW",
        "modifier:JZ",
    ),
)
def jz_with_jw_waste(context: ClaimContext) -> Iterator[Hit]:
    for group in _toxin_groups(context):
        if not group.waste:
            continue
        jz_lines = [
            numbered.number
            for numbered in group.dose
            if "JZ" in numbered.line.modifiers and "JW" not in numbered.line.modifiers
        ]
        if not jz_lines:
            continue
        waste_lines = [numbered.number for numbered in group.waste]
        yield Hit(
            f"{group.code} on {lines_text(jz_lines)} carries JZ (nothing discarded), but "
            f"{lines_verb(waste_lines, 'bills', 'bill')} {group.waste_units} discarded units with JW. "
            "Remove JZ from the dose line if units were discarded, or remove the JW line if "
            "none were.",
            lines=tuple(sorted(jz_lines + waste_lines)),
            codes=(group.code, "JZ", "JW"),
        )


@rule(
    "jw-line-without-administered-line",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source=_JW_JZ_SOURCE,
    summary="All units of a drug are on JW lines: no line bills the dose given.",
    requires=("modifier:JW",),
)
def jw_line_without_administered_line(context: ClaimContext) -> Iterator[Hit]:
    for group in _toxin_groups(context):
        if group.dose or not group.waste:
            continue
        if all("JZ" in numbered.line.modifiers for numbered in group.waste):
            continue  # jw-and-jz-on-same-line reports lines with both modifiers
        numbers = [numbered.number for numbered in group.waste]
        yield Hit(
            f"{group.code} is billed only with JW ({lines_text(numbers)}), which marks "
            "discarded units. Bill the units given on their own line without JW, and only "
            "the discarded rest with JW.",
            lines=tuple(numbers),
            codes=(group.code, "JW"),
        )


@rule(
    "jw-waste-below-billing-unit",
    family=Family.DRUG_LINES,
    severity=Severity.ERROR,
    source="Noridian JZ modifier page (waste under one billing unit); CMS ch. 17 s40",
    summary="A JW line bills waste although the vials left less than one billing unit after the dose.",
    requires=(
        "modifier:JW",
        "ndc",
    ),
)
def jw_waste_below_billing_unit(context: ClaimContext) -> Iterator[Hit]:
    for group in _toxin_groups(context):
        if not group.waste or not group.dose:
            continue
        product = _shared_product(context, group)
        if product is None:
            continue
        dose = group.dose_units * group.billing_unit
        vials = max(1, math.ceil(dose / product.vial_units))
        remainder = vials * product.vial_units - dose
        if remainder >= group.billing_unit:
            continue
        waste_numbers = [numbered.number for numbered in group.waste]
        yield Hit(
            f"The dose of {dose:,} units of {product.product} leaves {remainder} units in "
            f"{vials} vial(s) of {product.vial_units:,}, less than one billing unit of "
            f"{group.code} ({group.billing_unit} units), yet "
            f"{lines_verb(waste_numbers, 'bills', 'bill')} {group.waste_units} JW "
            f"unit{'' if group.waste_units == 1 else 's'}. Waste under "
            "one billing unit is not billed: remove the JW line and use JZ on the dose line.",
            lines=tuple(numbered.number for numbered in group.waste),
            codes=(group.code, "JW", format_ndc(product.ndc)),
            severity=severity_for(product.confidence),
        )


@rule(
    "drug-amount-not-whole-vials",
    family=Family.DRUG_LINES,
    severity=Severity.WARNING,
    source="CMS ch. 17 s40 (single-dose containers); Noridian JW/JZ billing guidelines",
    summary="Dose plus JW waste does not add up to whole single-dose vials of the line's NDC.",
    requires=(
        "toxin",
        "ndc",
    ),
)
def drug_amount_not_whole_vials(context: ClaimContext) -> Iterator[Hit]:
    for group in _toxin_groups(context):
        if not group.dose:
            continue
        product = _shared_product(context, group)
        if product is None or not product.single_dose:
            continue
        dose = group.dose_units * group.billing_unit
        waste = group.waste_units * group.billing_unit
        total = dose + waste
        vials = max(1, math.ceil(dose / product.vial_units))
        if total % product.vial_units == 0:
            continue
        if vials * product.vial_units - dose < group.billing_unit:
            continue  # waste under one billing unit: jw-waste-below-billing-unit reports JW
        has_jz = any("JZ" in numbered.line.modifiers for numbered in group.dose)
        if not group.waste and not has_jz and group.date >= JZ_REQUIRED_FROM:
            continue  # jw-jz-modifier-missing reports the line, with the same fix

        rest = vials * product.vial_units - total
        if rest > 0:
            drop_jz = " (and remove JZ from the dose line)" if has_jz else ""
            advice = (
                f"{rest:,} units of the opened vial(s) are not accounted for: if they were "
                f"discarded, bill them on a JW line{drop_jz}; check the units"
            )
        else:
            advice = "the billed units are more than the vials opened hold; check the units"
        yield Hit(
            f"{group.code} {lines_text(group.numbers)}: {dose:,} units given plus {waste:,} "
            f"discarded is {total:,} units, not a whole number of vials of {product.product} "
            f"({product.vial_units:,} units each); {advice}.",
            lines=group.numbers,
            codes=(group.code, format_ndc(product.ndc)),
        )
