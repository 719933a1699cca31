"""Find the payer policy version that applies to a claim.

A claim's ``payer`` may be a policy id (``L35170``), a MAC contract number (``01182``)
or a two-letter state code (``CA``). The catalog maps each of these to the policies
that use it and picks the version in force on the claim's date of service. A policy id
whose last version has ended leads to its successor (WPS ``L34635`` to ``L39909``).

Where the data cannot tell which of two versions was in force (a new LCD whose
effective date no source confirms, while the old one has no known end), the newest
version is used and the catalog returns the doubt with it, so that the report can state
it and the coverage rules report warnings in place of errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from chemoden.coverage.model import PayerPolicy, PolicyVersion
from chemoden.model import Claim

__all__ = ["PolicyCatalog", "claim_service_date"]


def claim_service_date(claim: Claim) -> dt.date:
    """Return the date that selects the policy version: the claim's, else the first line's."""
    if claim.date_of_service is not None:
        return claim.date_of_service
    return min(claim.line_date(line) for line in claim.lines)


class PolicyCatalog:
    """The payer policies of a validator, by policy id, contract number and state."""

    def __init__(self, policies: Iterable[PayerPolicy], overrides: Iterable[PayerPolicy] = ()) -> None:
        self._by_id: dict[str, PayerPolicy] = {}
        self._by_key: dict[str, list[PayerPolicy]] = {}
        for policy in policies:
            self._add(policy, replace_keys=False)
        for policy in overrides:
            self._add(policy, replace_keys=True)

    def _add(self, policy: PayerPolicy, *, replace_keys: bool) -> None:
        previous = self._by_id.get(policy.id)
        if previous is not None:
            for chain in self._by_key.values():
                if previous in chain:
                    chain.remove(previous)
        self._by_id[policy.id] = policy

        keys = [policy.id]
        if policy.jurisdiction is not None:
            keys.extend(policy.jurisdiction.contract_numbers)
            keys.extend(policy.jurisdiction.states)
        for key in keys:
            key = key.upper()
            if replace_keys and key != policy.id:
                self._by_key[key] = [policy]
            else:
                self._by_key.setdefault(key, []).append(policy)

    @classmethod
    def with_bundled(cls, extra: Iterable[object] = ()) -> PolicyCatalog:
        """Return a catalog of the bundled policies plus `extra`, which win over them.

        A policy in `extra` with the id of a bundled one replaces it, and takes over the
        contract numbers and states that it names.
        """
        from chemoden.coverage.bundled import bundled_policies

        added: list[PayerPolicy] = []
        for policy in extra:
            if not isinstance(policy, PayerPolicy):
                raise TypeError(
                    f"policies must be PayerPolicy objects (from chemoden.load_policy), "
                    f"got {type(policy).__name__}"
                )
            added.append(policy)
        return cls(bundled_policies(), added)

    def policies(self) -> tuple[PayerPolicy, ...]:
        """Return every policy in the catalog, sorted by id."""
        return tuple(self._by_id[key] for key in sorted(self._by_id))

    def get(self, policy_id: str) -> PayerPolicy | None:
        """Return the policy with this id, if the catalog has it."""
        return self._by_id.get(policy_id.upper())

    def resolve(self, payer: str, day: dt.date) -> tuple[PolicyVersion | None, str | None]:
        """Return the version for a payer on a date, and a problem text or None.

        With no version, the text gives the reason. With a version and a text, the text
        explains why the choice is uncertain.
        """
        key = payer.strip().upper()
        policies = self._by_key.get(key)
        if not policies:
            return None, (
                f"chemoden has no coverage policy for payer {payer!r} (not a known policy id, "
                "MAC contract number or state code)"
            )

        candidates = [version for policy in policies for version in policy.versions_on(day)]
        if not candidates and key in self._by_id:
            candidates = self._successor_versions(self._by_id[key], day)
        if not candidates:
            names = ", ".join(policy.id for policy in policies)
            return None, f"policy {names} has no version in force on {day.isoformat()}"

        chosen = max(candidates, key=lambda version: version.valid_from)
        if len(candidates) == 1:
            return chosen, None
        others = ", ".join(
            f"{version.policy_id} v{version.version}" for version in candidates if version is not chosen
        )
        note = chosen.dates_note or "effective dates unconfirmed"
        return chosen, (
            f"the sources do not confirm which version was in force on {day.isoformat()}: "
            f"{others} or {chosen.policy_id} v{chosen.version} ({note}); "
            f"chemoden used {chosen.policy_id} v{chosen.version}"
        )

    def _successor_versions(self, policy: PayerPolicy, day: dt.date) -> list[PolicyVersion]:
        seen = {policy.id}
        current = policy
        while current.successor and current.successor not in seen:
            seen.add(current.successor)
            following = self._by_id.get(current.successor)
            if following is None:
                return []
            found = list(following.versions_on(day))
            if found:
                return found
            current = following
        return []

    def resolve_for_claim(self, claim: Claim) -> tuple[PolicyVersion | None, str | None]:
        """Return the policy version for the claim's payer and date, and a problem text.

        The text gives the reason for no version, or why the version returned is uncertain.
        """
        if claim.payer is None:
            return None, "the claim names no payer"
        return self.resolve(claim.payer, claim_service_date(claim))
