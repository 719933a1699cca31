"""Code validity: malformed or unknown codes, and codes not in effect on the date of service.

CPT codes are five digits, or four digits and F, T or U; HCPCS Level II codes are a
letter and four digits. A code that chemoden has no data for is reported, not passed:
its units, pairs and coverage could not be checked. ICD-10-CM codes that exist but are
headers or out of date are checked by `chemoden.rules.icd10cm`; this module checks
only their shape.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from chemoden.context import ClaimContext
from chemoden.findings import Severity
from chemoden.model import is_well_formed_icd10cm
from chemoden.reference.coding import coding_data_reviewed_through
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import fact_source, lines_text

_PROCEDURE_CODE = re.compile(r"[0-9]{4}[0-9FTU]|[A-V][0-9]{4}")


@rule(
    "procedure-code-malformed",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source="CPT code set (AMA); HCPCS Level II code set (CMS)",
    summary="A line's code has neither the CPT shape (5 characters) nor the HCPCS shape.",
    requires=("no-facts",),
)
def procedure_code_malformed(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.lines:
        if _PROCEDURE_CODE.fullmatch(numbered.code) is None:
            yield Hit(
                f"Line {numbered.number} code {numbered.code!r} is not a CPT code (5 digits, "
                "or 4 digits and F, T or U) or a HCPCS Level II code (a letter and 4 digits). "
                "Correct the code.",
                lines=(numbered.number,),
                codes=(numbered.code,),
            )


@rule(
    "procedure-code-unknown",
    family=Family.CODE_VALIDITY,
    severity=Severity.WARNING,
    source="chemoden coding tables",
    summary="chemoden has no data for a line's code, so that line was not checked.",
    requires=("no-facts",),
)
def procedure_code_unknown(context: ClaimContext) -> Iterator[Hit]:
    tables = context.tables
    for numbered in context.lines:
        code = numbered.code
        if _PROCEDURE_CODE.fullmatch(code) is None or tables.knows(code):
            continue
        yield Hit(
            f"chemoden has no data for code {code} (line {numbered.number}), so its units, "
            "code pairs and coverage were not checked. Check the code in the current CPT or "
            "HCPCS code set and the payer's policy.",
            lines=(numbered.number,),
            codes=(code,),
        )


def _out_of_effect_reason(
    status_ranges: list[tuple[dt.date | None, dt.date | None]], day: dt.date
) -> tuple[str, str]:
    """Return why a date is outside a code's ranges, as (confirmed wording, doubtful wording)."""
    starts = [start for start, _ in status_ranges if start is not None]
    ends = [end for _, end in status_ranges if end is not None]
    if starts and day < min(starts) and (not ends or len(ends) < len(status_ranges)):
        first = min(starts).isoformat()
        return f"is not in effect before {first}", f"records it as in effect from {first}"
    if ends and day > max(ends):
        last = max(ends).isoformat()
        return f"was deleted after {last}", f"records it as deleted after {last}"
    return "is not in effect on that date", "records it as not in effect on that date"


@rule(
    "code-not-in-effect",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source="CPT and HCPCS Level II code set effective dates",
    summary="A line's code is not in effect on its date of service (not yet added, or deleted).",
    requires=("no-facts",),
)
def code_not_in_effect(context: ClaimContext) -> Iterator[Hit]:
    tables = context.tables
    for numbered in context.lines:
        if "status" in numbered.facts:
            continue
        table = tables.table_for(numbered.code)
        if table is None:
            continue
        statuses = table.facts(numbered.code, "status")
        if not statuses or any(fact.in_effect(numbered.date) for fact in statuses):
            continue

        ranges = [(fact.valid_from, fact.valid_to) for fact in statuses]
        reason, doubtful_reason = _out_of_effect_reason(ranges, numbered.date)
        nearest = statuses[0]
        note = f" ({nearest.note})" if nearest.note else ""
        day = numbered.date.isoformat()
        if all(fact.confidence.is_confirmed for fact in statuses):
            message = (
                f"Code {numbered.code} on line {numbered.number} {reason}{note}, but the date of "
                f"service is {day}. Use the code in effect on that date."
            )
        else:
            message = (
                f"chemoden cannot confirm that code {numbered.code} (line {numbered.number}) was in "
                f"effect on {day}: its data {doubtful_reason}{note}, but no primary source confirms "
                "that date. Check the code's effective dates in the CPT or HCPCS code set."
            )
        yield Hit(
            message,
            lines=(numbered.number,),
            codes=(numbered.code,),
            severity=None if nearest.confidence.is_confirmed else Severity.WARNING,
            source=fact_source(nearest),
        )


@rule(
    "diagnosis-code-malformed",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source="ICD-10-CM code structure (CMS/NCHS)",
    summary="A diagnosis is not shaped like an ICD-10-CM code (letter, digit, character, dot, up to 4 more).",
    requires=("diagnoses",),
)
def diagnosis_code_malformed(context: ClaimContext) -> Iterator[Hit]:
    for position, diagnosis in enumerate(context.claim.diagnoses, start=1):
        if is_well_formed_icd10cm(diagnosis.code):
            continue
        pointing = [
            numbered.number for numbered in context.lines if position in numbered.line.diagnosis_pointers
        ]
        where = f" (pointed to by {lines_text(pointing)})" if pointing else ""
        yield Hit(
            f"Diagnosis {position} {diagnosis.code!r}{where} is not a well-formed ICD-10-CM "
            "code: a letter, a digit and a letter or digit, then a dot and up to four more "
            "characters (such as G43.709). Correct the code.",
            lines=tuple(pointing),
            codes=(diagnosis.code,),
        )


@rule(
    "date-after-coding-data",
    family=Family.CODE_VALIDITY,
    severity=Severity.INFO,
    source="chemoden coding tables",
    summary="The date of service is later than the last date chemoden's coding data was reviewed for.",
)
def date_after_coding_data(context: ClaimContext) -> Iterator[Hit]:
    reviewed = coding_data_reviewed_through()
    late = [numbered.number for numbered in context.lines if numbered.date > reviewed]
    if late:
        latest = max(context.dates)
        yield Hit(
            f"The date of service {latest.isoformat()} is after {reviewed.isoformat()}, the "
            "last date chemoden's coding data (code status, MUE, code pairs) was reviewed for. "
            "Changes published since then are not reflected; check quarterly NCCI and MUE "
            "updates for this date.",
            lines=tuple(late) if len(late) < len(context.lines) else (),
        )
