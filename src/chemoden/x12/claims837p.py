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

The reader is split by concept. This module walks the envelope (ISA, GS, ST and
their trailers) and the HL hierarchy and yields each claim. `segment_readers` reads
the elements of the payer, patient, claim and service line segments, `draft`
assembles a claim and converts it to a `Claim`, and `problems` records each problem
against the claims that it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from chemoden.claims_io import ClaimFileError, ClaimInputError
from chemoden.model import Claim
from chemoden.x12.draft import _build_claim, _ClaimDraft
from chemoden.x12.problems import _problem
from chemoden.x12.segment_readers import _SegmentReader
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

_BOM = "\xef\xbb\xbf"  # the UTF-8 byte order mark, as decoded from Latin-1

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


class _Reader(_SegmentReader):
    """Reader of the segments of one file: builds claims and tracks the current loop."""

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

    def finish_claim(self) -> Iterator[Claim | ClaimInputError]:
        """Yield the claim being read, if any, and leave the claim loop."""
        draft = self.claim
        if draft is None:
            return
        self.claim = None
        yield _build_claim(draft, self.file)


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
