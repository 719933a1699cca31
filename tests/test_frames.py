"""Tests of the DataFrame API: line frames in, findings frames out, same findings as JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import chemoden
from chemoden.output import FINDING_COLUMNS, INPUT_ERROR_RULE

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

from chemoden import frames  # noqa: E402  (after the optional imports are known to exist)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_JSON = FIXTURES / "samples" / "claims.json"
SAMPLE_837 = FIXTURES / "x12" / "claims.837"
HEAVY_MODULES = ("pandas", "polars", "pyarrow", "numpy", "dask", "distributed", "pyspark")


def sample_claims() -> list[chemoden.Claim]:
    return [claim for claim in chemoden.iter_claims(SAMPLE_JSON) if isinstance(claim, chemoden.Claim)]


def without_prior_services(claims: list[chemoden.Claim]) -> list[chemoden.Claim]:
    return [attrs.evolve(claim, prior_services=()) for claim in claims]


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """Return findings frame rows as plain dicts, with empty line as None."""
    if isinstance(frame, pl.DataFrame):
        return list(frame.to_dicts())
    rows = []
    for record in frame.astype(object).to_dict("records"):
        rows.append({key: None if pd.isna(value) else value for key, value in record.items()})
    return rows


def json_report_rows(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten the JSON report into finding rows of `FINDING_COLUMNS`."""
    rows = []
    for report in reports:
        for finding in report["findings"]:
            rows.append(
                {
                    "claim_id": report["id"],
                    "line": finding["lines"][0] if finding["lines"] else None,
                    "lines": " ".join(str(number) for number in finding["lines"]),
                    "rule": finding["rule"],
                    "severity": finding["severity"],
                    "message": finding["message"],
                    "codes": " ".join(finding["codes"]),
                    "source": finding["source"],
                }
            )
    return rows


def run_cli(*arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "chemoden", "validate", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def test_import_chemoden_stays_light() -> None:
    code = (
        "import sys, chemoden, chemoden.x12, chemoden.scale; "
        f"print([name for name in {HEAVY_MODULES!r} if name in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("path", [SAMPLE_JSON, SAMPLE_837], ids=["json", "x12"])
def test_csv_frame_and_json_agree(path: Path) -> None:
    from_json = json_report_rows(json.loads(run_cli("--format", "json", str(path))))
    csv_rows = list(csv.DictReader(io.StringIO(run_cli("--format", "csv", str(path)))))
    from_frame = frame_rows(frames.validate_file(path))
    from_polars = frame_rows(frames.validate_file(path, backend="polars"))

    assert from_json
    assert tuple(csv_rows[0]) == ("file", *FINDING_COLUMNS)
    assert {row.pop("file") for row in csv_rows} == {str(path)}
    as_text = [{key: "" if value is None else str(value) for key, value in row.items()} for row in from_json]
    assert csv_rows == as_text
    assert from_frame == from_json
    assert from_polars == from_json


def test_lines_frame_round_trip_pandas() -> None:
    claims = sample_claims()

    frame = frames.lines_frame(claims)

    assert tuple(frame.columns) == frames.LINE_COLUMNS
    assert len(frame) == sum(len(claim.lines) for claim in claims)
    assert list(frames.claims_from_frame(frame)) == without_prior_services(claims)


def test_lines_frame_round_trip_polars() -> None:
    claims = sample_claims()

    frame = frames.lines_frame(claims, backend="polars")

    assert frame.columns == list(frames.LINE_COLUMNS)
    assert list(frames.claims_from_frame(frame)) == without_prior_services(claims)


def test_x12_claims_to_frame() -> None:
    claims = [claim for claim in chemoden.iter_claims(SAMPLE_837) if isinstance(claim, chemoden.Claim)]

    frame = frames.lines_frame(claims)

    assert list(frame["claim_id"].unique()) == ["S-01", "S-02", "S-04", "S-05", "S-07", "S-14"]
    assert list(frames.claims_from_frame(frame)) == claims


def hand_written_frame() -> Any:
    return pd.DataFrame(
        {
            "claim_id": ["A", "A", "A", "B", "B"],
            "date_of_service": ["2026-03-10"] * 3 + ["2026-04-07"] * 2,
            "payer": ["01182"] * 5,
            "place_of_service": ["11"] * 5,
            "diagnoses": [["G43.709"]] * 3 + ["G24.3, G43.709"] * 2,
            "code": ["64615", "J0585", "J0585", "64616", "J0586"],
            "modifiers": [[], [], ["JW"], "50", "JZ"],
            "units": [1, 155, 45, 1, 100],
            "diagnosis_pointers": [[1], [1], [1], "1 2", 1],
            "ndc": [None, "00023-3921-02", "00023392102", None, "15054-0500-01"],
        }
    )


def test_lists_and_delimited_strings() -> None:
    claims = list(frames.claims_from_frame(hand_written_frame()))

    first, second = claims
    assert isinstance(first, chemoden.Claim)
    assert isinstance(second, chemoden.Claim)
    assert [line.modifiers for line in first.lines] == [(), (), ("JW",)]
    assert [diagnosis.code for diagnosis in second.diagnoses] == ["G24.3", "G43.709"]
    assert second.lines[0].diagnosis_pointers == (1, 2)
    assert second.lines[0].modifiers == ("50",)
    assert first.lines[1].ndc == first.lines[2].ndc == "00023392102"


def test_malformed_row_is_input_error_finding() -> None:
    frame = hand_written_frame()
    frame["units"] = frame["units"].astype(object)
    frame.loc[4, "units"] = "two"

    findings = frames.validate_frame(frame)

    bad = findings[findings["claim_id"] == "B"]
    assert list(bad["rule"]) == [INPUT_ERROR_RULE]
    message = bad["message"].iloc[0]
    assert "row 4 (line 2) units" in message
    assert '"two"' in message
    assert INPUT_ERROR_RULE not in set(findings[findings["claim_id"] == "A"]["rule"])


@pytest.mark.parametrize("column", [name for name in frames.REQUIRED_COLUMNS if name != "claim_id"])
def test_missing_required_column_is_input_error(column: str) -> None:
    frame = hand_written_frame().drop(columns=[column])

    claims = list(frames.claims_from_frame(frame))

    assert len(claims) == 2
    for item in claims:
        assert isinstance(item, chemoden.ClaimInputError)
        assert [problem.path for problem in item.problems] == [f"column {column}"]
        assert f"no {column} column, which is required" in item.describe()


def test_missing_diagnoses_column_in_polars() -> None:
    frame = pl.from_pandas(
        hand_written_frame().drop(columns=["diagnoses", "modifiers", "diagnosis_pointers", "ndc"])
    )

    findings = frames.validate_frame(frame)

    assert isinstance(findings, pl.DataFrame)
    assert findings["rule"].to_list() == [INPUT_ERROR_RULE, INPUT_ERROR_RULE]
    assert findings["claim_id"].to_list() == ["A", "B"]
    message = findings["message"][0]
    assert "column diagnoses: the line frame has no diagnoses column" in message
    assert "column diagnosis_pointers" in message


def test_missing_claim_id_column_names_other_columns() -> None:
    frame = hand_written_frame().drop(columns=["claim_id", "units"])

    claims = list(frames.claims_from_frame(frame))

    assert len(claims) == 5
    for item in claims:
        assert isinstance(item, chemoden.ClaimInputError)
        assert item.problems[1].path == "column units"


def test_missing_optional_columns_are_fine() -> None:
    frame = hand_written_frame().drop(columns=["payer", "place_of_service", "ndc", "modifiers"])

    claims = list(frames.claims_from_frame(frame))

    assert all(isinstance(item, chemoden.Claim) for item in claims)


@pytest.mark.parametrize(
    ("module", "extra", "call"),
    [
        ("polars", "polars", lambda: frames.validate_file(SAMPLE_JSON, backend="polars")),
        ("pandas", "dataframe", lambda: frames.validate_file(SAMPLE_JSON)),
        ("pandas", "dataframe", lambda: frames.lines_frame(sample_claims())),
        ("pyarrow", "dataframe", lambda: frames.finding_arrow_schema()),
        ("pyarrow", "dataframe", lambda: frames.findings_arrow([])),
        ("polars", "polars", lambda: frames.findings_frame([], backend="polars")),
    ],
)
def test_missing_module_names_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, extra: str, call: Any
) -> None:
    monkeypatch.setitem(sys.modules, module, None)

    with pytest.raises(ImportError) as caught:
        call()

    message = str(caught.value)
    assert f"chemoden.frames needs {module}, which is not installed" in message
    assert f'pip install ".[{extra}]"' in message
    assert caught.value.name == module


def test_rows_disagree_on_payer() -> None:
    frame = hand_written_frame()
    frame.loc[1, "payer"] = "L35170"

    claims = list(frames.claims_from_frame(frame))

    assert isinstance(claims[0], chemoden.ClaimInputError)
    assert "row 1 payer" in claims[0].describe()
    assert isinstance(claims[1], chemoden.Claim)


def test_missing_claim_id_row() -> None:
    frame = hand_written_frame()
    frame.loc[3, "claim_id"] = None

    claims = list(frames.claims_from_frame(frame))

    errors = [item for item in claims if isinstance(item, chemoden.ClaimInputError)]
    assert len(errors) == 1
    assert "row 3 claim_id" in errors[0].describe()
    assert sum(isinstance(item, chemoden.Claim) for item in claims) == 2


def test_line_column_orders_rows() -> None:
    frame = hand_written_frame().iloc[[2, 0, 1, 3, 4]].copy()
    frame["line"] = [3, 1, 2, 1, 2]

    claims = list(frames.claims_from_frame(frame))

    assert isinstance(claims[0], chemoden.Claim)
    assert [line.units for line in claims[0].lines] == [1, 155, 45]


def test_line_column_must_run_one_to_n() -> None:
    frame = hand_written_frame()
    frame["line"] = [1, 2, 4, 1, 2]

    claims = list(frames.claims_from_frame(frame))

    assert isinstance(claims[0], chemoden.ClaimInputError)
    assert "1, 2, 3" in claims[0].describe()
    assert isinstance(claims[1], chemoden.Claim)


def test_findings_frame_schema_when_empty() -> None:
    empty = frames.findings_frame([])
    empty_polars = frames.findings_frame([], backend="polars")

    assert tuple(empty.columns) == FINDING_COLUMNS
    assert str(empty["line"].dtype) == "Int64"
    assert empty_polars.schema["line"] == pl.Int64
    assert empty_polars.schema["rule"] == pl.Utf8


def test_findings_arrow_matches_frame() -> None:
    reports = frames.validate_claims(chemoden.iter_claims(SAMPLE_837))

    table = frames.findings_arrow(reports)

    assert table.schema == frames.finding_arrow_schema()
    assert table.schema.names == list(FINDING_COLUMNS)
    assert table.schema.field("line").type == pa.int64()
    assert table.to_pylist() == frame_rows(frames.findings_frame(reports))


def test_frame_type_is_checked() -> None:
    with pytest.raises(TypeError, match="pandas or polars DataFrame"):
        list(frames.claims_from_frame([{"claim_id": "A"}]))


def test_report_html_lists_findings() -> None:
    claim = chemoden.claim_from_dict(
        {
            "id": "H-<1>",
            "date_of_service": "2026-03-10",
            "diagnoses": ["G43.709"],
            "lines": [{"code": "64615", "modifiers": ["50"], "units": 1, "diagnosis_pointers": [1]}],
        }
    )

    html = chemoden.validate(claim)._repr_html_()

    assert "H-&lt;1&gt;" in html
    assert "<table>" in html
    assert "bilateral-code-with-modifier-50" in html
    assert html.count("<tr>") == len(chemoden.validate(claim).findings) + 1
