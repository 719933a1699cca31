"""Build a policy from the CMS Medicare Coverage Database (MCD) article download.

CMS publishes the current billing and coding articles as CSV files ("Current Articles"
download of the MCD, unzipped to one folder). This module reads, for one article:

- ``article.csv``: ``article_id``, ``article_version``, ``title``, ``article_eff_date``,
  ``article_end_date`` (optional: without it, pass `valid_from`);
- ``article_x_hcpc_code.csv``: ``article_id``, ``article_version``, ``hcpc_code_id``;
- ``article_x_icd10_covered.csv``: ``article_id``, ``article_version``,
  ``icd10_code_id``, ``icd10_covered_group`` and the optional ``asterisk``;
- ``article_x_icd10_covered_group.csv`` (optional): ``article_id``, ``article_version``,
  ``icd10_covered_group``, ``paragraph``, ``icd10_covered_ast``;
- ``article_x_icd10_noncovered.csv`` (optional): ``article_id``, ``article_version``,
  ``icd10_code_id``, ``icd10_noncovered_group``.

Each covered group becomes a `CoverageGroup` whose diagnosis list is complete (read from
the article). The group's procedure and drug codes are the CPT/HCPCS codes that its
paragraph names, or all the article's codes when the paragraph names none. Codes marked
with an asterisk need a second diagnosis from the group that the asterisk text names
("Group 3"). Non-covered groups become exclusions.

The article carries no dose limits or intervals. Pass a bundled version as `base` to
keep its version-wide rules (default interval, same-day services, cosmetic use, prior
authorization) and, for an article group whose procedure codes fall within exactly one
base group, that group's dose limits, intervals and exclusions.

NOTE: the column names follow public code that loads the MCD download; CMS's own data
dictionary for the download was not available to check them against.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from chemoden.coverage.model import (
    ArticleRef,
    CoverageGroup,
    DiagnosisBasis,
    DiagnosisList,
    DiagnosisMapping,
    Exclusion,
    Jurisdiction,
    PayerPolicy,
    PolicyVersion,
    ProcedureList,
    SameDayRule,
    SecondaryDiagnosisRule,
)
from chemoden.coverage.schema import PolicySchemaError
from chemoden.model import is_drug_code, normalize_icd10cm
from chemoden.reference.facts import Confidence

__all__ = ["MCD_FILES", "policy_from_mcd"]

MCD_FILES = {
    "article": "article.csv",
    "hcpc": "article_x_hcpc_code.csv",
    "covered": "article_x_icd10_covered.csv",
    "covered_group": "article_x_icd10_covered_group.csv",
    "noncovered": "article_x_icd10_noncovered.csv",
}
"""The MCD download files that the loader reads, by role."""

_CODE_IN_TEXT = re.compile(r"\b([0-9]{4}[0-9FTU]|[A-V][0-9]{4})\b")
_GROUP_IN_TEXT = re.compile(r"\bgroup\s+([0-9]+)\b", re.IGNORECASE)


def _rows(path: Path, required_columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or ()]
        missing = [column for column in required_columns if column not in header]
        if missing:
            raise PolicySchemaError(str(path), missing[0], header, "column missing from the MCD file")
        for row in reader:
            yield {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}


def _article_number(article_id: str) -> str:
    text = article_id.strip().upper()
    return text[1:] if text.startswith("A") else text


def _mcd_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for candidate in (text[:10], text):
        try:
            return dt.date.fromisoformat(candidate)
        except ValueError:
            pass
    try:
        return dt.datetime.strptime(text.split()[0], "%m/%d/%Y").date()
    except ValueError:
        return None


def _rows_for(path: Path, columns: tuple[str, ...], number: str) -> list[dict[str, str]]:
    return [row for row in _rows(path, columns) if _article_number(row["article_id"]) == number]


def _latest(rows: list[dict[str, str]], version: str | None) -> list[dict[str, str]]:
    if not rows:
        return rows
    if version is None:
        version = max((row["article_version"] for row in rows), key=lambda text: int(text or 0))
    return [row for row in rows if row["article_version"] == version]


def _base_group(base: PolicyVersion | None, procedures: frozenset[str]) -> CoverageGroup | None:
    if base is None or not procedures:
        return None
    found = [group for group in base.groups if procedures <= group.procedure_codes]
    return found[0] if len(found) == 1 else None


def policy_from_mcd(
    folder: str | Path,
    article_id: str,
    *,
    policy_id: str | None = None,
    title: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    article_version: str | None = None,
    base: PolicyVersion | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> PayerPolicy:
    """Build a policy from the MCD "Current Articles" CSV files for one article.

    `folder` is the unzipped download; `article_id` is ``A57185`` or ``57185``. The
    policy id defaults to the article id (pass the LCD id, such as ``L35170``, to
    replace a bundled policy). The version starts at `valid_from`, else at the
    article's ``article_eff_date``. Raises `PolicySchemaError` when a file lacks a
    column or the article is not in the files, and `OSError` when a file is missing.
    """
    root = Path(folder)
    number = _article_number(article_id)
    display_id = f"A{number}"
    source = f"CMS Medicare Coverage Database, article {display_id} (current article download)"

    article_title = title or ""
    start, end = valid_from, valid_to
    article_path = root / MCD_FILES["article"]
    if article_path.exists():
        articles = _latest(
            _rows_for(article_path, ("article_id", "article_version"), number), article_version
        )
        if articles:
            article_version = articles[0]["article_version"]
            article_title = article_title or articles[0].get("title", "")
            start = start or _mcd_date(articles[0].get("article_eff_date", ""))
            end = end or _mcd_date(articles[0].get("article_end_date", ""))

    hcpc_rows = _latest(
        _rows_for(root / MCD_FILES["hcpc"], ("article_id", "article_version", "hcpc_code_id"), number),
        article_version,
    )
    covered_rows = _latest(
        _rows_for(
            root / MCD_FILES["covered"],
            ("article_id", "article_version", "icd10_code_id", "icd10_covered_group"),
            number,
        ),
        article_version,
    )
    if not covered_rows:
        raise PolicySchemaError(
            str(root / MCD_FILES["covered"]),
            "article_id",
            display_id,
            "no covered ICD-10-CM rows for this article",
        )
    if start is None:
        raise PolicySchemaError(
            str(article_path), "article_eff_date", display_id, "no effective date: pass valid_from"
        )
    article_version = article_version or covered_rows[0]["article_version"]

    listed = frozenset(row["hcpc_code_id"].upper() for row in hcpc_rows if row["hcpc_code_id"])
    article_drugs = frozenset(code for code in listed if is_drug_code(code))
    article_procedures = listed - article_drugs

    paragraphs: dict[str, tuple[str, str]] = {}
    group_path = root / MCD_FILES["covered_group"]
    if group_path.exists():
        for row in _latest(
            _rows_for(group_path, ("article_id", "article_version", "icd10_covered_group"), number),
            article_version,
        ):
            paragraphs[row["icd10_covered_group"]] = (
                row.get("paragraph", ""),
                row.get("icd10_covered_ast", ""),
            )

    codes_by_group: dict[str, list[str]] = {}
    starred_by_group: dict[str, list[str]] = {}
    for row in covered_rows:
        code = normalize_icd10cm(row["icd10_code_id"])
        group_number = row["icd10_covered_group"] or "1"
        codes_by_group.setdefault(group_number, []).append(code)
        if row.get("asterisk", "").strip():
            starred_by_group.setdefault(group_number, []).append(code)

    exclusions: list[Exclusion] = []
    noncovered_path = root / MCD_FILES["noncovered"]
    if noncovered_path.exists():
        excluded: dict[str, list[str]] = {}
        for row in _latest(
            _rows_for(noncovered_path, ("article_id", "article_version", "icd10_code_id"), number),
            article_version,
        ):
            excluded.setdefault(row.get("icd10_noncovered_group", "") or "1", []).append(
                normalize_icd10cm(row["icd10_code_id"])
            )
        exclusions = [
            Exclusion(
                description=f"ICD-10-CM codes that do not support medical necessity, group {key}",
                confidence=Confidence.CONFIRMED,
                source=source,
                codes=codes,
            )
            for key, codes in sorted(excluded.items(), key=lambda item: int(item[0] or 0))
        ]

    # A group that an asterisk note names ("a secondary code from Group 3") only lists
    # the second diagnoses; it does not support a procedure by itself.
    secondary_only = {
        found
        for group_number in starred_by_group
        for found in _GROUP_IN_TEXT.findall(" ".join(paragraphs.get(group_number, ("", ""))))
        if found != group_number
    }

    groups: list[CoverageGroup] = []
    renamed: dict[str, set[str]] = {}
    for group_number in sorted(codes_by_group, key=lambda text: int(text or 0)):
        if group_number in secondary_only:
            continue
        paragraph, asterisk_text = paragraphs.get(group_number, ("", ""))
        named = {match.upper() for match in _CODE_IN_TEXT.findall(paragraph)}
        procedures = frozenset(named & article_procedures)
        drugs = frozenset(named & article_drugs) or article_drugs
        secondary: list[SecondaryDiagnosisRule] = []
        if group_number in starred_by_group:
            referenced = [
                found
                for found in _GROUP_IN_TEXT.findall(f"{paragraph} {asterisk_text}")
                if found != group_number
            ]
            required = [code for found in referenced for code in codes_by_group.get(found, [])]
            secondary.append(
                SecondaryDiagnosisRule(
                    confidence=Confidence.CONFIRMED,
                    source=source,
                    applies_to=starred_by_group[group_number],
                    required=required,
                    note=(asterisk_text or "codes marked with an asterisk need a second diagnosis")[:300],
                )
            )
        key = f"group-{group_number}"
        inherited = _base_group(base, procedures)
        if inherited is not None:
            renamed.setdefault(inherited.key, set()).add(key)
        groups.append(
            CoverageGroup(
                key=key,
                indication=(paragraph[:120] or f"Covered ICD-10-CM group {group_number}"),
                diagnoses=[
                    DiagnosisMapping(
                        codes=codes_by_group[group_number],
                        basis=DiagnosisBasis.ARTICLE,
                        confidence=Confidence.CONFIRMED,
                        source=source,
                    )
                ],
                diagnosis_list=DiagnosisList.COMPLETE,
                procedure_codes=procedures,
                all_procedures=not procedures,
                procedure_basis="named in the group paragraph"
                if procedures
                else "every procedure code of the article",
                drug_codes=drugs or None,
                drug_confidence=Confidence.CONFIRMED,
                drug_source=source,
                dose_limits=inherited.dose_limits if inherited else (),
                min_interval_days=inherited.min_interval_days if inherited else None,
                interval_by_drug=dict(inherited.interval_by_drug) if inherited else {},
                interval_confidence=inherited.interval_confidence if inherited else Confidence.UNCONFIRMED,
                interval_source=inherited.interval_source if inherited else "",
                secondary_diagnoses=secondary,
                exclusions=[*exclusions, *(inherited.exclusions if inherited else ())],
                no_bilateral_same_session=inherited.no_bilateral_same_session if inherited else False,
                bilateral_source=inherited.bilateral_source if inherited else "",
            )
        )

    version = PolicyVersion(
        policy_id=(policy_id or display_id).upper(),
        version=article_version,
        title=article_title or (base.title if base else display_id),
        valid_from=start,
        valid_to=end,
        sources=(source, *(base.sources if base else ())),
        article=ArticleRef(id=display_id, title=article_title, revision=f"v{article_version}", source=source),
        procedure_list=ProcedureList(codes=listed, complete=True, source=source),
        default_min_interval_days=base.default_min_interval_days if base else None,
        default_interval_source=base.default_interval_source if base else "",
        groups=groups,
        same_day=_same_day_for(base, renamed),
        cosmetic_diagnoses=base.cosmetic_diagnoses if base else (),
        prior_authorization=base.prior_authorization if base else None,
        notes=(f"Built from the MCD download for {display_id} version {article_version}",),
    )
    return PayerPolicy(
        id=version.policy_id,
        title=version.title,
        versions=(version,),
        jurisdiction=jurisdiction,
        payer="Medicare",
        origin=str(root),
    )


def _same_day_for(base: PolicyVersion | None, renamed: Mapping[str, set[str]]) -> tuple[SameDayRule, ...]:
    if base is None:
        return ()
    rules: list[SameDayRule] = []
    for rule in base.same_day:
        if not rule.groups:
            rules.append(rule)
            continue
        keys = {key for group in rule.groups for key in renamed.get(group, ())}
        if keys:
            rules.append(
                SameDayRule(
                    reason=rule.reason,
                    severity=rule.severity,
                    confidence=rule.confidence,
                    source=rule.source,
                    kinds=rule.kinds,
                    codes=rule.codes,
                    groups=keys,
                )
            )
    return tuple(rules)
