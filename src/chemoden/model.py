"""Domain objects of a professional claim for chemodenervation.

A claim for one date of service carries ICD-10-CM diagnoses and service lines. A line
contains a CPT or HCPCS Level II code, up to four modifiers, billing units, and 1-based
pointers to the claim's diagnoses. Procedure lines (CPT 64612, 64615, ...) and drug
lines (HCPCS J0585-J0589, with an NDC and the JW or JZ modifier) share that shape;
`make_line` picks the class from the code.

Codes are normalised once, here: procedure codes and modifiers upper case, ICD-10-CM
codes upper case with the dot, NDCs as 11 digits. The field names follow the CMS-1500
and X12 837P terms of the claim file format (docs/claim-format.md).

Validators raise `InvalidField` (a `ValueError`) with the field name and the value, so
that the claim reader can turn it into a path such as ``lines[2].units``. A claim that
is well formed but miscoded is not rejected here: that is `chemoden.validate`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, cast

import attrs

__all__ = [
    "Claim",
    "Diagnosis",
    "DrugLine",
    "InvalidField",
    "Line",
    "Patient",
    "PriorService",
    "Procedure",
    "format_ndc",
    "is_drug_code",
    "is_well_formed_icd10cm",
    "line_field_errors",
    "make_line",
    "normalize_icd10cm",
    "normalize_ndc",
]

_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_POS = re.compile(r"[0-9]{2}")
_DRUG_CODE = re.compile(r"J[0-9]{4}")
_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")
_MAX_MODIFIERS = 4


class InvalidField(ValueError):
    """A field of a claim, line or diagnosis contains a value that is not allowed.

    `field` is the attribute name (``units``, ``modifiers[1]``) and `value` the value as
    given, so that a reader can report the full path and quote the input.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {value!r})")


def _upper_code(value: object) -> object:
    if isinstance(value, str):
        return value.strip().upper()
    return value


def normalize_icd10cm(value: str) -> str:
    """Return an ICD-10-CM code in upper case with the dot after the third character.

    ``g43709`` and ``G43.709`` both give ``G43.709``. The result is not checked
    against any code table; a malformed code stays malformed.
    """
    code = value.strip().upper().replace(" ", "")
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def is_well_formed_icd10cm(code: str) -> bool:
    """Tell whether a normalised code has the ICD-10-CM shape: ``A00`` to ``A00.0000``.

    The shape is a letter, a digit and a letter or digit, then optionally a dot and one
    to four letters or digits. It does not tell whether the code exists.
    """
    return _ICD10CM.fullmatch(code) is not None


def normalize_ndc(value: str) -> str:
    """Return an NDC as 11 digits, or raise `InvalidField`.

    Accepts the 11-digit form with or without hyphens (5-4-2) and the 10-digit labeler
    forms 4-4-2, 5-3-2 and 5-4-1 with hyphens, which are padded with a leading zero in
    the short segment as the CMS 11-digit billing format requires.
    """
    text = value.strip()
    parts = text.split("-")
    if len(parts) == 1:
        if len(text) == 11 and text.isdigit():
            return text
        raise InvalidField("ndc", value, "an NDC must have 11 digits, as 5-4-2 with hyphens or plain")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise InvalidField("ndc", value, "an NDC must be digits in three hyphenated segments")
    widths = tuple(len(part) for part in parts)
    if widths == (5, 4, 2):
        return "".join(parts)
    if widths == (4, 4, 2):
        return "0" + "".join(parts)
    if widths == (5, 3, 2):
        return parts[0] + "0" + parts[1] + parts[2]
    if widths == (5, 4, 1):
        return parts[0] + parts[1] + "0" + parts[2]
    raise InvalidField("ndc", value, "an NDC must be 5-4-2 (or a 10-digit 4-4-2, 5-3-2 or 5-4-1 form)")


def format_ndc(ndc: str) -> str:
    """Format an 11-digit NDC as 5-4-2 with hyphens."""
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}"


def is_drug_code(code: str) -> bool:
    """Tell whether a HCPCS code is a drug code (J0000-J9999) that takes a drug line."""
    return _DRUG_CODE.fullmatch(code) is not None


def _check_code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidField(attribute.name, value, "a code must be a string")
    if not value:
        raise InvalidField(attribute.name, value, "a code must not be empty")


def _to_modifiers(value: object) -> object:
    if isinstance(value, str):
        raise InvalidField("modifiers", value, 'modifiers must be a list such as ["50"], not a string')
    if isinstance(value, Iterable):
        return tuple(item.strip().upper() if isinstance(item, str) else item for item in value)
    return value


def _check_modifiers(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidField("modifiers", value, "modifiers must be a list of two-character codes")
    if len(value) > _MAX_MODIFIERS:
        raise InvalidField("modifiers", list(value), "a line can have at most 4 modifiers")
    for index, modifier in enumerate(value):
        if not isinstance(modifier, str) or _MODIFIER.fullmatch(modifier) is None:
            raise InvalidField(
                f"modifiers[{index}]", modifier, "a modifier must be two letters or digits, such as 50 or JW"
            )


def _check_units(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidField("units", value, "units must be a whole number")
    if value < 1:
        raise InvalidField("units", value, "units must be 1 or more")


def _to_pointers(value: object) -> object:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


def _check_pointers(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidField("diagnosis_pointers", value, "diagnosis_pointers must be a list of whole numbers")
    for index, pointer in enumerate(value):
        if isinstance(pointer, bool) or not isinstance(pointer, int):
            raise InvalidField(
                f"diagnosis_pointers[{index}]", pointer, "a diagnosis pointer must be a whole number"
            )


def _check_optional_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise InvalidField(attribute.name, value, "a date of service must be a date")


def _check_pos(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or _POS.fullmatch(value) is None):
        raise InvalidField(
            attribute.name, value, "a place of service must be a two-digit CMS code such as 11"
        )


def _to_optional_ndc(value: object) -> object:
    if isinstance(value, str):
        return normalize_ndc(value)
    return value


def _check_optional_ndc(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidField("ndc", value, "an NDC must be a string")


@attrs.frozen
class Line:
    """A service line: a CPT or HCPCS code with its modifiers, units and pointers.

    `date_of_service` and `place_of_service` override the claim's when set.
    """

    code: str = attrs.field(converter=_upper_code, validator=_check_code)
    units: int = attrs.field(validator=_check_units)
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=_to_modifiers, validator=_check_modifiers)
    diagnosis_pointers: tuple[int, ...] = attrs.field(
        default=(), converter=_to_pointers, validator=_check_pointers
    )
    date_of_service: dt.date | None = attrs.field(default=None, validator=_check_optional_date)
    place_of_service: str | None = attrs.field(default=None, validator=_check_pos)
    ndc: str | None = attrs.field(default=None, converter=_to_optional_ndc, validator=_check_optional_ndc)

    def has_modifier(self, *modifiers: str) -> bool:
        """Tell whether the line carries any of the given modifiers."""
        return any(modifier in self.modifiers for modifier in modifiers)


@attrs.frozen
class Procedure(Line):
    """A procedure line: a CPT code (64612, 95874, 99213) or a non-drug HCPCS code."""


@attrs.frozen
class DrugLine(Line):
    """A drug line: a HCPCS J-code billed in its billing units, with an optional NDC."""


def line_field_errors(**fields: object) -> list[InvalidField]:
    """Check each given `Line` field on its own and return every problem found.

    Construction stops at the first invalid field; the claim reader uses this to
    report all of a line's problems at once.
    """
    errors: list[InvalidField] = []
    for attribute in attrs.fields(Line):
        if attribute.name not in fields:
            continue
        value = fields[attribute.name]
        try:
            if attribute.converter is not None:
                convert = cast(Callable[[object], object], attribute.converter)
                value = convert(value)
            if attribute.validator is not None:
                attribute.validator(None, attribute, value)
        except InvalidField as error:
            errors.append(error)
    return errors


def make_line(
    code: str,
    units: int,
    modifiers: Iterable[str] = (),
    diagnosis_pointers: Iterable[int] = (),
    date_of_service: dt.date | None = None,
    place_of_service: str | None = None,
    ndc: str | None = None,
) -> Procedure | DrugLine:
    """Build a `DrugLine` for a J-code and a `Procedure` for any other code."""
    normalized = _upper_code(code)
    cls: type[Procedure] | type[DrugLine] = (
        DrugLine if isinstance(normalized, str) and is_drug_code(normalized) else Procedure
    )
    return cls(
        code=code,
        units=units,
        modifiers=tuple(modifiers),
        diagnosis_pointers=tuple(diagnosis_pointers),
        date_of_service=date_of_service,
        place_of_service=place_of_service,
        ndc=ndc,
    )


def _to_icd10cm(value: object) -> object:
    if isinstance(value, str):
        return normalize_icd10cm(value)
    return value


def _check_icd_string(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidField("code", value, "an ICD-10-CM code must be a non-empty string")


@attrs.frozen
class Diagnosis:
    """An ICD-10-CM diagnosis code, normalised to upper case with the dot.

    Whether the code exists or is billable on the date of service is a finding of
    `validate`, not a construction error.
    """

    code: str = attrs.field(converter=_to_icd10cm, validator=_check_icd_string)


def _to_diagnoses(value: object) -> object:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(item if isinstance(item, Diagnosis) else Diagnosis(item) for item in value)
    return value


def _check_diagnoses(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidField("diagnoses", value, "diagnoses must be a list of ICD-10-CM codes")


def _to_lines(value: object) -> object:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


def _check_lines(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidField("lines", value, "lines must be a list of service lines")
    for index, line in enumerate(value):
        if not isinstance(line, Line):
            raise InvalidField(f"lines[{index}]", line, "a line must be a Procedure or a DrugLine")


@attrs.frozen
class PriorService:
    """An earlier service for the same patient, used by the frequency rules."""

    date_of_service: dt.date = attrs.field(validator=_check_optional_date)
    code: str = attrs.field(converter=_upper_code, validator=_check_code)
    units: int | None = None
    ndc: str | None = attrs.field(default=None, converter=_to_optional_ndc, validator=_check_optional_ndc)


@attrs.frozen
class Patient:
    """What the age and sex rules need of the patient."""

    birth_date: dt.date | None = attrs.field(default=None, validator=_check_optional_date)
    sex: str | None = None


def _strip_optional(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _to_prior_services(value: object) -> object:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


def _check_claim_date(instance: Claim, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_optional_date(instance, attribute, value)


@attrs.frozen
class Claim:
    """A professional claim: diagnoses in pointer order and service lines in claim order.

    `payer` names the coverage policy to apply: a policy id such as ``L35170``, a MAC
    contract number such as ``01182``, or a state code. Without it, only the coding
    rules run.
    """

    diagnoses: tuple[Diagnosis, ...] = attrs.field(converter=_to_diagnoses, validator=_check_diagnoses)
    lines: tuple[Procedure | DrugLine, ...] = attrs.field(converter=_to_lines, validator=_check_lines)
    date_of_service: dt.date | None = attrs.field(default=None, validator=_check_claim_date)
    id: str | None = None
    payer: str | None = attrs.field(default=None, converter=_strip_optional)
    place_of_service: str | None = attrs.field(default=None, validator=_check_pos)
    prior_services: tuple[PriorService, ...] = attrs.field(default=(), converter=_to_prior_services)
    patient: Patient | None = None
    prior_authorization: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise InvalidField("lines", [], "a claim needs at least one service line")
        if self.date_of_service is None:
            for index, line in enumerate(self.lines):
                if line.date_of_service is None:
                    raise InvalidField(
                        "date_of_service",
                        None,
                        f"the claim needs a date_of_service because line {index + 1} has none",
                    )

    def line_date(self, line: Line) -> dt.date:
        """Return the date of service of a line: its own, else the claim's."""
        if line.date_of_service is not None:
            return line.date_of_service
        assert self.date_of_service is not None  # enforced at construction
        return self.date_of_service

    def line_place_of_service(self, line: Line) -> str | None:
        """Return the place of service of a line: its own, else the claim's."""
        return line.place_of_service if line.place_of_service is not None else self.place_of_service
