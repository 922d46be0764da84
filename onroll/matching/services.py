"""Is this child already known? Search before create, with scores and reasons in words, and the audited
decision that follows. Any door that creates a child (referral form, CTF import, API) calls `search` or
`find_candidates` first, shows the candidates and records the choice with `record_decision`."""

import datetime as dt
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from onroll.audit.models import Action, AuditEvent
from onroll.audit.services import record
from onroll.children.models import Child, ChildName
from onroll.children.names import search_key
from onroll.core import upn as upn_rules

from . import scoring
from .lookup import candidate_ids
from .models import Decision, MatchDecision
from .profiles import Profile, make_profile, profiles_for

log = logging.getLogger(__name__)

SHOW_FROM = 0.2  # candidates below this probability are not worth a caseworker's time
MAX_CANDIDATES_SCORED = 2000
FALLBACK_NOTICE = (
    "Matching is not available ({}), so only exact matches on UPN, or on name and date of birth, are shown."
)


@dataclass
class Candidate:
    child: Child
    probability: float
    reasons: list[str]
    suggested: bool = False  # at or above the model's threshold: probably the same child
    possible_sibling: bool = False

    @property
    def percent(self) -> int:
        return int(self.probability * 100)


@dataclass
class SearchResult:
    candidates: list[Candidate] = field(default_factory=list)
    notice: str = ""  # set when the model could not be used and exact-field search stood in
    model_version: str = ""


def check_search_input(*, first_name="", last_name="", date_of_birth=None, upn="", today: dt.date) -> dict:
    """Errors for empty or absurd search input, field by field. Raises ValidationError; returns the UPN."""
    errors = {}
    names = {"first_name": first_name or "", "last_name": last_name or ""}
    for name, value in names.items():
        value = value.strip()
        if len(value) > 100:
            errors[name] = "Names must be 100 characters or fewer"
        elif value and (re.search(r"\d", value) or not search_key(value)):
            errors[name] = "Names must contain letters, and no numbers"
    if date_of_birth and date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    elif date_of_birth and date_of_birth < dt.date(today.year - 25, 1, 1):
        errors["date_of_birth"] = "Date of birth must be within the last 25 years"
    cleaned_upn = ""
    if upn and upn.strip():
        try:
            cleaned_upn = upn_rules.validate(upn)
        except upn_rules.UPNError as exc:
            errors["upn"] = str(exc)
    if (
        not errors
        and not cleaned_upn
        and not (names["last_name"].strip() and (date_of_birth or names["first_name"].strip()))
    ):
        errors["__all__"] = "Enter a surname and a date of birth or first name, or a UPN, to search"
    if errors:
        raise ValidationError(errors)
    return {"upn": cleaned_upn}


def search(profile: Profile, *, within=None, limit: int = 10, exclude=()) -> SearchResult:
    """Children in `within` (a Child queryset, the user's visible children) that may be this person,
    best first. Falls back to exact-field search, with a notice, when the model file cannot be used."""
    within = Child.objects.all() if within is None else within
    try:
        model = scoring.current()
    except scoring.ModelError as exc:
        log.warning("matching model unusable: %s", exc)
        return SearchResult(_exact_search(profile, within, limit, exclude), FALLBACK_NOTICE.format(exc))
    ids = candidate_ids(profile, within.exclude(pk__in=exclude) if exclude else within)
    with transaction.atomic(), _without_parallel_workers():
        others = profiles_for(ids[:MAX_CANDIDATES_SCORED]) if ids is not None else {}
    scored = []
    for child_id, other in others.items():
        s = model.score_at_least(profile, other, SHOW_FROM)
        if s is not None and s.probability >= SHOW_FROM:
            scored.append((s, child_id))
    # Ties (a child recorded twice) in a fixed order, so the same search shows the same list.
    scored.sort(key=lambda item: (-item[0].weight, str(item[1])))
    scored = [(model.score(profile, others[cid]), cid) for _, cid in scored[:limit]]  # with reasons
    children = Child.objects.in_bulk([cid for _, cid in scored])
    return SearchResult(
        [
            Candidate(
                children[cid], s.probability, s.reasons, s.probability >= model.threshold, s.possible_sibling
            )
            for s, cid in scored
        ],
        "",
        model.version,
    )


@contextmanager
def _without_parallel_workers():
    """A look-up's queries touch a few hundred rows; PostgreSQL's planner still sends some to parallel
    workers at a million children, and starting them took 10-15 ms of a 1 ms query."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")


def find_candidates(profile: Profile, *, within=None, limit: int = 10) -> list[Candidate]:
    """The candidates alone, for callers with nowhere to show a notice (imports)."""
    return search(profile, within=within, limit=limit).candidates


def _exact_search(profile: Profile, within, limit, exclude) -> list[Candidate]:
    cond = Q()
    if profile.upns:
        cond |= Q(upn__in=profile.upns) | Q(former_upn__in=profile.upns)
    lasts = [k for k, kind in profile.last if kind != "part"]
    firsts = [k for k, kind in profile.first if kind != "part"]
    if profile.dob and lasts:
        named = ChildName.objects.filter(last_key__in=lasts)
        if firsts:
            named = named.filter(first_key__in=firsts)
        cond |= Q(date_of_birth=profile.dob, pk__in=named.values("child_id"))
    if not cond.children:
        return []
    out = []
    for child in within.filter(cond).exclude(pk__in=exclude)[:limit]:
        reasons = []
        if profile.upns & {child.upn, child.former_upn}:
            reasons.append("same UPN")
        if profile.dob == child.date_of_birth:
            reasons.append("same name and date of birth")
        out.append(Candidate(child, 1.0 if "same UPN" in reasons else 0.5, reasons, "same UPN" in reasons))
    return out


def profile_from_data(data: dict, *, addresses=(), parents=()) -> Profile:
    """A profile from a form's child fields (first_name/last_name or legal_* names)."""
    return make_profile(
        first_name=data.get("first_name") or data.get("legal_first_name") or "",
        last_name=data.get("last_name") or data.get("legal_last_name") or "",
        date_of_birth=data.get("date_of_birth"),
        sex=data.get("sex") or "",
        middle_names=data.get("legal_middle_names") or "",
        preferred_first_name=data.get("preferred_first_name") or "",
        preferred_last_name=data.get("preferred_last_name") or "",
        upns=[u for u in (data.get("upn"), data.get("former_upn")) if u],
        addresses=addresses,
        parents=parents,
    )


def shown_summary(candidates: list[Candidate]) -> list[dict]:
    return [
        {"child": str(c.child.pk), "probability": round(c.probability, 4), "reasons": c.reasons}
        for c in candidates
    ]


@transaction.atomic
def record_decision(
    user, *, door, searched: dict, candidates: list[Candidate], child=None, model_version=""
) -> MatchDecision:
    """Audit what someone was shown and whether they linked to an existing child or confirmed a new one."""
    decision = MatchDecision(
        door=door,
        searched={k: str(v) for k, v in searched.items()},
        shown=shown_summary(candidates),
        decision=Decision.LINKED
        if child is not None and any(c.child.pk == child.pk for c in candidates)
        else Decision.NEW,
        child=child,
        model_version=model_version,
    )
    decision.stamp(user)
    decision.save()
    if decision.decision == Decision.LINKED:
        summary = f"Linked to existing child {child.full_name}"
    else:
        summary = "Confirmed as a new child"
    summary += f" after a search that showed {len(candidates)} candidate(s)"
    record(user, Action.CREATE, decision, child_id=getattr(child, "pk", None), summary=summary)
    return decision


def record_new_after_empty_searches(user, *, door, searches, batch_size: int = 2000) -> None:
    """What `record_decision` records for each child created after a search that showed nothing, in bulk
    for imports: `searches` is [(searched, child, model_version)]."""
    decisions = []
    for searched, child, model_version in searches:
        decision = MatchDecision(
            door=door,
            searched={k: str(v) for k, v in searched.items()},
            shown=[],
            decision=Decision.NEW,
            child=child,
            model_version=model_version,
        )
        decision.stamp(user)
        decisions.append(decision)
    MatchDecision.objects.bulk_create(decisions, batch_size=batch_size)
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                user=user,
                username=user.username,
                action=Action.CREATE,
                object_type=MatchDecision._meta.label_lower,
                object_id=d.pk,
                child_id=d.child_id,
                summary="Confirmed as a new child after a search that showed 0 candidate(s)",
            )
            for d in decisions
        ),
        batch_size=batch_size,
    )
