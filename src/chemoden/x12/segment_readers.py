"""Read the elements of the 837P segments that chemoden checks, in and above the claims.

Above the claims the reader takes the payer id from NM1*PR (2010BB) and the patient
from DMG (2010BA or 2010CA). In a claim it reads CLM and, in loop 2300, HI
diagnoses, DTP*472 date of service and REF*G1 prior authorization. In each LX service
line (2400) it keeps SV1, DTP*472 and REF*G1, and LIN with CTP of the drug
identification loop (2410). Segments of the provider and other-payer loops (2310 to
2330, 2420), of line adjudication (2430) and of form identification (2440) are
skipped, so that their REF*G1 and DTP do not attach to the claim. A malformed element
becomes a problem that names its segment and element.
"""

from __future__ import annotations

import datetime as dt
import decimal

from chemoden.model import Patient
from chemoden.x12.draft import _ClaimDraft, _LineDraft
from chemoden.x12.problems import _ReaderState
from chemoden.x12.segments import Segment

_MAX_LINES = 50
_MAX_DIAGNOSES = 12

_DIAGNOSIS_QUALIFIERS = {"ABK": "principal", "ABF": "other"}
_ICD9_QUALIFIERS = {"BK", "BF"}
_OTHER_HI_QUALIFIERS = {"BP", "BO", "BG"}  # anesthesia procedures, condition codes: not read
_DRUG_UNIT_QUALIFIERS = {"F2", "GR", "ME", "ML", "UN"}
_PAYER_ID_QUALIFIERS = {"PI", "XV"}
_SEX_CODES = {"F", "M", "U"}


class _SegmentReader(_ReaderState):
    """Readers of the payer, patient, claim and service line segments."""

    def read_loop_segment(self, segment: Segment) -> None:
        """Read a segment above the claims: payer name and patient demographics."""
        if segment.id == "NM1" and segment.element(1) == "PR":
            self.check_count(segment)
            self.read_payer(segment)
        elif segment.id == "DMG":
            self.check_count(segment)
            patient = self.read_patient(segment)
            if self.level == "patient":
                self.patient = patient
            else:
                self.subscriber_patient = patient

    def read_payer(self, segment: Segment) -> None:
        qualifier = segment.element(8)
        payer_id = segment.element(9).strip()
        if qualifier not in _PAYER_ID_QUALIFIERS:
            self.fail(
                segment,
                "NM108",
                qualifier,
                "unknown payer id qualifier; the 837P uses PI (payer id) or XV (CMS plan id)",
            )
            return
        if not payer_id:
            self.fail(segment, "NM109", payer_id, "the payer id is missing")
            return
        self.payer = payer_id
        self.payer_segment = segment

    def read_patient(self, segment: Segment) -> Patient | None:
        if segment.element(1) != "D8":
            self.fail(segment, "DMG01", segment.element(1), "unknown date format qualifier; use D8")
            return None
        birth_date = self.parse_date(segment, "DMG02", segment.element(2))
        sex = segment.element(3).strip().upper()
        if sex not in _SEX_CODES:
            self.fail(segment, "DMG03", sex, "unknown sex code; use F, M or U")
            return None
        if birth_date is None:
            return None
        return Patient(birth_date=birth_date, sex=sex)

    def parse_date(self, segment: Segment, element: str, value: str) -> dt.date | None:
        text = value.strip()
        if len(text) != 8 or not text.isdigit():
            self.fail(segment, element, value, "a date must be CCYYMMDD, such as 20260310")
            return None
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            self.fail(segment, element, value, "this is not a calendar date")
            return None

    # -- the claim ------------------------------------------------------------------

    def read_clm(self, draft: _ClaimDraft, segment: Segment) -> None:
        if not segment.element(1).strip():
            self.fail(segment, "CLM01", "", "the claim id (patient control number) is missing")
        facility = segment.components(5)
        if len(facility) < 2 or not facility[0]:
            self.fail(
                segment,
                "CLM05",
                segment.element(5),
                "CLM05 must hold the place of service, the qualifier B and the claim "
                "frequency code, such as 11:B:1",
            )
            return
        if facility[1] != "B":
            self.fail(
                segment,
                "CLM05-2",
                facility[1],
                "unknown facility code qualifier; the 837P uses B (place of service code)",
            )
            return
        draft.place_of_service = facility[0].strip()

    def read_claim_segment(self, draft: _ClaimDraft, segment: Segment) -> None:
        """Read a segment inside a claim, from CLM to the next CLM, HL or SE."""
        segment_id = segment.id
        if segment_id == "LX":
            self.check_count(segment)
            self.read_lx(draft, segment)
            return
        line = draft.lines[-1] if draft.lines else None

        # NM1 opens a provider or other-payer loop (2310, 2330, 2420) and SBR the other
        # subscriber loop (2320): their REF*G1 and DTP belong to another payer or
        # provider, not to this claim or line. SVD opens line adjudication (2430).
        if segment_id in {"NM1", "SBR"}:
            if line is None:
                draft.loop = "2310-2330"
            else:
                line.loop = "2420"
            return
        if segment_id in {"SVD", "LQ"}:
            if line is not None:
                line.loop = "2430-2440"
            return

        if line is None:
            if draft.loop != "2300":
                return
            self.read_2300_segment(draft, segment)
        else:
            self.read_2400_segment(draft, line, segment)

    def read_2300_segment(self, draft: _ClaimDraft, segment: Segment) -> None:
        segment_id = segment.id
        if segment_id == "HI":
            self.check_count(segment)
            self.read_hi(draft, segment)
        elif segment_id == "DTP" and segment.element(1) == "472":
            if self.check_count(segment):
                draft.date = self.read_service_date(segment)
        elif segment_id == "REF" and segment.element(1) == "G1":
            if self.check_count(segment):
                draft.prior_authorization = segment.element(2).strip() or None
        elif segment_id in {"SV1", "LIN", "CTP"}:
            self.fail(segment, "", None, f"{segment_id} must follow an LX service line")

    def read_2400_segment(self, draft: _ClaimDraft, line: _LineDraft, segment: Segment) -> None:
        segment_id = segment.id
        if segment_id == "SV1":
            line.has_sv1 = True
            if line.loop != "2400":
                self.fail(segment, "", None, "SV1 must come right after its LX")
                return
            if line.sv1 is not None:
                self.fail(
                    segment,
                    "",
                    segment_id,
                    f"a second SV1 in service line LX*{line.lx.element(1)}; each line holds one",
                )
                return
            if self.check_count(segment):
                line.sv1 = segment
        elif segment_id == "LIN":
            line.loop = "2410"
            if line.lin is not None:
                self.fail(segment, "", None, "a second LIN (drug identification) in one line")
            elif self.check_count(segment):
                line.lin = segment
        elif segment_id == "CTP":
            if line.loop != "2410":
                self.fail(segment, "", None, "CTP must follow the LIN drug identification")
            else:
                self.check_count(segment)
                self.read_ctp(segment)
        elif segment_id == "DTP" and segment.element(1) == "472" and line.loop == "2400":
            if self.check_count(segment):
                line.date = self.read_service_date(segment)
        elif segment_id == "REF" and segment.element(1) == "G1" and line.loop == "2400":
            if self.check_count(segment):
                line.prior_authorization = segment.element(2).strip() or None
        elif segment_id == "HI":
            self.fail(segment, "", None, "HI diagnoses must come before the first LX")

    def read_lx(self, draft: _ClaimDraft, segment: Segment) -> None:
        expected = len(draft.lines) + 1
        number = segment.element(1).strip()
        if number != str(expected):
            self.fail(
                segment,
                "LX01",
                number,
                f"service lines must be numbered 1, 2, 3 ... in order and this is line "
                f"{expected} of the claim; renumber the LX segments so that report line "
                "numbers match them",
            )
        if expected == _MAX_LINES + 1:
            self.fail(segment, "", None, f"an 837P claim holds at most {_MAX_LINES} service lines")
        draft.lines.append(_LineDraft(lx=segment))

    def read_hi(self, draft: _ClaimDraft, segment: Segment) -> None:
        first = segment.components(1)
        if first and first[0] in _OTHER_HI_QUALIFIERS:
            return
        for position in range(1, segment.count + 1):
            element = f"HI{position:02d}"
            parts = segment.components(position)
            qualifier = parts[0] if parts else ""
            code = parts[1].strip() if len(parts) > 1 else ""
            if qualifier in _ICD9_QUALIFIERS:
                self.fail(
                    segment,
                    f"{element}-1",
                    qualifier,
                    "BK and BF are ICD-9-CM qualifiers; report ICD-10-CM codes as ABK "
                    "(principal) and ABF (other)",
                )
                continue
            if qualifier not in _DIAGNOSIS_QUALIFIERS:
                self.fail(
                    segment,
                    f"{element}-1",
                    qualifier,
                    "unknown diagnosis code qualifier; use ABK for the principal and ABF "
                    "for other ICD-10-CM diagnoses",
                )
                continue
            principal = qualifier == "ABK"
            if principal != (not draft.diagnoses):
                self.fail(
                    segment,
                    f"{element}-1",
                    qualifier,
                    "the first diagnosis must be ABK (principal) and every other one ABF",
                )
                continue
            if not code:
                self.fail(segment, f"{element}-2", code, "the diagnosis code is missing")
                continue
            if "." in code:
                self.fail(
                    segment,
                    f"{element}-2",
                    code,
                    "X12 diagnosis codes are sent without the decimal point (G43709, not G43.709)",
                )
                continue
            if len(draft.diagnoses) == _MAX_DIAGNOSES:
                self.fail(segment, element, code, f"a claim holds at most {_MAX_DIAGNOSES} diagnoses")
                continue
            draft.diagnoses.append(code)

    def read_service_date(self, segment: Segment) -> dt.date | None:
        qualifier = segment.element(2)
        value = segment.element(3)
        if qualifier == "D8":
            return self.parse_date(segment, "DTP03", value)
        if qualifier == "RD8":
            first, dash, last = value.partition("-")
            if not dash:
                self.fail(segment, "DTP03", value, "an RD8 range must be CCYYMMDD-CCYYMMDD")
                return None
            start = self.parse_date(segment, "DTP03", first)
            end = self.parse_date(segment, "DTP03", last)
            if start is not None and end is not None and end < start:
                self.fail(segment, "DTP03", value, "the range ends before it starts")
                return None
            return start
        self.fail(segment, "DTP02", qualifier, "unknown date format qualifier; use D8 or RD8")
        return None

    def read_ctp(self, segment: Segment) -> None:
        quantity = segment.element(4).strip()
        try:
            valid_quantity = decimal.Decimal(quantity) > 0
        except decimal.InvalidOperation:
            valid_quantity = False
        if not valid_quantity:
            self.fail(segment, "CTP04", quantity, "the drug quantity must be a positive number")
        unit = segment.components(5)[:1]
        if not unit or unit[0] not in _DRUG_UNIT_QUALIFIERS:
            self.fail(
                segment,
                "CTP05-1",
                segment.element(5),
                "unknown unit of measure; the 837P uses F2, GR, ME, ML or UN",
            )
