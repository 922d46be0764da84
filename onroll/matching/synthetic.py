"""Synthetic English child records with known truth, for training, evaluation and benchmarks.

Children come in families (a surname, a home, parents with phones), some as siblings and some as twins.
Some children are recorded again, the way they turn up at another door: a preferred name or short form, a
new surname, a transliterated name, day and month swapped, a typo, a digit off, a move, names swapped,
no UPN. Every record carries the number of the child it describes (its `entity`). Made-up data only.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from faker.providers.person.en_GB import Provider as PersonProvider

from .names import are_short_forms, nickname_groups

EXTRA_SURNAMES = (
    "Khan Ahmed Hussain Ali Begum Patel Shah Akhtar Rahman Islam Iqbal Chaudhry Malik Mahmood Bibi "
    "Kaur Singh Sharma Gill Sandhu Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski "
    "Popescu Ionescu Okafor Okonkwo Adeyemi Mensah Owusu Boateng Abdi Mohamud Hassan Osman Nguyen "
    "Tran Chen Wang Li Zhang Kaya Yilmaz Demir Celik Murphy O'Brien O'Connor Kelly Byrne McCarthy "
    "Gallagher Doyle Ferreira Santos Costa Silva Rossi Russo Ferrari Esposito Bianchi Romano Ivanov "
    "Petrov Smirnov Horvath Nagy Kovacs"
).split()
EXTRA_GIRLS = (
    "Aisha Fatima Amara Zainab Maryam Zara Priya Anaya Zofia Lena Kemi Ama Leila Hana Mei Siobhan Niamh "
    "Aoife Sofia Giulia Daria"
).split()
EXTRA_BOYS = (
    "Mohammed Yusuf Ibrahim Omar Hamza Ayaan Arjun Oskar Jakub Chidi Tobi Kofi Wei Deniz Emre Cian Oisin "
    "Mateo Luca Nikolai"
).split()
TRANSLITERATIONS = {
    "mohammed": ["Muhammad", "Mohamed", "Mohammad"],
    "muhammad": ["Mohammed", "Mohamed"],
    "yusuf": ["Yousef", "Yousuf"],
    "aisha": ["Ayesha", "Aysha"],
    "fatima": ["Fatimah", "Fatma"],
    "ibrahim": ["Ebrahim"],
    "zainab": ["Zaynab", "Zeinab"],
    "maryam": ["Mariam", "Miriam"],
    "hamza": ["Hamzah"],
    "omar": ["Umar"],
    "leila": ["Layla", "Laila"],
    "hussain": ["Hussein", "Husain"],
    "ahmed": ["Ahmad"],
    "chaudhry": ["Choudhury", "Chowdhury"],
    "rahman": ["Rehman"],
    "mahmood": ["Mahmud", "Mehmood"],
    "mohamud": ["Mohamoud"],
    "nikolai": ["Nicolai", "Nikolay"],
}
SURNAMES = tuple(dict.fromkeys(tuple(PersonProvider.last_names) + tuple(EXTRA_SURNAMES)))
GIRLS = tuple(dict.fromkeys(tuple(PersonProvider.first_names_female) + tuple(EXTRA_GIRLS)))
BOYS = tuple(dict.fromkeys(tuple(PersonProvider.first_names_male) + tuple(EXTRA_BOYS)))
STREET_WORDS = ("Road", "Street", "Close", "Avenue", "Lane", "Way", "Crescent", "Drive", "Gardens", "Court")
TOWN_WORDS = SURNAMES[:200]


@dataclass
class Record:
    entity: int
    family: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    middle_names: str = ""
    preferred_first_name: str = ""
    upns: tuple = ()
    addresses: list = field(default_factory=list)  # (line_1, postcode, is_current)
    parents: list = field(default_factory=list)  # (name, phone)
    corruptions: tuple = ()
    twin_of: int | None = None


def _postcode(rng) -> str:
    area = rng.choice(("PO", "SO", "KT", "TW", "DE", "S", "NG", "M", "B", "LS", "BS", "CB", "OX", "RG"))
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _street(rng) -> str:
    return f"{rng.randint(1, 240)} {rng.choice(TOWN_WORDS)} {rng.choice(STREET_WORDS)}"


def _phone(rng) -> str:
    return f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"


def _upn(rng) -> str:
    return "A" + "".join(str(rng.randint(0, 9)) for _ in range(12))


def _short_form(rng, first: str) -> str | None:
    key = first.lower()
    groups = nickname_groups().get(key)
    if not groups:
        return None
    # Names of the same group, read back from the data file.
    options = [n for n, g in nickname_groups().items() if g & groups and n != key]
    return rng.choice(options).capitalize() if options else None


def _typo(rng, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randint(1, len(name) - 2)
    kind = rng.random()
    if kind < 0.4:  # swap two letters
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind < 0.7:  # a letter replaced
        return name[:i] + rng.choice("aeioulnrst") + name[i + 1 :]
    if kind < 0.85:
        return name[:i] + name[i + 1 :]  # a letter dropped
    return name[:i] + name[i] + name[i:]  # a letter doubled


def _one_digit(rng, dob: dt.date) -> dt.date:
    for _ in range(20):
        text = list(f"{dob:%d%m%Y}")
        i = rng.choice((0, 1, 3, 6, 7))
        text[i] = str((int(text[i]) + rng.choice((1, -1))) % 10)
        try:
            new = dt.datetime.strptime("".join(text), "%d%m%Y").date()
        except ValueError:
            continue
        if new != dob:
            return new
    return dob + dt.timedelta(days=1)


def generate(n_children: int, *, seed: int = 1, duplicate_rate: float = 0.3, today=dt.date(2026, 11, 1)):
    """Records for about n_children children plus their duplicates, shuffled."""
    rng = random.Random(seed)
    records: list[Record] = []
    entity = family = 0
    while entity < n_children:
        family += 1
        surname = rng.choice(SURNAMES)
        home = (_street(rng), _postcode(rng), True)
        parents = [(f"{rng.choice(GIRLS)} {surname}", _phone(rng))]
        if rng.random() < 0.5:
            parents.append((f"{rng.choice(BOYS)} {surname}", _phone(rng)))
        size = rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0]
        twins = size >= 2 and rng.random() < 0.12
        dob = today - dt.timedelta(days=rng.randint(4 * 365, 17 * 365))
        used = set()
        for i in range(size):
            sex = rng.choice("FM")
            first = rng.choice(GIRLS if sex == "F" else BOYS)
            # Parents do not call two of their children Anthony and Tony.
            while any(first == u or are_short_forms(first.lower(), u.lower()) for u in used):
                first = rng.choice(GIRLS if sex == "F" else BOYS)
            used.add(first)
            if i > 0 and not (twins and i == 1):
                dob = dob - dt.timedelta(days=rng.randint(300, 3 * 365))
            middle = rng.choice(GIRLS if sex == "F" else BOYS) if rng.random() < 0.6 else ""
            records.append(
                Record(
                    entity=entity,
                    family=family,
                    first_name=first,
                    last_name=surname,
                    date_of_birth=dob,
                    sex=sex,
                    middle_names=middle,
                    upns=(_upn(rng),),
                    addresses=[home],
                    parents=list(parents),
                    twin_of=entity - 1 if twins and i == 1 else None,
                )
            )
            entity += 1
    originals = list(records)
    for original in originals:
        if rng.random() < duplicate_rate:
            for _ in range(rng.choices((1, 2), weights=(80, 20))[0]):
                records.append(_corrupt(rng, original))
    rng.shuffle(records)
    return records


CORRUPTIONS = (
    "short_form",
    "new_surname",
    "transliteration",
    "day_month_swap",
    "typo_first",
    "typo_last",
    "one_digit",
    "move",
    "no_upn",
    "swapped_names",
    "no_contacts",
    "no_sex",
)


def _corrupt(rng, base: Record) -> Record:
    r = Record(
        entity=base.entity,
        family=base.family,
        first_name=base.first_name,
        last_name=base.last_name,
        date_of_birth=base.date_of_birth,
        sex=base.sex,
        middle_names=base.middle_names if rng.random() < 0.5 else "",
        upns=base.upns,
        addresses=list(base.addresses),
        parents=list(base.parents),
    )
    done = []
    count = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    for kind in rng.sample(CORRUPTIONS, count):
        if kind == "short_form" and (short := _short_form(rng, r.first_name)):
            r.preferred_first_name = short if rng.random() < 0.3 else ""
            r.first_name = r.first_name if r.preferred_first_name else short
        elif kind == "new_surname":
            r.last_name = rng.choice(SURNAMES)
            r.parents = [(p[0].rsplit(" ", 1)[0] + " " + r.last_name, p[1]) for p in r.parents]
        elif kind == "transliteration" and (
            options := TRANSLITERATIONS.get(r.first_name.lower()) or TRANSLITERATIONS.get(r.last_name.lower())
        ):
            if r.first_name.lower() in TRANSLITERATIONS:
                r.first_name = rng.choice(options)
            else:
                r.last_name = rng.choice(options)
        elif (
            kind == "day_month_swap"
            and r.date_of_birth.day <= 12
            and r.date_of_birth.day != r.date_of_birth.month
        ):
            d = r.date_of_birth
            r.date_of_birth = d.replace(day=d.month, month=d.day)
        elif kind == "typo_first":
            r.first_name = _typo(rng, r.first_name)
        elif kind == "typo_last":
            r.last_name = _typo(rng, r.last_name)
        elif kind == "one_digit":
            r.date_of_birth = _one_digit(rng, r.date_of_birth)
        elif kind == "move":
            r.addresses = [(_street(rng), _postcode(rng), True)]
            if rng.random() < 0.5:
                r.parents = [(p[0], _phone(rng)) for p in r.parents]
        elif kind == "no_upn":
            r.upns = ()
        elif kind == "swapped_names":
            r.first_name, r.last_name = r.last_name, r.first_name
        elif kind == "no_contacts":
            r.parents = []
        elif kind == "no_sex":
            r.sex = ""
        else:
            continue
        done.append(kind)
    r.corruptions = tuple(done)
    return r


def profile_of(record: Record, *, with_upn: bool = True):
    from .profiles import make_profile

    return make_profile(
        first_name=record.first_name,
        last_name=record.last_name,
        date_of_birth=record.date_of_birth,
        sex=record.sex,
        middle_names=record.middle_names,
        preferred_first_name=record.preferred_first_name,
        upns=record.upns if with_upn else (),
        addresses=record.addresses,
        parents=record.parents,
        child_id=id(record),
    )
