"""The ``chemoden`` command line: validate claim files, list rules and policies.

Exit status of ``chemoden validate``: 0 when every claim is ok, 1 when any claim has
an error finding, 2 when a file, a claim or a policy could not be read or parsed.
Malformed claims are reported in the output as input errors, and the other claims of
the same file are still validated.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from chemoden.claims_io import ClaimFileError, ClaimInputError, iter_claims
from chemoden.engine import Validator
from chemoden.findings import Severity
from chemoden.output import (
    ReportEntry,
    file_error_report,
    input_error_report,
    render_csv,
    render_json,
    render_table,
)
from chemoden.registry import RuleSettings, all_rules

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
_PROGRESS_EVERY = 500


def _build_parser() -> argparse.ArgumentParser:
    from chemoden import __version__

    parser = argparse.ArgumentParser(
        prog="chemoden",
        description="Check chemodenervation (botulinum toxin) claims before they go to a payer.",
    )
    parser.add_argument("--version", action="version", version=f"chemoden {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="validate claim files (JSON, JSON Lines or X12 837P)",
        description=(
            "Validate claim files and print one report per claim. Exit status: 0 when every "
            "claim is ok, 1 when any claim has an error, 2 when a file or claim could not be read."
        ),
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="claim file to validate")
    validate.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format: a readable table (default), the JSON report, or CSV with one row per finding",
    )
    validate.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="load a payer policy from a TOML file (repeatable); a claim's payer selects it by id",
    )
    validate.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="RULE",
        help="do not run this rule (repeatable); `chemoden rules` lists the ids",
    )
    validate.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="report a rule's findings at this severity: error, warning or info (repeatable)",
    )

    rules = commands.add_parser("rules", help="list the registered rules")
    rules.add_argument(
        "--format",
        choices=("table", "json", "markdown"),
        default="table",
        help="output format (default: table)",
    )

    commands.add_parser("policies", help="list the bundled payer policies and their versions")
    return parser


def _settings_from(arguments: argparse.Namespace) -> RuleSettings:
    severities: dict[str, Severity] = {}
    for item in arguments.severity:
        rule_id, separator, level = item.partition("=")
        if not separator:
            raise ValueError(
                f"--severity {item!r} must have the form RULE=LEVEL, such as units-over-mue=warning"
            )
        severities[rule_id.strip()] = Severity.parse(level)
    return RuleSettings(disabled=frozenset(arguments.disable), severity=severities)


def _load_policies(paths: Sequence[str]) -> list[object]:
    if not paths:
        return []
    from chemoden.coverage import load_policy

    return [load_policy(path) for path in paths]


def _progress(count: int, stream: TextIO) -> None:
    stream.write(f"\rvalidated {count} claims")
    stream.flush()


def _command_validate(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        settings = _settings_from(arguments)
        policies = _load_policies(arguments.policy)
        validator = Validator(settings, policies=policies)
    except (KeyError, ValueError, OSError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        err.write(f"chemoden: {message}\n")
        return EXIT_INPUT

    entries: list[ReportEntry] = []
    input_problem = False
    show_progress = err.isatty()
    for path in arguments.files:
        try:
            for item in iter_claims(path):
                if isinstance(item, ClaimInputError):
                    input_problem = True
                    err.write(f"chemoden: {item.describe()}\n")
                    entries.append(ReportEntry(input_error_report(item), path, item))
                else:
                    entries.append(ReportEntry(validator.validate(item), path))
                if show_progress and len(entries) % _PROGRESS_EVERY == 0:
                    _progress(len(entries), err)
        except ClaimFileError as error:
            input_problem = True
            err.write(f"chemoden: {error}\n")
            entries.append(ReportEntry(file_error_report(str(error)), path))
    if show_progress and len(entries) >= _PROGRESS_EVERY:
        _progress(len(entries), err)
        err.write("\n")

    reports = [entry.report for entry in entries]
    if arguments.format == "json":
        out.write(render_json(entries))
    elif arguments.format == "csv":
        out.write(render_csv(entries))
    else:
        out.write(render_table(entries))

    if input_problem:
        return EXIT_INPUT
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FINDINGS


def _command_rules(arguments: argparse.Namespace, out: TextIO) -> int:
    rules = all_rules()
    if arguments.format == "json":
        rows = [
            {
                "id": rule.id,
                "family": rule.family.value,
                "severity": rule.severity.value,
                "summary": rule.summary,
                "source": rule.source,
            }
            for rule in rules
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
    elif arguments.format == "markdown":
        from chemoden.docs import rules_markdown

        out.write(rules_markdown())
    else:
        width = max(len(rule.id) for rule in rules)
        for rule in rules:
            out.write(f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.family.value}\n")
            out.write(f"{'':<{width}}  {rule.summary}\n")
    return EXIT_OK


def _command_policies(out: TextIO, err: TextIO) -> int:
    try:
        from chemoden.coverage import bundled_policies
    except ImportError:
        err.write("chemoden: this version has no bundled payer policies\n")
        return EXIT_INPUT
    from chemoden.coverage.listing import describe_policies

    out.write(describe_policies(bundled_policies()))
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line with `argv` and return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = _build_parser().parse_args(argv)
    if arguments.command == "validate":
        return _command_validate(arguments, out, err)
    if arguments.command == "rules":
        return _command_rules(arguments, out)
    return _command_policies(out, err)
