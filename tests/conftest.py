"""Shared test helpers: build claims from short dicts and validate them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import chemoden

FIXTURES = Path(__file__).parent / "fixtures"


def build_claim(
    lines: Sequence[Mapping[str, Any]],
    diagnoses: list[str] | None = None,
    date: str = "2026-03-10",
    **fields: Any,
) -> chemoden.Claim:
    """Build a claim from short line dicts; lines point at diagnosis 1 by default."""
    full_lines = []
    for line in lines:
        full = {"modifiers": [], "units": 1, "diagnosis_pointers": [1], **line}
        full_lines.append(full)
    data: dict[str, Any] = {
        "id": "T-1",
        "date_of_service": date,
        "diagnoses": diagnoses if diagnoses is not None else ["G24.3"],
        "lines": full_lines,
        **fields,
    }
    return chemoden.claim_from_dict(data)


def rules_found(claim: chemoden.Claim, **validator: Any) -> dict[str, list[chemoden.Finding]]:
    """Validate a claim and return its findings by rule id."""
    checker = chemoden.Validator(**validator) if validator else None
    report = chemoden.validate(claim, checker)
    found: dict[str, list[chemoden.Finding]] = {}
    for finding in report.findings:
        found.setdefault(finding.rule, []).append(finding)
    return found
