"""Policies built from CMS Medicare Coverage Database article files drive the coverage rules.

The fixture files under tests/fixtures/mcd use the column layout of the MCD "Current
Articles" download, with a made-up article A99999 (and a second article, A88888, that
the loader must ignore).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

import chemoden
from chemoden import Severity
from chemoden.coverage import PolicySchemaError, bundled_policies, policy_from_mcd
from chemoden.coverage.model import DiagnosisList
from conftest import FIXTURES, build_claim

MCD = FIXTURES / "mcd"


def line(code: str, units: int = 1, *modifiers: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "units": units, "modifiers": list(modifiers), **extra}


def l35170_v60() -> chemoden.PolicyVersion:
    policy = next(policy for policy in bundled_policies() if policy.id == "L35170")
    return policy.versions[-1]


@pytest.fixture(scope="module")
def validator() -> chemoden.Validator:
    policy = policy_from_mcd(MCD, "A99999", policy_id="TEST-MCD", base=l35170_v60())
    return chemoden.Validator(policies=[policy])


def found(
    validator: chemoden.Validator, lines: list[dict[str, Any]], diagnoses: list[str], **fields: Any
) -> dict[str, list[chemoden.Finding]]:
    claim = build_claim(lines, diagnoses, date=fields.pop("date", "2026-05-05"), payer="TEST-MCD", **fields)
    result: dict[str, list[chemoden.Finding]] = {}
    for finding in validator.validate(claim).findings:
        result.setdefault(finding.rule, []).append(finding)
    return result


def test_latest_article_version_is_read() -> None:
    policy = policy_from_mcd(MCD, "A99999")
    version = policy.versions[0]
    assert policy.id == "A99999"
    assert version.version == "3"
    assert version.valid_from == dt.date(2026, 4, 1)
    assert version.article is not None
    assert version.article.id == "A99999"
    assert version.procedure_list.complete
    assert version.procedure_list.codes == {"64615", "64616", "64642", "J0585", "J0586"}


def test_groups_follow_paragraph_codes() -> None:
    version = policy_from_mcd(MCD, "99999").versions[0]
    by_procedure = {tuple(sorted(group.procedure_codes)): group for group in version.groups}
    assert set(by_procedure) == {("64615",), ("64616",), ("64642",)}
    assert by_procedure[("64615",)].drug_codes == frozenset({"J0585"})
    assert by_procedure[("64616",)].drug_codes == frozenset({"J0585", "J0586"})
    assert all(group.diagnosis_list is DiagnosisList.COMPLETE for group in version.groups)


def test_secondary_group_is_not_a_coverage_group() -> None:
    version = policy_from_mcd(MCD, "A99999").versions[0]
    spasticity = next(group for group in version.groups if "64642" in group.procedure_codes)
    assert spasticity.secondary_diagnoses[0].applies_to == ("R25.2",)
    assert spasticity.secondary_diagnoses[0].required == ("I69.351", "G35")
    assert all("G35" not in mapping.codes for group in version.groups for mapping in group.diagnoses)


def test_mcd_diagnosis_list_is_exact(validator: chemoden.Validator) -> None:
    bad = found(validator, [line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.9"])
    assert [f.severity for f in bad["diagnosis-not-covered-for-procedure"]] == [Severity.ERROR]
    good = found(validator, [line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.3"])
    assert "diagnosis-not-covered-for-procedure" not in good


def test_mcd_secondary_requirement(validator: chemoden.Validator) -> None:
    missing = found(validator, [line("64642"), line("J0585", 100, "JZ")], ["R25.2"])
    assert [f.severity for f in missing["secondary-diagnosis-missing"]] == [Severity.ERROR]
    present = found(validator, [line("64642"), line("J0585", 100, "JZ")], ["R25.2", "G35"])
    assert "secondary-diagnosis-missing" not in present


def test_mcd_group_drug_list(validator: chemoden.Validator) -> None:
    result = found(validator, [line("64615"), line("J0586", 40, "JZ")], ["G43.719"])
    assert [f.severity for f in result["drug-not-covered-for-indication"]] == [Severity.ERROR]


def test_mcd_noncovered_codes_are_exclusions(validator: chemoden.Validator) -> None:
    result = found(validator, [line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.3", "M79.7"])
    assert [f.severity for f in result["indication-excluded-by-policy"]] == [Severity.ERROR]


def test_mcd_policy_inherits_dose_limit_from_base(validator: chemoden.Validator) -> None:
    result = found(validator, [line("64615"), line("J0585", 200, "JZ")], ["G43.719"])
    assert [f.severity for f in result["dose-above-policy-limit"]] == [Severity.ERROR]


def test_mcd_policy_inherits_same_day_rules(validator: chemoden.Validator) -> None:
    result = found(validator, [line("64616", 1, "50"), line("20552"), line("J0585", 100, "JZ")], ["G24.3"])
    assert "same-day-service-not-covered" in result


def test_mcd_policy_before_effective_date(validator: chemoden.Validator) -> None:
    result = found(validator, [line("64615"), line("J0585", 155, "JZ")], ["G43.719"], date="2026-03-01")
    assert "payer-policy-not-found" in result


def test_missing_column_is_reported(tmp_path: Path) -> None:
    shutil.copytree(MCD, tmp_path / "mcd")
    covered = tmp_path / "mcd" / "article_x_icd10_covered.csv"
    covered.write_text(covered.read_text().replace("icd10_covered_group", "icd10_group"))
    with pytest.raises(PolicySchemaError) as caught:
        policy_from_mcd(tmp_path / "mcd", "A99999")
    assert caught.value.key == "icd10_covered_group"
    assert str(covered) in str(caught.value)


def test_unknown_article_is_reported() -> None:
    with pytest.raises(PolicySchemaError, match="A12345"):
        policy_from_mcd(MCD, "A12345")


def test_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"article_x_hcpc_code\.csv"):
        policy_from_mcd(tmp_path, "A99999", valid_from=dt.date(2026, 1, 1))
