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
from collections.abc import Callable, Iterable, Mapping, Sequence

from chemoden.coverage.model import PayerPolicy, PolicyVersion
from chemoden.model import Claim

__all__ = ["PolicyCatalog", "claim_service_date"]


def claim_service_date(claim: Claim) -> dt.date:
    """Return the date that selects the policy version: the claim's, else the first line's."""
    if claim.date_of_service is not None:
        return claim.date_of_service
    return min(claim.line_date(line) for line in claim.lines)


class PolicyCatalog:
    """The payer policies of a validator, by policy id, contract number and state.

    Policies given to the constructor are held as they are. With `loader`, the catalog
    also keeps the policy ids and payer keys of an index (`known`), and reads a policy
    only when a claim needs it, so that a validator does not parse every bundled policy
    before its first claim.
    """

    def __init__(
        self,
        policies: Iterable[PayerPolicy] = (),
        overrides: Iterable[PayerPolicy] = (),
        *,
        known: Mapping[str, Sequence[str]] | None = None,
        loader: Callable[[str], PayerPolicy | None] | None = None,
        successors: Mapping[str, str] | None = None,
    ) -> None:
        self._loaded: dict[str, PayerPolicy] = {}
        self._ids: set[str] = set()
        self._by_key: dict[str, list[str]] = {}
        self._loader = loader
        self._successors: dict[str, str] = dict(successors or {})
        for policy_id, keys in (known or {}).items():
            self._add_keys(policy_id, keys, replace_keys=False)
        for policy in policies:
            self._add(policy, replace_keys=False)
        for policy in overrides:
            self._add(policy, replace_keys=True)

    def _add_keys(self, policy_id: str, keys: Iterable[str], *, replace_keys: bool) -> None:
        if policy_id in self._ids:
            for chain in self._by_key.values():
                if policy_id in chain:
                    chain.remove(policy_id)
        self._ids.add(policy_id)
        for key in (policy_id, *keys):
            key = key.upper()
            if replace_keys and key != policy_id:
                self._by_key[key] = [policy_id]
            elif policy_id not in self._by_key.setdefault(key, []):
                self._by_key[key].append(policy_id)

    def _add(self, policy: PayerPolicy, *, replace_keys: bool) -> None:
        if policy.successor:
            self._successors[policy.id] = policy.successor
        keys: list[str] = []
        if policy.jurisdiction is not None:
            keys.extend(policy.jurisdiction.contract_numbers)
            keys.extend(policy.jurisdiction.states)
        self._add_keys(policy.id, keys, replace_keys=replace_keys)
        self._loaded[policy.id] = policy

    @classmethod
    def with_bundled(cls, extra: Iterable[object] = ()) -> PolicyCatalog:
        """Return a catalog of the bundled policies plus `extra`, which win over them.

        A policy in `extra` with the id of a bundled one replaces it, and takes over the
        contract numbers and states that it names. Bundled policies are read on first use.
        """
        from chemoden.coverage.bundled import bundled_index, bundled_policy

        added: list[PayerPolicy] = []
        for policy in extra:
            if not isinstance(policy, PayerPolicy):
                raise TypeError(
                    f"policies must be PayerPolicy objects (from chemoden.load_policy), "
                    f"got {type(policy).__name__}"
                )
            added.append(policy)
        index = bundled_index()
        known = {entry.policy_id: entry.payer_keys for entry in index}
        successors = {entry.policy_id: entry.successor for entry in index if entry.successor}
        return cls((), added, known=known, loader=bundled_policy, successors=successors)

    def policies(self) -> tuple[PayerPolicy, ...]:
        """Return every policy in the catalog, sorted by id; reads any not yet read."""
        found = (self.get(policy_id) for policy_id in sorted(self._ids))
        return tuple(policy for policy in found if policy is not None)

    def get(self, policy_id: str) -> PayerPolicy | None:
        """Return the policy with this id, if the catalog has it."""
        key = policy_id.upper()
        policy = self._loaded.get(key)
        if policy is None and key in self._ids and self._loader is not None:
            policy = self._loader(key)
            if policy is not None:
                self._loaded[key] = policy
        return policy

    def resolve(self, payer: str, day: dt.date) -> tuple[PolicyVersion | None, str | None]:
        """Return the version for a payer on a date, and a problem text or None.

        With no version, the text gives the reason. With a version and a text, the text
        explains why the choice is uncertain.
        """
        key = payer.strip().upper()
        policy_ids = self._by_key.get(key, [])
        policies = [policy for policy in map(self.get, policy_ids) if policy is not None]
        if not policies:
            return None, (
                f"chemoden has no coverage policy for payer {payer!r} (not a known policy id, "
                "MAC contract number or state code)"
            )

        if key in self._ids:
            # A policy id names one LCD of a contractor: its predecessor or successor may be
            # the one in force, so they are weighed as a state or contract number would be.
            related = [self.get(policy_id) for policy_id in self._lineage(key) if policy_id != key]
            policies.extend(policy for policy in related if policy is not None)
        candidates = [version for policy in policies for version in policy.versions_on(day)]
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

    def _lineage(self, policy_id: str) -> list[str]:
        """Return the ids of a policy's predecessors, itself and its successors, in order."""
        predecessors = {successor: policy for policy, successor in self._successors.items()}
        earlier: list[str] = []
        current = policy_id
        while current in predecessors and predecessors[current] not in earlier:
            current = predecessors[current]
            earlier.insert(0, current)
        later: list[str] = []
        current = policy_id
        while current in self._successors and self._successors[current] not in (*earlier, policy_id, *later):
            current = self._successors[current]
            later.append(current)
        return [*earlier, policy_id, *later]

    def resolve_for_claim(self, claim: Claim) -> tuple[PolicyVersion | None, str | None]:
        """Return the policy version for the claim's payer and date, and a problem text.

        The text gives the reason for no version, or why the version returned is uncertain.
        """
        if claim.payer is None:
            return None, "the claim names no payer"
        return self.resolve(claim.payer, claim_service_date(claim))
