# ruff: noqa: E501  (source addresses and transcribed facts are kept whole, one per line)
"""Write the bundled Medicare botulinum toxin policies as TOML, one file per version.

The facts below were transcribed from the public sources named next to each one (CMS
Medicare Coverage Database pages and the CMS Coverage API text, the contractors' own
pages, and third-party summaries marked ``secondary``). Run this script after changing
a fact and review the diff of ``src/chemoden/data/policies/``:

    python tools/build_policies.py

The harmonized 2026 LCD text ("Botulinum Toxin Injections") is the same for Noridian,
WPS, CGS, Palmetto and NGS, so its indications are written once and each contractor's
version adds its own dates, article and notes.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "src" / "chemoden" / "data" / "policies"

# Sources (full addresses)
S1 = (
    "CMS Coverage API LCD text (L35170 v60, L35172 v72, L39909 v6, L39857 v7, L39836 v8, "
    "L39832 v13), mirrored at https://github.com/urvi367/medicare-coverage-intelligence-agent/"
    "blob/fdedf912420de10ea46fb2f7d10afe9364fdd69c/data/lcd_raw.json"
)
S1B = (
    "CMS Coverage API LCD CPT/HCPCS lists, mirrored at https://github.com/urvi367/"
    "medicare-coverage-intelligence-agent/blob/97ba148bcc7ea63344e57c8ef147b36e9fc85573/"
    "data/lcd_diagnostic.json"
)
S2 = (
    "MCD document index snapshot of 2025-08-08: https://github.com/mackgraw/cms-lcd-lca-dataset/"
    "blob/17705dddaf7925fb386a59e973bcd89585b5b69e/dataset/documents_latest.csv"
)
N_JE_FINAL = (
    "Noridian JE final LCD notice, effective 2026-02-22: https://med.noridianmedicare.com/web/jeb/"
    "article-detail/-/view/10525/botulinum-toxin-injections-final-lcd-effective-february-22-2026"
)
N_A57186_R13 = (
    "Noridian JF A57186 R13, effective 2026-04-09: https://med.noridianmedicare.com/web/jfa/"
    "article-detail/-/view/10529/billing-and-coding-botulinum-toxin-injections-a57186-r13-"
    "effective-april-9-2026"
)
N_A57186_R10 = (
    "Noridian JF A57186 R10, effective 2025-10-01: https://med.noridianmedicare.com/es/web/jfa/"
    "article-detail/-/view/10529/billing-and-coding-botulinum-toxins-type-a-and-b-a57186-r10-"
    "effective-october-1-2025"
)
N_PA_JE = (
    "Noridian JE OPD prior authorization page: https://med.noridianmedicare.com/web/jea/"
    "cert-reviews/pre-claim/botulinum-toxin-injections"
)
N_PA_JF = "Noridian JF pre-claim page: https://med.noridianmedicare.com/es/web/jfa/cert-reviews/pre-claim"
N_R14 = (
    "Noridian JE L35170 R14 / A57185 R2 notice: https://med.noridianmedicare.com/web/jea/"
    "article-detail/-/view/10521/botulinum-toxin-types-a-and-b-policy-l35170-r14-effective-"
    "october-01-2019-and-associated-billing-and-coding-botulinum-toxin-types-a-and-b-policy-"
    "a57185-r2-effective-october-01-2020"
)
DOCSLIB = "Legacy L35170 (2017 revision): https://docslib.org/doc/7946409/botulinum-toxin-types-a-and-b-policy-l35170"
AAPC = (
    "AAPC Pain Management Coding Alert, Noridian face/neck chemodenervation ICD-10 list: "
    "https://www.aapc.com/codes/coding-newsletters/my-pain-management-coding-alert/"
    "icd-10-coding-check-out-1-payers-faceneck-chemodenervation-code-list-159008-article"
)
CMS_OPD_PA = (
    "CMS, Prior Authorization for Certain Hospital Outpatient Department (OPD) Services: "
    "https://www.cms.gov/research-statistics-data-systems/medicare-fee-service-compliance-programs/"
    "prior-authorization-and-pre-claim-review-initiatives/prior-authorization-certain-hospital-"
    "outpatient-department-opd-services"
)
CFR = "42 CFR 419.83 (hospital outpatient prior authorization), as reproduced by https://checkoutapi.com/regulations/42/419.83"
ICD10CM_G80 = (
    "ICD-10-CM tabular list, category G80 (cerebral palsy), a condition of central nervous system origin"
)
SSA = "Social Security Act section 1862(a)(10): Medicare excludes cosmetic surgery"
WPS_NEWS = "WPS news on the new LCD (MSHO copy): https://www.msho.org/aws/MSHO/page_template/show_detail/611932?model_name=news_article"
CCE = "carecostestimate Medicare Botox coverage (NGS A52848 groups): https://carecostestimate.com/medicare/coverage/botox"
ICDLIST_G43E = "icdlist G43.E (chronic migraine with aura, new 2023-10-01): https://icdlist.com/icd-10/G43.E"

# Diagnoses that need no second code under a spasticity group: cerebral palsy is
# itself a condition of central nervous system origin.
CEREBRAL_PALSY = ["G80-"]

UNCONFIRMED, SECONDARY, CONFIRMED, CONFLICT = "unconfirmed", "secondary", "confirmed", "conflict"

HARMONIZED_CODES = [
    "31570",
    "31573",
    "43201",
    "43236",
    "46505",
    "52287",
    "64611",
    "64612",
    "64615",
    "64616",
    "64617",
    "64642",
    "64643",
    "64644",
    "64645",
    "64646",
    "64647",
    "64650",
    "64653",
    "67345",
    "76536",
    "76881",
    "76882",
    "76942",
    "95873",
    "95874",
    "J0585",
    "J0586",
    "J0587",
    "J0588",
    "J0589",
]
TOXINS_A_B = ["J0585", "J0586", "J0587", "J0588"]
ALL_TOXINS = [*TOXINS_A_B, "J0589"]
DRUGS_FROM_DOSING = (
    "inferred from the products the LCD text gives doses for; the article's per-group HCPCS "
    "(added to A57186 in R13) was not read"
)
PROCEDURES_FROM_CPT = "inferred from the CPT descriptors, not read from the article"
DERIVED = "derived from the indication named in the LCD text; the article's ICD-10-CM table was not read"


def derived(codes: list[str], reason: str = "", unambiguous: bool = False) -> dict[str, Any]:
    return {
        "codes": codes,
        "basis": "lcd-text",
        "confidence": UNCONFIRMED,
        "unambiguous": unambiguous,
        "reason": reason or DERIVED,
        "source": S1,
    }


def dose(drug: str, confidence: str = CONFIRMED, note: str = "", **limits: float) -> dict[str, Any]:
    entry: dict[str, Any] = {"drug": drug, **limits, "confidence": confidence, "source": S1}
    if note:
        entry["note"] = note
    return entry


def group(
    key: str,
    indication: str,
    procedures: list[str],
    diagnoses: list[dict[str, Any]],
    drugs: list[str] | None,
    *,
    diagnosis_list: str | None = None,
    drug_confidence: str = UNCONFIRMED,
    drug_source: str = DRUGS_FROM_DOSING,
    doses: list[dict[str, Any]] | None = None,
    interval: int = 84,
    interval_by_drug: dict[str, int] | None = None,
    interval_note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": key,
        "indication": indication,
        "procedure_codes": procedures,
        "procedure_basis": extra.pop("procedure_basis", PROCEDURES_FROM_CPT),
        "diagnosis_list": diagnosis_list or ("derived" if diagnoses else "partial"),
    }
    if drugs is not None:
        entry["drug_codes"] = drugs
        entry["drug_confidence"] = drug_confidence
        entry["drug_source"] = (
            drug_source if drug_source != DRUGS_FROM_DOSING else f"{S1}; {DRUGS_FROM_DOSING}"
        )
    entry["min_interval_days"] = interval
    if interval_by_drug:
        entry["interval_by_drug"] = interval_by_drug
    entry["interval_confidence"] = extra.pop("interval_confidence", CONFIRMED)
    entry["interval_source"] = extra.pop("interval_source", S1)
    if interval_note:
        entry["interval_note"] = interval_note
    entry.update(extra)
    entry["diagnoses"] = diagnoses
    entry["dose_limits"] = doses or []
    return entry


def harmonized_groups(
    *, oab_confirmed: bool, jf_secondary: bool, ngs_sialorrhea: bool
) -> list[dict[str, Any]]:
    """Return the indications of the harmonized 2026 LCD "Botulinum Toxin Injections"."""
    sialorrhea_dx = (
        [
            {
                "codes": ["K11.7"],
                "basis": "article",
                "confidence": SECONDARY,
                "reason": "A52848 Group 1 (CPT 64611) lists K11.7; whether A52848 is the article of the new LCD is unconfirmed",
                "source": CCE,
            }
        ]
        if ngs_sialorrhea
        else [derived(["K11.7"])]
    )
    oab_dx = (
        [{"codes": ["N32.81"], "basis": "article", "confidence": CONFIRMED, "source": N_A57186_R13}]
        if oab_confirmed
        else [
            derived(
                ["N32.81"],
                "N32.81 is confirmed in Noridian JF A57186 Group 11 (R13); this contractor's article was not read",
            )
        ]
    )
    spasticity_secondary = {
        "applies_to": [],
        "required": [],
        "exempt": CEREBRAL_PALSY,
        "confidence": CONFIRMED if jf_secondary else UNCONFIRMED,
        "source": f"{N_A57186_R10}; {ICD10CM_G80}",
        "note": (
            "Spasticity diagnoses (article Group 2) need a second code from Group 3 (a condition of "
            "central nervous system origin); chemoden does not hold either list"
            + ("" if jf_secondary else "; confirmed for Noridian JF A57186 only, assumed here")
            + "; cerebral palsy (G80) names the central nervous system origin itself"
        ),
    }
    return [
        group(
            "blepharospasm",
            "Blepharospasm",
            ["64612"],
            [derived(["G24.5"])],
            ["J0585", "J0588"],
            doses=[
                dose(
                    "J0585",
                    note="initial 1.25 to 2.5 U per site at 3 sites per side (verify); later up to 5 U per site, 10 U per site with a documented reason",
                ),
                dose("J0588", note="based on the earlier onabotulinumtoxinA dose, or 1.25 to 2.5 U per site"),
            ],
            notes=[
                "Chronic for at least 30 days on an objective scale; a response of 2 months or less is insufficient"
            ],
        ),
        group(
            "meige_orofacial_dystonia",
            "Blepharospasm with orofacial dystonia (Meige)",
            ["64612"],
            [derived(["G24.4", "G24.5"])],
            ["J0585"],
            procedure_basis="inferred from the CPT descriptors; the CPT code for the masticatory muscles was not found",
            doses=[dose("J0585", note="no standard dose in the LCD")],
        ),
        group(
            "cervical_dystonia",
            "Cervical dystonia",
            ["64616"],
            [derived(["G24.3"])],
            ALL_TOXINS,
            drug_source=f"{S1}; the LCD gives doses for all five products",
            doses=[
                dose(
                    "J0586", initial=500, subsequent=1000, note="later doses 250 to 1000 U in steps of 250 U"
                ),
                dose("J0587", initial=5000, subsequent=5000, note="2500 to 5000 U"),
                dose("J0588", initial=120, subsequent=120),
                dose("J0589", initial=250, subsequent=250, note="125 to 250 U, steps of 50 to 75 U"),
                dose("J0585", note="dose by clinical judgement; the LCD gives no number"),
            ],
            notes=[
                "Possibly also G24.01, G24.02, G24.09, G24.1, G24.2, G24.8, G24.9; not in chemoden's list until an article confirms them",
                "Not covered for fibromyalgia, nonspecific neck pain, TMD, bruxism, myofascial pain or cervical spondylosis",
            ],
        ),
        group(
            "chronic_migraine",
            "Chronic migraine (prophylaxis)",
            ["64615"],
            [
                derived(
                    ["G43.7-", "G43.E-"],
                    "ICD-10-CM G43.7- (chronic migraine without aura) and G43.E- (chronic migraine with aura, "
                    "since 2023-10-01) are exactly the chronic migraine codes, and CPT 64615 is chemodenervation "
                    "for chronic migraine, so no other code supports 64615; listing of G43.E- in the article is "
                    f"not confirmed ({ICDLIST_G43E})",
                    unambiguous=True,
                )
            ],
            ["J0585"],
            drug_confidence=CONFIRMED,
            drug_source=f"{S1}; the LCD requires a product FDA-approved for chronic migraine, which only onabotulinumtoxinA is",
            doses=[
                dose(
                    "J0585",
                    initial=155,
                    subsequent=195,
                    maximum=195,
                    note="155 U as 5 U at 31 sites; later 155 to 195 U at up to 39 sites; above 195 U not reasonable and necessary",
                )
            ],
            notes=[
                "Not covered for episodic migraine, tension-type headache, chronic daily headache, TMD, bruxism, myofascial pain, cervical spondylosis or fibromyalgia"
            ],
        ),
        group(
            "hemifacial_spasm",
            "Hemifacial spasm / facial dystonia",
            ["64612"],
            [derived(["G51.31", "G51.32", "G51.33", "G51.39", "G51.4", "G51.8"])],
            ["J0585"],
            doses=[
                dose(
                    "J0585",
                    initial=30,
                    note="25 to 30 U on the affected side; an extra 5 to 15 U may be needed after about a year",
                )
            ],
        ),
        group(
            "laryngeal_dystonia",
            "Laryngeal dystonia (adductor spasmodic dysphonia only)",
            ["64617", "31570", "31573"],
            [
                derived(
                    ["J38.5", "J38.3", "G24.8", "R49.0"],
                    "J38.3 and J38.5 were in the legacy Noridian list (AAPC); G24.8 and R49.0 are possible codes",
                )
            ],
            ["J0585"],
            doses=[
                dose(
                    "J0585",
                    initial=7,
                    subsequent=7,
                    note="1.5 to 3.5 U at each of 2 sites on one side; later at most 7 U",
                )
            ],
            interval_note="The other side may be injected 2 to 4 weeks after the first",
            no_bilateral_same_session=True,
            bilateral_source=f"{S1}; simultaneous bilateral injection of both thyroarytenoid and lateral cricoarytenoid muscles is not reasonable and necessary",
            exclusions=[
                {
                    "description": "abductor spasmodic dysphonia",
                    "codes": [],
                    "confidence": CONFIRMED,
                    "source": S1,
                }
            ],
        ),
        group(
            "sialorrhea",
            "Sialorrhea",
            ["64611"],
            sialorrhea_dx,
            ["J0586", "J0587", "J0588"],
            drug_source=f"{S1}; {DRUGS_FROM_DOSING}; onabotulinumtoxinA has no dose in the LCD, so whether it is covered is unconfirmed",
            doses=[
                dose("J0588", maximum=100, note="30 U per parotid and 20 U per submandibular gland"),
                dose(
                    "J0587",
                    maximum=3500,
                    note="1500 to 3500 U: 500 to 1500 U per parotid, 250 U per submandibular gland",
                ),
                dose(
                    "J0586",
                    UNCONFIRMED,
                    note="15 to 75 U per gland (value hard to read in the source; verify)",
                ),
            ],
            interval_by_drug={"J0587": 84, "J0588": 112, "J0586": 120},
            interval_note="incobotulinumtoxinA at least 16 weeks apart; abobotulinumtoxinA every 4 to 6 months (120 days used; verify)",
        ),
        group(
            "strabismus",
            "Strabismus",
            ["67345"],
            [
                derived(
                    ["H49.-", "H50.-"],
                    "strabismus codes of ICD-10-CM H49 and H50; the legacy Noridian list had H49.23, H50.021, H50.08, H50.611, H50.69",
                )
            ],
            ["J0585"],
            doses=[dose("J0585", note="1.25 to 2.5 U per muscle")],
        ),
        group(
            "achalasia",
            "Achalasia",
            ["43201", "43236"],
            [derived(["K22.0"])],
            ["J0585"],
            doses=[dose("J0585", maximum=100, note="80 to 100 U; above 100 U not reasonable and necessary")],
            interval=30,
            interval_note="a repeat of up to 100 U is allowed after 30 days",
            notes=["Injection into the esophageal body is not covered"],
        ),
        group(
            "anal_fissure",
            "Chronic anal fissure",
            ["46505"],
            [derived(["K60.1-"], "chronic anal fissure, ICD-10-CM K60.1 and any codes below it")],
            ["J0585"],
            doses=[dose("J0585", initial=20, subsequent=60)],
        ),
        group(
            "focal_hand_dystonia",
            "Focal hand dystonia",
            ["64642", "64643", "64644", "64645"],
            [],
            None,
            notes=["Ultrasound or EMG localization required; covered products not transcribed"],
        ),
        group(
            "axillary_hyperhidrosis",
            "Primary axillary hyperhidrosis",
            ["64650"],
            [derived(["L74.510"])],
            ["J0585"],
            doses=[dose("J0585", note="at most 50 U per axilla at first, then 50 to 75 U per axilla")],
            interval=182,
            interval_note="no more than once every 6 months (182 days used)",
            notes=["Hyperhidrosis at other sites is not covered"],
        ),
        group(
            "neurogenic_detrusor_overactivity",
            "Neurogenic detrusor overactivity",
            ["52287"],
            [],
            ["J0585"],
            doses=[dose("J0585", maximum=200, note="100 to 200 U")],
        ),
        group(
            "overactive_bladder",
            "Overactive bladder",
            ["52287"],
            oab_dx,
            ["J0585"],
            diagnosis_list="partial",
            doses=[dose("J0585", maximum=100)],
            notes=["After at least 12 weeks of conservative and drug therapy"],
        ),
        group(
            "interstitial_cystitis",
            "Interstitial cystitis / bladder pain syndrome",
            ["52287"],
            [],
            ["J0585"],
            doses=[dose("J0585", maximum=100)],
        ),
        group(
            "spasticity",
            "Upper or lower limb spasticity of central nervous system origin",
            ["64642", "64643", "64644", "64645", "64646", "64647"],
            [],
            ["J0585", "J0586", "J0588"],
            doses=[
                dose(
                    "J0585",
                    maximum=600,
                    note="at most 400 U per limb and 600 U per session; children 3 to 6 U/kg upper limb (at most 200 U), 4 to 8 U/kg lower limb (at most 300 U)",
                ),
                dose(
                    "J0586", maximum=1500, note="500 to 1000 U upper limb, 1000 U lower limb, 1500 U in total"
                ),
                dose("J0588", maximum=600, note="400 U upper limb, 400 U lower limb, 600 U in total"),
            ],
            secondary_diagnoses=[spasticity_secondary],
            notes=["Localization by EMG, electrical stimulation or ultrasound is required"],
        ),
    ]


def harmonized_same_day() -> list[dict[str, Any]]:
    return [
        {
            "kinds": ["trigger-point", "epidural", "sympathetic-block"],
            "groups": ["cervical_dystonia"],
            "severity": "error",
            "confidence": CONFIRMED,
            "source": S1,
            "reason": "the LCD calls epidural, sympathetic block or trigger point injections on the same day as chemodenervation for cervical dystonia not reasonable and necessary",
        },
        {
            "kinds": ["sedation"],
            "severity": "error",
            "confidence": CONFIRMED,
            "source": S1,
            "reason": "the LCD calls conscious sedation or monitored anesthesia care given with the injections not reasonable and necessary",
        },
        {
            "kinds": ["trigger-point", "epidural", "sympathetic-block", "injection"],
            "groups": ["chronic_migraine"],
            "severity": "warning",
            "confidence": UNCONFIRMED,
            "source": S1,
            "reason": "the LCD calls multiple procedures on the same day not reasonable and necessary for chronic migraine; which procedures it means is chemoden's reading",
        },
        {
            "kinds": ["imaging"],
            "severity": "warning",
            "confidence": CONFLICT,
            "source": f"{S1}; {N_A57186_R13}",
            "reason": "the LCD's general section calls image guidance not reasonable and necessary, yet its spasticity, focal hand dystonia and sialorrhea sections require or recommend ultrasound and the article lists the ultrasound codes",
        },
    ]


def medicare_common() -> dict[str, Any]:
    return {
        "cosmetic_diagnoses": [
            {
                "codes": ["Z41.1"],
                "basis": "lcd-text",
                "confidence": CONFIRMED,
                "unambiguous": True,
                "reason": "ICD-10-CM Z41.1 is the encounter for cosmetic surgery; Medicare does not cover cosmetic use, and the LCD makes the whole claim non-covered",
                "source": f"{SSA}; {S1}",
            }
        ],
        "prior_authorization": {
            "name": "Medicare hospital outpatient department prior authorization",
            "places_of_service": ["19", "22"],
            "procedure_codes": ["64612", "64615"],
            "drug_codes": TOXINS_A_B,
            "valid_from": dt.date(2020, 7, 1),
            "confidence": CONFIRMED,
            "source": f"{CMS_OPD_PA}; {CFR}; {N_PA_JE}",
        },
    }


def harmonized_version(
    *,
    version: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    dates_confidence: str,
    dates_note: str,
    article: dict[str, Any] | None,
    sources: list[str],
    oab_confirmed: bool = False,
    jf_secondary: bool = False,
    ngs_sialorrhea: bool = False,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "version": version,
        "title": "Botulinum Toxin Injections",
        "valid_from": valid_from,
    }
    if valid_to is not None:
        entry["valid_to"] = valid_to
    entry.update(
        {
            "dates_confidence": dates_confidence,
            "dates_note": dates_note,
            "sources": [S1, S1B, *sources],
            "default_min_interval_days": 84,
            "default_interval_source": f"{S1}: no more often than once every 12 weeks whatever the diagnosis, unless the indication says otherwise",
            "notes": notes or [],
        }
    )
    if article is not None:
        entry["article"] = article
    entry["procedure_list"] = {"codes": HARMONIZED_CODES, "complete": True, "source": S1B}
    entry["groups"] = harmonized_groups(
        oab_confirmed=oab_confirmed, jf_secondary=jf_secondary, ngs_sialorrhea=ngs_sialorrhea
    )
    entry["same_day"] = harmonized_same_day()
    entry.update(medicare_common())
    return entry


def legacy_version(
    *,
    version: str,
    title: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    dates_confidence: str,
    dates_note: str,
    article: dict[str, Any],
    sources: list[str],
    groups: list[dict[str, Any]],
    interval: int | None = None,
    interval_source: str = "",
    procedure_codes: list[str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"version": version, "title": title, "valid_from": valid_from}
    if valid_to is not None:
        entry["valid_to"] = valid_to
    entry.update(
        {
            "dates_confidence": dates_confidence,
            "dates_note": dates_note,
            "sources": sources,
            "notes": notes or [],
        }
    )
    if interval is not None:
        entry["default_min_interval_days"] = interval
        entry["default_interval_source"] = interval_source
    entry["article"] = article
    if procedure_codes:
        entry["procedure_list"] = {"codes": procedure_codes, "complete": False, "source": sources[0]}
    entry["groups"] = groups
    entry.update(medicare_common())
    return entry


def legacy_group(
    key: str, indication: str, procedures: list[str] | None, drugs: list[str], drug_source: str, **extra: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": key, "indication": indication}
    if procedures:
        entry["procedure_codes"] = procedures
        entry["procedure_basis"] = extra.pop("procedure_basis", "as stated by the source")
    else:
        entry["all_procedures"] = True
        entry["procedure_basis"] = "the source does not tie the indications to procedure codes"
    entry["diagnosis_list"] = "partial"
    entry["drug_codes"] = drugs
    entry["drug_confidence"] = extra.pop("drug_confidence", SECONDARY)
    entry["drug_source"] = drug_source
    entry.update(extra)
    entry.setdefault("diagnoses", [])
    return entry


NORIDIAN = "Noridian Healthcare Solutions, LLC (A and B MAC)"
JE = {
    "contractor": NORIDIAN,
    "jurisdiction": "JE",
    "contract_numbers": ["01111", "01112", "01182", "01211", "01212", "01311", "01312", "01911"],
    "states": ["CA", "HI", "NV", "AS", "GU", "MP"],
    "states_confidence": CONFIRMED,
    "source": f"{S1}; {DOCSLIB}",
}
JF = {
    "contractor": NORIDIAN,
    "jurisdiction": "JF",
    "contract_numbers": [
        "02101",
        "02201",
        "02301",
        "02401",
        "03101",
        "03201",
        "03301",
        "03401",
        "03501",
        "03601",
    ],
    "states": ["AK", "ID", "OR", "WA", "AZ", "MT", "ND", "SD", "UT", "WY"],
    "states_confidence": CONFIRMED,
    "source": N_A57186_R13,
}
GENERAL_STATES = (
    "states from general knowledge of the MAC jurisdictions; the LCD pages read did not list them"
)


def policies() -> list[tuple[str, dict[str, Any]]]:
    files: list[tuple[str, dict[str, Any]]] = []

    def add(name: str, header: dict[str, Any], version: dict[str, Any]) -> None:
        files.append((name, {"schema": 1, **header, "versions": [version]}))

    je = {"id": "L35170", "title": "Botulinum Toxin Injections", "payer": "Medicare", "jurisdiction": JE}
    add(
        "L35170-v54",
        je,
        legacy_version(
            version="54",
            title="Botulinum Toxin Types A and B Policy",
            valid_from=dt.date(2015, 10, 1),
            valid_to=dt.date(2026, 2, 21),
            dates_confidence=UNCONFIRMED,
            dates_note="original 2015-10-01 (confirmed); last day 2026-02-21 derived from v60 taking effect 2026-02-22, assuming versions 55 to 59 changed nothing of substance",
            article={
                "id": "A57185",
                "title": "Billing and Coding: Botulinum Toxin Types A and B Policy",
                "revision": "v27",
                "confidence": CONFIRMED,
                "source": S2,
            },
            sources=[S2, DOCSLIB, N_R14, AAPC, N_PA_JE],
            procedure_codes=["64612", "64615", "64616", "64617"],
            groups=[
                legacy_group(
                    "chronic_migraine",
                    "Chronic migraine (prophylaxis)",
                    ["64615"],
                    TOXINS_A_B,
                    AAPC,
                    procedure_basis="CPT 64615 is chemodenervation for chronic migraine",
                    diagnosis_list="derived",
                    diagnoses=[
                        {
                            "codes": ["G43.7-", "G43.E-"],
                            "basis": "lcd-text",
                            "confidence": UNCONFIRMED,
                            "unambiguous": True,
                            "reason": (
                                "ICD-10-CM G43.7- (chronic migraine without aura) and G43.E- (chronic migraine with "
                                "aura, since 2023-10-01) are exactly the chronic migraine codes, and CPT 64615 is "
                                "chemodenervation for chronic migraine, so no other code supports 64615. This version "
                                "lists 64615 (MCD document index), and Noridian JE's hospital outpatient prior "
                                "authorization page asks for a chronic migraine history with it. The legacy article's "
                                f"own ICD-10-CM codes for 64615 were not read ({ICDLIST_G43E})"
                            ),
                            "source": f"{S2}; {N_PA_JE}",
                        }
                    ],
                    notes=[
                        "The legacy article's drug list for chronic migraine was not read; the drugs are those of the face and neck list",
                        "The legacy dose and frequency rules were not retrieved",
                    ],
                ),
                legacy_group(
                    "head_neck",
                    "Face and neck chemodenervation (other indications)",
                    ["64612", "64616", "64617"],
                    TOXINS_A_B,
                    AAPC,
                    diagnoses=[
                        {
                            "codes": [
                                "G51.4",
                                "H02.041",
                                "H49.23",
                                "H50.021",
                                "H50.08",
                                "H50.611",
                                "H50.69",
                                "J38.3",
                                "J38.5",
                                "J39.2",
                            ],
                            "basis": "article",
                            "confidence": SECONDARY,
                            "source": AAPC,
                            "reason": "10 of about 150 codes of the legacy list for 64612 to 64617 (undated copy, about 2016 to 2018)",
                        }
                    ],
                    notes=[
                        "Whether J0589 is in the legacy article is unconfirmed",
                        "The legacy dose and frequency rules were not retrieved",
                    ],
                ),
            ],
            notes=[
                "Revision of 2017-02-13; R14 (2019-10-01) moved the JW wastage and vial splitting items to the article"
            ],
        ),
    )
    add(
        "L35170-v60",
        je,
        harmonized_version(
            version="60",
            valid_from=dt.date(2026, 2, 22),
            dates_confidence=CONFIRMED,
            dates_note="for services on or after 2026-02-22 (Noridian JE final LCD notice)",
            article={
                "id": "A57185",
                "title": "Billing and Coding: Botulinum Toxin Injections",
                "revision": "",
                "confidence": CONFIRMED,
                "source": S2,
            },
            sources=[N_JE_FINAL, N_PA_JE],
            notes=[
                "Whether A57185 received the A57186 R13 changes (N32.81, ultrasound codes) is unconfirmed",
                "Response to comments: article A60352",
            ],
        ),
    )

    jf = {"id": "L35172", "title": "Botulinum Toxin Injections", "payer": "Medicare", "jurisdiction": JF}
    jf_legacy_groups = [
        legacy_group(
            "head_neck",
            "Face and neck chemodenervation (all indications)",
            ["64612", "64615", "64616", "64617"],
            TOXINS_A_B,
            S2,
            drug_confidence=UNCONFIRMED,
            notes=["The JF legacy ICD-10-CM list was not retrieved"],
        )
    ]
    jf_legacy: dict[str, Any] = {
        "title": "Botulinum Toxin Types A and B Policy",
        "sources": [S2, N_A57186_R10],
        "procedure_codes": [
            "64612",
            "64615",
            "64616",
            "64617",
            "64642",
            "64643",
            "64644",
            "64645",
            "64646",
            "64647",
        ],
    }
    add(
        "L35172-v68",
        jf,
        legacy_version(
            version="68",
            valid_from=dt.date(2015, 10, 1),
            valid_to=dt.date(2025, 9, 30),
            dates_confidence=UNCONFIRMED,
            dates_note="start assumed at the ICD-10 go-live 2015-10-01; ends when A57186 R10 took effect",
            article={
                "id": "A57186",
                "title": "Billing and Coding: Botulinum Toxins Type A and B",
                "revision": "v25",
                "confidence": CONFIRMED,
                "source": S2,
            },
            groups=jf_legacy_groups,
            **jf_legacy,
        ),
    )
    add(
        "L35172-v68-r10",
        jf,
        legacy_version(
            version="68",
            valid_from=dt.date(2025, 10, 1),
            valid_to=dt.date(2026, 2, 21),
            dates_confidence=UNCONFIRMED,
            dates_note="A57186 R10 effective 2025-10-01; last day 2026-02-21 derived from v72 (unconfirmed)",
            article={
                "id": "A57186",
                "title": "Billing and Coding: Botulinum Toxins Type A and B",
                "revision": "R10",
                "confidence": CONFIRMED,
                "source": N_A57186_R10,
            },
            groups=[
                *jf_legacy_groups,
                legacy_group(
                    "spasticity",
                    "Spasticity of central nervous system origin",
                    ["64642", "64643", "64644", "64645", "64646", "64647"],
                    TOXINS_A_B,
                    S2,
                    drug_confidence=UNCONFIRMED,
                    secondary_diagnoses=[
                        {
                            "applies_to": [],
                            "required": [],
                            "exempt": CEREBRAL_PALSY,
                            "confidence": CONFIRMED,
                            "source": f"{N_A57186_R10}; {ICD10CM_G80}",
                            "note": "Group 2 spasticity diagnoses need a second code from Group 3 (central nervous system origin); chemoden does not hold either list; cerebral palsy (G80) names the central nervous system origin itself",
                        }
                    ],
                ),
            ],
            **jf_legacy,
        ),
    )
    jf_v72: dict[str, Any] = {
        "version": "72",
        "dates_confidence": UNCONFIRMED,
        "dates_note": "2026-02-22 is given only by the Noridian JF pre-claim page; the JE twin L35170 v60 is confirmed for that date",
        "sources": [N_PA_JF, N_A57186_R13],
        "jf_secondary": True,
    }
    add(
        "L35172-v72",
        jf,
        harmonized_version(
            valid_from=dt.date(2026, 2, 22),
            valid_to=dt.date(2026, 4, 8),
            article={
                "id": "A57186",
                "title": "Billing and Coding: Botulinum Toxin Injections",
                "revision": "R12 or earlier",
                "confidence": UNCONFIRMED,
                "source": N_A57186_R13,
            },
            **jf_v72,
        ),
    )
    add(
        "L35172-v72-r13",
        jf,
        harmonized_version(
            valid_from=dt.date(2026, 4, 9),
            article={
                "id": "A57186",
                "title": "Billing and Coding: Botulinum Toxin Injections",
                "revision": "R13",
                "confidence": CONFIRMED,
                "source": N_A57186_R13,
            },
            oab_confirmed=True,
            notes=[
                "R13 removed the paralytic ptosis group and added the serotype HCPCS codes to each group paragraph (not read)"
            ],
            **jf_v72,
        ),
    )

    def mac(contractor: str, jurisdiction: str, states: list[str]) -> dict[str, Any]:
        return {
            "contractor": contractor,
            "jurisdiction": jurisdiction,
            "states": states,
            "states_confidence": UNCONFIRMED,
            "source": GENERAL_STATES,
        }

    wps = mac(
        "Wisconsin Physicians Service Insurance Corporation (WPS)",
        "J5/J8",
        ["IA", "KS", "MO", "NE", "IN", "MI"],
    )
    verity_l34635 = "verity summary of L34635: https://verity.backworkai.com/policy/L34635"
    add(
        "L34635-v34",
        {
            "id": "L34635",
            "title": "Botulinum Toxin Type A & Type B",
            "payer": "Medicare",
            "successor": "L39909",
            "jurisdiction": wps,
        },
        legacy_version(
            version="34",
            title="Botulinum Toxin Type A & Type B",
            valid_from=dt.date(2015, 10, 1),
            valid_to=dt.date(2026, 2, 14),
            dates_confidence=UNCONFIRMED,
            dates_note="start assumed at the ICD-10 go-live; version 34 effective 2023-10-01 (confirmed); last day derived from L39909's reported start 2026-02-15",
            article={
                "id": "A57474",
                "title": "Billing and Coding: Botulinum Toxin Type A & Type B",
                "revision": "v29",
                "confidence": CONFIRMED,
                "source": S2,
            },
            sources=[
                S2,
                verity_l34635,
                "verity summary of A57474: https://verity.backworkai.com/policy/A57474",
            ],
            interval=84,
            interval_source=f"{verity_l34635} [secondary]: generally not more often than every 12 weeks",
            groups=[
                legacy_group(
                    "all",
                    "Hemifacial spasm, dystonias, spasticity, detrusor overactivity, achalasia, sialorrhea, hyperhidrosis, chronic migraine, chronic anal fissure",
                    None,
                    TOXINS_A_B,
                    verity_l34635,
                    notes=[
                        "Coverage may stop after 2 consecutive adequate-dose treatments fail",
                        "EMG or electrical stimulation guidance (95873, 95874; 92265 for extraocular muscles) payable when needed",
                        "Not covered: unlisted uses, irritable colon, biliary dyskinesia, craniofacial wrinkles, patients on aminoglycosides, doses above the label without justification",
                    ],
                )
            ],
        ),
    )
    add(
        "L39909-v6",
        {"id": "L39909", "title": "Botulinum Toxin Injections", "payer": "Medicare", "jurisdiction": wps},
        harmonized_version(
            version="6",
            valid_from=dt.date(2026, 2, 15),
            dates_confidence=SECONDARY,
            dates_note="2026-02-15 reported by WPS news (notice period from 2026-01-01); not confirmed on the MCD",
            article=None,
            sources=[WPS_NEWS],
            notes=[
                "Replaces L34635 / A57474; the article of the new LCD is unconfirmed (possibly A57474 revised)",
                "WPS says the new LCD affects hospital outpatient prior authorization reviews",
            ],
        ),
    )

    window_note = (
        "effective date not found; the harmonized final LCDs took effect in mid to late February 2026 "
        "for WPS and Noridian, so chemoden treats this version as possibly in force from 2026-01-01 while "
        "the legacy LCD's end is unknown, and reports which one it used"
    )
    harmonized_macs: list[tuple[str, str, str, str, str, str, list[str], str, dict[str, Any]]] = [
        ("L39857", "7", "L33949", "25", "CGS Administrators, LLC", "J15", ["KY", "OH"], UNCONFIRMED, {}),
        (
            "L39836",
            "8",
            "L33458",
            "69",
            "Palmetto GBA",
            "JJ/JM",
            ["AL", "GA", "TN", "SC", "NC", "VA", "WV"],
            SECONDARY,
            {},
        ),
        (
            "L39832",
            "13",
            "L33646",
            "39",
            "National Government Services, Inc.",
            "J6/JK",
            ["IL", "MN", "WI", "CT", "NY", "ME", "MA", "NH", "RI", "VT"],
            SECONDARY,
            {"ngs_sialorrhea": True},
        ),
    ]
    for (
        policy_id,
        version,
        legacy_id,
        legacy_version_text,
        contractor,
        jurisdiction,
        states,
        states_confidence,
        extra,
    ) in harmonized_macs:
        header = {
            "contractor": contractor,
            "jurisdiction": jurisdiction,
            "states": states,
            "states_confidence": states_confidence,
            "source": GENERAL_STATES,
        }
        add(
            f"{policy_id}-v{version}",
            {
                "id": policy_id,
                "title": "Botulinum Toxin Injections",
                "payer": "Medicare",
                "jurisdiction": header,
            },
            harmonized_version(
                version=version,
                valid_from=dt.date(2026, 1, 1),
                dates_confidence=UNCONFIRMED,
                dates_note=window_note,
                article=None,
                sources=[],
                notes=[
                    f"Replaces {legacy_id} v{legacy_version_text}; the article of the new LCD is unconfirmed"
                ],
                **extra,
            ),
        )

    cgs = mac("CGS Administrators, LLC", "J15", ["KY", "OH"])
    cgs_pa = "CGS OPD prior authorization page: https://www.cgsmedicare.com/parta/pa/subs/bti.html"
    add(
        "L33949-v25",
        {
            "id": "L33949",
            "title": "Botulinum Toxins",
            "payer": "Medicare",
            "successor": "L39857",
            "jurisdiction": cgs,
        },
        legacy_version(
            version="25",
            title="Botulinum Toxins (title unconfirmed)",
            valid_from=dt.date(2015, 10, 1),
            valid_to=None,
            dates_confidence=UNCONFIRMED,
            dates_note="start assumed at the ICD-10 go-live; version 25 effective 2025-02-06 (confirmed); end unknown (replaced by L39857 on a date not found)",
            article={"id": "A56472", "revision": "v20", "confidence": CONFIRMED, "source": S2},
            sources=[S2, cgs_pa],
            groups=[
                legacy_group(
                    "chronic_migraine",
                    "Chronic migraine",
                    ["64615"],
                    ["J0585"],
                    cgs_pa,
                    notes=[
                        "At least 15 headache days a month lasting 4 hours or more, and at least 3 months of conservative treatment (CGS prior authorization page)"
                    ],
                )
            ],
            notes=["The LCD text was not retrieved"],
        ),
    )
    palmetto = {
        "contractor": "Palmetto GBA",
        "jurisdiction": "JJ/JM",
        "states": ["AL", "GA", "TN", "SC", "NC", "VA", "WV"],
        "states_confidence": SECONDARY,
        "source": "healthdocbox copy of L33458 (2018): http://healthdocbox.com/Headaches_and_Migraines/106652504-Contractor-information-lcd-information-local-coverage-determination-lcd-chemodenervation-l33458-document-information.html",
    }
    verity_l33458 = "verity summary of L33458: https://verity.backworkai.com/policy/L33458"
    add(
        "L33458-v69",
        {
            "id": "L33458",
            "title": "Chemodenervation",
            "payer": "Medicare",
            "successor": "L39836",
            "jurisdiction": palmetto,
        },
        legacy_version(
            version="69",
            title="Chemodenervation",
            valid_from=dt.date(2015, 10, 1),
            valid_to=None,
            dates_confidence=UNCONFIRMED,
            dates_note="original 2015-10-01 and version 69 effective 2021-05-27 (confirmed); end unknown (replaced by L39836 on a date not found)",
            article={
                "id": "A56646",
                "revision": "v21",
                "confidence": CONFIRMED,
                "source": "CMS MCD A56646: https://cms.gov/medicare-coverage-database/view/article.aspx?articleId=56646",
            },
            sources=[
                "CMS MCD L33458: https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?LCDId=33458",
                S2,
                verity_l33458,
            ],
            groups=[
                legacy_group(
                    "chronic_migraine",
                    "Chronic migraine",
                    ["64615"],
                    ["J0585"],
                    verity_l33458,
                    notes=[
                        "Adults with at least 15 headache days a month of 4 hours or more, and intractability; onabotulinumtoxinA is the only chronic migraine product"
                    ],
                )
            ],
            notes=["Covers botulinum toxins and other chemical neurotoxins; units are not interchangeable"],
        ),
    )
    ngs = {
        "contractor": "National Government Services, Inc.",
        "jurisdiction": "J6/JK",
        "states": ["IL", "MN", "WI", "CT", "NY", "ME", "MA", "NH", "RI", "VT"],
        "states_confidence": SECONDARY,
        "source": "healthdocbox copy of L33646: http://healthdocbox.com/Headaches_and_Migraines/93482596-Contractor-information.html",
    }
    add(
        "L33646-v39",
        {
            "id": "L33646",
            "title": "Botulinum Toxins",
            "payer": "Medicare",
            "successor": "L39832",
            "jurisdiction": ngs,
        },
        legacy_version(
            version="39",
            title="Botulinum Toxins",
            valid_from=dt.date(2015, 10, 1),
            valid_to=None,
            dates_confidence=UNCONFIRMED,
            dates_note="version 39 effective 2021-05-01 (confirmed); start assumed at the ICD-10 go-live; end unknown (replaced by L39832 on a date not found)",
            article={"id": "A52848", "revision": "v38", "confidence": CONFIRMED, "source": S2},
            sources=[S2, CCE, "verity summary of L33646: https://verity.backworkai.com/policy/L33646"],
            groups=[
                legacy_group(
                    "sialorrhea",
                    "Sialorrhea",
                    ["64611"],
                    ALL_TOXINS,
                    CCE,
                    drug_confidence=UNCONFIRMED,
                    diagnoses=[
                        {
                            "codes": ["K11.7"],
                            "basis": "article",
                            "confidence": SECONDARY,
                            "source": CCE,
                            "reason": "A52848 Group 1 (CPT 64611)",
                        }
                    ],
                ),
                legacy_group(
                    "achalasia",
                    "Achalasia",
                    ["43201", "43236"],
                    ["J0585"],
                    CCE,
                    drug_confidence=UNCONFIRMED,
                    diagnoses=[
                        derived(
                            ["K22.0"],
                            "A52848 Group 2 holds one code, not seen; K22.0 (achalasia of cardia) is inferred",
                        )
                    ],
                ),
            ],
            notes=[
                "A52848 groups its ICD-10-CM codes by CPT code; 313 codes are accepted for J0585 (secondary)",
                "After consecutive failures the serotype may be restricted for up to a year (secondary)",
            ],
        ),
    )
    novitas = mac(
        "Novitas Solutions, Inc.",
        "JH/JL",
        ["AR", "CO", "LA", "MS", "NM", "OK", "TX", "DE", "DC", "MD", "NJ", "PA"],
    )
    verity_l38809 = "verity summary of L38809: https://verity.backworkai.com/policy/L38809"
    add(
        "L38809-v6",
        {"id": "L38809", "title": "Botulinum Toxins", "payer": "Medicare", "jurisdiction": novitas},
        legacy_version(
            version="6",
            title="Botulinum Toxins",
            valid_from=dt.date(2021, 3, 21),
            valid_to=None,
            dates_confidence=UNCONFIRMED,
            dates_note="version 6 effective 2021-03-21 (confirmed); earlier versions not held; end unknown (proposed DL38809 and a final L40016 whose contractor is unconfirmed)",
            article={"id": "A58423", "revision": "v38", "confidence": CONFIRMED, "source": S2},
            sources=[
                S2,
                "CMS MCD A58423: https://cms.gov/medicare-coverage-database/view/article.aspx?articleId=58423",
                verity_l38809,
            ],
            groups=[
                legacy_group(
                    "all",
                    "Each product's FDA-labeled indications plus listed off-label uses",
                    None,
                    ALL_TOXINS,
                    verity_l38809,
                    notes=[
                        "Off-label uses include achalasia, anal fissure, essential hand tremor, focal dystonias, hemifacial spasm, oromandibular dystonia, selected laryngeal dystonia and tics",
                        "Not covered: cosmetic use, esophageal body injection, abductor spasmodic dysphonia, isolated lower-limb dystonia",
                    ],
                )
            ],
            notes=[
                "Article A59933 (updated 2025-12-31) cites the proposed DL38809: chronic migraine needs 15 or more migraine days a month; a denied drug line denies the procedure too"
            ],
        ),
    )
    fcso = {
        "contractor": "First Coast Service Options, Inc.",
        "jurisdiction": "JN",
        "states": ["FL", "PR", "VI"],
        "states_confidence": SECONDARY,
        "source": "healthdocbox copy of L33274 (2018): http://healthdocbox.com/Headaches_and_Migraines/126334334-Links-in-pdf-documents-are-not-guaranteed-to-work-to-follow-a-web-link-please-use-the-mcd-website.html",
    }
    cms_l33274 = "CMS MCD L33274 v36: https://www.cms.gov/medicare-coverage-database/view/lcd.aspx?LCDId=33274&ver=36&DocID=L33274&bc=AAAAAAIAAAAA&"
    add(
        "L33274-v36",
        {"id": "L33274", "title": "Botulinum Toxins", "payer": "Medicare", "jurisdiction": fcso},
        legacy_version(
            version="36",
            title="Botulinum Toxins",
            valid_from=dt.date(2015, 10, 1),
            valid_to=None,
            dates_confidence=UNCONFIRMED,
            dates_note="original 2015-10-01 and version 36 effective 2021-03-21 (confirmed); end unknown (proposed DL33274, final status unconfirmed)",
            article={"id": "A57715", "revision": "v40", "confidence": CONFIRMED, "source": S2},
            sources=[
                cms_l33274,
                S2,
                "verity summary of L33274: https://verity.backworkai.com/policy/L33274",
                "FCSO review page: https://medicare.fcso.com/medical-review/botulinum-toxin-injections",
            ],
            groups=[
                legacy_group(
                    "all",
                    "Each product's FDA-labeled indications plus listed off-label uses (as Novitas L38809)",
                    None,
                    ALL_TOXINS,
                    "verity summary of L33274: https://verity.backworkai.com/policy/L33274",
                    notes=[
                        "Not covered: cosmetic use, esophageal body injection, abductor spasmodic dysphonia, isolated lower-limb dystonia (secondary)"
                    ],
                )
            ],
            notes=[
                "FCSO prior authorization page: 64612 and 64615 are either/or; bilateral 64612 takes modifier 50"
            ],
        ),
    )
    return files


# TOML writing: enough for the shapes above (tables, arrays of tables, scalars, lists).


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        items = [_scalar(item) for item in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 90:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_scalar(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _write_table(lines: list[str], data: dict[str, Any], path: str) -> None:
    nested: list[tuple[str, Any]] = []
    for key, value in data.items():
        if (isinstance(value, dict) and key != "interval_by_drug") or _is_table_list(value):
            nested.append((key, value))
        elif isinstance(value, list) and not value and key in ("diagnoses", "dose_limits"):
            continue
        else:
            lines.append(f"{key} = {_scalar(value)}")
    for key, value in nested:
        full = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            lines.append("")
            lines.append(f"[{full}]")
            _write_table(lines, value, full)
        else:
            for item in value:
                lines.append("")
                lines.append(f"[[{full}]]")
                _write_table(lines, item, full)


def to_toml(name: str, data: dict[str, Any]) -> str:
    lines = [
        f"# chemoden bundled payer policy {name}: one policy version, generated by tools/build_policies.py.",
        "# Schema: docs/coverage.md. Every list and limit names its source and a confidence mark.",
        "",
    ]
    _write_table(lines, data, "")
    return "\n".join(lines) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    written = set()
    for name, data in policies():
        path = OUT / f"{name}.toml"
        path.write_text(to_toml(name, data), encoding="utf-8")
        written.add(path.name)
    for stale in OUT.glob("*.toml"):
        if stale.name not in written:
            stale.unlink()
    (OUT / "index.csv").write_text(policy_index(), encoding="utf-8")
    print(f"wrote {len(written)} policy files and index.csv to {OUT}")
    return 0


def policy_index() -> str:
    """Return the text of index.csv for the policy files in OUT."""
    from chemoden.coverage.bundled import index_csv, merge_policies
    from chemoden.coverage.schema import policy_from_text

    parts: dict[str, list[Any]] = {}
    files: dict[str, list[str]] = {}
    for path in sorted(OUT.glob("*.toml")):
        policy = policy_from_text(path.read_text(encoding="utf-8"), str(path))
        parts.setdefault(policy.id, []).append(policy)
        files.setdefault(policy.id, []).append(path.name)
    return index_csv([merge_policies(items) for items in parts.values()], files)


if __name__ == "__main__":
    sys.exit(main())
