"""Read professional claims from an X12 837P 5010 file (implementation guide 005010X222A1).

The reader takes from each claim what chemoden checks and skips the rest of the
transaction:

- payer: NM109 of the payer name loop (2010BB, ``NM1*PR``), passed through as the
  claim's `payer` (a MAC contract number such as ``01182``);
- patient: DMG of the subscriber (2010BA) or patient (2010CA) loop;
- claim (2300): CLM01 claim id, CLM05-1 place of service, HI diagnoses (ABK
  principal, ABF other, in pointer order), REF*G1 prior authorization, DTP*472
  date of service;
- service lines (2400), in LX order: SV1 (SV101 HC procedure code and up to four
  modifiers, SV103 unit basis UN, SV104 units, SV105 place of service, SV107
  diagnosis pointers). Also DTP*472 date of service (D8, or RD8 whose first day is
  used), REF*G1, and the drug identification loop (2410): LIN*N4 NDC and CTP quantity.

Line numbers in chemoden's reports are positions in the claim's lines, so they equal
the LX numbers only when LX runs 1, 2, 3 ... as the implementation guide requires. A
claim whose LX numbers break that order is an input error rather than a report whose
line numbers would point at the wrong lines.

A problem in a segment (wrong element count, unknown qualifier, non-ASCII byte,
malformed value) becomes a `ClaimInputError` of each claim that the segment belongs
to: the claim's own segments, its subscriber and payer loops, the billing provider
loop, or the transaction header above it. The other claims of the file are still
read. A file that does not start with an ISA segment, or that is not an 837P, raises
`ClaimFileError` at once. Missing or inconsistent trailers (SE, GE, IEA) raise
`ClaimFileError` after every readable claim has been yielded, and the claim that a
truncated file cuts short is an input error.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Iterator

import attrs

from chemoden.claims_io import ClaimFileError, ClaimInputError, Problem
from chemoden.model import Claim, Diagnosis, DrugLine, InvalidField, Patient, Procedure, make_line
from chemoden.x12.segments import (
    Delimiters,
    EnvelopeError,
    Segment,
    is_segment_id,
    read_delimiters,
    split_segments,
)

__all__ = ["IMPLEMENTATION_GUIDE", "parse_837p"]

IMPLEMENTATION_GUIDE = "005010X222A1"
"""Version of the 837P implementation guide this reader follows (ST03 and GS08)."""

_MAX_LINES = 50
_MAX_DIAGNOSES = 12
_BOM = "\xef\xbb\xbf"  # the UTF-8 byte order mark, as decoded from Latin-1

# (minimum, maximum) element counts, after trailing empty elements are dropped, of
# the segments this reader interprets. The maximum is the last element the 837P
# implementation guide uses; the minimum is the last element it requires.
_ELEMENT_COUNTS: dict[str, tuple[int, int]] = {
    "GS": (8, 8),
    "ST": (2, 3),
    "SE": (2, 2),
    "GE": (2, 2),
    "IEA": (2, 2),
    "HL": (3, 4),
    "NM1": (2, 12),
    "DMG": (3, 3),
    "CLM": (9, 20),
    "HI": (1, 12),
    "LX": (1, 1),
    "SV1": (7, 21),
    "DTP": (3, 3),
    "LIN": (3, 3),
    "CTP": (5, 5),
    "REF": (2, 4),
}

_DIAGNOSIS_QUALIFIERS = {"ABK": "principal", "ABF": "other"}
_ICD9_QUALIFIERS = {"BK", "BF"}
_OTHER_HI_QUALIFIERS = {"BP", "BO", "BG"}  # anesthesia procedures, condition codes: not read
_OTHER_PROCEDURE_QUALIFIERS = {"ER", "IV", "WK"}
_DRUG_UNIT_QUALIFIERS = {"F2", "GR", "ME", "ML", "UN"}
_PAYER_ID_QUALIFIERS = {"PI", "XV"}
_SEX_CODES = {"F", "M", "U"}
_ENVELOPE_SEGMENTS = {"ISA", "GS", "ST", "SE", "GE", "IEA"}
_HIERARCHY_LEVELS = {"20": "billing provider", "22": "subscriber", "23": "patient"}


def parse_837p(raw: bytes, *, file: str) -> Iterator[Claim | ClaimInputError]:
    """Yield each claim of an 837P file in file order, or the input error that replaced it.

    Raises `ClaimFileError` when the file has no readable ISA header or is another
    transaction than the 837P, and, after the last claim, when the envelope
    trailers are missing or do not match their headers.
    """
    # Latin-1 maps each byte to one character, so a non-ASCII byte stays visible at its
    # position and can be reported with its segment instead of failing the whole file.
    text = raw.decode("latin-1").lstrip()
    if text.startswith(_BOM):
        text = text[len(_BOM) :].lstrip()
    try:
        delimiters = read_delimiters(text)
    except EnvelopeError as error:
        raise ClaimFileError(file, str(error)) from None

    reader = _Reader(file, delimiters)
    yield from reader.read(split_segments(text, delimiters))
    trailing = " \t" if delimiters.segment in "\r\n" else " \t\r\n"
    if not text.rstrip(trailing).endswith(delimiters.segment):
        reader.envelope_problems.append(
            f"the last segment has no segment terminator ({delimiters.segment!r}): the file is truncated"
        )
    if reader.envelope_problems:
        raise ClaimFileError(
            file,
            "; ".join(reader.envelope_problems)
            + ". The claims before the problem were read; resend the complete interchange",
        )


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


class _Reader:
    """Reader of the segments of one file: builds claims and tracks the current loop."""

    def __init__(self, file: str, delimiters: Delimiters) -> None:
        self.file = file
        self.delimiters = delimiters
        self.envelope_problems: list[str] = []
        self.claim: _ClaimDraft | None = None
        self.claims_seen = 0
        self.last_segment: Segment | None = None

        # Problems of segments above the claims, by the loop that contains them; each
        # claim below such a loop inherits them.
        self.header_problems: list[Problem] = []
        self.billing_problems: list[Problem] = []
        self.subscriber_problems: list[Problem] = []
        self.patient_problems: list[Problem] = []
        self.level = "header"
        self.payer: str | None = None
        self.payer_segment: Segment | None = None
        self.subscriber_patient: Patient | None = None
        self.patient: Patient | None = None

        self.interchange: Segment | None = None
        self.group: Segment | None = None
        self.transaction: Segment | None = None
        self.groups_in_interchange = 0
        self.transactions_in_group = 0
        self.segments_in_transaction = 0

    # -- problems ---------------------------------------------------------------

    def fail(self, segment: Segment, element: str, value: object, reason: str) -> None:
        """Record a problem of `segment` for each claim that it belongs to.

        With no `element`, the problem concerns the whole segment and quotes it.
        """
        problem = _problem(segment, element, value, reason)
        if self.claim is not None:
            self.claim.problems.append(problem)
        elif self.level == "header":
            self.header_problems.append(problem)
        elif self.level == "billing provider":
            self.billing_problems.append(problem)
        elif self.level == "patient":
            self.patient_problems.append(problem)
        else:
            self.subscriber_problems.append(problem)

    def check_count(self, segment: Segment) -> bool:
        """Record a problem when `segment` has too few or too many elements."""
        limits = _ELEMENT_COUNTS.get(segment.id)
        if limits is None:
            return True
        low, high = limits
        if low <= segment.count <= high:
            return True
        expected = str(low) if low == high else f"{low} to {high}"
        reason = (
            f"{segment.id} has {segment.count} element(s) but the 837P implementation guide "
            f"gives it {expected}"
        )
        if segment.id in _ENVELOPE_SEGMENTS:
            self.envelope_problems.append(f"{segment.where()}: {reason}")
        else:
            self.fail(segment, "", None, reason)
        return False

    def check_characters(self, segment: Segment) -> None:
        """Record a problem when `segment` contains a byte outside ASCII."""
        if segment.text.isascii():
            return
        column, byte = next(
            (column, ord(character))
            for column, character in enumerate(segment.text, start=1)
            if ord(character) > 0x7F
        )
        reason = (
            f"byte 0x{byte:02X} at column {column} is not ASCII, and X12 allows only ASCII "
            "characters; replace it (for example an accented letter) with its plain ASCII form"
        )
        if segment.id in _ENVELOPE_SEGMENTS:
            self.envelope_problems.append(f"{segment.where()}: {reason}")
        else:
            self.fail(segment, "", None, reason)

    # -- the walk -----------------------------------------------------------------

    def read(self, segments: Iterable[Segment]) -> Iterator[Claim | ClaimInputError]:
        for segment in segments:
            self.last_segment = segment
            self.segments_in_transaction += 1
            if not is_segment_id(segment.id):
                self.fail(
                    segment,
                    "",
                    None,
                    "the segment id must be two or three upper-case letters or digits",
                )
                continue
            handler = _SEGMENT_HANDLERS.get(segment.id)
            if handler is not None:
                # The handler first closes the claim that this segment ends, so that a
                # problem of the segment is not charged to that claim.
                yield from handler(self, segment)
                continue
            self.check_characters(segment)
            if self.claim is not None:
                self.read_claim_segment(self.claim, segment)
            else:
                self.read_loop_segment(segment)

        if self.claim is not None and self.transaction is not None and self.last_segment:
            self.claim.problems.append(
                _problem(
                    self.last_segment,
                    "",
                    None,
                    "the file ends inside this claim, with no SE, GE and IEA trailers: the "
                    "file is truncated and the claim may be missing lines",
                )
            )
        yield from self.finish_claim()
        self.check_trailers_present()

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

    # -- envelope and hierarchy -----------------------------------------------------

    def on_isa(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.check_characters(segment)
        if self.interchange is not None:
            self.envelope_problems.append(
                f"{segment.where()}: a new ISA starts before IEA closed the interchange "
                f"that began at segment {self.interchange.number}"
            )
        delimiters = _delimiters_of(segment)
        if delimiters is not None and delimiters != self.delimiters:
            raise ClaimFileError(
                self.file,
                f"{segment.where()}: this interchange uses other separators than the first "
                "one in the file; send each interchange as its own file",
            )
        self.interchange = segment
        self.groups_in_interchange = 0

    def on_iea(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.check_characters(segment)
        self.check_count(segment)
        if self.interchange is None:
            self.envelope_problems.append(f"{segment.where()}: IEA without an ISA")
            return
        if self.group is not None:
            self.envelope_problems.append(
                f"{segment.where()}: the functional group that began at segment "
                f"{self.group.number} has no GE trailer"
            )
            self.group = None
        control = self.interchange.element(13)
        if segment.element(2) != control:
            self.envelope_problems.append(
                f"{segment.where()}: IEA02 {segment.element(2)!r} does not match the "
                f"interchange control number ISA13 {control!r}"
            )
        if segment.element(1) != str(self.groups_in_interchange):
            self.envelope_problems.append(
                f"{segment.where()}: IEA01 says {segment.element(1)!r} functional "
                f"group(s) but the interchange holds {self.groups_in_interchange}"
            )
        self.interchange = None

    def on_gs(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.check_characters(segment)
        self.check_count(segment)
        if self.interchange is None:
            self.envelope_problems.append(f"{segment.where()}: GS outside an ISA interchange")
        if segment.element(1) != "HC":
            raise ClaimFileError(
                self.file,
                f"{segment.where()}: functional group GS01 {segment.element(1)!r} is not HC "
                "(health care claim); chemoden reads 837P claim files only",
            )
        version = segment.element(8)
        if not version.startswith("005010X222"):
            raise ClaimFileError(
                self.file,
                f"{segment.where()}: GS08 version {version!r} is not the 837P 5010 "
                f"implementation guide ({IMPLEMENTATION_GUIDE}); chemoden reads "
                "professional claims only, not 837I or 837D, and not 4010",
            )
        self.group = segment
        self.groups_in_interchange += 1
        self.transactions_in_group = 0

    def on_ge(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.check_characters(segment)
        self.check_count(segment)
        if self.group is None:
            self.envelope_problems.append(f"{segment.where()}: GE without a GS")
            return
        if segment.element(2) != self.group.element(6):
            self.envelope_problems.append(
                f"{segment.where()}: GE02 {segment.element(2)!r} does not match the group "
                f"control number GS06 {self.group.element(6)!r}"
            )
        if segment.element(1) != str(self.transactions_in_group):
            self.envelope_problems.append(
                f"{segment.where()}: GE01 says {segment.element(1)!r} transaction set(s) "
                f"but the group holds {self.transactions_in_group}"
            )
        self.group = None

    def on_st(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.check_characters(segment)
        self.check_count(segment)
        if segment.element(1) != "837":
            raise ClaimFileError(
                self.file,
                f"{segment.where()}: transaction set ST01 {segment.element(1)!r} is not an "
                "837 health care claim",
            )
        version = segment.element(3)
        if version and not version.startswith("005010X222"):
            raise ClaimFileError(
                self.file,
                f"{segment.where()}: ST03 {version!r} is not the 837P 5010 implementation "
                f"guide ({IMPLEMENTATION_GUIDE})",
            )
        if self.transaction is not None:
            self.envelope_problems.append(
                f"{segment.where()}: a new ST starts before SE closed the transaction set "
                f"that began at segment {self.transaction.number}"
            )
        if self.group is None:
            self.envelope_problems.append(f"{segment.where()}: ST outside a GS functional group")
        self.transaction = segment
        self.transactions_in_group += 1
        self.segments_in_transaction = 1
        self.reset_hierarchy("header")

    def on_se(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.check_characters(segment)
        self.check_count(segment)
        if self.transaction is None:
            self.envelope_problems.append(f"{segment.where()}: SE without an ST")
            return
        if segment.element(1) != str(self.segments_in_transaction):
            self.envelope_problems.append(
                f"{segment.where()}: SE01 says {segment.element(1)!r} segments but the "
                f"transaction set holds {self.segments_in_transaction} (ST to SE); a segment "
                "may be missing or extra"
            )
        if segment.element(2) != self.transaction.element(2):
            self.envelope_problems.append(
                f"{segment.where()}: SE02 {segment.element(2)!r} does not match the "
                f"transaction set control number ST02 {self.transaction.element(2)!r}"
            )
        self.transaction = None
        self.reset_hierarchy("header")

    def on_hl(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        level_code = segment.element(3)
        level = _HIERARCHY_LEVELS.get(level_code)
        if level is None:
            self.reset_hierarchy("subscriber")
            self.fail(
                segment,
                "HL03",
                level_code,
                "unknown hierarchical level code; the 837P uses 20 (billing provider), "
                "22 (subscriber) and 23 (patient)",
            )
            return
        self.reset_hierarchy(level)
        self.check_count(segment)
        self.check_characters(segment)

    def on_clm(self, segment: Segment) -> Iterator[Claim | ClaimInputError]:
        yield from self.finish_claim()
        self.claims_seen += 1
        problems = [
            *self.header_problems,
            *self.billing_problems,
            *self.subscriber_problems,
            *self.patient_problems,
        ]
        patient = self.patient if self.level == "patient" else self.subscriber_patient
        draft = _ClaimDraft(
            clm=segment,
            position=self.claims_seen,
            payer=self.payer,
            patient=patient,
            problems=problems,
        )
        self.claim = draft
        self.check_characters(segment)
        if self.check_count(segment):
            self.read_clm(draft, segment)

    def reset_hierarchy(self, level: str) -> None:
        """Enter a hierarchical level and clear the values and problems of the levels at or below it."""
        self.level = level
        if level == "header":
            self.header_problems = []
        if level in {"header", "billing provider"}:
            self.billing_problems = []
        if level in {"header", "billing provider", "subscriber"}:
            self.subscriber_problems = []
            self.payer = None
            self.payer_segment = None
            self.subscriber_patient = None
        self.patient = None
        self.patient_problems = []

    def check_trailers_present(self) -> None:
        last = self.last_segment
        after = f" after {last.where()}" if last is not None else ""
        if self.transaction is not None:
            self.envelope_problems.append(
                f"the transaction set that began at segment {self.transaction.number} has no "
                f"SE trailer: the file ends{after}"
            )
        if self.group is not None:
            self.envelope_problems.append(
                f"the functional group that began at segment {self.group.number} has no GE "
                f"trailer: the file ends{after}"
            )
        if self.interchange is not None:
            self.envelope_problems.append(
                f"the interchange that began at segment {self.interchange.number} has no IEA "
                f"trailer: the file ends{after}"
            )

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

    def finish_claim(self) -> Iterator[Claim | ClaimInputError]:
        """Yield the claim being read, if any, and leave the claim loop."""
        draft = self.claim
        if draft is None:
            return
        self.claim = None
        yield _build_claim(draft, self.file)


def _problem(segment: Segment, element: str, value: object, reason: str) -> Problem:
    """Return a problem that names the segment number, the segment and the element.

    Without an element, the value quoted is the segment itself.
    """
    if element:
        return Problem(f"{segment.where()} {element}", value, reason)
    return Problem(f"segment {segment.number}", segment.shown(), reason)


def _delimiters_of(segment: Segment) -> Delimiters | None:
    try:
        return read_delimiters(segment.text + segment.delimiters.segment)
    except EnvelopeError:
        return None


_SegmentHandler = Callable[[_Reader, Segment], Iterator[Claim | ClaimInputError]]
_SEGMENT_HANDLERS: dict[str, _SegmentHandler] = {
    "ISA": _Reader.on_isa,
    "IEA": _Reader.on_iea,
    "GS": _Reader.on_gs,
    "GE": _Reader.on_ge,
    "ST": _Reader.on_st,
    "SE": _Reader.on_se,
    "HL": _Reader.on_hl,
    "CLM": _Reader.on_clm,
}


# -- building the claim -------------------------------------------------------------


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
