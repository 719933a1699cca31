"""Describe payer policies as text, for ``chemoden policies``.

Each policy shows the values that a claim's ``payer`` may take (its id, MAC contract
numbers and states), who issues it and each version with its dates, title and billing
article. Data that no primary source confirms carries its confidence mark in brackets
(``[dates unconfirmed]``), as the coverage findings do.
"""

from __future__ import annotations

from collections.abc import Iterable

from chemoden.coverage.model import PayerPolicy, PolicyVersion
from chemoden.reference.facts import Confidence

__all__ = ["describe_policies", "describe_policy", "describe_version"]

_LABEL_WIDTH = 18


def _mark(confidence: Confidence, what: str) -> str:
    return "" if confidence.is_confirmed else f" [{what}{confidence.value}]"


def _field(label: str, value: str) -> str:
    return f"  {label + ':':<{_LABEL_WIDTH}}{value}"


def describe_version(version: PolicyVersion) -> str:
    """Return one line: version, effective dates, title and billing article."""
    name = f"v{version.version}" if version.version else "(no version number)"
    end = version.valid_to.isoformat() if version.valid_to else "open"
    dates = f"{version.valid_from.isoformat()} to {end}" + _mark(version.dates_confidence, "dates ")
    article = version.article
    if article is None:
        article_text = "article not known"
    else:
        article_text = f"article {article.label()}" + _mark(article.confidence, "")
    return f"{name}  {dates}  {version.title}; {article_text}"


def describe_policy(policy: PayerPolicy) -> str:
    """Return a policy's header lines and one line per version, oldest first."""
    lines = [f"{policy.id}  {policy.title}"]
    jurisdiction = policy.jurisdiction
    if jurisdiction is None:
        lines.append(_field("contractor", "not recorded"))
    else:
        lines.append(_field("contractor", jurisdiction.contractor))
        lines.append(_field("jurisdiction", jurisdiction.jurisdiction or "not recorded"))
        numbers = ", ".join(jurisdiction.contract_numbers) or "not recorded"
        lines.append(_field("contract numbers", numbers))
        states = ", ".join(jurisdiction.states) or "not recorded"
        if jurisdiction.states:
            states += _mark(jurisdiction.states_confidence, "")
        lines.append(_field("states", states))
    if policy.successor:
        lines.append(_field("replaced by", policy.successor))
    lines.append(_field("versions", ""))
    lines.extend(f"    {describe_version(version)}" for version in policy.versions)
    return "\n".join(line.rstrip() for line in lines)


def describe_policies(policies: Iterable[PayerPolicy]) -> str:
    """Return the description of each policy, with a note on the claim's ``payer`` values."""
    parts = [
        "A claim's payer may be a policy id, one of its contract numbers or one of its states.\n"
        "Marks in brackets show data that no primary source confirms.",
        *(describe_policy(policy) for policy in policies),
    ]
    return "\n\n".join(parts) + "\n"
