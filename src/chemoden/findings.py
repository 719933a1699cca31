"""Findings and the validation report.

A finding is one problem on one claim: the stable id of the rule that found it, a
severity, a plain-English message that names the codes and the fix, the 1-based line
numbers it concerns, and the source of the rule (CPT guideline, NCCI, CMS manual, LCD).

Severity follows the payer's likely response: ``error`` when the payer will reject or
deny the claim or it is miscoded, ``warning`` when a denial is likely, documentation is
needed or the rule rests on data that no primary source confirmed, and ``info`` for
what chemoden could not check.
"""

from __future__ import annotations

import enum
import html
from typing import Any

import attrs

__all__ = ["Finding", "Severity", "ValidationReport"]


class Severity(enum.Enum):
    """Seriousness of a finding, from the payer's point of view."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort rank: 0 for errors, 1 for warnings, 2 for info."""
        return _RANK[self]

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Return the severity named by ``error``, ``warning`` or ``info``."""
        if isinstance(value, Severity):
            return value
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {value!r}; use 'error', 'warning' or 'info'") from None


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@attrs.frozen
class Finding:
    """One problem found on a claim by one rule."""

    rule: str
    severity: Severity
    message: str
    lines: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    source: str = ""

    def sort_key(self) -> tuple[int, int, str, tuple[int, ...], tuple[str, ...], str]:
        """Key for the report order: by first line, then severity, rule, lines and codes."""
        first_line = self.lines[0] if self.lines else 0
        return (first_line, self.severity.rank, self.rule, self.lines, self.codes, self.message)

    def to_dict(self) -> dict[str, Any]:
        """Return the finding in the JSON report format."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "lines": list(self.lines),
            "codes": list(self.codes),
            "source": self.source,
        }


@attrs.frozen
class ValidationReport:
    """The findings for one claim, in a stable order.

    `ok` is false when any finding is an error. Warnings and info findings leave the
    claim ok, but a coder should read them.
    """

    claim_id: str | None
    findings: tuple[Finding, ...]
    policy: str | None = None
    """The payer policy version that coverage was checked under (policy id, version,
    title and article), or None when coverage was not checked."""

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return all(finding.severity is not Severity.ERROR for finding in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity error."""
        return self.by_severity(Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings of severity warning."""
        return self.by_severity(Severity.WARNING)

    def by_severity(self, severity: Severity) -> tuple[Finding, ...]:
        """Return the findings of one severity, in report order."""
        return tuple(finding for finding in self.findings if finding.severity is severity)

    def rules(self) -> frozenset[str]:
        """Return the ids of the rules that found something."""
        return frozenset(finding.rule for finding in self.findings)

    @property
    def worst_severity(self) -> Severity | None:
        """Most serious severity among the findings, or None without findings."""
        if not self.findings:
            return None
        return min((finding.severity for finding in self.findings), key=lambda s: s.rank)

    def to_dict(self) -> dict[str, Any]:
        """Return the report in the JSON report format of the claim file contract."""
        document: dict[str, Any] = {
            "id": self.claim_id,
            "ok": self.ok,
            "findings": [finding.to_dict() for finding in self.findings],
        }
        if self.policy is not None:
            document["policy"] = self.policy
        return document

    def _repr_html_(self) -> str:
        title = html.escape(self.claim_id or "claim")
        status = "ok" if self.ok else "not ok"
        if not self.findings:
            return f"<p><b>{title}</b>: {status}, no findings</p>"
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(finding.severity.value)}</td>"
            f"<td>{html.escape(finding.rule)}</td>"
            f"<td>{html.escape(', '.join(str(n) for n in finding.lines))}</td>"
            f"<td>{html.escape(finding.message)}</td>"
            f"<td>{html.escape(finding.source)}</td>"
            "</tr>"
            for finding in self.findings
        )
        return (
            f"<p><b>{title}</b>: {status}</p>"
            "<table><thead><tr><th>severity</th><th>rule</th><th>lines</th>"
            f"<th>message</th><th>source</th></tr></thead><tbody>{rows}</tbody></table>"
        )
