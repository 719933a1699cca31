"""Diagnosis pointers: each line points at one to four of the claim's diagnoses.

On the CMS-1500 and in the X12 837P (SV107), a line carries up to four 1-based
pointers into the claim's diagnoses, of which there are at most twelve (HI segment,
box 21 A-L). A line without a pointer, or with a pointer past the last diagnosis, is
rejected as unprocessable.

Sources: CMS Claims Processing Manual ch. 26 (items 21 and 24E of the CMS-1500);
X12 837P 005010X222A1 SV107 and HI.
"""

from __future__ import annotations

from collections.abc import Iterator

from chemoden.context import ClaimContext
from chemoden.findings import Severity
from chemoden.registry import Family, Hit, rule

_SOURCE = "CMS Claims Processing Manual ch. 26 (CMS-1500 items 21 and 24E); X12 837P SV107"
MAX_POINTERS = 4
MAX_DIAGNOSES = 12


@rule(
    "diagnosis-pointer-missing",
    family=Family.DIAGNOSIS_POINTERS,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="A line points at no diagnosis.",
    requires=("pointer-problem",),
)
def diagnosis_pointer_missing(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.lines:
        if not numbered.line.diagnosis_pointers:
            yield Hit(
                f"Line {numbered.number} ({numbered.code}) points at no diagnosis. Add the "
                "pointer (1 for the first diagnosis) of the diagnosis that supports it.",
                lines=(numbered.number,),
                codes=(numbered.code,),
            )


@rule(
    "diagnosis-pointer-out-of-range",
    family=Family.DIAGNOSIS_POINTERS,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="A line points at a diagnosis that the claim does not have.",
    requires=("pointer-problem",),
)
def diagnosis_pointer_out_of_range(context: ClaimContext) -> Iterator[Hit]:
    count = len(context.claim.diagnoses)
    for numbered in context.lines:
        bad = [p for p in numbered.line.diagnosis_pointers if p < 1 or p > count]
        if bad:
            yield Hit(
                f"Line {numbered.number} ({numbered.code}) points at diagnosis "
                f"{', '.join(str(p) for p in bad)}, but the claim has {count} "
                f"diagnos{'is' if count == 1 else 'es'}. Pointers count from 1; correct them.",
                lines=(numbered.number,),
                codes=(numbered.code,),
            )


@rule(
    "too-many-diagnosis-pointers",
    family=Family.DIAGNOSIS_POINTERS,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="A line carries more than 4 diagnosis pointers.",
    requires=("pointer-problem",),
)
def too_many_diagnosis_pointers(context: ClaimContext) -> Iterator[Hit]:
    for numbered in context.lines:
        pointers = numbered.line.diagnosis_pointers
        if len(pointers) > MAX_POINTERS:
            yield Hit(
                f"Line {numbered.number} ({numbered.code}) carries {len(pointers)} diagnosis "
                f"pointers; a line holds at most {MAX_POINTERS}. Keep the four that best "
                "support the service, the primary one first.",
                lines=(numbered.number,),
                codes=(numbered.code,),
            )


@rule(
    "too-many-diagnoses",
    family=Family.DIAGNOSIS_POINTERS,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="The claim lists more than 12 diagnoses.",
    requires=("many-diagnoses",),
)
def too_many_diagnoses(context: ClaimContext) -> Iterator[Hit]:
    count = len(context.claim.diagnoses)
    if count > MAX_DIAGNOSES:
        yield Hit(
            f"The claim lists {count} diagnoses; a claim holds at most {MAX_DIAGNOSES}. "
            "Keep those that the lines point at, or split the claim.",
            codes=tuple(diagnosis.code for diagnosis in context.claim.diagnoses[MAX_DIAGNOSES:]),
        )
