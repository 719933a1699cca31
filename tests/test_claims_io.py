"""Reading claims: normalisation, malformed input with paths, batches that go on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import chemoden
from chemoden import ClaimFileError, ClaimInputError, InvalidClaimsError, claim_from_dict
from chemoden.claims_io import iter_claims

GOOD: dict[str, Any] = {
    "id": "C-1",
    "date_of_service": "2026-03-10",
    "payer": " L35170 ",
    "place_of_service": "11",
    "diagnoses": ["g43709"],
    "lines": [
        {"code": "64615", "modifiers": [], "units": 1, "diagnosis_pointers": [1]},
        {"code": "j0585", "modifiers": ["jw"], "units": 45, "diagnosis_pointers": [1], "ndc": "00023392102"},
    ],
    "prior_services": [{"date_of_service": "2025-12-01", "code": "64615"}],
    "patient": {"birth_date": "1950-01-01", "sex": "f"},
}


def test_claim_normalised_once() -> None:
    claim = claim_from_dict(GOOD)
    assert claim.diagnoses[0].code == "G43.709"
    assert claim.payer == "L35170"
    assert isinstance(claim.lines[0], chemoden.Procedure)
    assert isinstance(claim.lines[1], chemoden.DrugLine)
    assert claim.lines[1].code == "J0585"
    assert claim.lines[1].modifiers == ("JW",)
    assert claim.lines[1].ndc == "00023392102"
    assert claim.prior_services[0].date_of_service == dt.date(2025, 12, 1)
    assert claim.patient is not None
    assert claim.patient.sex == "F"


def test_ndc_forms_normalised() -> None:
    for given in ("00023-3921-02", "0023-3921-02", "00023392102"):
        line = chemoden.make_line("J0585", 1, ndc=given)
        assert line.ndc == "00023392102"
    assert chemoden.make_line("J0585", 1, ndc="12345-678-90").ndc == "12345067890"
    assert chemoden.make_line("J0585", 1, ndc="12345-6789-1").ndc == "12345678901"


def _problems(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ClaimInputError) as caught:
        claim_from_dict(data, file="claims.json", position=3)
    return {problem.path: problem.value for problem in caught.value.problems}


def _with_line(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(GOOD))
    data["lines"][1].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "path", "value"),
    [
        ({"units": "two"}, "lines[1].units", "two"),
        ({"units": 0}, "lines[1].units", 0),
        ({"units": -3}, "lines[1].units", -3),
        ({"units": 1.5}, "lines[1].units", 1.5),
        ({"units": True}, "lines[1].units", True),
        ({"modifiers": ["JWX"]}, "lines[1].modifiers[0]", "JWX"),
        ({"modifiers": "JW"}, "lines[1].modifiers", "JW"),
        ({"modifiers": ["25", "59", "XS", "RT", "LT"]}, "lines[1].modifiers", ["25", "59", "XS", "RT", "LT"]),
        ({"diagnosis_pointers": ["1"]}, "lines[1].diagnosis_pointers[0]", "1"),
        ({"ndc": "0023-3921"}, "lines[1].ndc", "0023-3921"),
        ({"code": 64615}, "lines[1].code", 64615),
        ({"date_of_service": "2026-13-01"}, "lines[1].date_of_service", "2026-13-01"),
        ({"place_of_service": "office"}, "lines[1].place_of_service", "office"),
    ],
)
def test_malformed_line_field_named(changes: dict[str, Any], path: str, value: object) -> None:
    problems = _problems(_with_line(**changes))
    assert path in problems
    assert problems[path] == value


def test_error_names_file_claim_field_value() -> None:
    with pytest.raises(ClaimInputError) as caught:
        claim_from_dict(_with_line(units="two"), file="claims.json", position=3)
    message = str(caught.value)
    assert "claims.json" in message
    assert "C-1" in message
    assert "lines[1].units" in message
    assert '"two"' in message


def test_every_problem_listed_at_once() -> None:
    data = _with_line(units=0, modifiers=["ABC"])
    data["date_of_service"] = "10/03/2026"
    problems = _problems(data)
    assert set(problems) == {"lines[1].units", "lines[1].modifiers[0]", "date_of_service"}


def test_missing_required_fields() -> None:
    problems = _problems({"id": "C-2", "lines": [{"code": "64615"}]})
    assert "diagnoses" in problems
    assert "lines[0].units" in problems
    assert "date_of_service" in problems


def test_claim_without_id_named_by_position() -> None:
    data = _with_line(units=0)
    del data["id"]
    with pytest.raises(ClaimInputError) as caught:
        claim_from_dict(data, file="x.json", position=7)
    assert caught.value.claim == "#7"


def test_line_date_replaces_claim_date() -> None:
    data = json.loads(json.dumps(GOOD))
    del data["date_of_service"]
    for entry in data["lines"]:
        entry["date_of_service"] = "2026-04-01"
    claim = claim_from_dict(data)
    assert claim.line_date(claim.lines[0]) == dt.date(2026, 4, 1)


def test_empty_lines_rejected() -> None:
    problems = _problems({**GOOD, "lines": []})
    assert "lines" in problems


def test_batch_keeps_good_claims(tmp_path: Path) -> None:
    bad = _with_line(units="two")
    bad["id"] = "C-BAD"
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"claims": [GOOD, bad, {**GOOD, "id": "C-3"}]}))
    items = list(iter_claims(path))
    assert [type(item).__name__ for item in items] == ["Claim", "ClaimInputError", "Claim"]
    with pytest.raises(InvalidClaimsError) as caught:
        chemoden.load_claims(path)
    assert [claim.id for claim in caught.value.claims] == ["C-1", "C-3"]
    assert caught.value.errors[0].claim == "C-BAD"


def test_json_lines_bad_line_is_one_claim(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{not json\n\n" + json.dumps({**GOOD, "id": "C-9"}) + "\n")
    items = list(iter_claims(path))
    assert len(items) == 3
    assert isinstance(items[1], ClaimInputError)
    assert items[1].claim == "#2"
    assert isinstance(items[2], chemoden.Claim)


def test_single_object_and_array(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(GOOD))
    many = tmp_path / "many.json"
    many.write_text(json.dumps([GOOD, GOOD]))
    assert len(chemoden.load_claims(one)) == 1
    assert len(chemoden.load_claims(many)) == 2


def test_broken_json_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"claims": [')
    with pytest.raises(ClaimFileError) as caught:
        list(iter_claims(path))
    assert "broken.json" in str(caught.value)
    assert "line 1" in str(caught.value)


def test_missing_file_names_file(tmp_path: Path) -> None:
    with pytest.raises(ClaimFileError) as caught:
        list(iter_claims(tmp_path / "absent.json"))
    assert "absent.json" in str(caught.value)


def test_direct_construction_validates() -> None:
    with pytest.raises(chemoden.InvalidField) as caught:
        chemoden.Procedure(code="64615", units=0)
    assert caught.value.field == "units"
    with pytest.raises(chemoden.InvalidField):
        chemoden.Claim(diagnoses=["G24.3"], lines=[chemoden.Procedure(code="64616", units=1)])


def test_unknown_field_rejected_with_hint() -> None:
    data = _with_line()
    data["lines"][0]["modifier"] = ["50"]
    data["dateOfService"] = "2026-03-10"
    problems = _problems(data)
    assert "lines[0].modifier" in problems
    assert "dateOfService" in problems
    with pytest.raises(ClaimInputError) as caught:
        claim_from_dict(data)
    assert "did you mean 'modifiers'?" in str(caught.value)


def test_empty_diagnoses_rejected() -> None:
    problems = _problems({**GOOD, "diagnoses": []})
    assert "diagnoses" in problems


def test_integral_float_units_accepted() -> None:
    claim = claim_from_dict(_with_line(units=45.0))
    assert claim.lines[1].units == 45
    assert "lines[1].units" in _problems(_with_line(units=45.5))


@pytest.mark.parametrize(
    ("name", "text"),
    [("empty.json", ""), ("blank.jsonl", "\n\n"), ("none.json", "[]"), ("none2.json", '{"claims": []}')],
)
def test_file_without_claims_rejected(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ClaimFileError, match="no claims"):
        list(iter_claims(path))


def test_json_values_one_per_line_read_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "C-2"}) + "\n")
    assert [claim.id for claim in chemoden.load_claims(path)] == ["C-1", "C-2"]
