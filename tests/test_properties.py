"""Property tests: validate() never raises and is deterministic for any well-formed claim."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

import chemoden
from chemoden.engine import RULE_FAILED

KNOWN_CODES = [
    "64611",
    "64612",
    "64615",
    "64616",
    "64617",
    "67345",
    "64642",
    "64643",
    "64644",
    "64645",
    "64646",
    "64647",
    "64650",
    "64653",
    "31570",
    "31573",
    "43201",
    "43236",
    "46505",
    "52287",
    "95873",
    "95874",
    "76536",
    "76881",
    "76882",
    "76942",
    "99213",
    "99214",
    "A4550",
    "99070",
    "J0585",
    "J0586",
    "J0587",
    "J0588",
    "J0589",
    "64613",
    "20553",
    "99152",
]
codes = st.one_of(
    st.sampled_from(KNOWN_CODES),
    st.from_regex(r"[0-9]{5}|[A-Z][0-9]{4}|[0-9]{4}[FTU]|[A-Z0-9]{3,6}", fullmatch=True),
)
modifiers = st.lists(
    st.sampled_from(["50", "RT", "LT", "JW", "JZ", "25", "59", "XS", "26", "TC", "52"]), max_size=4
)
ndcs = st.one_of(
    st.none(),
    st.sampled_from(["00023-1145-01", "00023-3921-02", "15054-0500-01", "00259-1610-01", "72960-0112-01"]),
    st.from_regex(r"[0-9]{11}", fullmatch=True),
)
dates = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2032, 12, 31))
diagnoses = st.lists(
    st.one_of(
        st.sampled_from(
            ["G43.709", "G43.719", "G24.3", "G24.5", "G51.31", "K11.7", "G43.7", "G43.E09", "J38.3"]
        ),
        st.from_regex(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?|[A-Z0-9.]{1,8}", fullmatch=True),
    ),
    max_size=14,
)


@st.composite
def claims(draw: st.DrawFn) -> chemoden.Claim:
    lines = draw(
        st.lists(
            st.builds(
                chemoden.make_line,
                code=codes,
                units=st.integers(min_value=1, max_value=6000),
                modifiers=modifiers,
                diagnosis_pointers=st.lists(st.integers(min_value=-2, max_value=15), max_size=6),
                date_of_service=st.one_of(st.none(), dates),
                place_of_service=st.one_of(st.none(), st.sampled_from(["11", "19", "22", "24", "72"])),
                ndc=ndcs,
            ),
            min_size=1,
            max_size=8,
        )
    )
    return chemoden.Claim(
        id=draw(st.one_of(st.none(), st.text(max_size=8))),
        date_of_service=draw(dates),
        payer=draw(
            st.one_of(
                st.none(),
                st.sampled_from(
                    [
                        "L35170",
                        "L35172",
                        "01182",
                        "CA",
                        "L39909",
                        "X1",
                        "TX",
                        "FL",
                        "OH",
                        "GA",
                        "IL",
                        "L33458",
                    ]
                ),
            )
        ),
        place_of_service=draw(st.one_of(st.none(), st.sampled_from(["11", "19", "22", "24", "72"]))),
        diagnoses=draw(diagnoses),
        lines=lines,
        prior_authorization=draw(st.one_of(st.none(), st.just("A1B2C3D4E5F6G7H8"))),
        patient=draw(
            st.one_of(st.none(), st.builds(chemoden.Patient, birth_date=st.one_of(st.none(), dates)))
        ),
        prior_services=draw(
            st.lists(
                st.builds(chemoden.PriorService, date_of_service=dates, code=st.sampled_from(KNOWN_CODES)),
                max_size=3,
            )
        ),
    )


@settings(max_examples=300, deadline=None)
@given(claims())
def test_validate_never_raises(claim: chemoden.Claim) -> None:
    report = chemoden.validate(claim)
    assert all(finding.rule != RULE_FAILED for finding in report.findings), report.findings
    assert report.ok == all(f.severity is not chemoden.Severity.ERROR for f in report.findings)
    for finding in report.findings:
        assert all(1 <= number <= len(claim.lines) for number in finding.lines)
        assert finding.message
        assert finding.source
    json.dumps(report.to_dict())


@settings(max_examples=100, deadline=None)
@given(claims())
def test_validate_deterministic(claim: chemoden.Claim) -> None:
    first = chemoden.validate(claim)
    second = chemoden.validate(claim)
    fresh = chemoden.Validator().validate(claim)
    assert first == second == fresh


@settings(max_examples=200, deadline=None)
@given(claims())
def test_feature_gating_loses_nothing(claim: chemoden.Claim) -> None:
    gated = chemoden.Validator()
    ungated = chemoden.Validator()
    ungated._applicable = lambda rules, features: rules  # type: ignore[method-assign]
    assert gated.validate(claim) == ungated.validate(claim)
