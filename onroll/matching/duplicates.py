"""The batch job: likely duplicates across the register, kept as pairs for a person to review."""

import logging
from dataclasses import dataclass

from django.db import transaction

from onroll.children.models import Child
from onroll.schools.models import LocalAuthority

from . import batch, scoring
from .blocking import candidate_pairs
from .conflicts import twin_conflicts
from .models import DuplicatePair, MatchProfile, PairStatus
from .profiles import profile_from_facts

logger = logging.getLogger(__name__)


@dataclass
class Report:
    children: int = 0
    compared: int = 0
    found: int = 0
    new: int = 0


def find_duplicates(la: LocalAuthority, *, model=None) -> Report:
    """Pairs of the LA's children at or above the threshold; re-running adds only pairs not seen before,
    and never reopens a pair someone has said is not the same child."""
    model = model or scoring.current()
    profiles = read_profiles(la)
    compared, pairs = likely_pairs(profiles, model)
    return save_pairs(la, profiles, pairs, Report(children=len(profiles), compared=compared))


def read_profiles(la: LocalAuthority) -> list:
    """The LA's children as matching profiles, from their stored rows in one streamed query."""
    rows = (
        MatchProfile.objects.filter(child_id__in=Child.objects.filter(la=la).values("pk"))
        .order_by("child_id")
        .values_list("child_id", "facts")
    )
    return [profile_from_facts(child_id, facts) for child_id, facts in rows.iterator(chunk_size=5000)]


def likely_pairs(profiles: list, model) -> tuple[int, list]:
    """(pairs compared, [(i, j, probability, reasons)]) for the pairs at or above the threshold, less the
    links of a record to two children who are twins (conflicts.py)."""
    compared, found = _at_threshold(profiles, model)
    conflicts = twin_conflicts([(i, j) for i, j, _, _ in found], profiles, model)
    return compared, [pair for pair in found if (min(pair[:2]), max(pair[:2])) not in conflicts]


def _at_threshold(profiles: list, model) -> tuple[int, list]:
    """The batch arrays, or every pair through Model.score if the batch's levels no longer agree with the
    Python comparisons (they are the truth; the batch mirrors them for speed)."""
    try:
        result = batch.likely_duplicates(profiles, model)
        return result.compared, list(result.pairs())
    except batch.LevelsDiffer:
        logger.exception("The batch levels differ from the comparisons; scoring every pair in Python")
    pairs = candidate_pairs(profiles)
    found = []
    for i, j in pairs:
        s = model.score(profiles[i], profiles[j])
        if s.probability >= model.threshold:
            found.append((i, j, s.probability, s.reasons))
    return len(pairs), found


def save_pairs(la: LocalAuthority, profiles: list, pairs: list, report: Report) -> Report:
    """Keep the pairs found for review; a pair already kept (whatever its status) is left as it is."""
    found = []
    for i, j, probability, reasons in pairs:
        a, b = sorted((profiles[i].child_id, profiles[j].child_id), key=str)
        found.append(
            DuplicatePair(
                child_a_id=a, child_b_id=b, la_code=la.code, probability=probability, reasons=reasons
            )
        )
    report.found = len(found)
    with transaction.atomic():
        before = DuplicatePair.objects.filter(la_code=la.code).count()
        DuplicatePair.objects.bulk_create(found, ignore_conflicts=True, batch_size=5000)
        report.new = DuplicatePair.objects.filter(la_code=la.code).count() - before
    return report


def open_pairs(la_code: str):
    return DuplicatePair.objects.filter(la_code=la_code, status=PairStatus.OPEN)
