"""Code validity of ICD-10-CM diagnoses on the date of service.

A payer rejects a claim whose diagnosis is not a valid, billable ICD-10-CM code in the
release in effect on the date of service (HIPAA names ICD-10-CM as the diagnosis code
set, and CMS publishes which codes are billable). The mistakes checked here:

- a code that is in no ICD-10-CM release chemoden has (``diagnosis-code-unknown``);
- a header such as G43.7 or G51.3 that needs more characters
  (``diagnosis-code-not-billable``);
- a code not yet in effect, or already deleted, on the date of service
  (``diagnosis-code-not-in-effect``);
- a date past the newest release, checked against that release
  (``diagnosis-release-newer-than-bundled``, info);
- a date that no release covers, where the code is reported as not checked
  (``diagnosis-release-not-bundled``, info) unless a dated change in
  ``data/icd10cm/changes.csv`` decides it.

The date of a diagnosis is the date of the lines that point at it (a line's own date,
else the claim's). A diagnosis that no line points at takes the claim's date. Codes that
are not well formed are left to ``diagnosis-code-malformed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import attrs

from chemoden import icd10cm
from chemoden.context import ClaimContext
from chemoden.findings import Severity
from chemoden.icd10cm import (
    MEMO_SIZE,
    ChangeKind,
    CodeChange,
    CodeLookup,
    CodeStatus,
    Release,
    ReleaseCatalog,
    ReleaseSelection,
    SelectionStatus,
)
from chemoden.model import is_well_formed_icd10cm
from chemoden.registry import Family, Hit, rule
from chemoden.rules._common import lines_text, severity_for

_SOURCE = "CMS/NCHS ICD-10-CM code tables (tabular list and order file) in effect on the date of service"
_LISTED_CHILDREN = 12


@attrs.frozen
class _DiagnosisUse:
    """One diagnosis on one date of service, with the lines that point at it.

    `found` is the code's status in the release chosen for the date, `selection` that
    choice. For a date that no release covers, `bracket` contains the releases before and
    after it when the code has the same status in both and no dated change falls
    between them; `found` is then the status in the later one.
    """

    position: int
    code: str
    date: dt.date
    lines: tuple[int, ...]
    found: CodeLookup
    selection: ReleaseSelection
    bracket: tuple[Release, Release] | None = None


def _diagnosis_uses(context: ClaimContext) -> list[_DiagnosisUse]:
    """Return each well-formed diagnosis once per date of the lines that point at it.

    The list is built once per claim and shared by the rules of this module.
    """
    cached: list[_DiagnosisUse] | None = context.memo.get("diagnosis_uses")
    if cached is None:
        cached = list(_find_diagnosis_uses(context))
        context.memo["diagnosis_uses"] = cached
    return cached


def _find_diagnosis_uses(context: ClaimContext) -> Iterator[_DiagnosisUse]:
    catalog = context.icd10cm
    claim = context.claim
    for index, diagnosis in enumerate(claim.diagnoses):
        position = index + 1
        if not is_well_formed_icd10cm(diagnosis.code):
            continue
        by_date: dict[dt.date, list[int]] = {}
        for numbered in context.lines:
            if position in numbered.line.diagnosis_pointers:
                by_date.setdefault(numbered.date, []).append(numbered.number)
        if not by_date:
            day = claim.date_of_service or min(context.dates)
            by_date[day] = []
        for day, numbers in sorted(by_date.items()):
            found, selection, bracket = _judge(catalog, diagnosis.code, day)
            yield _DiagnosisUse(position, diagnosis.code, day, tuple(numbers), found, selection, bracket)


_Judgement = tuple[CodeLookup, ReleaseSelection, "tuple[Release, Release] | None"]


def _judge(catalog: ReleaseCatalog, code: str, day: dt.date) -> _Judgement:
    """Return a code's status on a date, the release choice and any gap bracket; cached."""
    key = ("diagnosis", code, day)
    cached = catalog.memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    found = catalog.lookup(code, day)
    selection = catalog.select(day)
    bracket = None
    if selection.status is SelectionStatus.NOT_BUNDLED:
        bracket = _agreeing_neighbours(catalog, code, day)
        if bracket is not None:
            found = bracket[1].lookup(code)
    judgement: _Judgement = (found, selection, bracket)
    if len(catalog.memo) >= MEMO_SIZE:
        catalog.memo.clear()
    catalog.memo[key] = judgement
    return judgement


def _agreeing_neighbours(catalog: ReleaseCatalog, code: str, day: dt.date) -> tuple[Release, Release] | None:
    """Return the releases around a gap date when both give the code the same status.

    A code with the same status (billable, header or absent) in the release before the
    gap and in the one after it is taken to have that status inside the gap too. A dated
    change of the code between the two releases prevents this.
    """
    neighbours = catalog.neighbours(day)
    if neighbours is None:
        return None
    before, after = neighbours
    if before.lookup(code).status is not after.lookup(code).status:
        return None
    for change in icd10cm.changes_for(code):
        # A change of unknown date does not block: one change between the releases
        # would have given the code different statuses in them.
        if change.effective is not None and before.valid_to < change.effective <= after.valid_from:
            return None
    return neighbours


def _bracket_severity(use: _DiagnosisUse) -> Severity | None:
    """Return a warning when a gap judgement spans more than one fiscal year, else None."""
    if use.bracket is None:
        return None
    before, after = use.bracket
    return Severity.WARNING if after.fiscal_year - before.fiscal_year > 1 else None


def _where(use: _DiagnosisUse) -> str:
    """Return the words that place a diagnosis on the claim."""
    pointer = f"diagnosis {use.position}"
    if use.lines:
        return f"{pointer}, pointed to by {lines_text(use.lines)}"
    return f"{pointer}, which no line points to"


def _release_words(release: Release) -> str:
    start = release.valid_from.isoformat()
    end = release.valid_to.isoformat()
    return f"the {release.name} (in effect {start} to {end})"


def _release_words_for(use: _DiagnosisUse, release: Release) -> str:
    """Name the release a finding rests on, or both releases around a gap date."""
    if use.bracket is None:
        return _release_words(release)
    before, after = use.bracket
    return (
        f"both the {before.name} and the {after.name}, the releases chemoden has before and after "
        f"{use.date.isoformat()} (it has none for that date, and the code has the same status in both)"
    )


def _release_source(release: Release) -> str:
    return f"CMS ICD-10-CM, {release.name}"


def _source_for(use: _DiagnosisUse, release: Release) -> str:
    if use.bracket is None:
        return _release_source(release)
    before, after = use.bracket
    return f"CMS ICD-10-CM, {before.name} and {after.name} (no release bundled for the date of service)"


def _code_list(codes: Sequence[str]) -> str:
    if len(codes) <= _LISTED_CHILDREN:
        return ", ".join(codes)
    shown = ", ".join(codes[:_LISTED_CHILDREN])
    return f"{shown} and {len(codes) - _LISTED_CHILDREN} more"


@attrs.frozen
class _Verdict:
    """Verdict of the dated changes on a code, for a date that no release covers."""

    status: CodeStatus
    change: CodeChange
    not_yet: bool = False


def _verdict_from_changes(code: str, day: dt.date) -> _Verdict | None:
    """Judge a code on a date without a release from its dated changes; None when unknown.

    An added code is not in effect before its date. A code that became a header is not
    billable from its date. A deleted code is not in effect from its date. A change
    whose date is not known leaves the code unjudged.
    """
    changes = icd10cm.changes_for(code)
    if not changes:
        return None
    verdict: _Verdict | None = None
    for change in sorted(changes, key=lambda item: item.effective or dt.date.min):
        if change.effective is None:
            return None
        in_effect = day >= change.effective
        if change.change is ChangeKind.ADDED:
            if not in_effect:
                return _Verdict(CodeStatus.UNKNOWN, change, not_yet=True)
            status = CodeStatus.BILLABLE if change.billable else CodeStatus.HEADER
            verdict = _Verdict(status, change)
        elif change.change is ChangeKind.BECAME_HEADER:
            if in_effect:
                verdict = _Verdict(CodeStatus.HEADER, change)
            elif verdict is None:
                verdict = _Verdict(CodeStatus.BILLABLE, change)
        elif in_effect:
            return _Verdict(CodeStatus.UNKNOWN, change)
    return verdict


def _children_from_changes(code: str, day: dt.date) -> list[str]:
    prefix = code if "." in code else code + "."
    found = []
    for other, changes in sorted(icd10cm.code_changes().items()):
        if not other.startswith(prefix):
            continue
        for change in changes:
            if (
                change.change is ChangeKind.ADDED
                and change.billable
                and change.effective is not None
                and change.effective <= day
            ):
                found.append(other)
    return found


def _change_source(change: CodeChange) -> str:
    if change.confidence.is_confirmed:
        return change.source
    return f"{change.source} [{change.confidence.value}]"


def _other_releases(
    catalog: ReleaseCatalog, code: str, current: Release
) -> tuple[list[Release], list[Release]]:
    """Return the other releases that have a code: later ones, then earlier ones."""
    later: list[Release] = []
    earlier: list[Release] = []
    for release, _ in catalog.releases_with(code):
        if release.valid_from > current.valid_from:
            later.append(release)
        elif release.valid_from < current.valid_from:
            earlier.append(release)
    return later, earlier


@rule(
    "diagnosis-code-unknown",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="A diagnosis is not an ICD-10-CM code in any release chemoden has.",
    requires=("diagnoses",),
)
def diagnosis_code_unknown(context: ClaimContext) -> Iterator[Hit]:
    for use in _diagnosis_uses(context):
        found = use.found
        release = found.release
        if release is None or found.status is not CodeStatus.UNKNOWN:
            continue
        later, earlier = _other_releases(context.icd10cm, use.code, release)
        if later or earlier or icd10cm.changes_for(use.code):
            continue
        nearest = release.table.nearest_code(use.code)
        hint = ""
        if nearest is not None:
            nearest_found = release.lookup(nearest)
            if nearest_found.billable:
                hint = f" The nearest code is {nearest} ({nearest_found.description}), which is billable."
            else:
                hint = (
                    f" The nearest code is {nearest} ({nearest_found.description}); its billable codes are "
                    f"{_code_list(release.children(nearest))}."
                )
        in_release = _release_words_for(use, release)
        yield Hit(
            f"{use.code} ({_where(use)}) is not an ICD-10-CM code: it is not in {in_release} "
            f"used for the date of service {use.date.isoformat()}, nor in any other release chemoden has."
            f"{hint} Correct the diagnosis code from the record.",
            lines=use.lines,
            codes=(use.code,),
            source=_source_for(use, release),
            severity=_bracket_severity(use),
        )


@rule(
    "diagnosis-code-not-billable",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="A diagnosis is an ICD-10-CM header (category or subcategory) that needs more characters.",
    requires=("diagnoses",),
)
def diagnosis_code_not_billable(context: ClaimContext) -> Iterator[Hit]:
    for use in _diagnosis_uses(context):
        found = use.found
        release = found.release
        if release is not None:
            if found.status is not CodeStatus.HEADER:
                continue
            release_children = release.children(use.code)
            in_release = _release_words_for(use, release)
            yield Hit(
                f"{use.code} ({found.description}; {_where(use)}) is a header in {in_release}, "
                f"not a billable code: it needs more characters. Replace it with the code the record "
                f"supports among {_code_list(release_children)}.",
                lines=use.lines,
                codes=(use.code, *release_children),
                source=_source_for(use, release),
                severity=_bracket_severity(use),
            )
            continue

        verdict = _verdict_from_changes(use.code, use.date)
        if verdict is None or verdict.status is not CodeStatus.HEADER:
            continue
        children = _children_from_changes(use.code, use.date)
        choice = f" among {_code_list(children)}" if children else ""
        yield Hit(
            f"{use.code} ({_where(use)}) is a header on {use.date.isoformat()}, not a billable code: "
            f"it needs more characters from {verdict.change.effective} (FY{verdict.change.fiscal_year}). "
            f"Replace it with the code the record supports{choice}. chemoden has no ICD-10-CM release for "
            "this date, so this rests on a dated change only.",
            lines=use.lines,
            codes=(use.code, *children),
            severity=severity_for(verdict.change.confidence),
            source=_change_source(verdict.change),
        )


@rule(
    "diagnosis-code-not-in-effect",
    family=Family.CODE_VALIDITY,
    severity=Severity.ERROR,
    source=_SOURCE,
    summary="A diagnosis code is not yet in effect, or was deleted, on the date of service.",
    requires=("diagnoses",),
)
def diagnosis_code_not_in_effect(context: ClaimContext) -> Iterator[Hit]:
    for use in _diagnosis_uses(context):
        found = use.found
        release = found.release
        if release is not None:
            if found.status is not CodeStatus.UNKNOWN:
                continue
            hit = _not_in_release_hit(context.icd10cm, use, release)
            if hit is not None:
                yield hit
            continue

        verdict = _verdict_from_changes(use.code, use.date)
        if verdict is None or verdict.status is not CodeStatus.UNKNOWN:
            continue
        change = verdict.change
        when = f"{change.effective} (FY{change.fiscal_year})"
        what = f"takes effect on {when}" if verdict.not_yet else f"was deleted on {when}"
        yield Hit(
            f"{use.code} ({_where(use)}) is not in effect on {use.date.isoformat()}: it {what}. "
            "Use the code in effect on the date of service. chemoden has no ICD-10-CM release for "
            "this date, so this rests on a dated change only.",
            lines=use.lines,
            codes=(use.code,),
            severity=severity_for(change.confidence),
            source=_change_source(change),
        )


def _not_in_release_hit(catalog: ReleaseCatalog, use: _DiagnosisUse, release: Release) -> Hit | None:
    later, earlier = _other_releases(catalog, use.code, release)
    if later:
        first = later[-1]
        additions = [
            item
            for item in icd10cm.changes_for(use.code)
            if item.change is ChangeKind.ADDED and item.effective is not None
        ]
        change = additions[0] if additions else None
        added = f" It was added on {change.effective} (FY{change.fiscal_year})." if change is not None else ""
        in_release = _release_words_for(use, release)
        return Hit(
            f"{use.code} ({_where(use)}) is not yet in effect on {use.date.isoformat()}: it is not in "
            f"{in_release}, and first appears in the {first.name} that chemoden has.{added} "
            "Use the code that was in effect on the date of service.",
            lines=use.lines,
            codes=(use.code,),
            source=_source_for(use, release),
            severity=_bracket_severity(use),
        )
    if earlier:
        last = earlier[0]
        return Hit(
            f"{use.code} ({_where(use)}) was deleted before {use.date.isoformat()}: it is not in "
            f"{_release_words_for(use, release)}; the last release chemoden has with it is the {last.name}. "
            "Use the code that replaced it.",
            lines=use.lines,
            codes=(use.code,),
            source=_source_for(use, release),
            severity=_bracket_severity(use),
        )
    return None


@rule(
    "diagnosis-release-newer-than-bundled",
    family=Family.CODE_VALIDITY,
    severity=Severity.INFO,
    source=_SOURCE,
    summary="The date of service is past the newest ICD-10-CM release; diagnoses were checked against it.",
    requires=("diagnoses", "after-newest-icd"),
)
def diagnosis_release_newer_than_bundled(context: ClaimContext) -> Iterator[Hit]:
    for use in _diagnosis_uses(context):
        selection = use.selection
        if selection.status is not SelectionStatus.AFTER_NEWEST or selection.release is None:
            continue
        release = selection.release
        yield Hit(
            f"The date of service {use.date.isoformat()} is in FY{selection.fiscal_year}, after the newest "
            f"ICD-10-CM release chemoden has, {_release_words(release)}; {use.code} ({_where(use)}) was "
            f"checked against that release. Codes added or deleted since then are not known: load the "
            f"FY{selection.fiscal_year} release with chemoden.icd10cm.load_release to check them.",
            lines=use.lines,
            codes=(use.code,),
            source=_release_source(release),
        )


@rule(
    "diagnosis-release-not-bundled",
    family=Family.CODE_VALIDITY,
    severity=Severity.INFO,
    source=_SOURCE,
    summary="No ICD-10-CM release covers the date of service, so a diagnosis was not checked.",
    requires=("diagnoses", "icd-gap"),
)
def diagnosis_release_not_bundled(context: ClaimContext) -> Iterator[Hit]:
    for use in _diagnosis_uses(context):
        selection = use.selection
        if selection.status is not SelectionStatus.NOT_BUNDLED or use.bracket is not None:
            continue
        if _verdict_from_changes(use.code, use.date) is not None:
            continue
        covered = ", ".join(
            f"{release.valid_from.isoformat()} to {release.valid_to.isoformat()}"
            for release in context.icd10cm.releases
        )
        yield Hit(
            f"{use.code} ({_where(use)}) was not checked against the ICD-10-CM code set: chemoden has no "
            f"release in effect on {use.date.isoformat()} (FY{selection.fiscal_year}); its releases cover "
            f"{covered}. Check that the code is valid and billable on that date, or load the release with "
            "chemoden.icd10cm.load_release.",
            lines=use.lines,
            codes=(use.code,),
        )
