"""The command line: formats, exit status, input errors in a batch."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from chemoden.cli import main
from conftest import FIXTURES

SAMPLES = FIXTURES / "samples" / "claims.json"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_json_report_contract() -> None:
    status, out, _ = run("validate", "--format", "json", str(SAMPLES))
    reports = json.loads(out)
    assert status == 1
    assert [report["id"] for report in reports][:3] == ["S-01", "S-02", "S-03"]
    for report in reports:
        assert set(report) >= {"id", "ok", "findings"}
        for finding in report["findings"]:
            assert set(finding) == {"rule", "severity", "message", "lines", "codes", "source"}


def test_csv_matches_json() -> None:
    _, out_json, _ = run("validate", "--format", "json", str(SAMPLES))
    _, out_csv, _ = run("validate", "--format", "csv", str(SAMPLES))
    from_json = [
        (report["id"], finding["rule"], finding["severity"], " ".join(map(str, finding["lines"])))
        for report in json.loads(out_json)
        for finding in report["findings"]
    ]
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    from_csv = [(row["claim_id"], row["rule"], row["severity"], row["lines"]) for row in rows]
    assert from_csv == from_json


def test_exit_zero_when_all_ok(tmp_path: Path) -> None:
    claims = json.loads(SAMPLES.read_text())
    clean = [claim for claim in claims if claim["id"] == "S-18"]
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(clean))
    status, out, _ = run("validate", str(path))
    assert status == 0
    assert "S-18: ok" in out


def test_malformed_claim_exit_two_others_checked(tmp_path: Path) -> None:
    claims = json.loads(SAMPLES.read_text())
    claims[1]["lines"][0]["units"] = "two"
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(claims))
    status, out, err = run("validate", "--format", "json", str(path))
    reports = json.loads(out)
    assert status == 2
    assert len(reports) == len(claims)
    assert reports[1]["findings"][0]["rule"] == "invalid-claim-input"
    assert "lines[0].units" in reports[1]["findings"][0]["message"]
    assert "batch.json" in err
    assert "S-02" in err
    assert reports[2]["findings"]


def test_unreadable_file_exit_two(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{")
    status, _, err = run("validate", str(path), str(SAMPLES))
    assert status == 2
    assert "broken.json" in err


def test_disable_and_severity_options() -> None:
    _, out, _ = run(
        "validate",
        "--format",
        "json",
        "--disable",
        "bilateral-code-with-modifier-50",
        "--severity",
        "unilateral-code-multiple-units=warning",
        str(SAMPLES),
    )
    reports = {report["id"]: report for report in json.loads(out)}
    assert all(f["rule"] != "bilateral-code-with-modifier-50" for f in reports["S-02"]["findings"])
    mue = [f for f in reports["S-03"]["findings"] if f["rule"] == "unilateral-code-multiple-units"]
    assert mue[0]["severity"] == "warning"


def test_unknown_rule_option_exit_two() -> None:
    status, _, err = run("validate", "--disable", "no-such-rule", str(SAMPLES))
    assert status == 2
    assert "no-such-rule" in err


def test_rules_listing() -> None:
    status, out, _ = run("rules", "--format", "json")
    rules = json.loads(out)
    assert status == 0
    assert {"id", "family", "severity", "summary", "source"} <= set(rules[0])
    assert len({rule["id"] for rule in rules}) == len(rules)


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chemoden", "validate", "--format", "json", str(SAMPLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)[0]["id"] == "S-01"


def test_standard_input_read() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chemoden", "validate", "--format", "json", "-"],
        input=SAMPLES.read_text(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert len(json.loads(result.stdout)) == 18


def test_report_names_policy_version() -> None:
    _, out, _ = run("validate", "--format", "json", str(SAMPLES))
    reports = {report["id"]: report for report in json.loads(out)}
    assert reports["S-14"]["policy"].startswith("L35170 v60")
    assert "article A57185" in reports["S-14"]["policy"]
    assert "policy" not in reports["S-18"]
    _, table, _ = run("validate", str(SAMPLES))
    assert "coverage checked under L35170 v60" in table
