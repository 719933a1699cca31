"""Record each problem of an 837P segment against the claims that it belongs to.

A problem of a segment inside a claim (loop 2300 and its 2400 service lines) belongs
to that claim. A problem above the claims belongs to every claim below the loop that
contains it: the transaction header, the billing provider (HL 20, loop 2000A), the
subscriber (HL 22, loop 2000B with 2010BA and 2010BB) or the patient (HL 23, loop
2000C). A problem of an envelope segment (ISA, GS, ST, SE, GE, IEA) belongs to the
file instead, and `parse_837p` raises it as `ClaimFileError` after the last claim.
Element counts are checked against the 005010X222A1 implementation guide, and each
byte outside ASCII is a problem of its segment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chemoden.claims_io import Problem
from chemoden.model import Patient
from chemoden.x12.segments import Delimiters, Segment

if TYPE_CHECKING:
    from chemoden.x12.draft import _ClaimDraft

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

_ENVELOPE_SEGMENTS = {"ISA", "GS", "ST", "SE", "GE", "IEA"}


class _ReaderState:
    """State of one file's read: the current loop, the claim being read and the problems of each level."""

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


def _problem(segment: Segment, element: str, value: object, reason: str) -> Problem:
    """Return a problem that names the segment number, the segment and the element.

    Without an element, the value quoted is the segment itself.
    """
    if element:
        return Problem(f"{segment.where()} {element}", value, reason)
    return Problem(f"segment {segment.number}", segment.shown(), reason)
