"""Split an X12 interchange into numbered segments, with the separators that its ISA sets.

An X12 file names its own separators in the ISA interchange header, which is fixed
width in the standard. The element separator is the 4th character (right after
``ISA``), the component separator is ISA16, and the segment terminator is the
character right after ISA16. This reader finds ISA16 by counting 16 element
separators rather than by byte offset, so an ISA whose padded fields are a character
short or long is still read. Line breaks (CR, LF) after a segment terminator are
skipped, as many senders add them for readability.

Segments are numbered from 1 in file order, ISA included. With one segment per line
that number is the line number in a text editor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

__all__ = [
    "ISA_ELEMENT_COUNT",
    "Delimiters",
    "EnvelopeError",
    "Segment",
    "is_segment_id",
    "read_delimiters",
    "split_segments",
]

ISA_ELEMENT_COUNT = 16
"""ISA has 16 elements in every X12 version; ISA16 is the component separator."""

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_SHOWN_LENGTH = 90
_LINE_BREAKS = "\r\n"


class EnvelopeError(ValueError):
    """The interchange cannot be read at all: no ISA header, or an ISA that sets no separators."""


@attrs.frozen
class Delimiters:
    """The separators of one interchange, as set by its ISA segment."""

    element: str
    component: str
    segment: str
    repetition: str | None = None


@attrs.frozen
class Segment:
    """One X12 segment: its 1-based number in the file, its id and its elements.

    `elements[0]` is the segment id, so `elements[n]` is element n as the
    implementation guides number it (``SV104`` is ``elements[4]`` of an SV1).
    Trailing empty elements are dropped.
    """

    number: int
    elements: tuple[str, ...]
    text: str
    delimiters: Delimiters

    @property
    def id(self) -> str:
        """The segment id, such as ``CLM`` or ``SV1``."""
        return self.elements[0]

    @property
    def count(self) -> int:
        """The number of elements after the segment id, trailing empty ones dropped."""
        return len(self.elements) - 1

    def element(self, position: int) -> str:
        """Return element `position` (1-based), or an empty string when absent."""
        if position < len(self.elements):
            return self.elements[position]
        return ""

    def components(self, position: int) -> tuple[str, ...]:
        """Return the components of composite element `position` (1-based)."""
        value = self.element(position)
        if not value:
            return ()
        return tuple(value.split(self.delimiters.component))

    def shown(self) -> str:
        """Return the segment as written, shortened for a message, with ? for non-ASCII bytes."""
        text = self.text.encode("ascii", "replace").decode("ascii")
        if len(text) > _SHOWN_LENGTH:
            text = text[: _SHOWN_LENGTH - 3] + "..."
        return text

    def where(self) -> str:
        """Return ``segment N (TEXT)`` for a message."""
        return f"segment {self.number} ({self.shown()})"


def read_delimiters(text: str) -> Delimiters:
    """Read the separators from the ISA segment at the start of `text`.

    Raises `EnvelopeError` when `text` does not start with an ISA segment that has
    16 elements and a segment terminator.
    """
    if not text.startswith("ISA") or len(text) < 4:
        first = text[:40].encode("ascii", "backslashreplace").decode("ascii")
        raise EnvelopeError(
            f"segment 1 ({first}...) is not an ISA interchange header; an X12 837P file "
            "must start with ISA, which sets the separators. Send the whole interchange, "
            "ISA to IEA"
        )
    element = text[3]
    if element.isalnum() or element.isspace():
        raise EnvelopeError(
            f"segment 1 (ISA) has {element!r} as its element separator, right after ISA; "
            "it must be a punctuation character such as *"
        )

    position = 3
    for _ in range(ISA_ELEMENT_COUNT - 1):
        position = text.find(element, position + 1)
        if position < 0:
            break
    if position < 0 or position + 2 >= len(text):
        shown = text[:106].encode("ascii", "backslashreplace").decode("ascii")
        raise EnvelopeError(
            f"segment 1 ({shown}) is truncated: an ISA segment has 16 elements, then its "
            "component separator (ISA16) and the segment terminator"
        )
    component = text[position + 1]
    terminator = text[position + 2]
    if terminator == element or component in (element, terminator):
        shown = text[: position + 3].encode("ascii", "backslashreplace").decode("ascii")
        raise EnvelopeError(
            f"segment 1 ({shown}) has {ISA_ELEMENT_COUNT + 1} or more elements or no "
            "component separator: ISA16 must be one character, followed by the segment "
            "terminator"
        )

    fields = text[:position].split(element)
    repetition = fields[11] if len(fields) > 11 and len(fields[11]) == 1 else None
    if repetition is not None and (repetition.isalnum() or repetition == " "):
        repetition = None
    return Delimiters(element=element, component=component, segment=terminator, repetition=repetition)


def split_segments(text: str, delimiters: Delimiters, *, first_number: int = 1) -> Iterator[Segment]:
    """Yield the segments of `text`, numbered from `first_number`.

    Empty segments (two terminators in a row, or only line breaks) are skipped and
    not numbered. Text after the last terminator is yielded as a last segment, so a
    truncated file still shows where it stops.
    """
    number = first_number
    for raw in text.split(delimiters.segment):
        body = raw.strip(_LINE_BREAKS) if delimiters.segment not in _LINE_BREAKS else raw.strip("\r")
        if not body.strip():
            continue
        elements = body.split(delimiters.element)
        while len(elements) > 1 and elements[-1] == "":
            elements.pop()
        elements[0] = elements[0].strip()
        yield Segment(number=number, elements=tuple(elements), text=body, delimiters=delimiters)
        number += 1


def is_segment_id(value: str) -> bool:
    """Tell whether `value` has the shape of an X12 segment id: two or three letters or digits."""
    return _SEGMENT_ID.fullmatch(value) is not None
