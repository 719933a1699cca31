"""Patient rules: the patient's age on the date of service against the product label.

The US labels of the botulinum toxins cover each indication from a given age. Botox
covers chronic migraine and cervical dystonia in adults, blepharospasm and strabismus
from 12 years, and spasticity from 2 years. Xeomin covers sialorrhea from 2 years, and
Dysport, Myobloc and Daxxify cover cervical dystonia in adults. A younger patient is off-label use,
which payers may deny without documented medical necessity. The claim's
`patient.birth_date` gives the age; without it these rules do not run.

Sources: the US labels as listed in ``chemoden/data/label_ages.csv``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from chemoden.context import ClaimContext
from chemoden.findings import Severity
from chemoden.reference.labels import label_age_on
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import lines_text


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return a person's age in whole years on a day."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@rule(
    "patient-born-after-service",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source="CMS-1500 item 3 / X12 837P DMG02 (patient birth date)",
    summary="The patient's birth date is after a date of service on the claim.",
    requires=("patient-birth-date",),
)
def patient_born_after_service(context: ClaimContext) -> Iterator[Hit]:
    patient = context.claim.patient
    if patient is None or patient.birth_date is None:
        return
    birth_date = patient.birth_date
    early = [numbered.number for numbered in context.lines if numbered.date < birth_date]
    if early:
        yield Hit(
            f"The patient's birth date {birth_date.isoformat()} is after the date of service of "
            f"{lines_text(early)}. Correct the birth date or the dates of service.",
            lines=tuple(early),
        )


@rule(
    "patient-below-label-age",
    family=Family.DRUG_LINES,
    severity=Severity.WARNING,
    source="US product labels (see chemoden/data/label_ages.csv)",
    summary="The patient is younger than the product's US label covers for the indication billed.",
    requires=("patient-birth-date", "toxin", "kind:chemodenervation"),
)
def patient_below_label_age(context: ClaimContext) -> Iterator[Hit]:
    patient = context.claim.patient
    if patient is None or patient.birth_date is None:
        return
    reported: set[tuple[str, str]] = set()
    for drug in context.drugs:
        for procedure in context.chemodenervation_lines(drug.date):
            label = label_age_on(drug.code, procedure.code, drug.date)
            key = (drug.code, procedure.code)
            if label is None or key in reported:
                continue
            age = age_on(patient.birth_date, drug.date)
            if age < 0 or age >= label.min_age_years:
                continue
            reported.add(key)
            brand = drug.value("brand") or drug.code
            yield Hit(
                f"The patient is {age} years old on {drug.date.isoformat()}, but the US label of "
                f"{brand} ({drug.code}, line {drug.number}) covers {label.indication} "
                f"({procedure.code}, line {procedure.number}) from age {label.min_age_years}. "
                "Payers may deny off-label use in a younger patient: check the payer's policy and "
                "document the medical necessity.",
                lines=(procedure.number, drug.number),
                codes=(procedure.code, drug.code),
                source=label.source
                + ("" if label.confidence.is_confirmed else f" [{label.confidence.value}]"),
            )
