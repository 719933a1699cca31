"""Assemble one 837P claim from its segments and convert it to a `chemoden.Claim`.

`_ClaimDraft` collects what the reader takes from the claim loop (2300), and
`_LineDraft` what it takes from one service line (2400, with its drug identification
loop 2410). `_build_claim` then checks what only the whole claim shows: an ABK
diagnosis, at least one LX, an SV1 in each line and a date of service for each line.
It reads the SV1 and LIN elements of each line and returns either the `Claim` or a
`ClaimInputError` that lists every problem with its segment and element.
"""

from __future__ import annotations

import datetime as dt
import decimal

import attrs

from chemoden.claims_io import ClaimInputError, Problem
from chemoden.model import Claim, Diagnosis, DrugLine, InvalidField, Patient, Procedure, make_line
from chemoden.x12.problems import _problem
from chemoden.x12.segments import Segment

_OTHER_PROCEDURE_QUALIFIERS = {"ER", "IV", "WK"}


@attrs.define
class _LineDraft:
    """Segments of one service line (2400 loop) read so far."""

    lx: Segment
    sv1: Segment | None = None
    lin: Segment | None = None
    date: dt.date | None = None
    prior_authorization: str | None = None
    loop: str = "2400"
    has_sv1: bool = False


@attrs.define
class _ClaimDraft:
    """Segments and values of one claim (2300 loop and its lines) read so far."""

    clm: Segment
    position: int
    payer: str | None
    patient: Patient | None
    problems: list[Problem]
    place_of_service: str | None = None
    date: dt.date | None = None
    prior_authorization: str | None = None
    diagnoses: list[str] = attrs.Factory(list)
    lines: list[_LineDraft] = attrs.Factory(list)
    loop: str = "2300"

    @property
    def label(self) -> str:
        claim_id = self.clm.element(1).strip()
        return claim_id if claim_id else f"#{self.position}"


def _build_claim(draft: _ClaimDraft, file: str) -> Claim | ClaimInputError:
    problems = draft.problems
    if not draft.diagnoses and not problems:
        problems.append(_problem(draft.clm, "", None, "the claim has no HI segment with an ABK diagnosis"))
    if not draft.lines:
        problems.append(_problem(draft.clm, "", None, "the claim has no LX service line"))

    claim_date = draft.date
    if claim_date is None and draft.lines and draft.lines[0].date is not None:
        claim_date = draft.lines[0].date
    lines: list[Procedure | DrugLine] = []
    for line in draft.lines:
        built = _build_line(line, draft, claim_date, problems)
        if built is not None:
            lines.append(built)

    prior_authorization = draft.prior_authorization
    if prior_authorization is None:
        prior_authorization = next(
            (line.prior_authorization for line in draft.lines if line.prior_authorization), None
        )
    if problems:
        return ClaimInputError(problems, file=file, claim=draft.label, guide="docs/x12.md")
    try:
        return Claim(
            id=draft.label,
            date_of_service=claim_date,
            payer=draft.payer,
            place_of_service=draft.place_of_service,
            diagnoses=tuple(Diagnosis(code) for code in draft.diagnoses),
            lines=tuple(lines),
            patient=draft.patient,
            prior_authorization=prior_authorization,
        )
    except InvalidField as error:
        field = "CLM05-1" if error.field == "place_of_service" else error.field
        problem = _problem(draft.clm, field, error.value, error.reason)
        return ClaimInputError([problem], file=file, claim=draft.label, guide="docs/x12.md")


def _build_line(
    line: _LineDraft,
    draft: _ClaimDraft,
    claim_date: dt.date | None,
    problems: list[Problem],
) -> Procedure | DrugLine | None:
    sv1 = line.sv1
    if sv1 is None:
        if not line.has_sv1:
            problems.append(_problem(line.lx, "", None, "the service line has no SV1 segment"))
        return None
    before = len(problems)

    def fail(element: str, value: object, reason: str, segment: Segment = sv1) -> None:
        problems.append(_problem(segment, element, value, reason))

    procedure = sv1.components(1)
    qualifier = procedure[0] if procedure else ""
    if qualifier != "HC":
        reason = (
            "chemoden reads CPT and HCPCS codes only (qualifier HC)"
            if qualifier in _OTHER_PROCEDURE_QUALIFIERS
            else "unknown product or service id qualifier; use HC for CPT and HCPCS codes"
        )
        fail("SV101-1", qualifier, reason)
    code = procedure[1].strip() if len(procedure) > 1 else ""
    if not code:
        fail("SV101-2", code, "the procedure code is missing")
    modifiers = [modifier.strip() for modifier in procedure[2:6]]
    while modifiers and not modifiers[-1]:
        modifiers.pop()

    if sv1.element(3) != "UN":
        reason = (
            "units in minutes (MJ) are for anesthesia; bill chemodenervation and drug lines in UN"
            if sv1.element(3) == "MJ"
            else "unknown unit basis; use UN (unit)"
        )
        fail("SV103", sv1.element(3), reason)
    units = _whole_number(sv1.element(4))
    if units is None:
        fail("SV104", sv1.element(4), "units must be a whole number, such as 1 or 155")

    pointers: list[int] = []
    for index, pointer in enumerate(sv1.components(7), start=1):
        if not pointer.strip().isdigit():
            fail(f"SV107-{index}", pointer, "a diagnosis pointer must be a number from 1 to 12")
        else:
            pointers.append(int(pointer))
    if not pointers and len(problems) == before:
        fail("SV107", sv1.element(7), "the line needs at least one diagnosis pointer")

    ndc = None
    if line.lin is not None:
        if line.lin.element(2) != "N4":
            fail(
                "LIN02",
                line.lin.element(2),
                "unknown product id qualifier; send the NDC as N4 (11 digits, no hyphens)",
                line.lin,
            )
        else:
            ndc = line.lin.element(3).strip()

    place_of_service = sv1.element(5).strip() or None
    if place_of_service == draft.place_of_service:
        place_of_service = None
    date = line.date
    if date is None and claim_date is None:
        problems.append(
            _problem(
                line.lx,
                "",
                None,
                "the line has no DTP*472 date of service and the claim has none; add DTP*472*D8*CCYYMMDD",
            )
        )
    if date == claim_date:
        date = None
    if len(problems) > before or units is None:
        return None

    try:
        return make_line(
            code=code,
            units=units,
            modifiers=modifiers,
            diagnosis_pointers=pointers,
            date_of_service=date,
            place_of_service=place_of_service,
            ndc=ndc,
        )
    except InvalidField as error:
        segment, element = _element_of(error.field, sv1, line.lin)
        problems.append(_problem(segment, element, error.value, error.reason))
        return None


def _element_of(field: str, sv1: Segment, lin: Segment | None) -> tuple[Segment, str]:
    """Return the segment and element that a `Line` attribute was read from."""
    if field == "ndc" and lin is not None:
        return lin, "LIN03"
    if field.startswith("modifiers["):
        index = int(field[len("modifiers[") : -1])
        return sv1, f"SV101-{index + 3}"
    elements = {
        "code": "SV101-2",
        "units": "SV104",
        "modifiers": "SV101-3",
        "place_of_service": "SV105",
        "diagnosis_pointers": "SV107",
    }
    return sv1, elements.get(field, field)


def _whole_number(value: str) -> int | None:
    """Return SV104 as an int when it is a whole number (``155`` or ``155.0``)."""
    try:
        number = decimal.Decimal(value.strip())
    except decimal.InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)
