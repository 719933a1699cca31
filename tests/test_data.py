"""Self-consistency of the bundled coding data: sourced, dated, no overlaps, no dangling codes."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from chemoden.reference.coding import CodeTable, coding_tables
from chemoden.reference.facts import Confidence, Fact

TABLES = coding_tables()
KINDS = {
    "chemodenervation",
    "guidance",
    "imaging",
    "em",
    "supply",
    "trigger-point",
    "epidural",
    "sympathetic-block",
    "sedation",
    "injection",
}


def _overlap(first: Fact, second: Fact) -> bool:
    start_a = first.valid_from or dt.date.min
    start_b = second.valid_from or dt.date.min
    end_a = first.valid_to or dt.date.max
    end_b = second.valid_to or dt.date.max
    return start_a <= end_b and start_b <= end_a


@pytest.mark.parametrize("table", [TABLES.procedures, TABLES.drugs], ids=lambda t: t.name)
def test_facts_sourced_and_not_overlapping(table: CodeTable) -> None:
    for code in table.codes():
        attributes = table.attributes(code)
        assert "status" in attributes, code
        assert "description" in attributes, code
        for name, facts in attributes.items():
            for fact in facts:
                assert fact.source, (code, name)
                assert isinstance(fact.confidence, Confidence)
                if fact.valid_from and fact.valid_to:
                    assert fact.valid_from <= fact.valid_to, (code, name)
            for first, second in itertools.combinations(facts, 2):
                assert not _overlap(first, second), (code, name)


def test_procedure_kinds_known() -> None:
    for code in TABLES.procedures.codes():
        for fact in TABLES.procedures.facts(code, "kind"):
            assert fact.value in KINDS, (code, fact.value)


def test_addon_primaries_exist() -> None:
    procedures = TABLES.procedures
    for code in procedures.codes():
        for fact in procedures.facts(code, "addon_primaries"):
            for primary in fact.value.split():
                assert primary in procedures, (code, primary)


def test_pair_codes_exist() -> None:
    for key, pairs in TABLES.pairs.items():
        for pair in pairs:
            assert pair.column1 in TABLES.procedures
            assert pair.column2 in TABLES.procedures
            assert pair.source
            assert pair.modifier_indicator in {"", "0", "1", "9"}
            if pair.basis == "cpt":
                assert not pair.bypass_modifiers, key


def test_ndcs_belong_to_drug_codes() -> None:
    for ndc, products in TABLES.ndcs.items():
        assert len(ndc) == 11
        assert ndc.isdigit()
        for product in products:
            assert product.hcpcs in TABLES.drugs
            assert product.vial_units > 0
            assert product.source


def test_drug_billing_units() -> None:
    day = dt.date(2026, 6, 1)
    expected = {"J0585": "1", "J0586": "5", "J0587": "100", "J0588": "1", "J0589": "1"}
    for code, unit in expected.items():
        assert TABLES.drugs.value(code, "billing_unit", day) == unit


def test_numbers_parse() -> None:
    for table in (TABLES.procedures, TABLES.drugs):
        for code in table.codes():
            for name in ("mue", "billing_unit", "label_max_units"):
                for fact in table.facts(code, name):
                    assert int(fact.value) > 0, (code, name)


def test_label_tables_sourced_and_known() -> None:
    from chemoden.reference.labels import label_ages, label_doses

    for table in (label_ages(), label_doses()):
        for (drug, procedure), rows in table.items():
            assert drug in TABLES.drugs, drug
            assert procedure in TABLES.procedures, procedure
            for row in rows:
                assert row.source
                if row.valid_from and row.valid_to:
                    assert row.valid_from <= row.valid_to


def test_label_rows_follow_dates() -> None:
    from chemoden.reference.labels import label_age_on, label_dose_on

    assert label_age_on("J0589", "64616", dt.date(2023, 7, 31)) is None
    assert label_age_on("J0589", "64616", dt.date(2023, 8, 1)) is not None
    assert label_dose_on("J0589", "64616", dt.date(2023, 7, 31)) is None
