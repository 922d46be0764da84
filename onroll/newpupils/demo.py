"""New pupil returns in the demo: a new child returned on time, a late return, and a child the LA was
looking for (an open case, on no school's roll) turning up on the roll of the lead's school.

Made through the same search and service the form uses, so the decision, enrolment, task and audit events
are the real ones. Run once, after the rest of the demo story (`demo_data`)."""

import datetime as dt

from django.db import transaction

from onroll.accounts.models import User
from onroll.casework.models import Case, Category
from onroll.children.models import EnrolmentStatus
from onroll.core.school_age import nc_year
from onroll.matching.services import profile_from_data, search
from onroll.schools.models import LocalAuthority, Phase

from . import queries, services
from .models import YearGroup


def _weekday_back(today: dt.date, days: int) -> dt.date:
    day = today - dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _year_group(dob: dt.date, on: dt.date) -> str:
    year = nc_year(dob, on)
    return YearGroup.RECEPTION if year <= 0 else str(min(year, 13))


def _data(child: dict, address: tuple, parent: tuple, entered: dt.date, today: dt.date) -> dict:
    return {
        "child": {"legal_middle_names": "", "preferred_last_name": "", "upn": "", "former_upn": "", **child},
        "address": {"line_1": address[0], "line_2": "", "town": address[1], "postcode": address[2]},
        "parents": [
            {
                "name": parent[0],
                "phone": parent[1],
                "relationship": "Parent",
                "parental_responsibility": True,
                "lives_with_child": True,
            }
        ],
        "entered_on": entered,
        "first_attendance": entered,
        "year_group": _year_group(child["date_of_birth"], today),
        "previous_school": "",
    }


def _send(lead, la, data: dict, today: dt.date, *, link_to=None):
    """Search the LA's children as the form does, then send the return linked to `link_to` if shown."""
    address = data["address"]
    found = search(
        profile_from_data(
            data["child"],
            addresses=[(address["line_1"], address["postcode"], True)],
            parents=[(p["name"], p["phone"]) for p in data["parents"]],
        ),
        within=queries.la_children(la),
    )
    shown = link_to is not None and any(c.child.pk == link_to.pk for c in found.candidates)
    return services.make_return(
        lead,
        data,
        today=today,
        candidates=found.candidates,
        link_to=link_to if shown else None,
        model_version=found.model_version,
    )


def _years_taught(school) -> range:
    return range(0, 7) if school.phase in (Phase.NURSERY, Phase.PRIMARY) else range(7, 12)


def _missing_child_case(la, school, today: dt.date):
    """An open case of a child missing education who is on no school's roll, of an age the school teaches
    if there is one."""
    cases = list(
        Case.objects.filter(la=la, category__in=[Category.MISSING_NOT_LOCATED, Category.MISSING_LOCATED])
        .exclude(child__enrolments__status=EnrolmentStatus.ON_ROLL)
        .select_related("child")
        .order_by("reference")
    )
    fits = [c for c in cases if nc_year(c.child.date_of_birth, today) in _years_taught(school)]
    return (fits or cases or [None])[0]


def add_new_pupil_returns(la: LocalAuthority, today: dt.date, *, user_prefix: str = "") -> str:
    lead = User.objects.get(username=f"{user_prefix}school.lead")
    school = queries.school_of(lead)
    age = 4 + _years_taught(school)[-2]  # born in the school's second-oldest year group
    made = []
    with transaction.atomic():
        new = {"legal_first_name": "Ilinca", "legal_last_name": "Bradwell", "preferred_first_name": "Lina"}
        new |= {"date_of_birth": dt.date(today.year - age, 2, 11), "sex": "F"}
        address, parent = ("7 Sorrel Close", "Northmere", "NM5 2JD"), ("Petra Bradwell", "07700 900311")
        made.append(_send(lead, la, _data(new, address, parent, _weekday_back(today, 1), today), today))
        late = {"legal_first_name": "Tobias", "legal_last_name": "Quarrie", "preferred_first_name": ""}
        late |= {"date_of_birth": dt.date(today.year - age - 1, 10, 3), "sex": "M"}
        address, parent = ("22 Weir Road", "Northmere", "NM2 6HB"), ("Owen Quarrie", "07700 900422")
        made.append(_send(lead, la, _data(late, address, parent, _weekday_back(today, 9), today), today))
        case = _missing_child_case(la, school, today)
        if case is not None:
            made.append(_send(lead, la, _found_data(case.child, today), today, link_to=case.child))
    found = sum(1 for r in made if r.found_case_id)
    late_ones = sum(1 for r in made if r.late)
    return f"New pupil returns: {len(made)} ({late_ones} late, {found} found a child with an open case)."


def _found_data(child, today: dt.date) -> dict:
    """The child as a school would report them: the same person, a new address, no UPN."""
    contact = child.contacts.first()
    parent = (contact.name, contact.phone or "07700 900533") if contact else ("Not given", "07700 900533")
    details = {
        "legal_first_name": child.legal_first_name,
        "legal_last_name": child.legal_last_name,
        "preferred_first_name": child.preferred_first_name,
        "date_of_birth": child.date_of_birth,
        "sex": child.sex,
    }
    return _data(details, ("3 Ferry Lane", "Northmere", "NM7 1AA"), parent, _weekday_back(today, 2), today)
