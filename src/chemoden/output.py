"""Report outputs: the JSON report, flat finding rows for CSV and DataFrames, and a table.

`finding_rows` is the one flat shape of a finding. The CSV output and the DataFrame
API both use it, so that they carry the same findings as the JSON report.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from chemoden.claims_io import ClaimInputError
from chemoden.findings import Finding, Severity, ValidationReport

__all__ = [
    "FILE_ERROR_RULE",
    "FINDING_COLUMNS",
    "INPUT_ERROR_RULE",
    "ReportEntry",
    "file_error_report",
    "finding_rows",
    "input_error_report",
    "render_csv",
    "render_json",
    "render_table",
]

INPUT_ERROR_RULE = "invalid-claim-input"
"""Rule id of the finding that stands for a claim that could not be read."""

FILE_ERROR_RULE = "invalid-claim-file"
"""Rule id of the finding that stands for a whole file that could not be read."""

FINDING_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "line",
    "lines",
    "rule",
    "severity",
    "message",
    "codes",
    "source",
)
"""Columns of a finding row: `line` is the first line number (empty for the whole
claim), `lines` and `codes` are space-separated lists."""


@attrs.frozen
class ReportEntry:
    """A report, or the input error that took the place of a claim, with its file."""

    report: ValidationReport
    file: str | None = None
    input_error: ClaimInputError | None = None


def input_error_report(error: ClaimInputError) -> ValidationReport:
    """Return a report with one error finding that describes a malformed claim."""
    finding = Finding(
        rule=INPUT_ERROR_RULE,
        severity=Severity.ERROR,
        message=error.describe(),
        source="chemoden claim file format",
    )
    return ValidationReport(claim_id=error.claim_id or error.claim, findings=(finding,))


def file_error_report(message: str) -> ValidationReport:
    """Return a report with one error finding that stands for a file that could not be read."""
    finding = Finding(
        rule=FILE_ERROR_RULE,
        severity=Severity.ERROR,
        message=message,
        source="chemoden claim file format",
    )
    return ValidationReport(claim_id=None, findings=(finding,))


def finding_rows(reports: Iterable[ValidationReport]) -> Iterator[dict[str, Any]]:
    """Yield one flat row per finding, with the columns of `FINDING_COLUMNS`."""
    for report in reports:
        for finding in report.findings:
            yield {
                "claim_id": report.claim_id,
                "line": finding.lines[0] if finding.lines else None,
                "lines": " ".join(str(number) for number in finding.lines),
                "rule": finding.rule,
                "severity": finding.severity.value,
                "message": finding.message,
                "codes": " ".join(finding.codes),
                "source": finding.source,
            }


def render_json(entries: Sequence[ReportEntry]) -> str:
    """Return the JSON report: an array with one report per claim, in input order.

    Each report also names the `file` it came from, so that reports of several files
    with the same claim ids stay apart.
    """
    documents = []
    for entry in entries:
        document = entry.report.to_dict()
        document["file"] = entry.file
        documents.append(document)
    return json.dumps(documents, indent=2) + "\n"


def render_csv(entries: Sequence[ReportEntry]) -> str:
    """Return the findings as CSV with a header row, one row per finding, file first."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=("file", *FINDING_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        for row in finding_rows([entry.report]):
            cells = {key: "" if value is None else value for key, value in row.items()}
            writer.writerow({"file": entry.file or "", **cells})
    return buffer.getvalue()


_TEXT = textwrap.TextWrapper(
    width=100,
    initial_indent=" " * 10,
    subsequent_indent=" " * 10,
    break_long_words=False,
    break_on_hyphens=False,
)


def render_table(entries: Sequence[ReportEntry]) -> str:
    """Return a plain-text table of each claim's status and findings, for a terminal."""
    out: list[str] = []
    errors = warnings = 0
    for entry in entries:
        report = entry.report
        label = report.claim_id or "(no id)"
        where = f"  [{entry.file}]" if entry.file else ""
        out.append(f"{label}: {'ok' if report.ok else 'NOT OK'}{where}")
        if report.policy is not None:
            out.append(_TEXT.fill(f"coverage checked under {report.policy}"))
        for finding in report.findings:
            lines = ",".join(str(number) for number in finding.lines) or "-"
            out.append(f"  {finding.severity.value:<7} line {lines:<5} {finding.rule}")
            out.append(_TEXT.fill(finding.message))
            out.append(_TEXT.fill(f"source: {finding.source}"))
            if finding.severity is Severity.ERROR:
                errors += 1
            elif finding.severity is Severity.WARNING:
                warnings += 1
    not_ok = sum(1 for entry in entries if not entry.report.ok)
    out.append("")
    out.append(
        f"{len(entries)} claim(s): {len(entries) - not_ok} ok, {not_ok} not ok; "
        f"{errors} error(s), {warnings} warning(s)"
    )
    return "\n".join(out) + "\n"
