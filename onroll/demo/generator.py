"""Building a whole synthetic local authority: teams, agencies, schools, demo users, children and cases.

`generate` is what both the `demo_data` command and the benchmarks call. It streams children in batches
(memory stays flat at a million children), writes each batch with bulk_create, and runs in one transaction
so an interrupted run leaves nothing behind. Everything is drawn from one RNG seeded with (seed, LA code),
so the same arguments give the same data, ids and references included.
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields

from django.db import connection, reset_queries, transaction
from django.db.models import Count
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from onroll.accounts.models import Role, User
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.casework import reference_lists
from onroll.casework.models import (
    Case,
    CaseNote,
    Category,
    ContactAttempt,
    Reason,
    StatusChange,
    Vulnerability,
)
from onroll.children.models import Enrolment, EnrolmentStatus
from onroll.referrals.models import Referral
from onroll.schools.models import LocalAuthority, School

from .attendance import add_attendance
from .calendars import create_default_calendar
from .children import add_family
from .organisations import DEMO_USERNAMES, create_organisations, create_schools, create_users
from .pools import build_pools
from .world import Batch, World

DEMO_PASSWORD = "onroll-demo-2026"
# Rows whose created_at/modified_at tell the story of a case, so they are written with past times.
BACKDATED = (Case, StatusChange, CaseNote, ContactAttempt, Referral)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    organisation: str


@dataclass
class DemoResult:
    la: LocalAuthority
    created: bool  # False when the LA already existed and nothing was written
    logins: list[Login]
    counts: dict[str, int]


def generate(
    la_code: str = "990",
    name: str = "Northmere",
    n_children: int = 12_000,
    n_cases: int = 200,
    n_schools: int | None = None,
    seed: int = 2026,
    batch_size: int = 2_000,
    *,
    today: dt.date | None = None,
    user_prefix: str = "",
    password: str = DEMO_PASSWORD,
    progress: Callable[[int, int], None] | None = None,
    attendance: bool = True,
) -> DemoResult:
    """Build the LA `la_code` unless it exists already (then return its logins and write nothing).

    `n_schools` defaults to one school per 300 children (40 for the demo's 12,000), at most 999: a UPN
    has three digits of serial per school and year, and URNs here are the LA code and three digits.
    `user_prefix` lets a benchmark build several LAs in one database: usernames are unique across LAs.
    `progress(children_done, n_children)` is called after each batch.
    `attendance=False` leaves out the register marks (`attendance.add_attendance`), which at county scale
    would be hundreds of millions of rows.
    """
    existing = LocalAuthority.objects.filter(code=la_code).first()
    if existing is not None:
        return DemoResult(existing, False, logins(existing, user_prefix), {})
    n_schools = n_schools or max(2, min(999, round(n_children / 300)))
    _check_arguments(la_code, n_children, n_cases, n_schools, batch_size, user_prefix)
    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:{la_code}")
    pools = build_pools(seed, name)
    with transaction.atomic():
        world = _setup(rng, pools, la_code, name, n_schools, today, user_prefix, password)
        counts = _people(world, n_children, n_cases, batch_size, progress)
        _place_school_lead(world)
        if attendance:
            counts["attendance_marks"] = add_attendance(world.la, today, seed)
        record(
            world.staff["admin"],
            Action.CREATE,
            world.la,
            summary=f"Generated synthetic demo data: {n_children} children, {n_cases} cases",
        )
    return DemoResult(world.la, True, logins(world.la, user_prefix), counts)


def logins(la: LocalAuthority, user_prefix: str = "") -> list[Login]:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[user_prefix + name for name in DEMO_USERNAMES],
            organisation__la_code=la.code,
        ).select_related("organisation")
    }
    return [
        Login(u.username, Role(u.role).label, u.organisation.name)
        for u in (users.get(user_prefix + name) for name in DEMO_USERNAMES)
        if u is not None
    ]


def _check_arguments(la_code, n_children, n_cases, n_schools, batch_size, user_prefix):
    if not (len(la_code) == 3 and la_code.isdigit()):
        raise ValueError("The LA code must be three digits, like 990")
    if not 2 <= n_schools <= 999:
        raise ValueError("Give between 2 and 999 schools (URNs are the LA code and a three-digit number)")
    if not 0 <= n_cases <= n_children:
        raise ValueError("There cannot be more cases than children")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1")
    taken = User.objects.filter(username__in=[user_prefix + u for u in DEMO_USERNAMES])
    if taken.exists():
        raise ValueError(
            f"Demo usernames already belong to another LA ({', '.join(u.username for u in taken)}); "
            "give a user prefix"
        )


def _setup(rng, pools, la_code, name, n_schools, today, user_prefix, password) -> World:
    if not Reason.objects.exists():
        reference_lists.load()  # normally done by migrate; here for databases built without it
    la = LocalAuthority.objects.create(code=la_code, name=name)
    create_default_calendar(la)
    teams, agencies = create_organisations(la)
    schools = create_schools(rng, la, pools, n_schools)
    staff = create_users(rng, pools, la, teams, agencies, schools[0].org, user_prefix, password)
    world = World(
        la=la,
        today=today,
        rng=rng,
        pools=pools,
        schools=schools,
        teams=teams,
        agencies=agencies,
        staff=staff,
        reasons=set(Reason.objects.filter(active=True).values_list("code", flat=True)),
        vulnerabilities=list(Vulnerability.objects.filter(active=True).values_list("code", flat=True)),
    )
    # References are unique across every LA in the database, not only this one.
    world.references.update(Case.objects.values_list("reference", flat=True).iterator(chunk_size=10_000))
    return world


def _people(world: World, n_children: int, n_cases: int, batch_size: int, progress) -> dict[str, int]:
    case_slots = set(world.rng.sample(range(n_children), n_cases))
    counts: Counter = Counter()
    batch, made = Batch(), 0
    while made < n_children:
        made += add_family(world, batch, made, n_children - made, case_slots)
        if len(batch.children) >= batch_size or made >= n_children:
            _write(batch, batch_size, counts)
            batch = Batch()
            if progress:
                progress(made, n_children)
    return dict(counts)


def _write(batch: Batch, batch_size: int, counts: Counter):
    """Insert every list in the batch, parents first (the dataclass fields are in that order)."""
    with _keeping_timestamps(BACKDATED):
        for f in fields(batch):
            rows = getattr(batch, f.name)
            if not rows:
                continue
            if connection.vendor == "postgresql":
                _copy(type(rows[0]), rows)
            else:
                type(rows[0]).objects.bulk_create(rows, batch_size=batch_size)
            counts[f.name] += len(rows)
    reset_queries()  # with DEBUG on, Django keeps every statement; at a million children that is gigabytes


def _copy(model, rows: list):
    """PostgreSQL's COPY: several times faster than INSERT at a million rows.

    The rows are already-built model instances; values come from pre_save, so auto_now still applies
    where it is switched on. They are passed to psycopg as they are: the demo's models hold only strings,
    numbers, booleans, dates, aware datetimes, decimals and UUIDs, which psycopg adapts itself, and
    Django's per-value preparation would cost more than the copy.
    """
    columns = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([f.pre_save(row, True) for f in columns])


@contextmanager
def _keeping_timestamps(models) -> Iterator[None]:
    """Let bulk_create keep the created_at/modified_at we set instead of stamping "now".

    auto_now and auto_now_add overwrite any value given; a case opened last March should say so on its
    timeline. Safe here because generation runs in one thread and the flags are restored at once.
    """
    saved = []
    for model in models:
        for name in ("created_at", "modified_at"):
            field = model._meta.get_field(name)
            saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _place_school_lead(world: World):
    """Give the school lead the school with most children whose case is open, so their pages are busy."""
    open_categories = [c for c in Category.values if c != Category.CLOSED]
    busiest = (
        Enrolment.objects.filter(
            school__la=world.la, status=EnrolmentStatus.ON_ROLL, child__cases__category__in=open_categories
        )
        .values("school")
        .annotate(n=Count("child", distinct=True))
        .order_by("-n", "school")
        .first()
    )
    if busiest is None:
        return
    lead = world.staff["school.lead"]
    lead.organisation = School.objects.select_related("organisation").get(pk=busiest["school"]).organisation
    lead.save(update_fields=["organisation"])
    Referral.objects.filter(referrer_org=lead.organisation).update(
        referrer_user=lead, referrer_name=lead.get_full_name()
    )
