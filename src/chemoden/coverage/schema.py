"""Read a payer policy from TOML: the bundled policies and the users' own.

The schema is described in docs/coverage.md. A file contains one policy: its id, title and
jurisdiction, and one or more ``[[versions]]``, each with its coverage ``[[groups]]``.
Every key is checked; an unknown key, a missing one or a value of the wrong type raises
`PolicySchemaError`, which names the file, the key path (``versions[0].groups[2].drug_codes``)
and the value, so that a typo never turns off a check silently.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chemoden.coverage.model import (
    ArticleRef,
    CoverageGroup,
    DiagnosisBasis,
    DiagnosisList,
    DiagnosisMapping,
    DoseLimit,
    Exclusion,
    Jurisdiction,
    PayerPolicy,
    PolicyVersion,
    PriorAuthorization,
    ProcedureList,
    SameDayRule,
    SecondaryDiagnosisRule,
)
from chemoden.reference.facts import Confidence

__all__ = [
    "NO_VALUE",
    "SCHEMA_VERSION",
    "PolicySchemaError",
    "load_policy",
    "policy_from_mapping",
    "policy_from_text",
]

SCHEMA_VERSION = 1
"""The `schema` value that this chemoden reads."""

_MISSING = object()
NO_VALUE: Any = object()
"""The `PolicySchemaError` value of an error that concerns no single value (TOML syntax)."""

_TOML_POSITION = re.compile(
    r"^(?P<detail>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$"
)


class PolicySchemaError(ValueError):
    """A policy file breaks the schema: names the file, the key path and the value.

    For a TOML syntax error, `key` is the position (``line 3, column 7``) and `value`
    is `NO_VALUE`, so the message shows no value.
    """

    def __init__(self, file: str, key: str, value: object, reason: str) -> None:
        self.file = file
        self.key = key
        self.value = value
        self.reason = reason
        if value is NO_VALUE:
            super().__init__(f"{file}: {key}: {reason}")
            return
        shown = "missing" if value is _MISSING else repr(value)
        super().__init__(f"{file}: {key}: {reason} (got {shown})")


class _Table:
    """One TOML table being read, with its key path for error messages."""

    def __init__(self, data: object, path: str, file: str) -> None:
        if not isinstance(data, Mapping):
            raise PolicySchemaError(file, path or "(top level)", data, "must be a table")
        self.data: Mapping[str, Any] = data
        self.path = path
        self.file = file
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, value: object, reason: str) -> PolicySchemaError:
        return PolicySchemaError(self.file, self.key(name), value, reason)

    def raw(self, name: str, required: bool) -> object:
        self.used.add(name)
        if name not in self.data:
            if required:
                raise self.error(name, _MISSING, "is required")
            return _MISSING
        return self.data[name]

    def text(self, name: str, default: str | None = None) -> str:
        value = self.raw(name, default is None)
        if value is _MISSING:
            assert default is not None
            return default
        if not isinstance(value, str):
            raise self.error(name, value, "must be a string")
        return value.strip()

    def optional_text(self, name: str) -> str | None:
        value = self.raw(name, False)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            raise self.error(name, value, "must be a string")
        return value.strip() or None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            raise self.error(name, value, "must be true or false")
        return value

    def integer(self, name: str) -> int | None:
        value = self.raw(name, False)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(name, value, "must be a whole number of 0 or more")
        return value

    def number(self, name: str) -> float | None:
        value = self.raw(name, False)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.error(name, value, "must be a number of 0 or more")
        return float(value)

    def date(self, name: str, required: bool) -> dt.date | None:
        value = self.raw(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(name, value, "must be a date such as 2026-02-22")

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.raw(name, False)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, value, "must be a list of strings")
        return tuple(item.strip() for item in value)

    def codes(self, name: str) -> tuple[str, ...]:
        return tuple(code.upper() for code in self.strings(name) if code)

    def confidence(self, name: str, default: Confidence | None = None) -> Confidence:
        value = self.raw(name, default is None)
        if value is _MISSING:
            assert default is not None
            return default
        try:
            return Confidence(value)
        except ValueError:
            allowed = ", ".join(repr(mark.value) for mark in Confidence)
            raise self.error(name, value, f"must be one of {allowed}") from None

    def table(self, name: str, required: bool = False) -> _Table | None:
        value = self.raw(name, required)
        if value is _MISSING:
            return None
        return _Table(value, self.key(name), self.file)

    def tables(self, name: str) -> list[_Table]:
        value = self.raw(name, False)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            raise self.error(name, value, "must be an array of tables ([[...]])")
        return [_Table(item, f"{self.key(name)}[{index}]", self.file) for index, item in enumerate(value)]

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], self.data[unknown[0]], "is not a key of the policy schema")


def _diagnosis_mapping(table: _Table) -> DiagnosisMapping:
    codes = table.codes("codes")
    if not codes:
        raise table.error("codes", list(codes), "must list at least one ICD-10-CM code or prefix")
    basis_text = table.text("basis")
    try:
        basis = DiagnosisBasis(basis_text)
    except ValueError:
        raise table.error("basis", basis_text, "must be 'article' or 'lcd-text'") from None
    mapping = DiagnosisMapping(
        codes=codes,
        basis=basis,
        confidence=table.confidence("confidence"),
        source=table.text("source"),
        unambiguous=table.boolean("unambiguous", False),
        reason=table.text("reason", ""),
    )
    table.finish()
    return mapping


def _dose_limit(table: _Table) -> DoseLimit:
    limit = DoseLimit(
        drug=table.text("drug").upper(),
        confidence=table.confidence("confidence"),
        source=table.text("source"),
        initial=table.number("initial"),
        subsequent=table.number("subsequent"),
        maximum=table.number("maximum"),
        note=table.text("note", ""),
    )
    table.finish()
    return limit


def _secondary(table: _Table) -> SecondaryDiagnosisRule:
    rule = SecondaryDiagnosisRule(
        confidence=table.confidence("confidence"),
        source=table.text("source"),
        applies_to=table.codes("applies_to"),
        required=table.codes("required"),
        exempt=table.codes("exempt"),
        note=table.text("note", ""),
    )
    table.finish()
    return rule


def _exclusion(table: _Table) -> Exclusion:
    exclusion = Exclusion(
        description=table.text("description"),
        confidence=table.confidence("confidence"),
        source=table.text("source"),
        codes=table.codes("codes"),
    )
    table.finish()
    return exclusion


def _interval_by_drug(table: _Table) -> dict[str, int]:
    sub = table.table("interval_by_drug")
    if sub is None:
        return {}
    intervals: dict[str, int] = {}
    for drug in list(sub.data):
        days = sub.integer(drug)
        assert days is not None
        intervals[drug.upper()] = days
    sub.finish()
    return intervals


def _group(table: _Table) -> CoverageGroup:
    list_text = table.text("diagnosis_list")
    try:
        diagnosis_list = DiagnosisList(list_text)
    except ValueError:
        raise table.error("diagnosis_list", list_text, "must be 'complete', 'derived' or 'partial'") from None
    drug_value = table.raw("drug_codes", False)
    drug_codes = None if drug_value is _MISSING else table.codes("drug_codes")
    group = CoverageGroup(
        key=table.text("key"),
        indication=table.text("indication"),
        diagnoses=[_diagnosis_mapping(item) for item in table.tables("diagnoses")],
        diagnosis_list=diagnosis_list,
        procedure_codes=table.codes("procedure_codes"),
        all_procedures=table.boolean("all_procedures", False),
        procedure_basis=table.text("procedure_basis", ""),
        drug_codes=drug_codes,
        drug_confidence=table.confidence("drug_confidence", Confidence.CONFIRMED),
        drug_source=table.text("drug_source", ""),
        dose_limits=[_dose_limit(item) for item in table.tables("dose_limits")],
        min_interval_days=table.integer("min_interval_days"),
        interval_by_drug=_interval_by_drug(table),
        interval_confidence=table.confidence("interval_confidence", Confidence.CONFIRMED),
        interval_source=table.text("interval_source", ""),
        interval_note=table.text("interval_note", ""),
        secondary_diagnoses=[_secondary(item) for item in table.tables("secondary_diagnoses")],
        exclusions=[_exclusion(item) for item in table.tables("exclusions")],
        no_bilateral_same_session=table.boolean("no_bilateral_same_session", False),
        bilateral_source=table.text("bilateral_source", ""),
        notes=table.strings("notes"),
    )
    if not group.procedure_codes and not group.all_procedures:
        raise table.error(
            "procedure_codes", [], "must list the group's procedure codes, or set all_procedures = true"
        )
    table.finish()
    return group


def _same_day(table: _Table) -> SameDayRule:
    severity = table.text("severity")
    if severity not in ("error", "warning"):
        raise table.error("severity", severity, "must be 'error' or 'warning'")
    rule = SameDayRule(
        reason=table.text("reason"),
        severity=severity,
        confidence=table.confidence("confidence"),
        source=table.text("source"),
        kinds=table.strings("kinds"),
        codes=table.codes("codes"),
        groups=table.strings("groups"),
    )
    if not rule.kinds and not rule.codes:
        raise table.error("kinds", [], "must name procedure kinds or codes (or both)")
    table.finish()
    return rule


def _prior_authorization(table: _Table) -> PriorAuthorization:
    valid_from = table.date("valid_from", True)
    assert valid_from is not None
    program = PriorAuthorization(
        name=table.text("name", "prior authorization"),
        places_of_service=table.strings("places_of_service"),
        procedure_codes=table.codes("procedure_codes"),
        drug_codes=table.codes("drug_codes"),
        valid_from=valid_from,
        confidence=table.confidence("confidence"),
        source=table.text("source"),
    )
    table.finish()
    return program


def _article(table: _Table) -> ArticleRef:
    article = ArticleRef(
        id=table.text("id").upper(),
        title=table.text("title", ""),
        revision=table.text("revision", ""),
        confidence=table.confidence("confidence", Confidence.CONFIRMED),
        source=table.text("source", ""),
    )
    table.finish()
    return article


def _procedure_list(table: _Table | None) -> ProcedureList:
    if table is None:
        return ProcedureList()
    listed = ProcedureList(
        codes=table.codes("codes"),
        complete=table.boolean("complete", False),
        source=table.text("source", ""),
    )
    table.finish()
    return listed


def _version(table: _Table, policy_id: str, policy_title: str) -> PolicyVersion:
    valid_from = table.date("valid_from", True)
    assert valid_from is not None
    valid_to = table.date("valid_to", False)
    if valid_to is not None and valid_to < valid_from:
        raise table.error("valid_to", valid_to.isoformat(), "must not be before valid_from")
    sources = table.strings("sources")
    if not sources:
        raise table.error("sources", [], "must name at least one source")
    article_table = table.table("article")
    groups = [_group(item) for item in table.tables("groups")]
    keys = [group.key for group in groups]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise PolicySchemaError(
                table.file, f"{table.key('groups')}[{index}].key", key, "is used by two groups"
            )
    same_day = [_same_day(item) for item in table.tables("same_day")]
    for index, rule in enumerate(same_day):
        unknown = sorted(rule.groups - set(keys))
        if unknown:
            raise PolicySchemaError(
                table.file,
                f"{table.key('same_day')}[{index}].groups",
                unknown[0],
                "names no group of this version",
            )
    prior_table = table.table("prior_authorization")
    version = PolicyVersion(
        policy_id=policy_id,
        version=table.text("version"),
        title=table.text("title", policy_title),
        valid_from=valid_from,
        valid_to=valid_to,
        sources=sources,
        dates_confidence=table.confidence("dates_confidence", Confidence.CONFIRMED),
        dates_note=table.text("dates_note", ""),
        article=_article(article_table) if article_table is not None else None,
        procedure_list=_procedure_list(table.table("procedure_list")),
        default_min_interval_days=table.integer("default_min_interval_days"),
        default_interval_source=table.text("default_interval_source", ""),
        groups=groups,
        same_day=same_day,
        cosmetic_diagnoses=[_diagnosis_mapping(item) for item in table.tables("cosmetic_diagnoses")],
        prior_authorization=_prior_authorization(prior_table) if prior_table is not None else None,
        notes=table.strings("notes"),
    )
    table.finish()
    return version


def _jurisdiction(table: _Table) -> Jurisdiction:
    jurisdiction = Jurisdiction(
        contractor=table.text("contractor"),
        jurisdiction=table.text("jurisdiction", ""),
        contract_numbers=table.strings("contract_numbers"),
        states=table.codes("states"),
        states_confidence=table.confidence("states_confidence", Confidence.CONFIRMED),
        source=table.text("source", ""),
    )
    table.finish()
    return jurisdiction


def policy_from_mapping(data: Mapping[str, Any], file: str) -> PayerPolicy:
    """Build a policy from parsed TOML; `file` names the origin in error messages."""
    top = _Table(data, "", file)
    schema = top.integer("schema")
    if schema is not None and schema != SCHEMA_VERSION:
        raise top.error("schema", schema, f"this chemoden reads schema {SCHEMA_VERSION}")
    policy_id = top.text("id").upper()
    if not policy_id:
        raise top.error("id", policy_id, "must not be empty")
    title = top.text("title")
    jurisdiction_table = top.table("jurisdiction")
    version_tables = top.tables("versions")
    if not version_tables:
        raise top.error("versions", _MISSING, "needs at least one [[versions]] table")
    versions = sorted(
        (_version(item, policy_id, title) for item in version_tables),
        key=lambda version: version.valid_from,
    )
    policy = PayerPolicy(
        id=policy_id,
        title=title,
        versions=versions,
        jurisdiction=_jurisdiction(jurisdiction_table) if jurisdiction_table is not None else None,
        payer=top.text("payer", ""),
        successor=top.optional_text("successor"),
        origin=file,
    )
    top.finish()
    return policy


def policy_from_text(text: str, file: str) -> PayerPolicy:
    """Parse TOML text and build a policy; `file` names the origin in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(file, str(error)) from None
    return policy_from_mapping(data, file)


def _syntax_error(file: str, message: str) -> PolicySchemaError:
    """Turn a `tomllib` message (``Invalid value (at line 1, column 6)``) into a schema error."""
    match = _TOML_POSITION.match(message)
    if match is None:
        return PolicySchemaError(file, "TOML syntax", NO_VALUE, f"invalid TOML ({message}); fix the syntax")
    detail = match.group("detail")
    detail = detail[:1].lower() + detail[1:]
    if match.group("line") is None:
        position = "end of file"
    else:
        position = f"line {match.group('line')}, column {match.group('column')}"
    return PolicySchemaError(file, position, NO_VALUE, f"invalid TOML ({detail}); fix the syntax there")


def load_policy(path: str | Path) -> PayerPolicy:
    """Read a payer policy from a TOML file in the chemoden policy schema.

    The policy can then be passed to ``chemoden.Validator(policies=[...])``; a claim
    whose ``payer`` is the policy's id, one of its contract numbers or one of its
    states is checked against the version in force on its date of service. A policy
    with the id of a bundled one replaces it. Raises `PolicySchemaError` (a
    `ValueError`) naming the file, the key path and the value when the file breaks the
    schema or is not valid TOML, and `OSError` (`FileNotFoundError` for a wrong path)
    with a plain message naming the file when it cannot be read.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{file}: policy file not found; check the path") from None
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise type(error)(f"{file}: policy file could not be read ({reason}); check the path") from None
    except UnicodeDecodeError as error:
        raise PolicySchemaError(
            file, f"byte offset {error.start}", NO_VALUE, "invalid text; save the policy file as UTF-8"
        ) from None
    return policy_from_text(text, file)
