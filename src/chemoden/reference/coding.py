"""Coding reference tables: procedure codes, drug codes, NDCs and code-pair edits.

The tables come from `chemoden/data`:

- ``procedure_codes.csv``: per CPT/HCPCS code, dated facts such as its status (in
  effect), laterality by definition, PFS bilateral surgery indicator, MUE value and
  adjudication indicator, global days and, for add-on codes, the primary codes.
- ``drug_codes.csv``: per HCPCS drug code, the molecule and brand, billing unit in
  product units, single-dose container, label dose maximum.
- ``ndc.csv``: NDCs with their HCPCS code, product and vial size.
- ``code_pairs.csv``: CPT instructions and NCCI procedure-to-procedure edits, with the
  modifier indicator and the modifiers that bypass the edit where bypass is allowed.

`coding_tables()` loads them once per process.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping

import attrs

from chemoden.reference.facts import Confidence, Fact, data_text, parse_date, read_csv_rows

__all__ = [
    "CodePair",
    "CodeTable",
    "CodingTables",
    "NdcProduct",
    "RowReader",
    "coding_data_reviewed_through",
    "coding_data_version",
    "coding_tables",
]


def _fact_from_row(row: Mapping[str, str]) -> Fact:
    return Fact(
        value=row["value"],
        valid_from=parse_date(row["valid_from"]),
        valid_to=parse_date(row["valid_to"]),
        confidence=Confidence(row["confidence"]),
        source=row["source"],
        note=row.get("note", ""),
    )


class CodeTable:
    """Dated facts about codes, by code and attribute.

    `fact` returns the fact in effect on a date; `facts` returns every version, for
    data checks and documentation.
    """

    __slots__ = ("_facts", "name")

    def __init__(self, name: str, rows: Iterable[Mapping[str, str]]) -> None:
        self.name = name
        self._facts: dict[str, dict[str, list[Fact]]] = {}
        for row in rows:
            by_attribute = self._facts.setdefault(row["code"], {})
            by_attribute.setdefault(row["attribute"], []).append(_fact_from_row(row))

    def __contains__(self, code: object) -> bool:
        return code in self._facts

    def codes(self) -> tuple[str, ...]:
        """Return every code in the table, sorted."""
        return tuple(sorted(self._facts))

    def attributes(self, code: str) -> Mapping[str, list[Fact]]:
        """Return every fact about a code, by attribute."""
        return self._facts.get(code, {})

    def facts(self, code: str, attribute: str) -> tuple[Fact, ...]:
        """Return every dated version of one attribute of a code."""
        return tuple(self._facts.get(code, {}).get(attribute, ()))

    def fact(self, code: str, attribute: str, day: dt.date) -> Fact | None:
        """Return the fact about `attribute` of `code` in effect on `day`, if any."""
        versions = self._facts.get(code)
        if versions is None:
            return None
        for fact in versions.get(attribute, ()):
            if fact.in_effect(day):
                return fact
        return None

    def value(self, code: str, attribute: str, day: dt.date) -> str | None:
        """Return the value of `attribute` of `code` on `day`, if the table has one."""
        fact = self.fact(code, attribute, day)
        return fact.value if fact is not None else None


@attrs.frozen
class NdcProduct:
    """A drug package: its 11-digit NDC, HCPCS code, product name and vial size."""

    ndc: str
    hcpcs: str
    product: str
    vial_units: int
    single_dose: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    confidence: Confidence
    source: str


@attrs.frozen
class CodePair:
    """A pair of codes not reported together on one date of service.

    `column1` is the comprehensive code and `column2` the one that is denied. The
    NCCI `modifier_indicator` is ``"0"`` (no bypass), ``"1"`` (an NCCI-associated
    modifier bypasses it), ``"9"`` (edit deleted) or ``""`` when not known.
    `bypass_modifiers` lists the modifiers that bypass the edit on the column 2 line.
    """

    column1: str
    column2: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    modifier_indicator: str
    bypass_modifiers: frozenset[str]
    basis: str
    confidence: Confidence
    source: str
    reason: str

    def in_effect(self, day: dt.date) -> bool:
        """Tell whether the edit applies on `day`."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


RowReader = Callable[[str], Iterable[Mapping[str, str]]]
"""Reads the rows of a named table; `read_csv_rows` reads the bundled files."""


def _read_ndcs(read_rows: RowReader) -> dict[str, list[NdcProduct]]:
    products: dict[str, list[NdcProduct]] = {}
    for row in read_rows("ndc.csv"):
        product = NdcProduct(
            ndc=row["ndc"].replace("-", ""),
            hcpcs=row["hcpcs"],
            product=row["product"],
            vial_units=int(row["vial_units"]),
            single_dose=row["single_dose"] == "yes",
            valid_from=parse_date(row["valid_from"]),
            valid_to=parse_date(row["valid_to"]),
            confidence=Confidence(row["confidence"]),
            source=row["source"],
        )
        products.setdefault(product.ndc, []).append(product)
    return products


def _read_pairs(read_rows: RowReader) -> dict[frozenset[str], list[CodePair]]:
    pairs: dict[frozenset[str], list[CodePair]] = {}
    for row in read_rows("code_pairs.csv"):
        pair = CodePair(
            column1=row["column1"],
            column2=row["column2"],
            valid_from=parse_date(row["valid_from"]),
            valid_to=parse_date(row["valid_to"]),
            modifier_indicator=row["modifier_indicator"],
            bypass_modifiers=frozenset(row["bypass_modifiers"].split()),
            basis=row["basis"],
            confidence=Confidence(row["confidence"]),
            source=row["source"],
            reason=row["reason"],
        )
        pairs.setdefault(frozenset((pair.column1, pair.column2)), []).append(pair)
    return pairs


_FACTS_CACHE_SIZE = 100_000
"""Entries of the per-(code, date) fact cache before it is emptied; about 20 MB at most."""


class CodingTables:
    """All coding reference tables, read once.

    `read_rows` reads a table by file name; the default reads the bundled files.
    Tests pass a reader of small fixture tables.
    """

    __slots__ = ("_facts_on", "_pair_codes", "drugs", "ndcs", "pairs", "procedures")

    def __init__(self, read_rows: RowReader = read_csv_rows) -> None:
        self.procedures = CodeTable("procedure_codes.csv", read_rows("procedure_codes.csv"))
        self.drugs = CodeTable("drug_codes.csv", read_rows("drug_codes.csv"))
        self.ndcs = _read_ndcs(read_rows)
        self.pairs = _read_pairs(read_rows)
        self._pair_codes = frozenset(code for key in self.pairs for code in key)
        self._facts_on: dict[tuple[str, dt.date], Mapping[str, Fact]] = {}

    def knows(self, code: str) -> bool:
        """Tell whether any table has the code."""
        return code in self.procedures or code in self.drugs

    def table_for(self, code: str) -> CodeTable | None:
        """Return the table that contains a code, or None."""
        if code in self.procedures:
            return self.procedures
        if code in self.drugs:
            return self.drugs
        return None

    def facts_on(self, code: str, day: dt.date) -> Mapping[str, Fact]:
        """Return every fact about a code in effect on `day`, by attribute; cached."""
        key = (code, day)
        cached = self._facts_on.get(key)
        if cached is not None:
            return cached
        if len(self._facts_on) >= _FACTS_CACHE_SIZE:
            self._facts_on.clear()
        table = self.table_for(code)
        resolved: dict[str, Fact] = {}
        if table is not None:
            for name, facts in table.attributes(code).items():
                for fact in facts:
                    if fact.in_effect(day):
                        resolved[name] = fact
                        break
        self._facts_on[key] = resolved
        return resolved

    def ndc(self, ndc: str, day: dt.date) -> NdcProduct | None:
        """Return the product of an 11-digit NDC on `day`, if known."""
        for product in self.ndcs.get(ndc, ()):
            if (product.valid_from is None or day >= product.valid_from) and (
                product.valid_to is None or day <= product.valid_to
            ):
                return product
        return None

    def vial_sizes(self, hcpcs: str) -> tuple[int, ...]:
        """Return the known vial sizes, in product units, of the products of a code."""
        sizes = {
            product.vial_units
            for versions in self.ndcs.values()
            for product in versions
            if product.hcpcs == hcpcs
        }
        return tuple(sorted(sizes))

    def has_pair_edits(self, code: str) -> bool:
        """Tell whether any code-pair edit names the code."""
        return code in self._pair_codes

    def pair_edits(self, first: str, second: str, day: dt.date) -> tuple[CodePair, ...]:
        """Return the edits between two codes that apply on `day`."""
        return tuple(pair for pair in self.pairs.get(frozenset((first, second)), ()) if pair.in_effect(day))


@functools.cache
def coding_tables() -> CodingTables:
    """Return the bundled coding tables, read on the first call."""
    return CodingTables()


@functools.cache
def _versions() -> dict[str, str]:
    import tomllib

    coding = tomllib.loads(data_text("versions.toml"))["coding"]
    return {key: str(value) for key, value in coding.items()}


def coding_data_version() -> str:
    """Return the version label of the bundled coding data, such as ``2026.2``."""
    return _versions()["data_version"]


@functools.cache
def coding_data_reviewed_through() -> dt.date:
    """Return the last date of service that the bundled coding data was reviewed for."""
    return dt.date.fromisoformat(_versions()["reviewed_through"])
