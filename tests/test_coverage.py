"""Coverage rules on the bundled Medicare policies: a failing and a passing claim per rule."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import chemoden
from chemoden import Severity, get_rule
from chemoden.coverage import PolicyCatalog, bundled_policies
from chemoden.model import make_line
from conftest import FIXTURES, build_claim, rules_found

BOTOX_200 = "00023-3921-02"
XEOMIN_100 = "00259-1610-01"
DYSPORT_500 = "15054-0500-01"


def line(code: str, units: int = 1, *modifiers: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "units": units, "modifiers": list(modifiers), **extra}


def migraine(drug: str = "J0585", units: int = 155, **fields: Any) -> chemoden.Claim:
    fields.setdefault("payer", "L35170")
    fields.setdefault("diagnoses", ["G43.719"])
    return build_claim([line("64615"), line(drug, units, "JZ")], **fields)


def severities(found: dict[str, list[chemoden.Finding]], rule_id: str) -> list[Severity]:
    return [finding.severity for finding in found.get(rule_id, [])]


# diagnosis-not-covered-for-procedure


def test_episodic_migraine_with_64615_is_error() -> None:
    found = rules_found(migraine(diagnoses=["G43.909"]))
    assert severities(found, "diagnosis-not-covered-for-procedure") == [Severity.ERROR]
    finding = found["diagnosis-not-covered-for-procedure"][0]
    assert "L35170 v60" in finding.message
    assert "A57185" in finding.message
    assert "L35170 v60" in finding.source


@pytest.mark.parametrize("code", ["G43.719", "G43.701", "G43.E11", "G43.E09"])
def test_chronic_migraine_codes_support_64615(code: str) -> None:
    found = rules_found(migraine(diagnoses=[code]))
    assert "diagnosis-not-covered-for-procedure" not in found


def test_derived_list_miss_is_warning() -> None:
    claim = build_claim([line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.9"], payer="L35170")
    found = rules_found(claim)
    assert severities(found, "diagnosis-not-covered-for-procedure") == [Severity.WARNING]


def test_cervical_dystonia_supports_64616() -> None:
    claim = build_claim([line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.3"], payer="L35170")
    assert "diagnosis-not-covered-for-procedure" not in rules_found(claim)


def test_pointer_to_other_diagnosis_is_checked() -> None:
    claim = build_claim(
        [line("64615", diagnosis_pointers=[2]), line("J0585", 155, "JZ", diagnosis_pointers=[1, 2])],
        ["G43.719", "G24.3"],
        payer="L35170",
    )
    assert severities(rules_found(claim), "diagnosis-not-covered-for-procedure") == [Severity.ERROR]


def test_partial_legacy_list_gives_info_only() -> None:
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 30, "JZ")], ["G24.5"], date="2025-09-16", payer="L35170"
    )
    found = rules_found(claim)
    assert "diagnosis-not-covered-for-procedure" not in found
    assert severities(found, "coverage-not-verified") == [Severity.INFO]
    assert "v54" in found["coverage-not-verified"][0].message


def test_partial_legacy_list_match_is_silent() -> None:
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 30, "JZ")], ["G51.4"], date="2025-09-16", payer="L35170"
    )
    assert "coverage-not-verified" not in rules_found(claim)


@pytest.mark.parametrize("code", ["G43.709", "G43.719", "G43.701", "G43.E09"])
def test_legacy_chronic_migraine_supports_64615(code: str) -> None:
    # The legacy L35170 gives 64615 the same chronic migraine codes as the 2026 version.
    found = rules_found(migraine(date="2025-06-03", diagnoses=[code]))
    assert "diagnosis-not-covered-for-procedure" not in found
    assert "coverage-not-verified" not in found


def test_legacy_episodic_migraine_with_64615_is_error() -> None:
    found = rules_found(migraine(date="2025-06-03", diagnoses=["G43.909"]))
    assert severities(found, "diagnosis-not-covered-for-procedure") == [Severity.ERROR]
    assert "L35170 v54" in found["diagnosis-not-covered-for-procedure"][0].message
    assert "coverage-not-verified" not in found


def test_legacy_64612_keeps_partial_list() -> None:
    # Only 64615 moved to the chronic migraine group: G43.709 does not decide 64612.
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 30, "JZ")], ["G43.709"], date="2025-06-03", payer="L35170"
    )
    found = rules_found(claim)
    assert severities(found, "coverage-not-verified") == [Severity.INFO]
    assert "diagnosis-not-covered-for-procedure" not in found


@pytest.mark.parametrize(("date", "version"), [("2026-03-10", "v60"), ("2025-06-03", "v54")])
@pytest.mark.parametrize("pointers", [(), (1,)])
def test_line_without_diagnosis_is_info(date: str, version: str, pointers: tuple[int, ...]) -> None:
    # Claims built in Python or from a frame can carry no diagnosis at all.
    claim = chemoden.Claim(
        diagnoses=(),
        lines=(make_line("64616", 1, ["50"], pointers), make_line("J0585", 100, ["JZ"], pointers)),
        date_of_service=dt.date.fromisoformat(date),
        payer="L35170",
    )
    found = rules_found(claim)
    assert "diagnosis-not-covered-for-procedure" not in found
    assert severities(found, "coverage-not-verified") == [Severity.INFO]
    message = found["coverage-not-verified"][0].message
    assert message.startswith(f"Line 1: 64616 has no diagnosis to check against L35170 {version}")
    pointer_rule = "diagnosis-pointer-out-of-range" if pointers else "diagnosis-pointer-missing"
    assert severities(found, pointer_rule) == [Severity.ERROR, Severity.ERROR]
    for finding in (finding for findings in found.values() for finding in findings):
        assert "  " not in finding.message
        assert "" not in finding.codes


# drug-not-covered-for-indication


def test_xeomin_for_chronic_migraine_is_error() -> None:
    found = rules_found(migraine("J0588"))
    assert severities(found, "drug-not-covered-for-indication") == [Severity.ERROR]
    assert "J0585" in found["drug-not-covered-for-indication"][0].message


def test_botox_for_chronic_migraine_passes() -> None:
    assert "drug-not-covered-for-indication" not in rules_found(migraine("J0585"))


def test_inferred_drug_list_gives_warning() -> None:
    claim = build_claim([line("64612", 1, "RT"), line("J0586", 10, "JZ")], ["G51.31"], payer="L35170")
    assert severities(rules_found(claim), "drug-not-covered-for-indication") == [Severity.WARNING]


def test_legacy_version_allows_xeomin_for_64615() -> None:
    found = rules_found(migraine("J0588", date="2025-06-03"))
    assert "drug-not-covered-for-indication" not in found


def test_drug_rule_skips_unsupported_diagnosis() -> None:
    found = rules_found(migraine("J0588", diagnoses=["G43.909"]))
    assert "drug-not-covered-for-indication" not in found
    assert "diagnosis-not-covered-for-procedure" in found


# dose-above-policy-limit


def test_migraine_dose_over_195_is_error() -> None:
    found = rules_found(migraine(units=200))
    assert severities(found, "dose-above-policy-limit") == [Severity.ERROR]
    assert "195" in found["dose-above-policy-limit"][0].message


def test_migraine_dose_with_jw_waste_passes() -> None:
    claim = build_claim(
        [line("64615"), line("J0585", 155, ndc=BOTOX_200), line("J0585", 45, "JW", ndc=BOTOX_200)],
        ["G43.719"],
        payer="L35170",
    )
    assert "dose-above-policy-limit" not in rules_found(claim)


def test_first_treatment_uses_initial_limit() -> None:
    history = [{"date_of_service": "2025-01-10", "code": "64616"}]
    found = rules_found(migraine(units=180, prior_services=history))
    assert severities(found, "dose-above-policy-limit") == [Severity.ERROR]
    assert "155" in found["dose-above-policy-limit"][0].message


def test_later_treatment_uses_subsequent_limit() -> None:
    history = [{"date_of_service": "2025-12-01", "code": "64615"}]
    assert "dose-above-policy-limit" not in rules_found(migraine(units=180, prior_services=history))


def test_dysport_converted_to_product_units() -> None:
    over = build_claim([line("64616", 1, "50"), line("J0586", 300, "JZ")], ["G24.3"], payer="L35170")
    found = rules_found(over)
    assert severities(found, "dose-above-policy-limit") == [Severity.ERROR]
    assert "1,500 product units" in found["dose-above-policy-limit"][0].message
    within = build_claim([line("64616", 1, "50"), line("J0586", 100, "JZ")], ["G24.3"], payer="L35170")
    assert "dose-above-policy-limit" not in rules_found(within)


@pytest.mark.parametrize(
    ("drug", "units"),
    [("J0587", 5000), ("J0587", 60), ("J0586", 500), ("J0586", 301)],
)
def test_units_mistake_leaves_dose_rules_silent(drug: str, units: int) -> None:
    # Billed units times the billing unit exceed the label maximum (5,000 Myobloc units,
    # 1,500 Dysport units): the units rule reports it, and the dose is not judged.
    for payer in ("L35170", None):
        fields = {"payer": payer} if payer else {}
        claim = build_claim([line("64616", 1, "50"), line(drug, units, "JZ")], ["G24.3"], **fields)
        found = rules_found(claim)
        assert severities(found, "drug-units-ignore-billing-unit") != []
        assert "dose-above-policy-limit" not in found
        assert "dose-above-label-maximum" not in found


def test_multi_unit_dose_within_label_still_checked() -> None:
    # 300 units of J0586 are 1,500 Dysport units: the label maximum, not above it, so the
    # units rule is silent and the policy's cervical dystonia limit of 1,000 units applies.
    claim = build_claim([line("64616", 1, "50"), line("J0586", 300, "JZ")], ["G24.3"], payer="L35170")
    found = rules_found(claim)
    assert "drug-units-ignore-billing-unit" not in found
    message = found["dose-above-policy-limit"][0].message
    assert "1,500 product units (300 billing units x 5)" in message
    assert "of 1,000 units" in message


def test_single_unit_drug_dose_rules_unchanged() -> None:
    # A billing unit of 1 product unit cannot be mistaken for product units.
    found = rules_found(migraine(units=500))
    assert "drug-units-ignore-billing-unit" not in found
    assert severities(found, "dose-above-policy-limit") == [Severity.ERROR]
    assert severities(found, "dose-above-label-maximum") == [Severity.WARNING]


def test_dose_messages_use_thousands_separators() -> None:
    claim = build_claim([line("64616", 1, "50"), line("J0589", 1200, "JZ")], ["G24.3"], payer="L35170")
    found = rules_found(claim)
    for rule_id in ("dose-above-policy-limit", "dose-above-label-maximum"):
        message = found[rule_id][0].message
        assert "1,200 product units (1,200 billing units x 1)" in message


def test_two_indications_share_one_drug_line() -> None:
    claim = build_claim(
        [
            line("64615", diagnosis_pointers=[1]),
            line("64616", 1, "50", diagnosis_pointers=[2]),
            line("J0585", 300, "JZ", diagnosis_pointers=[1, 2]),
        ],
        ["G43.709", "G24.3"],
        payer="L35170",
    )
    assert "dose-above-policy-limit" not in rules_found(claim)


# dose-above-label-maximum


def test_label_maximum_without_payer() -> None:
    over = build_claim([line("64616", 1, "50"), line("J0589", 300, "JZ")], ["G24.3"])
    found = rules_found(over)
    assert severities(found, "dose-above-label-maximum") == [Severity.WARNING]
    assert "above the US label's maximum of 250 units" in found["dose-above-label-maximum"][0].message
    assert "diagnosis-not-covered-for-procedure" not in found
    assert "coverage-not-checked" in found


def test_label_maximum_secondary_source_is_warning() -> None:
    over = build_claim([line("64642"), line("J0588", 450, "JZ")], ["G24.3"])
    assert severities(rules_found(over), "dose-above-label-maximum") == [Severity.WARNING]


def test_label_maximum_within_limit_passes() -> None:
    claim = build_claim([line("64616", 1, "50"), line("J0587", 50, "JZ")], ["G24.3"])
    assert "dose-above-label-maximum" not in rules_found(claim)


# treatment-repeated-too-soon


def test_repeat_after_eight_weeks_is_warning() -> None:
    history = [{"date_of_service": "2026-03-24", "code": "64616"}]
    claim = build_claim(
        [line("64616", 1, "50"), line("J0585", 200, "JZ")],
        ["G24.3"],
        date="2026-05-19",
        payer="L35170",
        prior_services=history,
    )
    found = rules_found(claim)
    assert severities(found, "treatment-repeated-too-soon") == [Severity.WARNING]
    assert "56 days" in found["treatment-repeated-too-soon"][0].message


def test_repeat_after_twelve_weeks_passes() -> None:
    history = [{"date_of_service": "2026-02-24", "code": "64616"}]
    claim = build_claim(
        [line("64616", 1, "50"), line("J0585", 200, "JZ")],
        ["G24.3"],
        date="2026-05-19",
        payer="L35170",
        prior_services=history,
    )
    assert "treatment-repeated-too-soon" not in rules_found(claim)


@pytest.mark.parametrize(("drug", "units", "expected"), [("J0588", 100, True), ("J0587", 30, False)])
def test_sialorrhea_interval_depends_on_drug(drug: str, units: int, expected: bool) -> None:
    history = [{"date_of_service": "2026-03-08", "code": "64611"}]
    claim = build_claim(
        [line("64611"), line(drug, units, "JZ")],
        ["K11.7"],
        date="2026-06-16",
        payer="L35170",
        prior_services=history,
    )
    assert ("treatment-repeated-too-soon" in rules_found(claim)) is expected


def test_axillary_hyperhidrosis_six_months() -> None:
    history = [{"date_of_service": "2026-01-02", "code": "64650"}]
    claim = build_claim(
        [line("64650"), line("J0585", 100, "JZ")],
        ["L74.510"],
        date="2026-05-02",
        payer="L35170",
        prior_services=history,
    )
    assert "treatment-repeated-too-soon" in rules_found(claim)


# secondary-diagnosis-missing (the bundled data has no list, so only a reminder)


def test_spasticity_reminds_second_code_for_jf() -> None:
    claim = build_claim([line("64642"), line("J0585", 200, "JZ")], ["R25.2"], payer="WA")
    found = rules_found(claim)
    assert severities(found, "secondary-diagnosis-missing") == [Severity.INFO]


def test_head_neck_claim_has_no_second_code_reminder() -> None:
    assert "secondary-diagnosis-missing" not in rules_found(migraine(payer="WA"))


# cosmetic-use-not-covered


def test_cosmetic_diagnosis_is_error() -> None:
    claim = build_claim([line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["Z41.1"], payer="L35170")
    assert severities(rules_found(claim), "cosmetic-use-not-covered") == [Severity.ERROR]


def test_medical_diagnosis_is_not_cosmetic() -> None:
    claim = build_claim([line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["G51.31"], payer="L35170")
    assert "cosmetic-use-not-covered" not in rules_found(claim)


# indication-excluded-by-policy


def test_laryngeal_claim_reminds_abductor_exclusion() -> None:
    claim = build_claim([line("64617", 1, "RT"), line("J0585", 5, "JZ")], ["J38.5"], payer="L35170")
    found = rules_found(claim)
    assert severities(found, "indication-excluded-by-policy") == [Severity.INFO]
    assert "abductor" in found["indication-excluded-by-policy"][0].message


def test_migraine_claim_has_no_exclusion_reminder() -> None:
    assert "indication-excluded-by-policy" not in rules_found(migraine())


# same-day-service-not-covered


@pytest.mark.parametrize("code", ["20552", "62321", "64520"])
def test_cervical_dystonia_same_day_injection(code: str) -> None:
    claim = build_claim(
        [line("64616", 1, "50"), line(code), line("J0585", 100, "JZ")], ["G24.3"], payer="L35170"
    )
    found = rules_found(claim)
    hits = found["same-day-service-not-covered"]
    assert [hit.codes for hit in hits] == [(code, "64616")]
    # The procedure kind of these codes is not confirmed in the coding table: a warning.
    assert hits[0].severity is Severity.WARNING


def test_moderate_sedation_same_day() -> None:
    claim = build_claim(
        [line("64612", 1, "RT"), line("99152"), line("J0585", 20, "JZ")], ["G51.31"], payer="L35170"
    )
    assert "same-day-service-not-covered" in rules_found(claim)


def test_image_guidance_is_warning() -> None:
    claim = build_claim([line("64611"), line("76942"), line("J0588", 100, "JZ")], ["K11.7"], payer="L35170")
    found = rules_found(claim)
    assert severities(found, "same-day-service-not-covered") == [Severity.WARNING]


def test_emg_guidance_is_not_image_guidance() -> None:
    claim = build_claim(
        [line("64616", 1, "50"), line("95874"), line("J0586", 100, "JZ")], ["G24.3"], payer="L35170"
    )
    assert "same-day-service-not-covered" not in rules_found(claim)


def test_same_day_rules_follow_policy_version() -> None:
    claim = build_claim(
        [line("64616", 1, "50"), line("20552"), line("J0585", 100, "JZ")],
        ["G24.3"],
        date="2025-06-03",
        payer="L35170",
    )
    assert "same-day-service-not-covered" not in rules_found(claim)


# bilateral-injection-not-covered


@pytest.mark.parametrize(
    "lines",
    [
        [line("64617", 1, "50")],
        [line("64617", 1, "RT"), line("64617", 1, "LT")],
        [line("64617", 2)],
    ],
)
def test_bilateral_laryngeal_injection_is_error(lines: list[dict[str, Any]]) -> None:
    claim = build_claim([*lines, line("J0585", 6, "JZ")], ["J38.5"], payer="L35170")
    assert severities(rules_found(claim), "bilateral-injection-not-covered") == [Severity.ERROR]


def test_one_side_laryngeal_injection_passes() -> None:
    claim = build_claim([line("64617", 1, "RT"), line("J0585", 5, "JZ")], ["J38.5"], payer="L35170")
    assert "bilateral-injection-not-covered" not in rules_found(claim)


def test_bilateral_neck_injection_is_allowed() -> None:
    claim = build_claim([line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.3"], payer="L35170")
    assert "bilateral-injection-not-covered" not in rules_found(claim)


# opd-prior-authorization-missing


@pytest.mark.parametrize("place", ["19", "22"])
def test_hospital_outpatient_without_prior_authorization(place: str) -> None:
    found = rules_found(migraine(place_of_service=place, date="2026-05-12"))
    assert severities(found, "opd-prior-authorization-missing") == [Severity.WARNING]
    message = found["opd-prior-authorization-missing"][0].message
    assert "hospital obtained an affirmed prior authorization" in message
    assert "UTN" in message
    assert "physician claims" in message
    assert "put its number on the claim" not in message


def test_prior_authorization_source_is_cms() -> None:
    finding = rules_found(migraine(place_of_service="22"))["opd-prior-authorization-missing"][0]
    assert "cms.gov" in finding.source
    assert "as reproduced by https://checkoutapi.com" in finding.source


@pytest.mark.parametrize(
    "fields",
    [
        {"place_of_service": "22", "prior_authorization": "UTN-123"},
        {"place_of_service": "11"},
        {"place_of_service": "19", "drug": "J0589"},
    ],
)
def test_prior_authorization_not_needed(fields: dict[str, Any]) -> None:
    drug = fields.pop("drug", "J0585")
    assert "opd-prior-authorization-missing" not in rules_found(migraine(drug, **fields))


def test_prior_authorization_only_for_64612_and_64615() -> None:
    claim = build_claim(
        [line("64616", 1, "50"), line("J0585", 100, "JZ")], ["G24.3"], payer="L35170", place_of_service="19"
    )
    assert "opd-prior-authorization-missing" not in rules_found(claim)


# Policy resolution by payer and date


@pytest.mark.parametrize(
    ("payer", "policy_id"),
    [("L35170", "L35170"), ("01182", "L35170"), ("CA", "L35170"), ("wa", "L35172"), ("03101", "L35172")],
)
def test_payer_resolves_to_policy(payer: str, policy_id: str) -> None:
    catalog = PolicyCatalog.with_bundled()
    version, problem = catalog.resolve(
        payer,
        chemoden.claim_from_dict(
            {"date_of_service": "2026-03-10", "diagnoses": ["G24.3"], "lines": [line("64616")]}
        ).date_of_service
        or __import__("datetime").date(2026, 3, 10),
    )
    assert problem is None
    assert version is not None
    assert version.policy_id == policy_id


@pytest.mark.parametrize(("day", "version_text"), [("2026-02-21", "54"), ("2026-02-22", "60")])
def test_version_changes_on_effective_date(day: str, version_text: str) -> None:
    catalog = PolicyCatalog.with_bundled()
    import datetime as dt

    version, _ = catalog.resolve("L35170", dt.date.fromisoformat(day))
    assert version is not None
    assert version.version == version_text


def test_retired_policy_id_leads_to_successor() -> None:
    import datetime as dt

    version, problem = PolicyCatalog.with_bundled().resolve("L34635", dt.date(2026, 3, 1))
    assert version is not None
    assert version.policy_id == "L39909"
    assert problem is None


def test_unconfirmed_transition_downgrades_errors() -> None:
    found = rules_found(migraine(diagnoses=["G43.909"], payer="KY", date="2026-03-17"))
    assert severities(found, "policy-version-uncertain") == [Severity.INFO]
    assert "L33949" in found["policy-version-uncertain"][0].message
    assert severities(found, "diagnosis-not-covered-for-procedure") == [Severity.WARNING]


def test_before_transition_window_uses_legacy() -> None:
    found = rules_found(migraine(diagnoses=["G43.909"], payer="KY", date="2025-11-17"))
    assert "policy-version-uncertain" not in found
    assert "L33949" in found["coverage-not-verified"][0].message


def test_unknown_payer_is_reported() -> None:
    found = rules_found(migraine(payer="99999"))
    assert severities(found, "payer-policy-not-found") == [Severity.WARNING]
    assert "diagnosis-not-covered-for-procedure" not in found


def test_no_version_before_first_date() -> None:
    found = rules_found(migraine(payer="L38809", date="2020-01-15"))
    assert "no version in force on 2020-01-15" in found["payer-policy-not-found"][0].message


def test_no_payer_runs_no_policy_rule() -> None:
    claim = build_claim([line("64615"), line("J0588", 155, "JZ")], ["G43.909"])
    coverage_rules = {
        rule_id for rule_id in rules_found(claim) if get_rule(rule_id).family is chemoden.Family.COVERAGE
    }
    assert coverage_rules == {"coverage-not-checked"}


# The sample claims


SAMPLES = json.loads((FIXTURES / "samples" / "claims.json").read_text())
SAMPLE_CLAIMS = {
    item["id"]: chemoden.claim_from_dict(item)
    for item in (SAMPLES["claims"] if isinstance(SAMPLES, dict) else SAMPLES)
}


def coverage_findings(sample_id: str) -> list[chemoden.Finding]:
    report = chemoden.validate(SAMPLE_CLAIMS[sample_id])
    return [
        finding for finding in report.findings if get_rule(finding.rule).family is chemoden.Family.COVERAGE
    ]


@pytest.mark.parametrize(
    ("sample_id", "rule_id", "severity"),
    [
        ("S-10", "diagnosis-not-covered-for-procedure", Severity.ERROR),
        ("S-11", "drug-not-covered-for-indication", Severity.ERROR),
        ("S-13", "treatment-repeated-too-soon", Severity.WARNING),
    ],
)
def test_coverage_sample_finding(sample_id: str, rule_id: str, severity: Severity) -> None:
    found = [finding for finding in coverage_findings(sample_id) if finding.rule == rule_id]
    assert [finding.severity for finding in found] == [severity]


@pytest.mark.parametrize("sample_id", ["S-01", "S-04", "S-14"])
def test_clean_samples_have_no_coverage_problem(sample_id: str) -> None:
    found = coverage_findings(sample_id)
    assert [finding for finding in found if finding.severity is not Severity.INFO] == []


@pytest.mark.parametrize(
    "sample_id", ["S-02", "S-03", "S-04", "S-06", "S-07", "S-08", "S-09", "S-15", "S-16", "S-17"]
)
def test_coding_samples_gain_no_coverage_error(sample_id: str) -> None:
    found = coverage_findings(sample_id)
    assert [finding.rule for finding in found if finding.severity is Severity.ERROR] == []


def test_misbilled_myobloc_sample_has_one_finding() -> None:
    # 5000 units of J0587 are 500,000 Myobloc units: one units mistake, reported once.
    report = chemoden.validate(SAMPLE_CLAIMS["S-05"])
    rules = [finding.rule for finding in report.findings]
    assert rules == ["drug-units-ignore-billing-unit"]
    assert coverage_findings("S-05") == []


def test_every_bundled_policy_resolves_for_its_states() -> None:
    import datetime as dt

    catalog = PolicyCatalog.with_bundled()
    for policy in bundled_policies():
        assert policy.jurisdiction is not None
        for state in policy.jurisdiction.states:
            version, _ = catalog.resolve(state, dt.date(2026, 6, 1))
            assert version is not None, (policy.id, state)


# Findings a certified coder reviewed on Noridian JE claims (payer 01182, spring 2026)


def spasticity_claim(diagnoses: list[str], payer: str = "01182") -> chemoden.Claim:
    pointers = list(range(1, len(diagnoses) + 1))
    return build_claim(
        [
            line("64642", diagnosis_pointers=pointers),
            line("64643", diagnosis_pointers=pointers),
            line("95874", diagnosis_pointers=pointers),
            line("J0585", 300, "JZ", diagnosis_pointers=pointers),
        ],
        diagnoses,
        date="2026-05-12",
        payer=payer,
    )


@pytest.mark.parametrize("payer", ["01182", "WA"])
def test_second_code_on_claim_satisfies_reminder(payer: str) -> None:
    found = rules_found(spasticity_claim(["I69.351", "G81.11"], payer))
    assert "secondary-diagnosis-missing" not in found


@pytest.mark.parametrize("code", ["G80.0", "G80.1", "G80.9"])
def test_cerebral_palsy_needs_no_second_code(code: str) -> None:
    assert "secondary-diagnosis-missing" not in rules_found(spasticity_claim([code]))


def test_single_diagnosis_reminder_once_per_claim() -> None:
    found = rules_found(spasticity_claim(["G81.11"]))
    reminders = found["secondary-diagnosis-missing"]
    assert [finding.severity for finding in reminders] == [Severity.INFO]
    assert reminders[0].lines == (1, 2)
    assert reminders[0].codes == ("G81.11",)
    assert reminders[0].message.startswith("Lines 1 and 2: ")
    assert "G81.11 needs a second diagnosis" in reminders[0].message


def test_partial_list_note_once_per_claim() -> None:
    found = rules_found(spasticity_claim(["I69.351", "G81.11"]))
    notes = found["coverage-not-verified"]
    assert len(notes) == 1
    assert notes[0].lines == (1, 2)
    assert "diagnoses I69.351 and G81.11 could not be checked" in notes[0].message
    assert "64642 and 64643" in notes[0].message


def test_coverage_messages_start_capitalized() -> None:
    claims = [
        spasticity_claim(["G81.11"]),
        spasticity_claim(["I69.351", "G81.11"]),
        build_claim(
            [line("64617", 1, "RT"), line("64617", 1, "LT"), line("J0585", 5, "JZ")],
            ["J38.5"],
            date="2026-05-12",
            payer="01182",
        ),
        build_claim(
            [line("64612", 1, "RT"), line("64612", 1, "LT"), line("J0585", 40, "JZ")],
            ["G24.5"],
            date="2026-05-12",
            payer="01182",
            place_of_service="22",
        ),
    ]
    for claim in claims:
        report = chemoden.validate(claim)
        for finding in report.findings:
            if get_rule(finding.rule).family.value == "coverage":
                assert finding.message[0].isupper(), finding.message


def test_record_only_exclusion_is_info_once() -> None:
    claim = build_claim(
        [line("64617", 1, "RT"), line("64617", 1, "LT"), line("J0585", 10, "JZ")],
        ["J38.5"],
        date="2026-05-12",
        payer="01182",
    )
    found = rules_found(claim)
    assert severities(found, "indication-excluded-by-policy") == [Severity.INFO]
    assert found["indication-excluded-by-policy"][0].lines == (1, 2)


@pytest.mark.parametrize("date", ["2026-04-02", "2026-06-30"])
def test_header_diagnosis_reported_once(date: str) -> None:
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["G51.3"], date=date, payer="01182"
    )
    found = rules_found(claim)
    assert "diagnosis-code-not-billable" in found
    assert "diagnosis-not-covered-for-procedure" not in found


def test_unknown_diagnosis_left_to_icd_rules() -> None:
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["G51.99"], date="2026-05-12", payer="01182"
    )
    assert "diagnosis-not-covered-for-procedure" not in rules_found(claim)


def test_cosmetic_diagnosis_reported_once() -> None:
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["Z41.1"], date="2026-05-12", payer="01182"
    )
    found = rules_found(claim)
    assert severities(found, "cosmetic-use-not-covered") == [Severity.ERROR]
    assert "diagnosis-not-covered-for-procedure" not in found


def test_billable_miss_beside_header_still_reported() -> None:
    claim = build_claim(
        [line("64612", 1, "RT", diagnosis_pointers=[1, 2]), line("J0585", 20, "JZ")],
        ["G51.3", "G24.9"],
        date="2026-05-12",
        payer="01182",
    )
    finding = rules_found(claim)["diagnosis-not-covered-for-procedure"][0]
    assert finding.codes == ("64612", "G24.9")
    assert finding.message.startswith("Line 1: diagnosis G24.9 does not support 64612")


def test_no_icd_release_still_checks_support() -> None:
    # No bundled ICD-10-CM release covers 2020-06-01, so no ICD-10-CM rule judges G51.3.
    claim = build_claim(
        [line("64612", 1, "RT"), line("J0585", 20, "JZ")], ["G51.3"], date="2020-06-01", payer="L35170"
    )
    notes = rules_found(claim)["coverage-not-verified"]
    assert "diagnosis G51.3 is not in that part" in notes[0].message


def test_any_procedure_group_skips_other_services() -> None:
    claim = build_claim(
        [
            line("64616", 1, "50"),
            line("99213", 1, "25"),
            {**line("20553"), "diagnosis_pointers": [2]},
            line("J0586", 100, "JZ", ndc="15054-0500-01"),
        ],
        ["G24.3", "M79.18"],
        payer="TX",
        date="2026-03-10",
    )
    notes = rules_found(claim).get("coverage-not-verified", [])
    assert [finding.lines for finding in notes] == [(1,)]
    assert "holds none of the covered-diagnosis list for 64616" in notes[0].message


def test_cosmetic_stays_error_when_version_uncertain() -> None:
    claim = build_claim(
        [line("64612", 1, "50"), line("J0585", 20), line("J0585", 80, "JW")],
        ["Z41.1"],
        payer="OH",
        date="2026-03-10",
    )
    found = rules_found(claim)
    assert "policy-version-uncertain" in found
    assert severities(found, "cosmetic-use-not-covered") == [Severity.ERROR]


@pytest.mark.parametrize(
    ("payer", "day", "policy_id", "uncertain"),
    [
        ("L33458", "2026-03-10", "L39836", True),
        ("GA", "2026-03-10", "L39836", True),
        ("L39909", "2026-02-14", "L34635", False),
        ("L34635", "2026-03-10", "L39909", False),
        ("L34635", "2026-02-14", "L34635", False),
    ],
)
def test_policy_id_weighs_its_lineage(payer: str, day: str, policy_id: str, uncertain: bool) -> None:
    version, problem = PolicyCatalog.with_bundled().resolve(payer, dt.date.fromisoformat(day))
    assert version is not None
    assert version.policy_id == policy_id
    assert (problem is not None) is uncertain


def test_label_maximum_per_indication() -> None:
    sialorrhea = build_claim([line("64611"), line("J0588", 200, "JZ")], ["K11.7"])
    found = rules_found(sialorrhea)
    assert severities(found, "dose-above-label-maximum") == [Severity.WARNING]
    assert "for chronic sialorrhea of 100 units" in found["dose-above-label-maximum"][0].message

    within = build_claim([line("64611"), line("J0588", 100, "JZ")], ["K11.7"])
    assert "dose-above-label-maximum" not in rules_found(within)

    two_indications = build_claim(
        [line("64611"), line("64616", 1, "50"), line("J0588", 200, "JZ")], ["K11.7", "G24.3"]
    )
    assert "dose-above-label-maximum" not in rules_found(two_indications)
