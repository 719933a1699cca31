"""Payer coverage policies: a policy with versions, each in force for a date range.

NOTE: this is the minimal shape that the engine needs; the coverage groups, covered
diagnoses, drugs, dose limits and intervals are added with the coverage rules.
"""

from __future__ import annotations

import datetime as dt

import attrs

__all__ = ["PayerPolicy", "PolicyVersion"]


@attrs.frozen
class PolicyVersion:
    """One version of a payer policy, in force from `valid_from` to `valid_to`."""

    policy_id: str
    title: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    def in_effect(self, day: dt.date) -> bool:
        """Tell whether this version is in force on `day`."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@attrs.frozen
class PayerPolicy:
    """A payer's coverage policy with its dated versions."""

    id: str
    title: str
    versions: tuple[PolicyVersion, ...]

    def version_on(self, day: dt.date) -> PolicyVersion | None:
        """Return the version in force on `day`, if any."""
        for version in self.versions:
            if version.in_effect(day):
                return version
        return None
