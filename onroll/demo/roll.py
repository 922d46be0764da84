"""Roll histories: which schools a child attended, from nursery to now, as dated spells.

A child walks through the stages their age has reached (nursery, primary, secondary, sixth form),
sometimes moving school mid-phase or arriving in the LA part-way through. A case plan can then cut the
history short (the child left and is missing or home educated) or add a later return to a roll.
"""

import datetime as dt
from dataclasses import dataclass

from onroll.core.school_age import academic_year_start

from .world import SchoolPlan, World, random_day, summer_end, term_start, weekday_on_or_after

MOVE_REASONS = ("Moved house", "Parental preference", "Moved to a school nearer home", "Managed move")
NEXT_STAGE_REASONS = {
    "primary": "Started primary school",
    "secondary": "Transferred to secondary school",
    "sixth": "Moved to sixth form",
}


@dataclass
class Spell:
    plan: SchoolPlan
    entry: dt.date
    leaving: dt.date | None
    reason: str = ""


def stage_of(nc: int) -> str:
    if nc < 0:
        return "nursery"
    return "primary" if nc <= 6 else "secondary" if nc <= 11 else "sixth"


STAGE_TRACKS = {
    "nursery": ("nursery", "primary"),  # nursery schools, and primaries with a nursery class
    "primary": ("primary",),
    "secondary": ("secondary",),
    "sixth": ("secondary", "sixth"),  # secondaries with a sixth form, and sixth-form colleges
}


def next_school(world: World, nc: int) -> SchoolPlan | None:
    return world.choose(STAGE_TRACKS[stage_of(nc)], nc)


def _start_nc(world: World, nc_now: int, must_attend: bool) -> int | None:
    rng = world.rng
    if nc_now < 0:
        return nc_now if must_attend or rng.random() < 0.55 else None
    if nc_now >= 1 and rng.random() < 0.08:
        return rng.randint(1, nc_now)  # moved into the LA part-way through school
    return -1 if rng.random() < 0.3 else 0


def _route(world: World, nc_now: int, must_attend: bool, special: bool) -> list[list]:
    """[school, first NC year, last NC year] segments up to this year."""
    rng = world.rng
    start = _start_nc(world, nc_now, must_attend)
    if start is None:
        return []
    if rng.random() < 0.05 and (through := world.choose(("all_through",), start)):
        return [[through, start, nc_now]]
    special_from = rng.randint(max(start, 0), max(nc_now, 0)) if special else None
    segments: list[list] = []
    for nc in range(start, nc_now + 1):
        current = segments[-1][0] if segments else None
        if (
            special_from is not None
            and nc >= special_from
            and (current is None or current.track != "special")
        ):
            choice = world.choose(("special",), nc)
            if choice:
                segments.append([choice, nc, nc])
                continue
        if (
            current is not None
            and current.teaches(nc)
            and (
                stage_of(nc) == stage_of(nc - 1)
                or current.track in ("special", "all_through", "pru")
                or rng.random() < 0.75  # stays on: nursery class into Reception, Year 11 into its sixth form
            )
        ):
            segments[-1][2] = nc
            continue
        if nc == 12 and not must_attend and rng.random() < 0.35:
            break  # left education, or went to a college outside the LA's schools
        choice = next_school(world, nc)
        if choice is None:
            break
        segments.append([choice, nc, nc])
    return segments


def _dated(world: World, segments: list[list], nc_now: int, arrived_mid_year: bool) -> list[Spell]:
    this_year = academic_year_start(world.today)
    spells = []
    for i, (plan, low, high) in enumerate(segments):
        entry = min(term_start(this_year - (nc_now - low)), world.today)
        if i == 0 and arrived_mid_year:
            entry = random_day(world.rng, entry, min(entry + dt.timedelta(days=200), world.today))
        leaving, reason = None, ""
        if high < nc_now:
            leaving = summer_end(this_year - (nc_now - high) + 1)
            nxt = segments[i + 1][0] if i + 1 < len(segments) else None
            reason = (
                NEXT_STAGE_REASONS.get(nxt.track, "Moved school")
                if nxt
                else ("Completed Year 11" if high == 11 else "Left at the end of the school year")
            )
        spells.append(Spell(plan, entry, max(leaving, entry) if leaving else None, reason))
    return spells


def _move_mid_phase(world: World, spells: list[Spell]):
    """Split one spell in two: the child left part-way through and joined another school like it."""
    rng = world.rng
    i = rng.randrange(len(spells))
    spell = spells[i]
    end = spell.leaving or world.today
    if (end - spell.entry).days < 120:
        return
    new_school = world.choose((spell.plan.track,), spell.plan.max_nc)
    if new_school is None or new_school is spell.plan:
        return
    left = random_day(rng, spell.entry + dt.timedelta(days=60), end - dt.timedelta(days=45))
    joined = min(weekday_on_or_after(left + dt.timedelta(days=rng.randint(1, 20))), end)
    spells[i : i + 1] = [
        Spell(spell.plan, spell.entry, left, rng.choice(MOVE_REASONS)),
        Spell(new_school, joined, spell.leaving, spell.reason),
    ]


def cut_at(spells: list[Spell], left_on: dt.date, reason: str) -> list[Spell]:
    """The history of a child who left their school on `left_on` and joined no other."""
    kept = [s for s in spells if s.entry <= left_on]
    if kept and (kept[-1].leaving is None or kept[-1].leaving > left_on):
        last = kept[-1]
        kept[-1] = Spell(last.plan, last.entry, left_on, reason)
    return kept


def history(world: World, nc_now: int, *, must_attend: bool, special: bool) -> list[Spell]:
    segments = _route(world, nc_now, must_attend, special)
    if not segments:
        return []
    arrived = segments[0][1] >= 1 and world.rng.random() < 0.5
    spells = _dated(world, segments, nc_now, arrived)
    if world.rng.random() < 0.1:
        _move_mid_phase(world, spells)
    return spells


def join(
    world: World, spells: list[Spell], nc_now: int, on: dt.date, *, track: str | None = None
) -> list[Spell]:
    """Add a current spell starting `on` (back on a roll, or into a PRU)."""
    school = (track and world.choose((track,), nc_now)) or next_school(world, nc_now)
    if school is None:
        return spells
    start = max([on] + [s.leaving for s in spells if s.leaving])
    return [*spells, Spell(school, min(start, world.today), None)]
