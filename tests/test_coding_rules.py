"""Each coding rule: a claim that fails it and a claim that passes it, on the bundled data."""

from __future__ import annotations

from typing import Any

import pytest

from chemoden import Severity, all_rules
from conftest import build_claim, rules_found

CD = ["G24.3"]
MIGRAINE = ["G43.709"]
BOTOX_100 = "00023-1145-01"
XEOMIN_100 = "00259-1610-01"
DYSPORT_500 = "15054-0500-01"
DYSPORT_300 = "15054-0530-06"


def line(code: str, units: int = 1, *modifiers: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "units": units, "modifiers": list(modifiers), **extra}


# rule id -> (claim kwargs, expected severity, expected lines)
FAILING: list[tuple[str, dict[str, Any], Severity, tuple[int, ...]]] = [
    (
        "jw-jz-on-non-drug-line",
        {"lines": [line("64616", 1, "50", "JZ"), line("J0585", 100)]},
        Severity.ERROR,
        (1,),
    ),
    ("modifier-25-on-non-em-code", {"lines": [line("64616", 1, "50", "25")]}, Severity.WARNING, (1,)),
    (
        "em-in-global-period",
        {"lines": [line("99213")], "prior_services": [{"date_of_service": "2026-03-03", "code": "64616"}]},
        Severity.WARNING,
        (1,),
    ),
    (
        "patient-below-label-age",
        {
            "lines": [line("64612", 1, "50"), line("J0585", 100, "JZ")],
            "diagnoses": ["G24.5"],
            "patient": {"birth_date": "2018-06-01"},
        },
        Severity.WARNING,
        (1, 2),
    ),
    (
        "patient-born-after-service",
        {"lines": [line("64616", 1, "50")], "patient": {"birth_date": "2027-01-01"}},
        Severity.ERROR,
        (1,),
    ),
    (
        "drug-units-ignore-billing-unit",
        {"lines": [line("64616", 1, "50"), line("J0586", 300, "JZ", ndc=DYSPORT_300)]},
        Severity.WARNING,
        (2,),
    ),
    ("extremity-base-code-repeated", {"lines": [line("64642"), line("64644")]}, Severity.WARNING, (1, 2)),
    (
        "extremity-base-code-repeated",
        {"lines": [line("64644", 1, "RT"), line("64644", 1, "LT")]},
        Severity.WARNING,
        (1, 2),
    ),
    ("modifier-50-not-allowed", {"lines": [line("64642"), line("64643", 1, "50")]}, Severity.WARNING, (2,)),
    ("side-modifiers-on-one-line", {"lines": [line("64616", 1, "RT", "LT")]}, Severity.WARNING, (1,)),
    ("procedure-code-malformed", {"lines": [line("6461")]}, Severity.ERROR, (1,)),
    ("procedure-code-malformed", {"lines": [line("J585")]}, Severity.ERROR, (1,)),
    ("procedure-code-unknown", {"lines": [line("27096")]}, Severity.WARNING, (1,)),
    ("code-not-in-effect", {"lines": [line("64616", 1, "50")], "date": "2013-06-01"}, Severity.WARNING, (1,)),
    ("code-not-in-effect", {"lines": [line("64613")], "date": "2015-02-01"}, Severity.WARNING, (1,)),
    (
        "code-not-in-effect",
        {"lines": [line("64616", 1, "50"), line("J0589", 100, "JZ")], "date": "2025-05-01"},
        Severity.WARNING,
        (2,),
    ),
    (
        "diagnosis-code-malformed",
        {"lines": [line("64616", 1, "50")], "diagnoses": ["G4"]},
        Severity.ERROR,
        (1,),
    ),
    (
        "diagnosis-code-malformed",
        {"lines": [line("64616", 1, "50")], "diagnoses": ["24.3"]},
        Severity.ERROR,
        (1,),
    ),
    ("date-after-coding-data", {"lines": [line("64616", 1, "50")], "date": "2026-08-01"}, Severity.INFO, ()),
    (
        "bilateral-code-with-modifier-50",
        {"lines": [line("64615", 1, "50")], "diagnoses": MIGRAINE},
        Severity.ERROR,
        (1,),
    ),
    (
        "bilateral-code-with-modifier-50",
        {"lines": [line("64611", 1, "50")], "diagnoses": ["K11.7"]},
        Severity.ERROR,
        (1,),
    ),
    (
        "bilateral-code-with-side-modifier",
        {"lines": [line("64615", 1, "RT")], "diagnoses": MIGRAINE},
        Severity.ERROR,
        (1,),
    ),
    (
        "bilateral-code-over-one-unit",
        {"lines": [line("64615", 2)], "diagnoses": MIGRAINE},
        Severity.ERROR,
        (1,),
    ),
    (
        "bilateral-code-over-one-unit",
        {"lines": [line("64615"), line("64615")], "diagnoses": MIGRAINE},
        Severity.ERROR,
        (1, 2),
    ),
    (
        "bilateral-code-with-modifier-50",
        {"lines": [line("64650", 1, "50")], "diagnoses": ["L74.510"]},
        Severity.WARNING,
        (1,),
    ),
    (
        "unilateral-code-multiple-units",
        {"lines": [line("64612", 2)], "diagnoses": ["G24.5"]},
        Severity.ERROR,
        (1,),
    ),
    (
        "unilateral-code-multiple-units",
        {"lines": [line("31573", 2)], "diagnoses": ["J38.3"]},
        Severity.WARNING,
        (1,),
    ),
    ("modifier-50-with-side-modifier", {"lines": [line("64612", 1, "50", "RT")]}, Severity.ERROR, (1,)),
    (
        "same-side-billed-twice",
        {"lines": [line("64616", 1, "RT"), line("64616", 1, "RT")]},
        Severity.ERROR,
        (1, 2),
    ),
    (
        "same-side-billed-twice",
        {"lines": [line("64616", 1, "50"), line("64616", 1, "LT")]},
        Severity.ERROR,
        (1, 2),
    ),
    ("same-side-billed-twice", {"lines": [line("64616"), line("64616")]}, Severity.ERROR, (1, 2)),
    ("modifier-50-not-allowed", {"lines": [line("64642", 1, "50")]}, Severity.WARNING, (1,)),
    (
        "modifier-50-in-asc",
        {"lines": [line("64616", 1, "50")], "place_of_service": "24"},
        Severity.WARNING,
        (1,),
    ),
    (
        "bilateral-billed-as-side-lines",
        {"lines": [line("64616", 1, "RT"), line("64616", 1, "LT")]},
        Severity.WARNING,
        (1, 2),
    ),
    ("units-over-mue", {"lines": [line("64642"), line("64643", 4)]}, Severity.WARNING, (2,)),
    ("units-over-mue", {"lines": [line("64644"), line("64645", 4)]}, Severity.WARNING, (2,)),
    (
        "code-pair-not-reported-together",
        {"lines": [line("64615"), line("64612", 1, "50")], "diagnoses": MIGRAINE},
        Severity.ERROR,
        (1, 2),
    ),
    (
        "code-pair-not-reported-together",
        {"lines": [line("64615"), line("64642")], "diagnoses": MIGRAINE},
        Severity.ERROR,
        (1, 2),
    ),
    (
        "code-pair-not-reported-together",
        {"lines": [line("64615"), line("64616", 1, "50", "XS")], "diagnoses": MIGRAINE},
        Severity.WARNING,
        (1, 2),
    ),
    (
        "code-pair-not-reported-together",
        {"lines": [line("64617", 1, "LT"), line("95874")], "diagnoses": ["J38.3"]},
        Severity.ERROR,
        (1, 2),
    ),
    (
        "code-pair-not-reported-together",
        {"lines": [line("64617", 1, "LT"), line("95873")], "diagnoses": ["J38.3"]},
        Severity.WARNING,
        (1, 2),
    ),
    ("addon-code-without-primary", {"lines": [line("95874")]}, Severity.ERROR, (1,)),
    ("addon-code-without-primary", {"lines": [line("64643")]}, Severity.ERROR, (1,)),
    (
        "addon-code-without-primary",
        {"lines": [line("64611"), line("95874")], "diagnoses": ["K11.7"]},
        Severity.WARNING,
        (2,),
    ),
    (
        "guidance-over-one-unit-per-day",
        {"lines": [line("64616", 1, "50"), line("95874", 2)]},
        Severity.ERROR,
        (2,),
    ),
    (
        "guidance-over-one-unit-per-day",
        {"lines": [line("64616", 1, "50"), line("95873"), line("95874")]},
        Severity.ERROR,
        (2, 3),
    ),
    (
        "em-same-day-without-modifier-25",
        {"lines": [line("99214"), line("64616", 1, "50")]},
        Severity.ERROR,
        (1,),
    ),
    (
        "supply-not-separately-payable",
        {"lines": [line("64616", 1, "50"), line("A4550")]},
        Severity.ERROR,
        (2,),
    ),
    (
        "supply-not-separately-payable",
        {"lines": [line("64616", 1, "50"), line("99070")]},
        Severity.WARNING,
        (2,),
    ),
    (
        "drug-without-chemodenervation",
        {"lines": [line("J0585", 100, "JZ", ndc=BOTOX_100)]},
        Severity.ERROR,
        (1,),
    ),
    (
        "drug-without-chemodenervation",
        {"lines": [line("99213"), line("J0588", 50), line("J0588", 50, "JW")]},
        Severity.ERROR,
        (2, 3),
    ),
    (
        "chemodenervation-without-drug",
        {"lines": [line("64616", 1, "50")], "place_of_service": "11"},
        Severity.WARNING,
        (1,),
    ),
    (
        "drug-units-ignore-billing-unit",
        {"lines": [line("64616", 1, "50"), line("J0587", 5000, "JZ")]},
        Severity.ERROR,
        (2,),
    ),
    (
        "drug-units-ignore-billing-unit",
        {"lines": [line("64616", 1, "50"), line("J0586", 500, "JZ")]},
        Severity.ERROR,
        (2,),
    ),
    (
        "ndc-does-not-match-code",
        {"lines": [line("64616", 1, "50"), line("J0585", 100, "JZ", ndc=XEOMIN_100)]},
        Severity.ERROR,
        (2,),
    ),
    (
        "ndc-does-not-match-code",
        {"lines": [line("64616", 1, "50"), line("J0588", 100, "JZ", ndc="00023114501")]},
        Severity.WARNING,
        (2,),
    ),
    (
        "ndc-not-in-data",
        {"lines": [line("64616", 1, "50"), line("J0585", 100, "JZ", ndc="12345-6789-01")]},
        Severity.INFO,
        (2,),
    ),
    (
        "jw-jz-modifier-missing",
        {"lines": [line("64616", 1, "50"), line("J0585", 100, ndc=BOTOX_100)]},
        Severity.ERROR,
        (2,),
    ),
    (
        "jw-jz-modifier-missing",
        {"lines": [line("64616", 1, "50"), line("J0585", 100)], "date": "2023-07-01"},
        Severity.ERROR,
        (2,),
    ),
    (
        "jw-and-jz-on-same-line",
        {"lines": [line("64616", 1, "50"), line("J0585", 100, "JW", "JZ")]},
        Severity.ERROR,
        (2,),
    ),
    (
        "jz-with-jw-waste",
        {"lines": [line("64616", 1, "50"), line("J0585", 60, "JZ"), line("J0585", 40, "JW")]},
        Severity.ERROR,
        (2, 3),
    ),
    (
        "jw-line-without-administered-line",
        {"lines": [line("64616", 1, "50"), line("J0585", 40, "JW")]},
        Severity.ERROR,
        (2,),
    ),
    (
        "jw-waste-below-billing-unit",
        {
            "lines": [
                line("64616", 1, "50"),
                line("J0586", 100, ndc=DYSPORT_500),
                line("J0586", 1, "JW", ndc=DYSPORT_500),
            ]
        },
        Severity.ERROR,
        (3,),
    ),
    (
        "jw-waste-below-billing-unit",
        {
            "lines": [
                line("64616", 1, "50"),
                line("J0586", 60, ndc=DYSPORT_300),
                line("J0586", 2, "JW", ndc=DYSPORT_300),
            ]
        },
        Severity.ERROR,
        (3,),
    ),
    (
        "drug-amount-not-whole-vials",
        {"lines": [line("64616", 1, "50"), line("J0588", 80, "JZ", ndc=XEOMIN_100)]},
        Severity.WARNING,
        (2,),
    ),
    (
        "drug-amount-not-whole-vials",
        {
            "lines": [
                line("64616", 1, "50"),
                line("J0588", 80, ndc=XEOMIN_100),
                line("J0588", 30, "JW", ndc=XEOMIN_100),
            ]
        },
        Severity.WARNING,
        (2, 3),
    ),
    (
        "diagnosis-pointer-missing",
        {"lines": [line("64616", 1, "50", diagnosis_pointers=[])]},
        Severity.ERROR,
        (1,),
    ),
    (
        "diagnosis-pointer-out-of-range",
        {"lines": [line("64616", 1, "50", diagnosis_pointers=[2])]},
        Severity.ERROR,
        (1,),
    ),
    (
        "diagnosis-pointer-out-of-range",
        {"lines": [line("64616", 1, "50", diagnosis_pointers=[0])]},
        Severity.ERROR,
        (1,),
    ),
    (
        "too-many-diagnosis-pointers",
        {
            "lines": [line("64616", 1, "50", diagnosis_pointers=[1, 2, 3, 4, 5])],
            "diagnoses": ["G24.3", "G24.1", "G24.2", "G24.8", "G24.9"],
        },
        Severity.ERROR,
        (1,),
    ),
    (
        "too-many-diagnoses",
        {"lines": [line("64616", 1, "50")], "diagnoses": ["G24.3"] * 13},
        Severity.ERROR,
        (),
    ),
]

# rule id -> claim kwargs that must not trigger it
PASSING: list[tuple[str, dict[str, Any]]] = [
    ("jw-jz-on-non-drug-line", {"lines": [line("64616", 1, "50"), line("J0585", 100, "JZ")]}),
    ("modifier-25-on-non-em-code", {"lines": [line("99213", 1, "25"), line("64616", 1, "50")]}),
    (
        "em-in-global-period",
        {"lines": [line("99213")], "prior_services": [{"date_of_service": "2026-02-20", "code": "64616"}]},
    ),
    (
        "em-in-global-period",
        {
            "lines": [line("99213", 1, "24")],
            "prior_services": [{"date_of_service": "2026-03-03", "code": "64616"}],
        },
    ),
    (
        "patient-below-label-age",
        {
            "lines": [line("64612", 1, "50"), line("J0585", 100, "JZ")],
            "diagnoses": ["G24.5"],
            "patient": {"birth_date": "2014-03-10"},
        },
    ),
    (
        "patient-below-label-age",
        {
            "lines": [line("64611"), line("J0588", 40, "JZ")],
            "diagnoses": ["K11.7"],
            "patient": {"birth_date": "2020-01-01"},
        },
    ),
    (
        "patient-born-after-service",
        {"lines": [line("64616", 1, "50")], "patient": {"birth_date": "1960-01-01"}},
    ),
    (
        "drug-units-ignore-billing-unit",
        {"lines": [line("64616", 1, "50"), line("J0586", 60, "JZ", ndc=DYSPORT_300)]},
    ),
    ("extremity-base-code-repeated", {"lines": [line("64644"), line("64645"), line("64643")]}),
    ("units-over-mue", {"lines": [line("64616", 1, "50"), line("95874", 2)]}),
    (
        "drug-amount-not-whole-vials",
        {"lines": [line("64616", 1, "50"), line("J0585", 155, ndc="00023-3921-02")]},
    ),
    (
        "addon-code-without-primary",
        {"lines": [line("64617", 1, "LT"), line("95874")], "diagnoses": ["J38.3"]},
    ),
    ("side-modifiers-on-one-line", {"lines": [line("64616", 1, "RT"), line("64616", 1, "LT")]}),
    ("bilateral-billed-as-side-lines", {"lines": [line("64616", 1, "RT", "LT")]}),
    ("procedure-code-malformed", {"lines": [line("64612", 1, "50"), line("0232T")]}),
    ("procedure-code-unknown", {"lines": [line("64612", 1, "50"), line("J0585", 50, "JZ")]}),
    (
        "code-not-in-effect",
        {"lines": [line("64616", 1, "50"), line("J0589", 100, "JZ")], "date": "2026-05-01"},
    ),
    ("code-not-in-effect", {"lines": [line("64613")], "date": "2013-06-01"}),
    ("diagnosis-code-malformed", {"lines": [line("64616", 1, "50")], "diagnoses": ["g243", "S06.0X1A"]}),
    ("date-after-coding-data", {"lines": [line("64616", 1, "50")], "date": "2026-06-30"}),
    ("bilateral-code-with-modifier-50", {"lines": [line("64615")], "diagnoses": MIGRAINE}),
    ("bilateral-code-with-side-modifier", {"lines": [line("64615")], "diagnoses": MIGRAINE}),
    ("bilateral-code-over-one-unit", {"lines": [line("64615")], "diagnoses": MIGRAINE}),
    ("unilateral-code-multiple-units", {"lines": [line("64612", 1, "50")]}),
    ("modifier-50-with-side-modifier", {"lines": [line("64612", 1, "50")]}),
    ("same-side-billed-twice", {"lines": [line("64616", 1, "RT"), line("64616", 1, "LT")]}),
    ("same-side-billed-twice", {"lines": [line("64616", 1, "RT")], "date": "2026-03-10"}),
    ("modifier-50-not-allowed", {"lines": [line("64612", 1, "50")]}),
    (
        "modifier-50-in-asc",
        {"lines": [line("64616", 1, "RT"), line("64616", 1, "LT")], "place_of_service": "24"},
    ),
    (
        "bilateral-billed-as-side-lines",
        {"lines": [line("64616", 1, "RT"), line("64616", 1, "LT")], "place_of_service": "24"},
    ),
    ("bilateral-billed-as-side-lines", {"lines": [line("64616", 1, "50")]}),
    ("units-over-mue", {"lines": [line("64644"), line("64645", 3)]}),
    ("units-over-mue", {"lines": [line("64612", 2)], "diagnoses": ["G24.5"]}),
    (
        "code-pair-not-reported-together",
        {"lines": [line("64612", 1, "50"), line("64616", 1, "50")], "diagnoses": ["G24.5", "G24.3"]},
    ),
    ("code-pair-not-reported-together", {"lines": [line("64615"), line("95874")], "diagnoses": MIGRAINE}),
    ("addon-code-without-primary", {"lines": [line("64616", 1, "50"), line("95874")]}),
    ("addon-code-without-primary", {"lines": [line("64642"), line("64643", 2)]}),
    ("guidance-over-one-unit-per-day", {"lines": [line("64616", 1, "50"), line("95874")]}),
    ("em-same-day-without-modifier-25", {"lines": [line("99214", 1, "25"), line("64616", 1, "50")]}),
    ("em-same-day-without-modifier-25", {"lines": [line("99214")]}),
    ("supply-not-separately-payable", {"lines": [line("64616", 1, "50")]}),
    ("drug-without-chemodenervation", {"lines": [line("64616", 1, "50"), line("J0585", 100, "JZ")]}),
    (
        "drug-without-chemodenervation",
        {"lines": [line("43236"), line("J0585", 100, "JZ")], "diagnoses": ["K22.0"]},
    ),
    ("chemodenervation-without-drug", {"lines": [line("64616", 1, "50")], "place_of_service": "22"}),
    ("chemodenervation-without-drug", {"lines": [line("31570")], "diagnoses": ["J38.3"]}),
    ("chemodenervation-without-drug", {"lines": [line("64616", 1, "50"), line("J0586", 100, "JZ")]}),
    ("drug-units-ignore-billing-unit", {"lines": [line("64616", 1, "50"), line("J0587", 50, "JZ")]}),
    ("drug-units-ignore-billing-unit", {"lines": [line("64616", 1, "50"), line("J0585", 300, "JZ")]}),
    (
        "ndc-does-not-match-code",
        {"lines": [line("64616", 1, "50"), line("J0588", 100, "JZ", ndc=XEOMIN_100)]},
    ),
    ("ndc-not-in-data", {"lines": [line("64616", 1, "50"), line("J0588", 100, "JZ", ndc="00259161001")]}),
    ("jw-jz-modifier-missing", {"lines": [line("64616", 1, "50"), line("J0585", 100)], "date": "2023-06-30"}),
    ("jw-jz-modifier-missing", {"lines": [line("64616", 1, "50"), line("J0585", 100, "JZ")]}),
    (
        "jw-jz-modifier-missing",
        {"lines": [line("64616", 1, "50"), line("J0585", 60), line("J0585", 40, "JW")]},
    ),
    (
        "jw-jz-modifier-missing",
        {"lines": [line("64616", 1, "50"), line("J0585", 100)], "place_of_service": "72"},
    ),
    (
        "jw-and-jz-on-same-line",
        {"lines": [line("64616", 1, "50"), line("J0585", 60), line("J0585", 40, "JW")]},
    ),
    ("jz-with-jw-waste", {"lines": [line("64616", 1, "50"), line("J0585", 60), line("J0585", 40, "JW")]}),
    (
        "jw-line-without-administered-line",
        {"lines": [line("64616", 1, "50"), line("J0585", 60), line("J0585", 40, "JW")]},
    ),
    (
        "jw-waste-below-billing-unit",
        {
            "lines": [
                line("64616", 1, "50"),
                line("J0586", 96, ndc=DYSPORT_500),
                line("J0586", 4, "JW", ndc=DYSPORT_500),
            ]
        },
    ),
    (
        "drug-amount-not-whole-vials",
        {
            "lines": [
                line("64616", 1, "50"),
                line("J0588", 80, ndc=XEOMIN_100),
                line("J0588", 20, "JW", ndc=XEOMIN_100),
            ]
        },
    ),
    (
        "drug-amount-not-whole-vials",
        {"lines": [line("64616", 1, "50"), line("J0588", 200, "JZ", ndc=XEOMIN_100)]},
    ),
    ("diagnosis-pointer-missing", {"lines": [line("64616", 1, "50")]}),
    (
        "diagnosis-pointer-out-of-range",
        {"lines": [line("64616", 1, "50", diagnosis_pointers=[1, 2])], "diagnoses": ["G24.3", "M43.6"]},
    ),
    (
        "too-many-diagnosis-pointers",
        {
            "lines": [line("64616", 1, "50", diagnosis_pointers=[1, 2, 3, 4])],
            "diagnoses": ["G24.3", "G24.1", "G24.2", "G24.8"],
        },
    ),
    ("too-many-diagnoses", {"lines": [line("64616", 1, "50")], "diagnoses": ["G24.3"] * 12}),
]

CODING_MODULES = {
    "chemoden.rules.patient",
    "chemoden.rules.validity",
    "chemoden.rules.laterality",
    "chemoden.rules.pairs",
    "chemoden.rules.drugs",
    "chemoden.rules.pointers",
}


@pytest.mark.parametrize(("rule_id", "claim", "severity", "lines"), FAILING)
def test_rule_fails_claim(
    rule_id: str, claim: dict[str, Any], severity: Severity, lines: tuple[int, ...]
) -> None:
    found = rules_found(build_claim(**claim))
    assert rule_id in found, f"{rule_id} not reported; found {sorted(found)}"
    finding = found[rule_id][0]
    assert finding.severity is severity
    assert finding.lines == lines
    assert finding.source
    assert finding.message.endswith(".")


@pytest.mark.parametrize(("rule_id", "claim"), PASSING)
def test_rule_passes_claim(rule_id: str, claim: dict[str, Any]) -> None:
    found = rules_found(build_claim(**claim))
    assert rule_id not in found, found.get(rule_id)


def test_every_coding_rule_has_cases() -> None:
    coding_rules = {rule.id for rule in all_rules() if rule.check.__module__ in CODING_MODULES}
    failing = {case[0] for case in FAILING}
    passing = {case[0] for case in PASSING}
    assert coding_rules - failing == set()
    assert coding_rules - passing == set()


def test_messages_name_codes() -> None:
    found = rules_found(build_claim(lines=[line("64615", 1, "50")], diagnoses=MIGRAINE))
    finding = found["bilateral-code-with-modifier-50"][0]
    assert "64615" in finding.message
    assert finding.codes == ("64615", "50")
