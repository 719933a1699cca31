"""One ICD-10-CM release in memory: which codes exist, which are billable, their titles.

The bundled tables use a compact text format (documented in ``docs/icd10cm.md``):

- ``#`` lines are comments that name the source package, file and checksum;
- ``%ID char=title|char=title`` lines define a 7th-character table, for example
  ``%E1 A=initial encounter|D=subsequent encounter|S=sequela``;
- every other line is one code from the tabular list, in tabular order: the code with
  the dot in columns 1-9, its kind in columns 10-13 and its title from column 14.

The kind is ``H`` for a header (a category or subcategory that needs more characters),
``B`` for a billable code, or the id of a 7th-character table. A code with a table id
is a header too, and each character of its table makes a billable 7-character code: the
code padded with the placeholder X to six characters, then the 7th character
(``S00.00`` with ``A`` gives ``S00.00XA``). Its title is the code's title, a comma and
the character's title, as in the CMS order file.

`CodeTable` keeps the lines as read and indexes them by code, so that a release costs
one string per code of the tabular list and a lookup costs one dict access.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

__all__ = [
    "CODE_WIDTH",
    "DESCRIPTION_COLUMN",
    "KIND_WIDTH",
    "CodeKind",
    "CodeTable",
    "parse_order_file",
    "seven_character_base",
]

CODE_WIDTH = 9
"""Width of the code column: a dotted code has at most 8 characters."""

KIND_WIDTH = 4
DESCRIPTION_COLUMN = CODE_WIDTH + KIND_WIDTH

_HEADER = "H"
_BILLABLE = "B"


class CodeKind(enum.Enum):
    """Kind of a code in a release: billable, or a header that needs more characters."""

    BILLABLE = "billable"
    HEADER = "header"


def seven_character_base(code: str) -> str | None:
    """Return the tabular code that a 7-character code extends, or None.

    The base of ``S00.00XA`` is ``S00.00`` and the base of ``T07.XXXA`` is ``T07``: the
    6th-position placeholders are dropped. A code that is not 8 characters long with
    the dot has no base.
    """
    if len(code) != 8 or code[3] != ".":
        return None
    padded = code[:7]
    base = padded.rstrip("X")
    if base.endswith("."):
        base = base[:3]
    if _pad_to_six(base) != padded:
        return None
    return base


def _pad_to_six(base: str) -> str:
    if len(base) == 3:
        base += "."
    return base.ljust(7, "X")


class CodeTable:
    """The codes of one ICD-10-CM release, indexed by their dotted code.

    Built from the lines of the compact format by `from_text` or `from_rows`. Codes are
    dotted and upper case (``G43.709``); callers normalise first.
    """

    __slots__ = ("_extensions", "_index", "_lines")

    def __init__(self, lines: list[str], extensions: dict[str, dict[str, str]]) -> None:
        self._lines = lines
        self._extensions = extensions
        codes = [line[:CODE_WIDTH].rstrip() for line in lines]
        self._index = dict(zip(codes, range(len(lines)), strict=True))

    @classmethod
    def from_text(cls, text: str) -> CodeTable:
        """Build a table from the text of a compact-format file."""
        all_lines = text.split("\n")
        extensions: dict[str, dict[str, str]] = {}
        start = len(all_lines)
        for position, line in enumerate(all_lines):
            if line.startswith("%"):
                table_id, _, body = line[1:].partition(" ")
                extensions[table_id] = _parse_extension_table(body)
            elif not line.startswith("#"):
                start = position
                break
        lines = [line for line in all_lines[start:] if line]
        return cls(lines, extensions)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, CodeKind, str]]) -> CodeTable:
        """Build a table from (dotted code, kind, title) rows in tabular order."""
        lines = []
        for code, kind, title in rows:
            marker = _BILLABLE if kind is CodeKind.BILLABLE else _HEADER
            lines.append(f"{code:<{CODE_WIDTH}}{marker:<{KIND_WIDTH}}{title}")
        return cls(lines, {})

    def __len__(self) -> int:
        """Return the number of codes, 7-character codes included."""
        return sum(1 for _ in self.iter_codes())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.kind(code) is not None

    def kind(self, code: str) -> CodeKind | None:
        """Return whether a dotted code is billable or a header, or None if it is not a code."""
        position = self._index.get(code)
        if position is not None:
            marker = self._lines[position][CODE_WIDTH]
            return CodeKind.BILLABLE if marker == _BILLABLE else CodeKind.HEADER
        if self._seven_character_title(code) is not None:
            return CodeKind.BILLABLE
        return None

    def find(self, code: str) -> tuple[CodeKind, str] | None:
        """Return the kind and CMS long title of a dotted code, or None if it is not a code."""
        position = self._index.get(code)
        if position is not None:
            line = self._lines[position]
            kind = CodeKind.BILLABLE if line[CODE_WIDTH] == _BILLABLE else CodeKind.HEADER
            return kind, line[DESCRIPTION_COLUMN:]
        title = self._seven_character_title(code)
        if title is None:
            return None
        return CodeKind.BILLABLE, title

    def title(self, code: str) -> str | None:
        """Return the CMS long title of a dotted code, or None if it is not a code."""
        position = self._index.get(code)
        if position is not None:
            return self._lines[position][DESCRIPTION_COLUMN:]
        return self._seven_character_title(code)

    def _seven_character_title(self, code: str) -> str | None:
        base = seven_character_base(code)
        if base is None:
            return None
        position = self._index.get(base)
        if position is None:
            return None
        line = self._lines[position]
        table = self._extensions.get(line[CODE_WIDTH:DESCRIPTION_COLUMN].rstrip())
        if table is None:
            return None
        character_title = table.get(code[7])
        if character_title is None:
            return None
        return f"{line[DESCRIPTION_COLUMN:]}, {character_title}"

    def billable_descendants(self, code: str) -> tuple[str, ...]:
        """Return the billable codes under a header, in tabular order.

        A billable code and a code that is not in the table have none. The lines are in
        tabular order, so the descendants are the lines right after the header whose
        code starts with the header's code.
        """
        position = self._index.get(code)
        if position is None:
            return ()
        found: list[str] = []
        prefix = code if "." in code else code + "."
        lines = self._lines
        if lines[position][CODE_WIDTH] == _BILLABLE:
            return ()
        for line in _lines_from(lines, position):
            entry = line[:CODE_WIDTH].rstrip()
            if entry != code and not entry.startswith(prefix):
                break
            found.extend(self._billable_codes_of_line(entry, line))
        return tuple(found)

    def _billable_codes_of_line(self, entry: str, line: str) -> Iterator[str]:
        marker = line[CODE_WIDTH:DESCRIPTION_COLUMN].rstrip()
        if marker == _BILLABLE:
            yield entry
            return
        table = self._extensions.get(marker)
        if table is not None:
            padded = _pad_to_six(entry)
            for character in table:
                yield padded + character

    def nearest_code(self, code: str) -> str | None:
        """Return the longest code of the table that a dotted code starts with, or None."""
        candidate = code
        while len(candidate) >= 3:
            if candidate in self._index:
                return candidate
            candidate = candidate[:-1].rstrip(".")
        return None

    def iter_codes(self) -> Iterator[tuple[str, CodeKind, str]]:
        """Yield every (dotted code, kind, title), 7-character codes included, in tabular order."""
        for line in self._lines:
            entry = line[:CODE_WIDTH].rstrip()
            marker = line[CODE_WIDTH:DESCRIPTION_COLUMN].rstrip()
            title = line[DESCRIPTION_COLUMN:]
            if marker == _BILLABLE:
                yield entry, CodeKind.BILLABLE, title
                continue
            yield entry, CodeKind.HEADER, title
            table = self._extensions.get(marker)
            if table is not None:
                padded = _pad_to_six(entry)
                for character, character_title in table.items():
                    yield padded + character, CodeKind.BILLABLE, f"{title}, {character_title}"


def _lines_from(lines: list[str], position: int) -> Iterator[str]:
    for index in range(position, len(lines)):
        yield lines[index]


def _parse_extension_table(body: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for item in body.split("|"):
        character, _, title = item.partition("=")
        table[character] = title
    return table


def parse_order_file(text: str) -> Iterator[tuple[str, CodeKind, str]]:
    """Yield (dotted code, kind, long title) from a CMS ICD-10-CM order file.

    The order file (``icd10cm_order_2026.txt`` and the like) is fixed width. Columns
    1-5 hold the order number and 7-13 the code without the dot. Column 15 is ``1``
    for a billable code or ``0`` for a header. The short title is in 17-76 and the long
    title starts at column 78. Raises ValueError naming the line for a line of another shape.
    """
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line:
            continue
        code = line[6:13].strip()
        flag = line[14:15]
        if len(line) < 78 or not code or flag not in ("0", "1") or not line[:5].strip().isdigit():
            raise ValueError(
                f"line {number} is not a CMS ICD-10-CM order file line "
                f"(order number, code, 0 or 1, short title, long title): {raw[:80]!r}"
            )
        dotted = code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
        kind = CodeKind.BILLABLE if flag == "1" else CodeKind.HEADER
        yield dotted, kind, line[77:].strip()
