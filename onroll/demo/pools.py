"""Pools of synthetic names, streets and places, drawn from Faker once and then combined with a seeded RNG.

Faker is far too slow to call per row at a million children, so each pool is filled with a few hundred
draws up front; repeats in the draws are kept so common names stay common. Every contact detail uses a
range reserved for fiction: Ofcom's drama numbers and the example.* domains (RFC 2606).
"""

import functools
import random
from dataclasses import dataclass

from faker import Faker

# Common given names among British Pakistani and Bangladeshi families; Faker's en_PK names are not split
# by sex, so only its surnames are used.
SOUTH_ASIAN_MUSLIM_FEMALE = tuple(
    "Aisha Maryam Zara Hafsa Ayesha Fatima Khadija Amina Inaaya Safa Hania Zainab Anaya Ruqayyah Noor "
    "Sumaya Iqra Mariam Jannat Tasnim".split()
)
SOUTH_ASIAN_MUSLIM_MALE = tuple(
    "Muhammad Ibrahim Yusuf Ayaan Zayn Hamza Ali Musa Adam Rayyan Abdullah Hassan Bilal Imran Zakariya "
    "Umar Idris Arham Shahid Tahmid".split()
)
# Given names common among children born in England since 2008 (Faker's en_GB lists are a generation
# older: good for parents, odd for pupils). Mixed with Faker's names so rarer names still appear.
RECENT_GIRLS = tuple(
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Sophia Grace Freya Emily Poppy Ella Evie Charlotte "
    "Florence Willow Rosie Sienna Daisy Millie Harper Phoebe Matilda Ruby Jessica Chloe Sophie Holly "
    "Maisie Erin Scarlett Layla".split()
)
RECENT_BOYS = tuple(
    "Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar Jacob Henry Thomas Freddie Alfie Theo "
    "William Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan Ethan Mason "
    "Harrison Riley Dylan Reggie Jake".split()
)
# Made-up place-name parts; the pairs give a county's worth of plausible, mostly non-existent towns.
TOWN_STARTS = tuple(
    "Ash Bram Brook Cal Elm Fen Hart Hazel Holm Kirk Lark Mar Mill Nor Oak Pen Rook Sel Stan Thorn Wil "
    "Wyn Ald Cray Dun Ever Haw".split()
)
TOWN_ENDS = tuple("ley field ford bury by ham mere wick ton stead well combe dale hurst worth gate".split())
STREET_WORDS = tuple(
    "Church Mill Station Park Victoria Albert Meadow Orchard Willow Chestnut Beech Rowan Heather School "
    "Bridge Manor Windmill Castle Brook Spring Hill Market King Queen Priory Abbey Holly Cedar Poplar "
    "Larch".split()
)
STREET_KINDS = tuple(
    "Road Street Lane Close Avenue Drive Way Crescent Gardens Grove Terrace Court Place Walk Rise View "
    "Mews".split()
)
SAINTS = tuple(
    "Mary John Peter Paul Michael Anne Joseph Andrew Bede Hilda Cuthbert Luke Margaret Thomas Francis "
    "Edmund Aidan Chad".split()
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of a UK postcode
# The real two-letter postcode areas, so a made-up LA never gets a real place's postcodes.
REAL_POSTCODE_AREAS = set(
    "AB AL BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY EC EH EN "
    "EX FK FY GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY LA LD LE LL LN LS LU ME MK ML "
    "NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD "
    "TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE".split()
)


@dataclass(frozen=True)
class NamePool:
    female: tuple[str, ...]  # adults' given names (parents, staff)
    male: tuple[str, ...]
    last: tuple[str, ...]
    girls: tuple[str, ...] = ()  # children's given names, where they differ from the adults'
    boys: tuple[str, ...] = ()

    def given(self, sex: str, child: bool) -> tuple[str, ...]:
        female = (self.girls or self.female) if child else self.female
        male = (self.boys or self.male) if child else self.male
        return female if sex == "F" else male if sex == "M" else female + male


@dataclass(frozen=True)
class Pools:
    names: dict[str, NamePool]
    towns: tuple[str, ...]
    streets: tuple[str, ...]
    postcode_area: str


def _draws(fake: Faker, method: str, n: int) -> tuple[str, ...]:
    call = getattr(fake, method)
    return tuple(call() for _ in range(n))


def _faker_pool(locale: str, seed: int, n: int) -> NamePool:
    fake = Faker(locale)
    fake.seed_instance(seed)
    return NamePool(
        _draws(fake, "first_name_female", n), _draws(fake, "first_name_male", n), _draws(fake, "last_name", n)
    )


def _merge(*pools: NamePool) -> NamePool:
    return NamePool(
        *(tuple(n for p in pools for n in getattr(p, part)) for part in ("female", "male", "last"))
    )


def _name_pools(seed: int) -> dict[str, NamePool]:
    adults = _faker_pool("en_GB", seed, 2000)
    # Recent names repeated so they make up about three in four children's names.
    gb = NamePool(
        adults.female,
        adults.male,
        adults.last,
        RECENT_GIRLS * 40 + adults.female[:500],
        RECENT_BOYS * 40 + adults.male[:500],
    )
    pakistani = Faker("en_PK")
    pakistani.seed_instance(seed)
    chinese = Faker("zh_CN")
    chinese.seed_instance(seed)
    chinese_firsts = _draws(chinese, "first_romanized_name", 200)
    return {
        "gb": gb,
        "ie": _faker_pool("en_IE", seed, 300),
        "eu": _merge(*(_faker_pool(loc, seed, 200) for loc in ("pl_PL", "ro_RO", "pt_PT"))),
        "ro": _faker_pool("ro_RO", seed, 200),
        "in": _faker_pool("en_IN", seed, 300),
        "pk": NamePool(
            SOUTH_ASIAN_MUSLIM_FEMALE, SOUTH_ASIAN_MUSLIM_MALE, _draws(pakistani, "last_name", 300)
        ),
        "ng": _merge(*(_faker_pool(loc, seed, 150) for loc in ("yo_NG", "ig_NG", "en_NG"))),
        "cn": NamePool(chinese_firsts, chinese_firsts, _draws(chinese, "last_romanized_name", 200)),
        "tr": _faker_pool("tr_TR", seed, 200),
    }


@functools.lru_cache(maxsize=4)  # immutable, and drawing them costs a few tenths of a second
def build_pools(seed: int, la_name: str) -> Pools:
    rng = random.Random(f"pools:{seed}:{la_name}")
    towns = sorted({a + b for a in TOWN_STARTS for b in TOWN_ENDS})
    rng.shuffle(towns)
    gb_last = _faker_pool("en_GB", seed + 1, 300).last
    streets = {f"{w} {k}" for w in STREET_WORDS + gb_last for k in STREET_KINDS}
    return Pools(_name_pools(seed), tuple(towns[:30]), tuple(sorted(streets)), postcode_area(la_name))


def postcode_area(la_name: str) -> str:
    """Two letters from the LA's name that are not a real postcode area: Northmere gives NM."""
    letters = [c for c in la_name.upper() if "A" <= c <= "Z"] or ["Z"]
    consonants = [c for c in reversed(letters[1:]) if c not in "AEIOU"]
    for second in [*consonants, *"ZXQJKVY"]:
        if letters[0] + second not in REAL_POSTCODE_AREAS:
            return letters[0] + second
    return "ZX"


def mobile(rng: random.Random) -> str:
    return f"07700 900{rng.randrange(1000):03d}"


def landline(rng: random.Random) -> str:
    return f"01632 960{rng.randrange(1000):03d}"


def email(rng: random.Random, first: str, last: str) -> str:
    local = "".join(c for c in f"{first}.{last}".lower() if c.isascii() and (c.isalnum() or c == "."))
    return f"{local.strip('.') or 'family'}{rng.randrange(100)}@{rng.choice(('example.com', 'example.org'))}"


def postcode(rng: random.Random, area: str) -> str:
    inward = f"{rng.randrange(10)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
    return f"{area}{rng.randrange(1, 25)} {inward}"


def street_address(rng: random.Random, pools: Pools) -> tuple[str, str]:
    """(line 1, line 2): a house number and street, sometimes a flat."""
    street = rng.choice(pools.streets)
    if rng.random() < 0.15:
        return f"Flat {rng.randrange(1, 30)}", f"{rng.randrange(1, 120)} {street}"
    return f"{rng.randrange(1, 240)} {street}", ""
