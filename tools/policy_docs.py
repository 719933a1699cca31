"""Write docs/policies/<policy id>.md for each bundled payer policy.

Each page lists the policy's versions with their dates and sources. For each coverage
group it shows what chemoden holds: procedure codes, covered diagnoses (read from the
article or derived from the LCD text), drugs, dose limits and intervals. It ends with the
same-day rules and what is still unconfirmed. Run after tools/build_policies.py:

    python tools/policy_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from chemoden.coverage import bundled_policies
from chemoden.coverage.model import CoverageGroup, PayerPolicy, PolicyVersion

OUT = Path(__file__).resolve().parent.parent / "docs" / "policies"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _limit_text(group: CoverageGroup) -> str:
    parts = []
    for limit in group.dose_limits:
        numbers = [
            f"{name} {value:g}"
            for name, value in (
                ("initial", limit.initial),
                ("subsequent", limit.subsequent),
                ("maximum", limit.maximum),
            )
            if value is not None
        ]
        text = f"{limit.drug}: {', '.join(numbers) or 'no session limit'}"
        if limit.note:
            text += f" ({limit.note})"
        if not limit.confidence.is_confirmed:
            text += f" [{limit.confidence.value}]"
        parts.append(text)
    return "; ".join(parts) or "none held"


def _diagnosis_text(group: CoverageGroup) -> str:
    if not group.diagnoses:
        return f"none held ({group.diagnosis_list.value})"
    parts = []
    for mapping in group.diagnoses:
        basis = "article" if mapping.basis.value == "article" else "derived from LCD text"
        flag = ", unambiguous" if mapping.unambiguous else ""
        parts.append(f"{', '.join(mapping.codes)} ({basis}, {mapping.confidence.value}{flag})")
    return f"{'; '.join(parts)}; list {group.diagnosis_list.value}"


def _interval_text(group: CoverageGroup, version: PolicyVersion) -> str:
    days = (
        group.min_interval_days if group.min_interval_days is not None else version.default_min_interval_days
    )
    text = f"{days} days" if days is not None else "not held"
    if group.interval_by_drug:
        text += (
            " ("
            + ", ".join(f"{drug} {value} days" for drug, value in sorted(group.interval_by_drug.items()))
            + ")"
        )
    return text


def _version_section(version: PolicyVersion) -> list[str]:
    end = version.valid_to.isoformat() if version.valid_to else "open"
    lines = [
        f"## Version {version.version}: {version.valid_from.isoformat()} to {end}",
        "",
        f"- Title: {version.title}",
        f"- Effective dates: {version.dates_confidence.value}. {version.dates_note}".rstrip(),
    ]
    if version.article is not None:
        lines.append(f"- Billing article: {version.article.label()} {version.article.title}".rstrip())
    else:
        lines.append("- Billing article: not identified")
    listed = version.procedure_list
    if listed.codes:
        state = "complete" if listed.complete else "partial"
        lines.append(f"- CPT/HCPCS list ({state}): {', '.join(sorted(listed.codes))}")
    if version.default_min_interval_days is not None:
        lines.append(f"- Default interval: {version.default_min_interval_days} days")
    lines.append("- Sources:")
    lines.extend(f"  - {source}" for source in version.sources)
    for note in version.notes:
        lines.append(f"- Note: {note}")
    lines += [
        "",
        "| Indication | Procedures | Covered diagnoses | Drugs | Dose limits (product units) | Interval |",
        "|---|---|---|---|---|---|",
    ]
    for group in version.groups:
        procedures = "any procedure" if group.all_procedures else ", ".join(sorted(group.procedure_codes))
        if group.drug_codes is None:
            drugs = "not held"
        else:
            drugs = f"{', '.join(sorted(group.drug_codes))} ({group.drug_confidence.value})"
        lines.append(
            "| "
            + " | ".join(
                _cell(text)
                for text in (
                    group.indication,
                    procedures,
                    _diagnosis_text(group),
                    drugs,
                    _limit_text(group),
                    _interval_text(group, version),
                )
            )
            + " |"
        )
    extras: list[str] = []
    for group in version.groups:
        for requirement in group.secondary_diagnoses:
            required = ", ".join(requirement.required) or "list not held"
            exempt = f"; not needed with {', '.join(requirement.exempt)}" if requirement.exempt else ""
            extras.append(
                f"- {group.indication}: second diagnosis required ({required}{exempt}); {requirement.note}"
            )
        for exclusion in group.exclusions:
            codes = ", ".join(exclusion.codes) or "no distinct ICD-10-CM code"
            extras.append(f"- {group.indication}: not covered for {exclusion.description} ({codes})")
        if group.no_bilateral_same_session:
            extras.append(f"- {group.indication}: simultaneous bilateral injection not covered")
        for note in group.notes:
            extras.append(f"- {group.indication}: {note}")
    for rule in version.same_day:
        scope = ", ".join(sorted(rule.groups)) or "any indication"
        extras.append(
            f"- Same day ({scope}): {', '.join(sorted(rule.kinds | rule.codes))} "
            f"reported as {rule.severity}: {rule.reason}"
        )
    for mapping in version.cosmetic_diagnoses:
        extras.append(f"- Cosmetic use: {', '.join(mapping.codes)} ({mapping.reason})")
    program = version.prior_authorization
    if program is not None:
        extras.append(
            f"- {program.name}: places of service {', '.join(sorted(program.places_of_service))}: "
            f"{', '.join(sorted(program.procedure_codes))} with {', '.join(sorted(program.drug_codes))}, "
            f"from {program.valid_from.isoformat()}; the hospital requests it and puts the unique "
            "tracking number (UTN) on its own claim, and related physician claims can be denied "
            "when the hospital service was not affirmed"
        )
    if extras:
        lines += ["", "Other rules and notes:", "", *extras]
    return [*lines, ""]


def policy_page(policy: PayerPolicy) -> str:
    """Return the Markdown page of one policy."""
    lines = [f"# {policy.id}: {policy.title}", ""]
    if policy.jurisdiction is not None:
        place = policy.jurisdiction
        lines.append(f"- Contractor: {place.contractor} ({place.jurisdiction})".replace(" ()", ""))
        states = ", ".join(place.states)
        lines.append(f"- States: {states} ({place.states_confidence.value})")
        if place.contract_numbers:
            lines.append(f"- Contract numbers: {', '.join(place.contract_numbers)}")
    if policy.successor:
        lines.append(f"- Replaced by: {policy.successor}")
    lines += [
        "",
        "Generated by tools/policy_docs.py from the bundled data; confidence marks: confirmed "
        "(primary source), secondary (third-party summary), unconfirmed (inferred or not found), "
        "conflict (sources disagree).",
        "",
    ]
    for version in policy.versions:
        lines += _version_section(version)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    policies = bundled_policies()
    for policy in policies:
        (OUT / f"{policy.id}.md").write_text(policy_page(policy), encoding="utf-8")
    index = ["# Bundled payer policies", "", "| Policy | Title | Versions |", "|---|---|---|"]
    for policy in policies:
        spans = "; ".join(
            f"v{version.version} {version.valid_from.isoformat()} to "
            f"{version.valid_to.isoformat() if version.valid_to else 'open'}"
            for version in policy.versions
        )
        index.append(f"| [{policy.id}]({policy.id}.md) | {_cell(policy.title)} | {spans} |")
    (OUT / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"wrote {len(policies)} policy pages to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
