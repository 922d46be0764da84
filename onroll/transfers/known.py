"""Is a pupil in a CTF, or a child another LA told us about, already known? Search before create at the CTF
import and at arrival notices, through `onroll.matching`: profiles from what the file or the notice says,
the choices a person made (link to a candidate, or a new child), and the decisions recorded."""

import re
from dataclasses import dataclass

from onroll.children.queries import visible_children
from onroll.core.dates import long_date
from onroll.matching.models import Door
from onroll.matching.profiles import Profile, make_profile
from onroll.matching.services import SearchResult, record_decision, record_new_after_empty_searches, search

from .ctf_reader import PupilData

NEW_CHILD = "new"
BULK = 2000
CHOOSE = "Select one of the children shown, or that this is a new child"
# A UK postcode anywhere in a free-text address: outward code, optional space, inward code.
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)


def pupil_profile(p: PupilData) -> Profile:
    """Everything in a CTF pupil that matching compares: names of every kind, birth, UPNs, home, contacts."""
    address = [(p.address.line_1, p.address.postcode, True)] if p.address else []
    return make_profile(
        first_name=p.forename,
        last_name=p.surname,
        date_of_birth=p.dob,
        sex=p.sex,
        middle_names=p.middle_names,
        preferred_first_name=p.preferred_forename,
        preferred_last_name=p.preferred_surname,
        former_names=tuple(p.former_names),
        upns=[p.upn, p.former_upn],
        addresses=address,
        parents=[(c.name, c.phones[0] if c.phones else "") for c in p.contacts],
    )


def pupil_searched(p: PupilData, file_name: str) -> dict:
    """What was searched for, as the decision records it."""
    return {
        "ctf": file_name,
        "pupil": p.label,
        "first_name": p.forename,
        "preferred_first_name": p.preferred_forename,
        "last_name": p.surname,
        "date_of_birth": p.dob,
        "sex": p.sex,
        "upn": p.upn,
        "postcode": p.address.postcode if p.address else "",
    }


def search_pupils(user, pupils: list[PupilData], matched: dict) -> dict[int, SearchResult]:
    """pupil number → search result, for each pupil not matched on UPN: one look-up each (the look-up's
    own blocking keeps each to a few indexed queries), among the children this user may see."""
    within = visible_children(user)
    unmatched = [p for p in pupils if p.number not in matched]
    if unmatched and not within.exists():
        # A school's first file, before any pupil is on its roll: nobody to compare with, so no look-ups.
        return {p.number: SearchResult() for p in unmatched}
    return {p.number: search(pupil_profile(p), within=within) for p in unmatched}


@dataclass
class PupilReview:
    """A pupil a person must decide about: the candidates found, what was chosen, what is wrong with it."""

    pupil: PupilData
    found: SearchResult
    choice: str = ""
    error: str = ""

    @property
    def field(self) -> str:
        return f"pupil-{self.pupil.number}"

    @property
    def born(self) -> str:
        return long_date(self.pupil.dob) if self.pupil.dob else "date of birth not given"


def resolve_choices(
    pupils: list[PupilData], found: dict[int, SearchResult], matched: dict, choices: dict[int, str] | None
) -> tuple[dict, list[PupilReview]]:
    """The children chosen for pupils with candidates (pupil number → Child), and the review still needed:
    every pupil with candidates, with the choice made and what is wrong with it, while nobody has chosen
    (`choices` None) or any choice is missing or impossible; empty once every choice is good. A child may
    be chosen for one pupil only, and not for a pupil whose UPN already found another."""
    links, review = {}, []
    taken = {child.pk: number for number, child in matched.items()}
    for p in pupils:
        result = found.get(p.number)
        if result is None or not result.candidates:
            continue
        choice = (choices or {}).get(p.number, "")
        child = next((c.child for c in result.candidates if str(c.child.pk) == choice), None)
        error = ""
        if choices is not None and choice != NEW_CHILD and child is None:
            error = CHOOSE
        elif child is not None and child.pk in taken:
            error = f"{child.full_name} is already pupil {taken[child.pk]} in this file: choose another"
        if child is not None and not error:
            taken[child.pk] = p.number
            links[p.number] = child
        review.append(PupilReview(p, result, choice, error))
    if choices is not None and not any(r.error for r in review):
        review = []
    return links, review


def record_ctf_decisions(user, pupils, children: dict, found: dict[int, SearchResult], file_name: str):
    """One decision per pupil searched for: linked to the chosen child, or a new child (shown candidates
    and confirmed as new, or shown nothing). Pupils shown nothing are recorded in bulk: a first file can
    hold thousands, and one decision and audit event at a time doubled the import's time."""
    unseen = []
    for p in pupils:
        result = found.get(p.number)
        if result is None:
            continue
        if not result.candidates:
            unseen.append((p, result))
            continue
        record_decision(
            user,
            door=Door.CTF,
            searched=pupil_searched(p, file_name),
            candidates=result.candidates,
            child=children[p.number],
            model_version=result.model_version,
        )
    record_new_after_empty_searches(
        user,
        door=Door.CTF,
        searches=[(pupil_searched(p, file_name), children[p.number], r.model_version) for p, r in unseen],
        batch_size=BULK,
    )


# --- Arrival notices ---------------------------------------------------------------------------------


def notice_profile(notice) -> Profile:
    """A notice's child as matching compares them; the address is free text, so its first line and any
    postcode in it are what can be compared."""
    lines = [line.strip() for line in notice.address.replace(",", "\n").splitlines() if line.strip()]
    postcode = POSTCODE.search(notice.address or "")
    address = [(lines[0], " ".join(postcode.groups()) if postcode else "", True)] if lines else []
    return make_profile(
        first_name=notice.first_name,
        last_name=notice.last_name,
        date_of_birth=notice.date_of_birth,
        sex=notice.sex,
        upns=[notice.upn],
        addresses=address,
    )


def notice_searched(notice) -> dict:
    return {
        "notice": notice.pk,
        "first_name": notice.first_name,
        "last_name": notice.last_name,
        "date_of_birth": notice.date_of_birth,
        "sex": notice.sex,
        "upn": notice.upn,
    }


def search_for_notice(user, notice) -> SearchResult:
    return search(notice_profile(notice), within=visible_children(user))


def record_arrival_decision(user, notice, found: SearchResult, child):
    record_decision(
        user,
        door=Door.ARRIVAL,
        searched=notice_searched(notice),
        candidates=found.candidates,
        child=child,
        model_version=found.model_version,
    )
