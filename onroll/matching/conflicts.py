"""One record cannot be two children. When a record is linked to two others who are themselves brother,
sister or twin (two different real given names), it is usually a twin whose name was mistyped into
something close to both twins' names (Joane, for Joanne or Jayne). Such a record keeps only a link that is
clearly the strongest; if none is, it keeps none, and a person finds it through search instead of the
likely-duplicates list merging it into the wrong twin."""

from collections import defaultdict
from itertools import combinations

CLEARLY_STRONGER = 2.0  # bits of match weight by which the kept link must beat the other


def twin_conflicts(found, profiles, model) -> set[tuple[int, int]]:
    """Pairs (i < j) of `found` (pairs of indexes into `profiles`, each at or above the threshold) to drop
    because one of the two records is also linked to the other's brother, sister or twin."""
    found = {(min(i, j), max(i, j)) for i, j in found}
    partners = defaultdict(list)
    for i, j in found:
        partners[i].append(j)
        partners[j].append(i)
    drop = set()
    for record, others in partners.items():
        for y, z in combinations(others, 2):
            if (min(y, z), max(y, z)) in found or not _two_children(model, profiles[y], profiles[z]):
                continue
            weight_y = model.score(profiles[record], profiles[y]).weight
            weight_z = model.score(profiles[record], profiles[z]).weight
            if weight_y < weight_z + CLEARLY_STRONGER:
                drop.add((min(record, y), max(record, y)))
            if weight_z < weight_y + CLEARLY_STRONGER:
                drop.add((min(record, z), max(record, z)))
    return drop


def _two_children(model, y, z) -> bool:
    """Do y and z carry two different given names, each a real name (common in the register, or in the
    short-forms list): two children, rather than one child's records that simply did not reach the
    threshold together?"""
    _, swapped = model.best_levels(y, z)
    return model.family_facts(y, z, swapped).names_clash
