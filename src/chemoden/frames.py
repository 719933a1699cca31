"""Claim lines in, findings out: the DataFrame API for analysts (pandas, polars, Arrow).

A line frame has one row per service line, with columns named as the claim file's
fields (`LINE_COLUMNS`). The claim-level fields (`date_of_service`, `payer`,
`place_of_service`, `diagnoses`, ...) repeat on each row of the claim. The rows of
one claim share its `claim_id`, and the n-th row of a claim is its line n. A frame
without one of the required columns (`REQUIRED_COLUMNS`) makes each of its claims an
input error that names the column. An
optional `line` column gives the line numbers instead, and must then run 1, 2, 3 ...
within each claim. A row's `date_of_service` or `place_of_service` that differs from
the claim's first row becomes that line's own value.

NOTE: a line frame has no column for `prior_services`, so the frequency rules see
no earlier services for claims read from a frame.

List fields (`diagnoses`, `modifiers`, `diagnosis_pointers`) are a list per row or
a string with the items separated by spaces, commas or semicolons (``"G43.709 G24.3"``).
`lines_frame` writes them as space-separated strings, as the CSV output does.

A findings frame has the columns of `chemoden.output.FINDING_COLUMNS`, the same flat
shape as the CSV output, so the CSV, the DataFrame and the JSON report carry the same
findings. A malformed claim (a units value of ``"two"``) becomes one finding of rule
`chemoden.output.INPUT_ERROR_RULE` for that claim, and the other claims are validated.

pandas, polars and pyarrow are optional: install them with the ``dataframe`` extra
(pandas and pyarrow) or the ``polars`` extra, as ``pip install ".[dataframe]"`` in a
clone of chemoden. They are imported only when a function here needs them, and a
missing one raises `ModuleNotFoundError` that names the extra to install.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import numbers
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from chemoden.claims_io import ClaimInputError, Problem, claim_from_dict, iter_claims
from chemoden.engine import Validator, validate
from chemoden.findings import ValidationReport
from chemoden.model import Claim, format_ndc
from chemoden.output import FINDING_COLUMNS, finding_rows, input_error_report

__all__ = [
    "LINE_COLUMNS",
    "REQUIRED_COLUMNS",
    "Backend",
    "claims_from_frame",
    "finding_arrow_schema",
    "findings_arrow",
    "findings_frame",
    "lines_frame",
    "validate_claims",
    "validate_file",
    "validate_frame",
]

Backend = Literal["pandas", "polars"]

LINE_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "line",
    "date_of_service",
    "payer",
    "place_of_service",
    "diagnoses",
    "code",
    "modifiers",
    "units",
    "diagnosis_pointers",
    "ndc",
    "prior_authorization",
    "patient_birth_date",
    "patient_sex",
)
"""Columns of a line frame. `REQUIRED_COLUMNS` must be present; the others may be
absent or empty."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "date_of_service",
    "diagnoses",
    "code",
    "units",
    "diagnosis_pointers",
)
"""Columns that every line frame needs, even where a claim leaves a cell empty."""

_EXTRAS = {"pandas": "dataframe", "pyarrow": "dataframe", "polars": "polars"}

_CLAIM_FIELDS = ("payer", "diagnoses", "prior_authorization", "patient_birth_date", "patient_sex")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
_LINES_PATH = re.compile(r"^lines\[(\d+)\]")
_TEXT_FINDING_COLUMNS = tuple(name for name in FINDING_COLUMNS if name != "line")


def _require(module: str) -> Any:
    """Import pandas, polars or pyarrow, or raise an error that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        extra = _EXTRAS[module]
        raise ModuleNotFoundError(
            f"chemoden.frames needs {module}, which is not installed. Install the {extra!r} "
            f'extra: pip install ".[{extra}]" in a clone of chemoden (or pip install {module}).',
            name=module,
        ) from error


# -- reading line frames ------------------------------------------------------------------


def claims_from_frame(frame: Any, *, file: str | None = None) -> Iterator[Claim | ClaimInputError]:
    """Yield the claims of a pandas or polars line frame, or the input error of each bad one.

    Claims come in order of their first row. An error names the claim, the frame row
    (the pandas index label, or the 0-based row number in polars) and the column. When
    the frame lacks a column of `REQUIRED_COLUMNS`, every claim is an input error that
    names it, because no claim could be read in full.
    """
    rows = _frame_rows(frame)
    columns = [str(name) for name in frame.columns]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    groups: dict[str, list[tuple[object, Mapping[str, Any]]]] = {}
    position = 0
    for label, row in rows:
        claim_id = _text(row.get("claim_id"))
        if claim_id is None:
            position += 1
            problem = Problem(f"row {label} claim_id", None, "every row needs the claim_id of its claim")
            column_problems = [_missing_column(name, columns) for name in missing if name != "claim_id"]
            yield ClaimInputError([problem, *column_problems], file=file, claim=f"#{position}")
            continue
        groups.setdefault(claim_id, []).append((label, row))

    for claim_id, claim_rows in groups.items():
        position += 1
        if missing:
            problems = [_missing_column(name, columns) for name in missing]
            yield ClaimInputError(problems, file=file, claim=claim_id)
        else:
            yield _claim_from_rows(claim_id, claim_rows, file, position)


def _missing_column(name: str, columns: list[str]) -> Problem:
    return Problem(
        f"column {name}",
        columns,
        f"the line frame has no {name} column, which is required; add it with a value on every row",
    )


def _frame_rows(frame: Any) -> list[tuple[object, Mapping[str, Any]]]:
    if _is_polars(frame):
        return list(enumerate(frame.to_dicts()))
    if hasattr(frame, "to_dict") and hasattr(frame, "index"):
        return list(zip(frame.index, frame.to_dict("records"), strict=True))
    raise TypeError(f"expected a pandas or polars DataFrame, got {type(frame).__name__}")


def _is_polars(frame: Any) -> bool:
    return type(frame).__module__.split(".")[0] == "polars"


def _claim_from_rows(
    claim_id: str,
    rows: list[tuple[object, Mapping[str, Any]]],
    file: str | None,
    position: int,
) -> Claim | ClaimInputError:
    problems: list[Problem] = []
    rows = _ordered_rows(rows, problems)
    first_label, first = rows[0]

    for field in _CLAIM_FIELDS:
        expected = _claim_value(first, field)
        for label, row in rows[1:]:
            if _claim_value(row, field) != expected:
                problems.append(
                    Problem(
                        f"row {label} {field}",
                        _claim_value(row, field),
                        f"the rows of claim {claim_id} disagree on {field}: row {first_label} "
                        f"has {expected!r}; give every row of a claim the same {field}",
                    )
                )
                break
    if problems:
        return ClaimInputError(problems, file=file, claim=claim_id)

    claim_date = _date_text(first.get("date_of_service"))
    claim_place = _text(first.get("place_of_service"))
    lines = []
    for _, row in rows:
        line: dict[str, Any] = {
            "code": _text(row.get("code")),
            "units": _units(row.get("units")),
            "modifiers": _items(row.get("modifiers")),
            "diagnosis_pointers": [_pointer(item) for item in _items(row.get("diagnosis_pointers"))],
        }
        ndc = _text(row.get("ndc"))
        if ndc is not None:
            line["ndc"] = ndc
        line_date = _date_text(row.get("date_of_service"))
        if line_date != claim_date:
            line["date_of_service"] = line_date
        line_place = _text(row.get("place_of_service"))
        if line_place != claim_place:
            line["place_of_service"] = line_place
        lines.append({key: value for key, value in line.items() if value is not None})

    data: dict[str, Any] = {
        "id": claim_id,
        "date_of_service": claim_date,
        "payer": _text(first.get("payer")),
        "place_of_service": claim_place,
        "diagnoses": _items(first.get("diagnoses")),
        "prior_authorization": _text(first.get("prior_authorization")),
        "lines": lines,
    }
    birth_date = _date_text(first.get("patient_birth_date"))
    sex = _text(first.get("patient_sex"))
    if birth_date is not None or sex is not None:
        data["patient"] = {"birth_date": birth_date, "sex": sex}
    try:
        return claim_from_dict(
            {key: value for key, value in data.items() if value is not None},
            file=file,
            position=position,
        )
    except ClaimInputError as error:
        labels = [label for label, _ in rows]
        return ClaimInputError(
            [_row_problem(problem, labels) for problem in error.problems], file=file, claim=claim_id
        )


def _ordered_rows(
    rows: list[tuple[object, Mapping[str, Any]]], problems: list[Problem]
) -> list[tuple[object, Mapping[str, Any]]]:
    """Sort a claim's rows by the `line` column when it is given, and check it runs 1..n."""
    if all(_missing(row.get("line")) for _, row in rows):
        return rows
    numbers_given = []
    for label, row in rows:
        number = _units(row.get("line"))
        if not isinstance(number, int):
            problems.append(Problem(f"row {label} line", row.get("line"), "line must be a whole number"))
            return rows
        numbers_given.append(number)
    if sorted(numbers_given) != list(range(1, len(rows) + 1)):
        problems.append(
            Problem(
                f"row {rows[0][0]} line",
                sorted(numbers_given),
                "the line numbers of a claim must be 1, 2, 3 ... with none missing or repeated",
            )
        )
        return rows
    return [row for _, row in sorted(zip(numbers_given, rows, strict=True), key=lambda pair: pair[0])]


def _row_problem(problem: Problem, labels: Sequence[object]) -> Problem:
    """Rewrite a claim file path (``lines[2].units``) as the frame row and column."""
    match = _LINES_PATH.match(problem.path)
    if match is None:
        return problem
    index = int(match.group(1))
    column = problem.path[match.end() :].lstrip(".") or "line"
    column = column.split("[")[0]
    return Problem(f"row {labels[index]} (line {index + 1}) {column}", problem.value, problem.reason)


# -- cell values ------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def _text(value: object) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return str(value)


def _date_text(value: object) -> Any:
    """Return a date cell as ISO text; other values pass through for the claim reader to reject."""
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _units(value: object) -> Any:
    """Return a whole number as an int (numpy and pandas floats such as 155.0 included)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(float(value))
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None if _missing(value) else value


def _pointer(value: object) -> Any:
    return _units(value)


def _items(value: object) -> list[Any]:
    """Return a list cell (a list, an array or a delimited string) as a list."""
    if _missing(value):
        return []
    if isinstance(value, str):
        return [item for item in _LIST_SEPARATORS.split(value.strip()) if item]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _claim_value(row: Mapping[str, Any], field: str) -> object:
    value = row.get(field)
    if field == "diagnoses":
        return tuple(str(item).strip().upper().replace(".", "") for item in _items(value))
    if field == "patient_birth_date":
        return _date_text(value)
    return _text(value)


# -- writing frames ---------------------------------------------------------------------


def lines_frame(claims: Iterable[Claim], *, backend: Backend = "pandas") -> Any:
    """Return a line frame with one row per service line of `claims` (`LINE_COLUMNS`).

    List fields are space-separated strings and `line` is the 1-based line number,
    so `claims_from_frame` reads the frame back into equal claims.
    """
    rows: list[dict[str, Any]] = []
    for claim in claims:
        for number, line in enumerate(claim.lines, start=1):
            patient = claim.patient
            rows.append(
                {
                    "claim_id": claim.id,
                    "line": number,
                    "date_of_service": claim.line_date(line),
                    "payer": claim.payer,
                    "place_of_service": claim.line_place_of_service(line),
                    "diagnoses": " ".join(diagnosis.code for diagnosis in claim.diagnoses),
                    "code": line.code,
                    "modifiers": " ".join(line.modifiers),
                    "units": line.units,
                    "diagnosis_pointers": " ".join(str(pointer) for pointer in line.diagnosis_pointers),
                    "ndc": format_ndc(line.ndc) if line.ndc else None,
                    "prior_authorization": claim.prior_authorization,
                    "patient_birth_date": patient.birth_date if patient else None,
                    "patient_sex": patient.sex if patient else None,
                }
            )
    if backend == "polars":
        pl = _require("polars")
        schema: dict[str, Any] = dict.fromkeys(LINE_COLUMNS, pl.Utf8)
        schema.update(line=pl.Int64, units=pl.Int64, date_of_service=pl.Date, patient_birth_date=pl.Date)
        return pl.DataFrame(rows, schema=schema)
    pd = _require("pandas")
    frame = pd.DataFrame(rows, columns=list(LINE_COLUMNS))
    for name in ("date_of_service", "patient_birth_date"):
        frame[name] = pd.to_datetime(frame[name])
    return frame


def finding_arrow_schema() -> Any:
    """Return the pyarrow schema of a findings table: `FINDING_COLUMNS`, `line` as int64."""
    pa = _require("pyarrow")
    return pa.schema([(name, pa.int64() if name == "line" else pa.string()) for name in FINDING_COLUMNS])


def findings_arrow(reports: Iterable[ValidationReport]) -> Any:
    """Return a pyarrow Table with one row per finding, in `finding_arrow_schema()`."""
    pa = _require("pyarrow")
    return pa.Table.from_pylist(list(finding_rows(reports)), schema=finding_arrow_schema())


def findings_frame(reports: Iterable[ValidationReport], *, backend: Backend = "pandas") -> Any:
    """Return a DataFrame with one row per finding and the columns of `FINDING_COLUMNS`.

    The schema is fixed, also when there are no findings: `line` is a nullable 64-bit
    integer (empty for a finding on the whole claim) and every other column is text.
    """
    rows = list(finding_rows(reports))
    if backend == "polars":
        pl = _require("polars")
        schema = {name: pl.Int64 if name == "line" else pl.Utf8 for name in FINDING_COLUMNS}
        return pl.DataFrame(rows, schema=schema)
    pd = _require("pandas")
    columns = {
        name: pd.Series([row[name] for row in rows], dtype="Int64" if name == "line" else pd.StringDtype())
        for name in FINDING_COLUMNS
    }
    return pd.DataFrame(columns)


# -- validating ------------------------------------------------------------------------------


def validate_claims(
    items: Iterable[Claim | ClaimInputError], validator: Validator | None = None
) -> list[ValidationReport]:
    """Validate claims in order; an input error becomes a report with one error finding."""
    reports = []
    for item in items:
        if isinstance(item, ClaimInputError):
            reports.append(input_error_report(item))
        else:
            reports.append(validate(item, validator))
    return reports


def validate_frame(frame: Any, *, validator: Validator | None = None) -> Any:
    """Validate the claims of a line frame and return their findings frame.

    The findings frame has the backend of `frame`: pandas in, pandas out; polars in,
    polars out.
    """
    reports = validate_claims(claims_from_frame(frame), validator)
    backend: Backend = "polars" if _is_polars(frame) else "pandas"
    return findings_frame(reports, backend=backend)


def validate_file(
    path: str | Path, *, validator: Validator | None = None, backend: Backend = "pandas"
) -> Any:
    """Validate a claim file (JSON, JSON Lines or X12 837P) and return its findings frame.

    Raises `chemoden.ClaimFileError` when the file cannot be read as a whole. An 837P
    file whose trailers (SE, GE, IEA) are missing or wrong raises it too, after its
    claims were read. To keep their findings, pass `chemoden.iter_claims(path)` to
    `validate_claims` item by item and catch the error.
    """
    _require(backend)  # before validating, so that a missing module fails fast
    return findings_frame(validate_claims(iter_claims(path), validator), backend=backend)
