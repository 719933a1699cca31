"""The engine: rule settings, per-payer settings, failing rules, and rule logic on fixture tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import chemoden
from chemoden import registry
from chemoden.engine import RULE_FAILED
from chemoden.reference.coding import CodingTables
from conftest import FIXTURES, build_claim, rules_found

S02_LINES: list[dict[str, Any]] = [{"code": "64615", "modifiers": ["50"]}]


def _fixture_rows(name: str) -> Iterator[Mapping[str, str]]:
    text = (FIXTURES / "coding" / name).read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    for row in csv.DictReader(io.StringIO(body)):
        yield {key: (value or "").strip() for key, value in row.items()}


FIXTURE_TABLES = CodingTables(read_rows=_fixture_rows)


def fixture_rules(lines: list[dict[str, Any]], date: str = "2023-06-01") -> dict[str, list[chemoden.Finding]]:
    claim = build_claim(lines, diagnoses=["G24.3"], date=date)
    return rules_found(claim, tables=FIXTURE_TABLES)


def test_disabled_rule_not_run() -> None:
    claim = build_claim(S02_LINES, diagnoses=["G43.709"])
    settings = chemoden.RuleSettings(disabled=frozenset({"bilateral-code-with-modifier-50"}))
    assert "bilateral-code-with-modifier-50" not in rules_found(claim, settings=settings)


def test_severity_override_applies() -> None:
    claim = build_claim(S02_LINES, diagnoses=["G43.709"])
    settings = chemoden.RuleSettings(severity={"bilateral-code-with-modifier-50": chemoden.Severity.INFO})
    report = chemoden.Validator(settings).validate(claim)
    overridden = [f for f in report.findings if f.rule == "bilateral-code-with-modifier-50"]
    assert overridden[0].severity is chemoden.Severity.INFO
    assert report.ok


def test_payer_settings_replace_defaults() -> None:
    relaxed = chemoden.RuleSettings(disabled=frozenset({"bilateral-code-with-modifier-50"}))
    settings = chemoden.RuleSettings(by_payer={"X-PAYER": relaxed})
    validator = chemoden.Validator(settings)
    other = build_claim(S02_LINES, diagnoses=["G43.709"], payer="Y-PAYER")
    mine = build_claim(S02_LINES, diagnoses=["G43.709"], payer="X-PAYER")
    assert "bilateral-code-with-modifier-50" in validator.validate(other).rules()
    assert "bilateral-code-with-modifier-50" not in validator.validate(mine).rules()


def test_unknown_rule_id_rejected() -> None:
    with pytest.raises(KeyError, match="no-such-rule"):
        chemoden.Validator(chemoden.RuleSettings(disabled=frozenset({"no-such-rule"})))


def test_failing_rule_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(context: object) -> Iterator[registry.Hit]:
        raise ZeroDivisionError("fixture")
        yield  # pragma: no cover

    rule = registry.Rule(
        "fixture-broken-rule",
        registry.Family.CODE_VALIDITY,
        chemoden.Severity.INFO,
        "fixture",
        "broken",
        broken,
    )
    monkeypatch.setitem(registry._REGISTRY, rule.id, rule)
    report = chemoden.Validator().validate(build_claim([{"code": "64616", "modifiers": ["50"]}]))
    failed = [f for f in report.findings if f.rule == RULE_FAILED]
    assert len(failed) == 1
    assert "fixture-broken-rule" in failed[0].message
    assert not report.ok


def test_findings_in_stable_order() -> None:
    claim = build_claim(
        [{"code": "J0585", "units": 100}, {"code": "64615", "modifiers": ["50", "RT"], "units": 2}],
        diagnoses=["G43.709"],
    )
    report = chemoden.validate(claim)
    keys = [finding.sort_key() for finding in report.findings]
    assert keys == sorted(keys)
    assert report == chemoden.validate(claim)


def test_fixture_code_not_in_effect_is_error() -> None:
    found = fixture_rules([{"code": "10001"}], date="2025-02-01")
    finding = found["code-not-in-effect"][0]
    assert finding.severity is chemoden.Severity.ERROR
    assert "deleted after 2024-12-31" in finding.message


def test_fixture_mue_follows_date() -> None:
    assert "units-over-mue" not in fixture_rules([{"code": "10002", "units": 2}], "2022-06-01")
    found = fixture_rules([{"code": "10002", "units": 2}], "2023-06-01")
    assert found["units-over-mue"][0].severity is chemoden.Severity.ERROR


def test_fixture_drug_mue() -> None:
    found = fixture_rules([{"code": "10001"}, {"code": "J9001", "units": 60, "modifiers": ["JZ"]}])
    assert found["units-over-mue"][0].lines == (2,)


def test_fixture_ncci_bypass_modifier() -> None:
    assert "code-pair-not-reported-together" in fixture_rules([{"code": "10001"}, {"code": "10002"}])
    bypassed = fixture_rules([{"code": "10001"}, {"code": "10002", "modifiers": ["XS"]}])
    assert "code-pair-not-reported-together" not in bypassed


def test_fixture_ncci_indicator_zero_not_bypassed() -> None:
    found = fixture_rules([{"code": "10001"}, {"code": "10003", "modifiers": ["59"]}])
    finding = found["code-pair-not-reported-together"][0]
    assert finding.severity is chemoden.Severity.ERROR
    assert "modifier indicator 0" in finding.message


def test_fixture_deleted_edit_ignored() -> None:
    assert "code-pair-not-reported-together" not in fixture_rules([{"code": "10002"}, {"code": "10003"}])


def test_fixture_billing_unit_rule() -> None:
    found = fixture_rules([{"code": "10001"}, {"code": "J9001", "units": 250, "modifiers": ["JZ"]}])
    finding = found["drug-units-ignore-billing-unit"][0]
    assert "bill 25 units" in finding.message


def test_fixture_waste_below_billing_unit() -> None:
    ndc = "99999-0001-01"
    lines: list[dict[str, Any]] = [
        {"code": "10001"},
        {"code": "J9001", "units": 25, "ndc": ndc},
        {"code": "J9001", "units": 1, "modifiers": ["JW"], "ndc": ndc},
    ]
    assert "jw-waste-below-billing-unit" in fixture_rules(lines)
    lines[1]["units"] = 24
    assert "jw-waste-below-billing-unit" not in fixture_rules(lines)


def test_single_disabled_id_as_string() -> None:
    settings = chemoden.RuleSettings(disabled="units-over-mue")
    assert settings.disabled == frozenset({"units-over-mue"})
