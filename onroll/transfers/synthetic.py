"""Made-up CTFs for tests, the demo and the benchmark. Synthetic children only, never real data."""

import datetime as dt
import random

from onroll.core.upn import check_letter

from .ctf_reader import Address, ContactData, Header, PupilData, SchoolSpell
from .ctf_writer import write_ctf

FORENAMES = ["Ava", "Noah", "Isla", "Leo", "Mia", "Oscar", "Freya", "Arlo", "Zara", "Idris", "Maya", "Ezra"]
SURNAMES = [
    "Hartley",
    "Okoro",
    "Fenwick",
    "Sandhu",
    "Marsh",
    "Kowalski",
    "Ashby",
    "Quinn",
    "Price",
    "Dunmore",
]
STREETS = ["Mill Lane", "Station Road", "Church Street", "Orchard Close", "Brook Way", "Castle View"]


def make_upn(la: str, estab: str, serial: int) -> str:
    body = f"{la}{estab}{serial:05d}"
    return check_letter(body) + body


def synthetic_pupil(number: int, rng: random.Random, *, la: str, estab: str, history: list[tuple[str, str]]):
    forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
    dob = dt.date(2012, 9, 1) + dt.timedelta(days=rng.randrange(0, 365 * 6))
    entry = dt.date(dob.year + 4, 9, 3)
    schools = []
    for i, (s_la, s_estab) in enumerate(history):
        leaving = entry + dt.timedelta(days=rng.randrange(200, 700)) if i < len(history) - 1 else None
        schools.append(SchoolSpell(s_la, s_estab, f"School {s_la}/{s_estab}", entry, leaving, ""))
        entry = (leaving or entry) + dt.timedelta(days=1)
    return PupilData(
        number=number,
        upn=make_upn(la, estab, number),
        surname=surname,
        forename=forename,
        dob=dob,
        sex=rng.choice("MF"),
        middle_names=rng.choice(["", "Rose", "James"]),
        former_names=[(forename, rng.choice(SURNAMES))] if rng.random() < 0.2 else [],
        ethnicity=rng.choice(["WBRI", "AIND", "BAFR", "MWBC"]),
        address=Address(f"{rng.randrange(1, 200)} {rng.choice(STREETS)}", "", "Northmere", "NM1 2AB"),
        contacts=[
            ContactData(f"{rng.choice(FORENAMES)} {surname}", "Parent", True, ["07700 900123"], ""),
            ContactData(
                f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}", "Relative", False, ["07700 900456"], ""
            ),
        ],
        schools=schools,
        attendance=[
            {
                "year": "2025",
                "laestab": history[-1][0] + history[-1][1],
                "SessionsPossible": 300,
                "SessionsAuthorised": rng.randrange(0, 20),
                "SessionsUnauthorised": rng.randrange(0, 20),
            }
        ]
        if history
        else [],
    )


def synthetic_ctf(
    pupils: int,
    *,
    source: str,
    destination: str,
    history: list[tuple[str, str]] | None = None,
    seed: int = 4,
    written_at: dt.datetime = dt.datetime(2026, 1, 12, 9, 30),
) -> bytes:
    rng = random.Random(seed)
    history = history if history is not None else [(source[:3], source[3:])]
    header = Header(
        source_la=source[:3], source_estab=source[3:], dest_la=destination[:3], dest_estab=destination[3:]
    )
    return write_ctf(
        header,
        [
            synthetic_pupil(n, rng, la=source[:3], estab=source[3:], history=history)
            for n in range(1, pupils + 1)
        ],
        written_at=written_at,
    )
