"""Tests of the X12 837P reader: the sample interchange, separators, loops and bad EDI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import chemoden
from chemoden.claims_io import ClaimFileError, ClaimInputError, iter_claims
from chemoden.registry import Family
from chemoden.x12 import parse_837p

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_837 = FIXTURES / "x12" / "claims.837"
SAMPLE_JSON = FIXTURES / "samples" / "claims.json"
SAMPLE_IDS = ["S-01", "S-02", "S-04", "S-05", "S-07", "S-14"]
PAYER_ID = "01182"


def sample_text() -> str:
    return SAMPLE_837.read_text(encoding="ascii")


def json_claims(payer: str | None = None) -> list[dict[str, Any]]:
    """Return the JSON sample claims that the 837 sample also contains, with `payer` if given."""
    claims = json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))
    chosen = [claim for claim in claims if claim["id"] in SAMPLE_IDS]
    if payer is not None:
        for claim in chosen:
            claim["payer"] = payer
    return chosen


def read_all(path: Path) -> tuple[list[chemoden.Claim | ClaimInputError], ClaimFileError | None]:
    """Read every item of a file, and the file error raised after them, if any."""
    items: list[chemoden.Claim | ClaimInputError] = []
    try:
        for item in iter_claims(path):
            items.append(item)
    except ClaimFileError as error:
        return items, error
    return items, None


def write_837(tmp_path: Path, text: str, name: str = "claims.837") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return path


def recount(text: str) -> str:
    """Set SE01 to the number of segments from ST to SE, after a test added some."""
    segments = text.split("~\n")
    start = next(i for i, segment in enumerate(segments) if segment.startswith("ST*"))
    end = next(i for i, segment in enumerate(segments) if segment.startswith("SE*"))
    control = segments[end].split("*")[2]
    segments[end] = f"SE*{end - start + 1}*{control}"
    return "~\n".join(segments)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the sample"
    return text.replace(old, new)


def line_number_of(text: str, segment_start: str) -> int:
    """Return the 1-based line of the first segment starting with `segment_start`.

    The sample has one segment per line, so that is also the segment number.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(segment_start):
            return number
    raise AssertionError(f"no segment starts with {segment_start!r}")


def by_id(items: list[chemoden.Claim | ClaimInputError]) -> dict[str, chemoden.Claim | ClaimInputError]:
    result: dict[str, chemoden.Claim | ClaimInputError] = {}
    for item in items:
        key = item.claim if isinstance(item, ClaimInputError) else item.id
        assert key is not None
        result[key] = item
    return result


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chemoden", "validate", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


# -- the sample interchange ------------------------------------------------------------


def test_sample_claims_equal_json_claims() -> None:
    claims = list(iter_claims(SAMPLE_837))

    assert [claim.id for claim in claims if isinstance(claim, chemoden.Claim)] == SAMPLE_IDS
    patient = chemoden.Patient(birth_date=dt.date(1950, 1, 1), sex="F")
    for claim, data in zip(claims, json_claims(PAYER_ID), strict=True):
        expected = attrs.evolve(chemoden.claim_from_dict(data), patient=patient)
        assert claim == expected


def test_sample_payer_is_nm109() -> None:
    claims = [claim for claim in iter_claims(SAMPLE_837) if isinstance(claim, chemoden.Claim)]

    assert {claim.payer for claim in claims} == {PAYER_ID}


def test_cli_reports_match_json_reports(tmp_path: Path) -> None:
    json_file = tmp_path / "claims.json"
    json_file.write_text(json.dumps(json_claims(PAYER_ID)), encoding="utf-8")

    from_837 = run_cli("--format", "json", str(SAMPLE_837))
    from_json = run_cli("--format", "json", str(json_file))

    assert from_837.returncode == from_json.returncode
    assert from_837.returncode in (0, 1), from_837.stderr
    reports_837 = json.loads(from_837.stdout)
    reports_json = json.loads(from_json.stdout)
    assert {report.pop("file") for report in reports_837} == {str(SAMPLE_837)}
    assert {report.pop("file") for report in reports_json} == {str(json_file)}
    assert reports_837 == reports_json


def test_coding_findings_match_json_sample(tmp_path: Path) -> None:
    """The 837 carries payer 01182 and the JSON sample L35170: coding findings still agree."""
    json_file = tmp_path / "claims.json"
    json_file.write_text(json.dumps(json_claims()), encoding="utf-8")

    def coding_findings(path: Path) -> list[tuple[str | None, str, str, list[int], list[str]]]:
        result = run_cli("--format", "json", str(path))
        assert result.returncode in (0, 1), result.stderr
        findings = []
        for report in json.loads(result.stdout):
            for finding in report["findings"]:
                if chemoden.get_rule(finding["rule"]).family is Family.COVERAGE:
                    continue
                findings.append(
                    (report["id"], finding["rule"], finding["severity"], finding["lines"], finding["codes"])
                )
        return findings

    from_837 = coding_findings(SAMPLE_837)

    assert from_837 == coding_findings(json_file)
    assert {claim_id for claim_id, *_ in from_837} <= set(SAMPLE_IDS)


# -- separators and layout ---------------------------------------------------------------


def with_separators(text: str, element: str, component: str, terminator: str) -> str:
    """Rewrite the sample with other separators; the sample uses * : ~ and a newline."""
    isa, rest = text.split("~\n", 1)
    assert isa.count(":") == 1
    assert isa.endswith(":")
    body = rest.replace("*", element).replace(":", component).replace("~\n", terminator)
    isa = isa.replace("*", element)[:-1] + component
    return isa + terminator + body


@pytest.mark.parametrize(
    ("element", "component", "terminator"),
    [("|", ">", "~"), ("*", ":", "~\r\n"), ("^", "\\", "\n"), ("*", "}", "'")],
)
def test_separators_come_from_isa(tmp_path: Path, element: str, component: str, terminator: str) -> None:
    text = sample_text()
    if element == "^":
        text = text.replace("*^*00501", "*U*00501")  # ISA11 may not repeat a separator
    text = with_separators(text, element, component, terminator)

    claims = list(iter_claims(write_837(tmp_path, text)))

    assert claims == list(iter_claims(SAMPLE_837))


def test_leading_whitespace_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "claims.837"
    path.write_bytes(b"\xef\xbb\xbf\r\n" + SAMPLE_837.read_bytes())

    assert list(iter_claims(path)) == list(iter_claims(SAMPLE_837))


def test_parse_837p_takes_bytes() -> None:
    claims = list(parse_837p(SAMPLE_837.read_bytes(), file="upload.837"))

    assert len(claims) == len(SAMPLE_IDS)


# -- loops and fields -----------------------------------------------------------------------


def test_line_date_range_uses_first_day(tmp_path: Path) -> None:
    text = sample_text().replace(
        "SV1*HC:64616:50*100*UN*1***1~\nDTP*472*D8*20260407~",
        "SV1*HC:64616:50*100*UN*1***1~\nDTP*472*RD8*20260407-20260408~",
    )

    claim = by_id(list(iter_claims(write_837(tmp_path, text))))["S-04"]

    assert isinstance(claim, chemoden.Claim)
    assert claim.date_of_service == dt.date(2026, 4, 7)
    assert claim.lines[0].date_of_service is None


def test_line_keeps_its_own_date(tmp_path: Path) -> None:
    text = replace_once(
        sample_text(),
        "SV1*HC:95874*100*UN*1***1~\nDTP*472*D8*20260407~",
        "SV1*HC:95874*100*UN*1***1~\nDTP*472*D8*20260408~",
    )

    claim = by_id(list(iter_claims(write_837(tmp_path, text))))["S-04"]

    assert isinstance(claim, chemoden.Claim)
    assert claim.date_of_service == dt.date(2026, 4, 7)
    assert claim.lines[1].date_of_service == dt.date(2026, 4, 8)
    assert claim.lines[2].date_of_service is None


def test_claim_level_fields(tmp_path: Path) -> None:
    text = replace_once(
        sample_text(),
        "CLM*S-04*10200***11:B:1*Y*A*Y*Y~\nHI*ABK:G243~",
        "CLM*S-04*10200***22:B:1*Y*A*Y*Y~\nREF*G1*UTN0001~\nHI*ABK:G243*ABF:G43709~",
    )
    text = recount(replace_once(text, "SV1*HC:95874*100*UN*1***1~", "SV1*HC:95874*100*UN*1*11**1:2~"))

    claim = by_id(list(iter_claims(write_837(tmp_path, text))))["S-04"]

    assert isinstance(claim, chemoden.Claim)
    assert claim.place_of_service == "22"
    assert claim.prior_authorization == "UTN0001"
    assert [diagnosis.code for diagnosis in claim.diagnoses] == ["G24.3", "G43.709"]
    assert claim.lines[1].place_of_service == "11"
    assert claim.lines[1].diagnosis_pointers == (1, 2)


def test_modifiers_up_to_four(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "SV1*HC:95874*100", "SV1*HC:95874:59:XU:KX:GA:DESCRIPTION*100")

    claim = by_id(list(iter_claims(write_837(tmp_path, text))))["S-04"]

    assert isinstance(claim, chemoden.Claim)
    assert claim.lines[1].modifiers == ("59", "XU", "KX", "GA")


def test_other_payer_loops_are_not_the_claim_payer(tmp_path: Path) -> None:
    other_payer = (
        "SBR*S*18*******CI~\nNM1*IL*1*SAMPLE*SPOUSE****MI*X1~\n"
        "NM1*PR*2*OTHER PAYER*****PI*99999~\nREF*G1*OTHERAUTH~\n"
    )
    text = replace_once(
        sample_text(),
        "HI*ABK:G243~\nLX*1~\nSV1*HC:64616:50*100*UN*1***1~\nDTP*472*D8*20260407~",
        "HI*ABK:G243~\n" + other_payer + "LX*1~\nSV1*HC:64616:50*100*UN*1***1~\nDTP*472*D8*20260407~",
    )
    text = recount(text)

    claim = by_id(list(iter_claims(write_837(tmp_path, text))))["S-04"]

    assert isinstance(claim, chemoden.Claim)
    assert claim.payer == PAYER_ID
    assert claim.prior_authorization is None


def test_patient_loop_demographics(tmp_path: Path) -> None:
    patient_loop = (
        "HL*4*1*22*1~\nSBR*P*18*******MB~\nNM1*IL*1*SAMPLE*PATIENT3****MI*0EX3AM0PL00~\n"
        "NM1*PR*2*NORIDIAN JE PART B*****PI*01182~\nHL*5*4*23*0~\nPAT*19~\n"
        "NM1*QC*1*SAMPLE*CHILD~\nDMG*D8*20100515*M~\nCLM*S-04*"
    )
    text = sample_text()
    start = text.index("HL*4*1*22*0~")
    text = text[:start] + patient_loop + text[text.index("CLM*S-04*") + len("CLM*S-04*") :]
    text = recount(text)

    claims = by_id(list(iter_claims(write_837(tmp_path, text))))

    claim = claims["S-04"]
    assert isinstance(claim, chemoden.Claim)
    assert claim.patient == chemoden.Patient(birth_date=dt.date(2010, 5, 15), sex="M")
    assert claim.payer == PAYER_ID


# -- bad EDI --------------------------------------------------------------------------------


def assert_only_bad(
    items: list[chemoden.Claim | ClaimInputError], bad: set[str]
) -> dict[str, ClaimInputError]:
    """Check that exactly the `bad` claims are input errors and return them."""
    found = by_id(items)
    assert set(found) == set(SAMPLE_IDS)
    errors = {key: item for key, item in found.items() if isinstance(item, ClaimInputError)}
    assert set(errors) == bad
    return errors


def test_missing_isa_is_a_file_error(tmp_path: Path) -> None:
    text = sample_text().split("\n", 1)[1]
    path = write_837(tmp_path, text)

    with pytest.raises(ClaimFileError) as caught:
        list(iter_claims(path))

    message = str(caught.value)
    assert str(path) in message
    assert "segment 1 (GS*HC*SUB0001" in message
    assert "ISA" in message


def test_truncated_isa_is_a_file_error(tmp_path: Path) -> None:
    path = write_837(tmp_path, "ISA*00*          *00*      ")

    with pytest.raises(ClaimFileError, match=r"segment 1 \(ISA\*00.*truncated"):
        list(iter_claims(path))


def test_missing_iea_after_all_claims(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "IEA*1*000000101~\n", "")

    items, error = read_all(write_837(tmp_path, text))

    assert_only_bad(items, set())
    assert error is not None
    assert "no IEA trailer" in str(error)
    assert "segment 1" in str(error)
    assert f"segment {line_number_of(text, 'GE*')} (GE*1*101)" in str(error)


def test_truncated_file_cuts_last_claim(tmp_path: Path) -> None:
    text = sample_text()
    text = text[: text.index("LIN**N4*00259161001") + len("LIN**N4*002")]

    items, error = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-14"})
    message = errors["S-14"].describe()
    number = line_number_of(sample_text(), "LIN**N4*00259161001")
    assert f"segment {number}: the file ends inside this claim" in message
    assert '(got "LIN**N4*002")' in message
    assert "truncated" in message
    assert error is not None
    assert "no segment terminator" in str(error)
    assert "no SE trailer" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "claim", "segment_start", "element"),
    [
        ("CLM*S-02*20100***11:B:1*Y*A*Y*Y~", "CLM*S-02*20100***11:B:1~", "S-02", "CLM*S-02", ""),
        ("SV1*HC:J0586:JZ*10000*UN*100***1~", "SV1*HC:J0586:JZ*10000*UN*100~", "S-04", "SV1*HC:J0586", ""),
        (
            "SV1*HC:J0586:JZ*10000*UN*100***1~",
            "SV1*HC:J0586:JZ*10000*UN*100***1" + "*X" * 15 + "~",
            "S-04",
            "SV1*HC:J0586",
            "",
        ),
        ("LIN**N4*15054050001~", "LIN**N4*15054050001*EXTRA~", "S-04", "LIN**N4*15054", ""),
    ],
    ids=["clm-too-few", "sv1-too-few", "sv1-too-many", "lin-too-many"],
)
def test_wrong_element_count(
    tmp_path: Path, old: str, new: str, claim: str, segment_start: str, element: str
) -> None:
    text = replace_once(sample_text(), old, new)

    items, error = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {claim})
    message = errors[claim].describe()
    number = line_number_of(text, segment_start)
    assert f"segment {number}: " in message
    assert f'(got "{segment_start}' in message
    assert "element(s) but the 837P implementation guide gives it" in message
    assert error is None


@pytest.mark.parametrize(
    ("old", "new", "claim", "element"),
    [
        (
            "HI*ABK:G243~\nLX*1~\nSV1*HC:64616:50*100*UN*1***1~\nDTP*472*D8*20260407~",
            "HI*BK:3331~\nLX*1~\nSV1*HC:64616:50*100*UN*1***1~\nDTP*472*D8*20260407~",
            "S-04",
            "HI01-1",
        ),
        ("HI*ABK:K117~", "HI*ABK:K117*ZZZ:G243~", "S-14", "HI02-1"),
        ("SV1*HC:J0587:JZ*500000*UN*5000***1~", "SV1*XX:J0587:JZ*500000*UN*5000***1~", "S-05", "SV101-1"),
        ("SV1*HC:J0587:JZ*500000*UN*5000***1~", "SV1*HC:J0587:JZ*500000*MJ*5000***1~", "S-05", "SV103"),
        ("LIN**N4*15054050001~", "LIN**EN*15054050001~", "S-04", "LIN02"),
        ("CTP****1*UN~\nHL*7", "CTP****1*XX~\nHL*7", "S-07", "CTP05-1"),
        (
            "SV1*HC:64611*100*UN*1***1~\nDTP*472*D8*20260616~",
            "SV1*HC:64611*100*UN*1***1~\nDTP*472*DT*202606161200~",
            "S-14",
            "DTP02",
        ),
        ("CLM*S-05*500100***11:B:1*Y*A*Y*Y~", "CLM*S-05*500100***11:A:1*Y*A*Y*Y~", "S-05", "CLM05-2"),
    ],
    ids=["icd9", "hi-qualifier", "sv101", "sv103", "lin02", "ctp05", "dtp02", "clm05"],
)
def test_unknown_qualifier(tmp_path: Path, old: str, new: str, claim: str, element: str) -> None:
    text = replace_once(sample_text(), old, new)
    changed = next(line for line in new.split("~\n") if line not in old.split("~\n"))

    items, error = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {claim})
    message = errors[claim].describe()
    number = line_number_of(text, changed.rstrip("~"))
    assert f"segment {number} ({changed.rstrip('~')}) {element}:" in message
    assert error is None


def test_unknown_payer_qualifier_fails_its_claims(tmp_path: Path) -> None:
    text = sample_text()
    start = text.index("HL*4*1*22*0~")
    end = text.index("HL*5*1*22*0~")
    block = text[start:end].replace("*PI*01182~", "*ZZ*01182~")
    text = text[:start] + block + text[end:]

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-04"})
    assert "NM108" in errors["S-04"].describe()
    assert "unknown payer id qualifier" in errors["S-04"].describe()


def test_non_ascii_byte_names_segment(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "NM1*IL*1*SAMPLE*PATIENT3", "NM1*IL*1*SAMPL\xc9*PATIENT3")

    items, error = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-04"})
    message = errors["S-04"].describe()
    number = line_number_of(sample_text(), "NM1*IL*1*SAMPLE*PATIENT3")
    assert f"segment {number}: byte 0xC9 at column 15 is not ASCII" in message
    assert '(got "NM1*IL*1*SAMPL?*PATIENT3' in message
    assert error is None


def test_non_ascii_in_header_fails_every_claim(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "EXAMPLE NEUROLOGY GROUP*****46", "EXAMPLE NEUROLOG\xdc GROUP*****46")

    items, error = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, set(SAMPLE_IDS))
    for item in errors.values():
        assert "segment 5: byte 0xDC at column 26 is not ASCII" in item.describe()
    assert error is None


def test_units_not_a_number(tmp_path: Path) -> None:
    text = replace_once(
        sample_text(), "SV1*HC:J0588:JZ*10000*UN*100***1~", "SV1*HC:J0588:JZ*10000*UN*TWO***1~"
    )

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-14"})
    problem = errors["S-14"].problems[0]
    assert problem.path.endswith("(SV1*HC:J0588:JZ*10000*UN*TWO***1) SV104")
    assert problem.value == "TWO"


def test_bad_ndc_names_lin03(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "LIN**N4*00259161001~", "LIN**N4*0025916100~")

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-14"})
    problem = errors["S-14"].problems[0]
    assert problem.path.endswith("(LIN**N4*0025916100) LIN03")


def test_diagnosis_with_dot_is_rejected(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "HI*ABK:K117~", "HI*ABK:K11.7~")

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-14"})
    assert "without the decimal point" in errors["S-14"].describe()


def test_lx_out_of_order(tmp_path: Path) -> None:
    text = replace_once(
        sample_text(),
        "LX*2~\nSV1*HC:J0588:JZ",
        "LX*3~\nSV1*HC:J0588:JZ",
    )

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-14"})
    problem = errors["S-14"].problems[0]
    assert problem.path.endswith("(LX*3) LX01")
    assert "numbered 1, 2, 3" in problem.reason


def test_line_without_date(tmp_path: Path) -> None:
    text = replace_once(
        sample_text(),
        "SV1*HC:64611*100*UN*1***1~\nDTP*472*D8*20260616~",
        "SV1*HC:64611*100*UN*1***1~",
    )

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-14"})
    assert "no DTP*472 date of service" in errors["S-14"].describe()


def test_se_count_mismatch(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "SE*125*0001~", "SE*124*0001~")

    items, error = read_all(write_837(tmp_path, text))

    assert_only_bad(items, set())
    assert error is not None
    assert "SE01 says '124' segments but the transaction set holds 125" in str(error)


def test_837i_is_rejected(tmp_path: Path) -> None:
    text = sample_text().replace("005010X222A1", "005010X223A2")

    with pytest.raises(ClaimFileError, match=r"segment 2 \(GS\*HC.*not the 837P 5010"):
        list(iter_claims(write_837(tmp_path, text)))


def test_cli_reports_claims_of_truncated_file(tmp_path: Path) -> None:
    text = sample_text()
    path = write_837(tmp_path, text[: text.index("SE*125")])

    result = run_cli("--format", "json", str(path))

    assert result.returncode == 2
    reports = json.loads(result.stdout)
    assert [report["id"] for report in reports] == [*SAMPLE_IDS, None]
    assert reports[-2]["findings"][0]["rule"] == "invalid-claim-input"
    assert reports[-1]["findings"][0]["rule"] == "invalid-claim-file"
    assert reports[-1]["file"] == str(path)
    assert "no SE trailer" in result.stderr


def test_garbage_segment_id(tmp_path: Path) -> None:
    text = replace_once(sample_text(), "LIN**N4*15054050001~", "lin**N4*15054050001~")

    items, _ = read_all(write_837(tmp_path, text))

    errors = assert_only_bad(items, {"S-04"})
    assert "segment id must be two or three upper-case" in errors["S-04"].describe()
