"""User policies from TOML, schema errors, and the consistency of the bundled policy data."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import tomllib
from pathlib import Path
from typing import Any

import pytest

import chemoden
from chemoden import Severity
from chemoden.coverage import PolicySchemaError, bundled_policies, load_policy
from chemoden.coverage.model import CoverageGroup, DiagnosisList
from chemoden.reference.coding import coding_tables
from chemoden.reference.facts import Confidence
from conftest import FIXTURES, build_claim, rules_found

ACME = FIXTURES / "policies" / "acme-botulinum.toml"
ROOT = Path(__file__).resolve().parent.parent


def line(code: str, units: int = 1, *modifiers: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "units": units, "modifiers": list(modifiers), **extra}


@pytest.fixture(scope="module")
def acme() -> chemoden.Validator:
    return chemoden.Validator(policies=[chemoden.load_policy(ACME)])


def acme_rules(
    validator: chemoden.Validator, lines: list[dict[str, Any]], diagnoses: list[str], **fields: Any
) -> dict[str, list[chemoden.Finding]]:
    claim = build_claim(lines, diagnoses, payer=fields.pop("payer", "ACME-BTX"), **fields)
    found: dict[str, list[chemoden.Finding]] = {}
    for finding in validator.validate(claim).findings:
        found.setdefault(finding.rule, []).append(finding)
    return found


def test_user_policy_loads() -> None:
    policy = load_policy(ACME)
    assert policy.id == "ACME-BTX"
    assert policy.versions[0].valid_from == dt.date(2026, 1, 1)
    assert policy.versions[0].groups[0].diagnosis_list is DiagnosisList.COMPLETE


def test_user_policy_complete_list_gives_error(acme: chemoden.Validator) -> None:
    found = acme_rules(acme, [line("64642"), line("J0585", 100, "JZ")], ["G24.3"])
    assert [f.severity for f in found["diagnosis-not-covered-for-procedure"]] == [Severity.ERROR]
    assert "ACME-BTX v2026.1" in found["diagnosis-not-covered-for-procedure"][0].message


def test_user_policy_by_contract_number(acme: chemoden.Validator) -> None:
    found = acme_rules(acme, [line("64615"), line("J0585", 155, "JZ")], ["G43.719"], payer="ACME01")
    assert "payer-policy-not-found" not in found
    assert "diagnosis-not-covered-for-procedure" not in found


def test_user_policy_dose_limit(acme: chemoden.Validator) -> None:
    over = acme_rules(acme, [line("64615"), line("J0585", 201, "JZ")], ["G43.719"])
    assert [f.severity for f in over["dose-above-policy-limit"]] == [Severity.ERROR]
    within = acme_rules(acme, [line("64615"), line("J0585", 200, "JZ")], ["G43.719"])
    assert "dose-above-policy-limit" not in within


def test_user_policy_secondary_diagnosis(acme: chemoden.Validator) -> None:
    missing = acme_rules(acme, [line("64642"), line("J0585", 100, "JZ")], ["R25.2"])
    assert [f.severity for f in missing["secondary-diagnosis-missing"]] == [Severity.ERROR]
    present = acme_rules(acme, [line("64642"), line("J0585", 100, "JZ")], ["R25.2", "I69.351"])
    assert "secondary-diagnosis-missing" not in present


def test_user_policy_exclusion_with_codes(acme: chemoden.Validator) -> None:
    found = acme_rules(acme, [line("64642"), line("J0585", 100, "JZ")], ["R25.2", "G35", "M79.7"])
    assert [f.severity for f in found["indication-excluded-by-policy"]] == [Severity.ERROR]
    clean = acme_rules(acme, [line("64642"), line("J0585", 100, "JZ")], ["R25.2", "G35"])
    assert "indication-excluded-by-policy" not in clean


def test_user_policy_interval_by_drug(acme: chemoden.Validator) -> None:
    history = [{"date_of_service": "2026-03-01", "code": "64642"}]
    dysport = acme_rules(
        acme,
        [line("64642"), line("J0586", 100, "JZ")],
        ["R25.2", "G35"],
        date="2026-06-01",
        prior_services=history,
    )
    assert "treatment-repeated-too-soon" in dysport
    botox = acme_rules(
        acme,
        [line("64642"), line("J0585", 100, "JZ")],
        ["R25.2", "G35"],
        date="2026-06-01",
        prior_services=history,
    )
    assert "treatment-repeated-too-soon" not in botox


def test_user_policy_complete_code_list(acme: chemoden.Validator) -> None:
    found = acme_rules(acme, [line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["G24.5"])
    assert [f.severity for f in found["procedure-not-covered-by-policy"]] == [Severity.WARNING]
    assert "procedure-not-covered-by-policy" not in acme_rules(
        acme, [line("64615"), line("J0585", 155, "JZ")], ["G43.719"]
    )


def test_user_policy_replaces_bundled_id(tmp_path: Path) -> None:
    text = ACME.read_text().replace('id = "ACME-BTX"', 'id = "L35170"')
    path = tmp_path / "l35170.toml"
    path.write_text(text)
    validator = chemoden.Validator(policies=[load_policy(path)])
    claim = build_claim([line("64642"), line("J0585", 100, "JZ")], ["G24.3"], payer="L35170")
    finding = validator.validate(claim).findings
    assert any(
        "L35170 v2026.1" in f.message for f in finding if f.rule == "diagnosis-not-covered-for-procedure"
    )


def test_validator_rejects_non_policy() -> None:
    with pytest.raises(TypeError, match="PayerPolicy"):
        chemoden.Validator(policies=["L35170"])


# Schema errors name the file, the key path and the value.


def write_policy(tmp_path: Path, old: str, new: str) -> Path:
    text = ACME.read_text()
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "value"),
    [
        (
            'diagnosis_list = "complete"',
            'diagnosis_list = "full"',
            "versions[0].groups[0].diagnosis_list",
            "'full'",
        ),
        ("maximum = 200", 'maximum = "200"', "versions[0].groups[0].dose_limits[0].maximum", "'200'"),
        ("valid_from = 2026-01-01", 'valid_from = "Jan 2026"', "versions[0].valid_from", "'Jan 2026'"),
        (
            'drug_confidence = "confirmed"',
            'drug_confidence = "sure"',
            "versions[0].groups[0].drug_confidence",
            "'sure'",
        ),
        (
            "\nmin_interval_days = 84",
            "\nmin_intervall_days = 84",
            "versions[0].groups[0].min_intervall_days",
            "84",
        ),
        ('basis = "article"', 'basis = "website"', "versions[0].groups[0].diagnoses[0].basis", "'website'"),
    ],
)
def test_schema_error_names_path_and_value(tmp_path: Path, old: str, new: str, key: str, value: str) -> None:
    path = write_policy(tmp_path, old, new)
    with pytest.raises(PolicySchemaError) as caught:
        load_policy(path)
    error = caught.value
    assert error.file == str(path)
    assert error.key == key
    assert str(path) in str(error)
    assert key in str(error)
    assert value in str(error)


def test_schema_error_for_missing_versions(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text('id = "X"\ntitle = "X"\n')
    with pytest.raises(PolicySchemaError, match="versions"):
        load_policy(path)


def test_schema_error_for_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("id = \n")
    with pytest.raises(PolicySchemaError) as caught:
        load_policy(path)
    assert caught.value.key == "line 1, column 6"
    assert (
        str(caught.value) == f"{path}: line 1, column 6: invalid TOML (invalid value); fix the syntax there"
    )


def test_missing_policy_file_is_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(FileNotFoundError) as caught:
        load_policy(path)
    assert str(caught.value) == f"{path}: policy file not found; check the path"


# Keys left out of a user's policy: the policy is what its author asserts.


def without_lines(tmp_path: Path, *starts: str) -> Path:
    lines = ACME.read_text().splitlines(keepends=True)
    kept = [text for text in lines if not text.startswith(starts)]
    assert len(kept) < len(lines)
    path = tmp_path / "defaults.toml"
    path.write_text("".join(kept))
    return path


def test_omitted_confidence_marks_default_to_confirmed(tmp_path: Path) -> None:
    path = without_lines(tmp_path, "drug_confidence", "interval_confidence", "states_confidence")
    policy = load_policy(path)
    assert policy.jurisdiction is not None
    assert policy.jurisdiction.states_confidence is Confidence.CONFIRMED
    version = policy.versions[0]
    assert version.dates_confidence is Confidence.CONFIRMED
    for group in version.groups:
        assert group.drug_confidence is Confidence.CONFIRMED, group.key
        assert group.interval_confidence is Confidence.CONFIRMED, group.key


def test_omitted_drug_confidence_gives_error(tmp_path: Path) -> None:
    validator = chemoden.Validator(policies=[load_policy(without_lines(tmp_path, "drug_confidence"))])
    found = acme_rules(validator, [line("64615"), line("J0588", 155, "JZ")], ["G43.719"])
    assert [f.severity for f in found["drug-not-covered-for-indication"]] == [Severity.ERROR]


def test_coverage_group_defaults_match_schema() -> None:
    group = CoverageGroup(
        key="k", indication="i", diagnoses=(), diagnosis_list=DiagnosisList.COMPLETE, all_procedures=True
    )
    assert group.drug_confidence is Confidence.CONFIRMED
    assert group.interval_confidence is Confidence.CONFIRMED


def test_bundled_files_write_every_confidence_mark() -> None:
    # The bundled data never relies on a default: each doubt is written down.
    folder = ROOT / "src" / "chemoden" / "data" / "policies"
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert "states_confidence" in data["jurisdiction"], path.name
        for version in data["versions"]:
            assert "dates_confidence" in version, path.name
            if "article" in version:
                assert "confidence" in version["article"], path.name
            for group in version.get("groups", []):
                if "drug_codes" in group:
                    assert "drug_confidence" in group, (path.name, group["key"])
                if "min_interval_days" in group or "interval_by_drug" in group:
                    assert "interval_confidence" in group, (path.name, group["key"])


def test_schema_error_is_value_error() -> None:
    assert issubclass(PolicySchemaError, ValueError)


# The bundled policies: every version dated and sourced, every code known.


EXPECTED_POLICIES = {
    "L35170",
    "L35172",
    "L34635",
    "L39909",
    "L33949",
    "L39857",
    "L33458",
    "L39836",
    "L33646",
    "L39832",
    "L38809",
    "L33274",
}


def test_bundled_policy_set() -> None:
    assert {policy.id for policy in bundled_policies()} == EXPECTED_POLICIES


def test_every_bundled_version_is_dated_and_sourced() -> None:
    for policy in bundled_policies():
        assert policy.versions, policy.id
        assert policy.jurisdiction is not None, policy.id
        assert policy.jurisdiction.states, policy.id
        for version in policy.versions:
            assert version.sources, (policy.id, version.version)
            assert version.valid_to is None or version.valid_to >= version.valid_from
            if not version.dates_confidence.is_confirmed:
                assert version.dates_note, (policy.id, version.version)
            assert version.prior_authorization is not None
            assert version.cosmetic_diagnoses


def test_versions_of_one_policy_do_not_overlap() -> None:
    for policy in bundled_policies():
        ordered = sorted(policy.versions, key=lambda version: version.valid_from)
        for before, after in itertools.pairwise(ordered):
            assert before.valid_to is not None, policy.id
            assert before.valid_to < after.valid_from, policy.id


def test_bundled_codes_are_in_coding_tables() -> None:
    tables = coding_tables()
    for policy in bundled_policies():
        for version in policy.versions:
            for group in version.groups:
                for code in group.procedure_codes:
                    assert code in tables.procedures, (policy.id, group.key, code)
                for drug in group.drug_codes or ():
                    assert drug in tables.drugs, (policy.id, group.key, drug)
                for limit in group.dose_limits:
                    assert group.drug_codes is None or limit.drug in group.drug_codes, (policy.id, group.key)
                    assert limit.source


def test_every_diagnosis_mapping_has_source_and_basis() -> None:
    for policy in bundled_policies():
        for version in policy.versions:
            for group in version.groups:
                if group.diagnosis_list is DiagnosisList.DERIVED:
                    assert group.diagnoses, (policy.id, group.key)
                for mapping in group.diagnoses:
                    assert mapping.source
                    if mapping.unambiguous:
                        assert mapping.reason, (policy.id, group.key)


def test_bundled_files_match_generator() -> None:
    spec = importlib.util.spec_from_file_location("build_policies", ROOT / "tools" / "build_policies.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = ROOT / "src" / "chemoden" / "data" / "policies"
    generated = {f"{name}.toml": module.to_toml(name, data) for name, data in module.policies()}
    assert sorted(generated) == sorted(path.name for path in folder.glob("*.toml"))
    for name, text in generated.items():
        assert (folder / name).read_text(encoding="utf-8") == text, name


def test_chronic_migraine_mapping_is_the_only_unambiguous_one() -> None:
    for policy in bundled_policies():
        for version in policy.versions:
            for group in version.groups:
                for mapping in group.diagnoses:
                    if mapping.unambiguous:
                        assert set(mapping.codes) == {"G43.7-", "G43.E-"}, (policy.id, group.key)


def test_rules_found_helper_with_bundled_policy() -> None:
    claim = build_claim([line("64615"), line("J0585", 155, "JZ")], ["G43.719"], payer="L35170")
    problems = [
        finding
        for findings in rules_found(claim).values()
        for finding in findings
        if finding.severity is not Severity.INFO
    ]
    assert problems == []


def test_user_policy_secondary_once_per_primary(acme: chemoden.Validator) -> None:
    lines = [
        line("64642", diagnosis_pointers=[1, 2]),
        line("64642", diagnosis_pointers=[1, 2]),
        line("J0585", 100, "JZ", diagnosis_pointers=[1, 2]),
    ]
    missing = acme_rules(acme, lines, ["R25.2", "G81.11"])["secondary-diagnosis-missing"]
    assert len(missing) == 1
    assert missing[0].codes == ("R25.2",)
    assert missing[0].lines == (1, 2)
    assert missing[0].message.startswith("Lines 1 and 2: R25.2 needs a second diagnosis")
