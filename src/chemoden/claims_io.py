"""Read claims from the JSON claim file format and from dicts.

A claim file contains one claim object, a JSON array of claims, ``{"claims": [...]}``, or
JSON Lines (``.jsonl``, one claim per line). A claim that is malformed (a units value
of ``"two"``, a date that is not a date, a modifier of three characters) becomes a
`ClaimInputError` that names the file, the claim (its id, else its 1-based position),
the field path (``lines[2].units``, with 0-based list indexes as in JSON) and the
value; every problem of that claim is listed at once. The other claims of the file
are still read. A file that cannot be read or parsed at all raises `ClaimFileError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from chemoden.model import (
    Claim,
    Diagnosis,
    DrugLine,
    InvalidField,
    Patient,
    PriorService,
    Procedure,
    line_field_errors,
    make_line,
)

__all__ = [
    "ClaimFileError",
    "ClaimInputError",
    "InvalidClaimsError",
    "Problem",
    "claim_from_dict",
    "iter_claims",
    "load_claims",
    "parse_claim_document",
]


@attrs.frozen
class Problem:
    """One malformed field: its path in the claim, the value given and what is wrong."""

    path: str
    value: object
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason} (got {_quote(self.value)})"


def _quote(value: object) -> str:
    if value is _MISSING:
        return "nothing"
    text = json.dumps(value, default=str) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


class ClaimInputError(ValueError):
    """A claim that cannot be built from its input; lists every problem found.

    `file` is the path of the claim file (None for a dict), `claim` the claim's id or
    ``#N`` for its 1-based position, and `problems` the malformed fields.
    """

    def __init__(
        self,
        problems: Sequence[Problem],
        *,
        file: str | None,
        claim: str,
        guide: str = "docs/claim-format.md",
    ) -> None:
        self.problems = tuple(problems)
        self.file = file
        self.claim = claim
        self.guide = guide
        super().__init__(self.describe())

    @property
    def claim_id(self) -> str | None:
        """The claim's own id, or None when only its position is known."""
        return None if self.claim.startswith("#") else self.claim

    def describe(self) -> str:
        """Return a message that names the file, claim, each field and value, and the fix."""
        where = f"{self.file}: " if self.file else ""
        details = "; ".join(str(problem) for problem in self.problems)
        return (
            f"{where}claim {self.claim} is malformed: {details}. "
            f"Correct the claim file (see {self.guide}) and run again."
        )


class ClaimFileError(OSError):
    """A claim file that cannot be read or parsed as a whole."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


class InvalidClaimsError(ValueError):
    """Raised by `load_claims` when some claims of a file are malformed.

    `claims` contains the claims that were read, `errors` one `ClaimInputError` per
    malformed claim.
    """

    def __init__(self, claims: Sequence[Claim], errors: Sequence[ClaimInputError]) -> None:
        self.claims = tuple(claims)
        self.errors = tuple(errors)
        lines = "\n".join(error.describe() for error in errors)
        super().__init__(f"{len(errors)} malformed claim(s):\n{lines}")


class _Reader:
    """Collects problems while it reads one claim dict."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, value: object, reason: str) -> None:
        self.problems.append(Problem(path, value, reason))

    def string(self, data: Mapping[str, Any], key: str, path: str, *, required: bool) -> str | None:
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(path, _MISSING, "this field is required")
            return None
        if not isinstance(value, str):
            self.fail(path, value, "must be a string")
            return None
        return value

    def date(self, data: Mapping[str, Any], key: str, path: str, *, required: bool) -> dt.date | None:
        text = self.string(data, key, path, required=required)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            self.fail(path, text, "must be an ISO date such as 2026-03-10")
            return None

    def sequence(self, data: Mapping[str, Any], key: str, path: str, *, required: bool) -> list[Any]:
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(path, _MISSING, "this field is required")
            return []
        if not isinstance(value, list):
            self.fail(path, value, "must be a list")
            return []
        return value

    def field_error(self, prefix: str, error: InvalidField) -> None:
        self.fail(f"{prefix}{error.field}", error.value, error.reason)


def _whole_number(value: Any) -> Any:
    """Return a float with no fraction (``1.0``, as some exporters write) as an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_line(reader: _Reader, data: object, index: int) -> Procedure | DrugLine | None:
    prefix = f"lines[{index}]"
    if not isinstance(data, Mapping):
        reader.fail(prefix, data, "a line must be an object with code, units and diagnosis_pointers")
        return None
    before = len(reader.problems)
    _check_keys(reader, data, LINE_FIELDS, f"{prefix}.")
    code = reader.string(data, "code", f"{prefix}.code", required=True)
    units = _whole_number(data.get("units", _MISSING))
    if units is _MISSING:
        reader.fail(f"{prefix}.units", _MISSING, "this field is required")
    pointers = data.get("diagnosis_pointers", ())
    if pointers is None:
        pointers = ()
    if not isinstance(pointers, list | tuple):
        reader.fail(f"{prefix}.diagnosis_pointers", pointers, "must be a list of whole numbers")
    modifiers = data.get("modifiers", ())
    if modifiers is None:
        modifiers = ()
    if not isinstance(modifiers, list | tuple):
        reader.fail(f"{prefix}.modifiers", modifiers, "must be a list of two-character modifiers")
    line_date = reader.date(data, "date_of_service", f"{prefix}.date_of_service", required=False)
    pos = reader.string(data, "place_of_service", f"{prefix}.place_of_service", required=False)
    ndc = reader.string(data, "ndc", f"{prefix}.ndc", required=False)
    given = {
        "units": units,
        "modifiers": modifiers,
        "diagnosis_pointers": pointers,
        "place_of_service": pos,
        "ndc": ndc,
    }
    checked = {
        name: value
        for name, value in given.items()
        if value is not _MISSING
        and not any(p.path.startswith(f"{prefix}.{name}") for p in reader.problems[before:])
    }
    for error in line_field_errors(**checked):
        reader.field_error(f"{prefix}.", error)
    if len(reader.problems) > before or code is None:
        return None

    try:
        return make_line(
            code=code,
            units=units,
            modifiers=modifiers,
            diagnosis_pointers=pointers,
            date_of_service=line_date,
            place_of_service=pos,
            ndc=ndc,
        )
    except InvalidField as error:
        reader.field_error(f"{prefix}.", error)
        return None


def _read_prior_service(reader: _Reader, data: object, index: int) -> PriorService | None:
    prefix = f"prior_services[{index}]"
    if not isinstance(data, Mapping):
        reader.fail(prefix, data, "a prior service must be an object with date_of_service and code")
        return None
    before = len(reader.problems)
    _check_keys(reader, data, PRIOR_SERVICE_FIELDS, f"{prefix}.")
    day = reader.date(data, "date_of_service", f"{prefix}.date_of_service", required=True)
    code = reader.string(data, "code", f"{prefix}.code", required=True)
    units = _whole_number(data.get("units"))
    if units is not None and (isinstance(units, bool) or not isinstance(units, int) or units < 1):
        reader.fail(f"{prefix}.units", units, "must be a whole number of 1 or more")
    ndc = reader.string(data, "ndc", f"{prefix}.ndc", required=False)
    if len(reader.problems) > before or day is None or code is None:
        return None
    try:
        return PriorService(date_of_service=day, code=code, units=units, ndc=ndc)
    except InvalidField as error:
        reader.field_error(f"{prefix}.", error)
        return None


def _read_patient(reader: _Reader, data: object) -> Patient | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        reader.fail("patient", data, "must be an object with birth_date and sex")
        return None
    _check_keys(reader, data, PATIENT_FIELDS, "patient.")
    birth_date = reader.date(data, "birth_date", "patient.birth_date", required=False)
    sex = reader.string(data, "sex", "patient.sex", required=False)
    if sex is not None and sex.strip().upper() not in {"F", "M", "U"}:
        reader.fail("patient.sex", sex, "must be F, M or U")
        sex = None
    return Patient(birth_date=birth_date, sex=sex.strip().upper() if sex else None)


CLAIM_FIELDS = frozenset(
    {
        "id",
        "date_of_service",
        "payer",
        "place_of_service",
        "diagnoses",
        "lines",
        "prior_services",
        "patient",
        "prior_authorization",
    }
)
LINE_FIELDS = frozenset(
    {"code", "modifiers", "units", "diagnosis_pointers", "ndc", "date_of_service", "place_of_service"}
)
PRIOR_SERVICE_FIELDS = frozenset({"date_of_service", "code", "units", "ndc"})
PATIENT_FIELDS = frozenset({"birth_date", "sex"})


def _check_keys(reader: _Reader, data: Mapping[str, Any], known: frozenset[str], prefix: str) -> None:
    """Report keys that the claim file format does not define, with the nearest known key."""
    for key in data:
        if key in known:
            continue
        path = f"{prefix}{key}" if isinstance(key, str) else f"{prefix}{key!r}"
        close = difflib.get_close_matches(str(key).lower(), sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(sorted(known))}"
        reader.fail(path, _MISSING, f"is not a field of the claim file format{hint}")


def _claim_label(data: object, position: int | None) -> str:
    if isinstance(data, Mapping):
        claim_id = data.get("id")
        if isinstance(claim_id, str) and claim_id:
            return claim_id
    return f"#{position}" if position is not None else "#1"


def claim_from_dict(data: object, *, file: str | None = None, position: int | None = None) -> Claim:
    """Build a `Claim` from a dict in the claim file format.

    Raises `ClaimInputError` listing every malformed field, with its path and value.
    `file` and `position` (1-based) only serve the error message.
    """
    label = _claim_label(data, position)
    if not isinstance(data, Mapping):
        raise ClaimInputError(
            [Problem("(claim)", data, "a claim must be a JSON object")], file=file, claim=label
        )

    reader = _Reader()
    _check_keys(reader, data, CLAIM_FIELDS, "")
    claim_id = data.get("id")
    if claim_id is not None and not isinstance(claim_id, str):
        reader.fail("id", claim_id, "must be a string")
        claim_id = None
    claim_date = reader.date(data, "date_of_service", "date_of_service", required=False)
    payer = reader.string(data, "payer", "payer", required=False)
    pos = reader.string(data, "place_of_service", "place_of_service", required=False)
    authorization = reader.string(data, "prior_authorization", "prior_authorization", required=False)

    diagnoses: list[Diagnosis] = []
    raw_diagnoses = reader.sequence(data, "diagnoses", "diagnoses", required=True)
    if isinstance(data.get("diagnoses"), list) and not raw_diagnoses:
        reader.fail("diagnoses", [], "a claim needs at least one ICD-10-CM diagnosis")
    for index, code in enumerate(raw_diagnoses):
        if not isinstance(code, str) or not code.strip():
            reader.fail(f"diagnoses[{index}]", code, "an ICD-10-CM code must be a non-empty string")
            continue
        diagnoses.append(Diagnosis(code))

    raw_lines = reader.sequence(data, "lines", "lines", required=True)
    if "lines" in data and isinstance(data["lines"], list) and not raw_lines:
        reader.fail("lines", [], "a claim needs at least one service line")
    lines = [_read_line(reader, raw, index) for index, raw in enumerate(raw_lines)]

    priors = [
        _read_prior_service(reader, raw, index)
        for index, raw in enumerate(reader.sequence(data, "prior_services", "prior_services", required=False))
    ]
    patient = _read_patient(reader, data.get("patient"))

    if claim_date is None and "date_of_service" not in data:
        for index, raw in enumerate(raw_lines):
            if not isinstance(raw, Mapping) or raw.get("date_of_service") is None:
                reader.fail(
                    "date_of_service",
                    _MISSING,
                    f"required because lines[{index}] has no date_of_service of its own",
                )
                break

    if reader.problems:
        raise ClaimInputError(reader.problems, file=file, claim=label)

    try:
        return Claim(
            id=claim_id,
            date_of_service=claim_date,
            payer=payer,
            place_of_service=pos,
            diagnoses=tuple(diagnoses),
            lines=tuple(line for line in lines if line is not None),
            prior_services=tuple(prior for prior in priors if prior is not None),
            patient=patient,
            prior_authorization=authorization,
        )
    except InvalidField as error:
        raise ClaimInputError(
            [Problem(error.field, error.value, error.reason)], file=file, claim=label
        ) from None


def parse_claim_document(
    text: str, *, file: str, json_lines: bool | None = None
) -> Iterator[Claim | ClaimInputError]:
    """Yield each claim of a JSON or JSON Lines document, or its input error.

    Raises `ClaimFileError` when the document as a whole is not valid JSON or not in
    the claim file format. In JSON Lines, a line that is not valid JSON is an input
    error of that claim only.
    """
    if not text.strip():
        raise ClaimFileError(file, "is empty: it contains no claims")
    if json_lines is None:
        json_lines = file.endswith((".jsonl", ".ndjson"))
    if not json_lines:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            if error.msg != "Extra data":
                raise ClaimFileError(
                    file,
                    f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}; "
                    "fix the file or, for one claim per line, name it .jsonl",
                ) from None
            json_lines = True  # several JSON values, one per line: read it as JSON Lines
    if json_lines:
        position = 0
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            position += 1
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as error:
                reason = f"not valid JSON at column {error.colno}: {error.msg}"
                yield ClaimInputError(
                    [Problem(f"(line {number} of the file)", raw, reason)],
                    file=file,
                    claim=f"#{position}",
                )
                continue
            yield _build(data, file, position)
        if position == 0:
            raise ClaimFileError(file, "is empty: it contains no claims")
        return

    if isinstance(document, Mapping) and "claims" in document:
        items = document["claims"]
        if not isinstance(items, list):
            raise ClaimFileError(file, '"claims" must be a list of claim objects')
    elif isinstance(document, list):
        items = document
    elif isinstance(document, Mapping):
        items = [document]
    else:
        raise ClaimFileError(file, 'expected a claim object, a list of claims or {"claims": [...]}')
    if not items:
        raise ClaimFileError(file, "contains no claims")
    for position, data in enumerate(items, start=1):
        yield _build(data, file, position)


def _build(data: object, file: str, position: int) -> Claim | ClaimInputError:
    try:
        return claim_from_dict(data, file=file, position=position)
    except ClaimInputError as error:
        return error


def iter_claims(path: str | Path) -> Iterator[Claim | ClaimInputError]:
    """Yield each claim of a claim file in order, or the input error that replaced it.

    Detects the format from the content: X12 837P when the file starts with ``ISA``,
    JSON Lines for ``.jsonl`` files or for several JSON values one per line, JSON
    otherwise. The path ``-`` reads standard input. Raises `ClaimFileError` when the
    file cannot be read or parsed as a whole, or contains no claims.
    """
    name = str(path)
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(path).read_bytes()
    except OSError as error:
        raise ClaimFileError(name, f"cannot be read: {error.strerror or error}") from None
    if name == "-":
        name = "<stdin>"
    # An X12 file starts with ISA; one that starts with GS or ST lost its ISA header,
    # and the X12 reader says so rather than the JSON parser.
    head = raw.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:3] == b"ISA" or (head[:2] in (b"GS", b"ST") and not head[2:3].isalnum()):
        from chemoden.x12 import parse_837p

        yield from parse_837p(raw, file=name)
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClaimFileError(name, f"is not UTF-8 text (byte {error.start}); save it as UTF-8 JSON") from None
    yield from parse_claim_document(text, file=name)


def load_claims(path: str | Path) -> list[Claim]:
    """Read every claim of a claim file.

    Raises `InvalidClaimsError` when some claims are malformed; the error contains the claims
    that were read and one error per malformed claim. Raises `ClaimFileError` when
    the file cannot be read or parsed as a whole.
    """
    claims: list[Claim] = []
    errors: list[ClaimInputError] = []
    for item in iter_claims(path):
        if isinstance(item, ClaimInputError):
            errors.append(item)
        else:
            claims.append(item)
    if errors:
        raise InvalidClaimsError(claims, errors)
    return claims
