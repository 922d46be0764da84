"""The batch job: likely duplicates across the register, kept as pairs for a person to review."""

from dataclasses import dataclass

from django.db import transaction

from onroll.children.models import Child
from onroll.schools.models import LocalAuthority

from . import scoring
from .blocking import candidate_pairs
from .models import DuplicatePair, PairStatus
from .profiles import profiles_for

CHUNK = 5000


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
    ids = list(Child.objects.filter(la=la).values_list("pk", flat=True))
    profiles = []
    for start in range(0, len(ids), CHUNK):
        profiles.extend(profiles_for(ids[start : start + CHUNK]).values())
    pairs = candidate_pairs(profiles)
    report = Report(children=len(profiles), compared=len(pairs))
    found = []
    for i, j in pairs:
        s = model.score(profiles[i], profiles[j])
        if s.probability >= model.threshold:
            a, b = sorted((profiles[i].child_id, profiles[j].child_id), key=str)
            found.append(
                DuplicatePair(
                    child_a_id=a, child_b_id=b, la_code=la.code, probability=s.probability, reasons=s.reasons
                )
            )
    report.found = len(found)
    with transaction.atomic():
        before = DuplicatePair.objects.filter(la_code=la.code).count()
        DuplicatePair.objects.bulk_create(found, ignore_conflicts=True)
        report.new = DuplicatePair.objects.filter(la_code=la.code).count() - before
    return report


def open_pairs(la_code: str):
    return DuplicatePair.objects.filter(la_code=la_code, status=PairStatus.OPEN)
