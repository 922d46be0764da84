"""Training the model with Splink (DuckDB) over the very levels the in-process scorer uses. Each comparison
is a DuckDB Python function: it rebuilds the part of a profile that comparison reads and asks
`comparisons.compare` for the level, so Splink's SQL never holds a second definition of a level."""

import functools
import logging
import statistics

from .comparisons import LEVELS, compare
from .profiles import Profile

# comparison -> the columns of the training table it reads
FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_keys", "first_kinds"),
    "last_name": ("last_keys", "last_kinds"),
    "date_of_birth": ("dob",),
    "sex": ("sex",),
    "upn": ("upns",),
    "home": ("postcodes", "current_postcodes", "streets"),
    "contact": ("parents", "phones"),
}
COLUMN_TYPES = {"dob": "DATE", "sex": "VARCHAR"}  # the others are lists of text


def _set(values) -> frozenset:
    return frozenset(values or ())


# comparison -> the part of a profile it reads, rebuilt from its columns (in FIELDS order)
PARTIAL = {
    "first_name": lambda keys, kinds: Profile(first=list(zip(keys or (), kinds or (), strict=True))),
    "last_name": lambda keys, kinds: Profile(last=list(zip(keys or (), kinds or (), strict=True))),
    "date_of_birth": lambda dob: Profile(dob=dob),
    "sex": lambda sex: Profile(sex=sex or ""),
    "upn": lambda upns: Profile(upns=_set(upns)),
    "home": lambda postcodes, current, streets: Profile(
        postcodes=_set(postcodes), current_postcodes=_set(current), streets=_set(streets)
    ),
    "contact": lambda parents, phones: Profile(parents=_set(parents), phones=_set(phones)),
}


def row(p: Profile, unique_id: int) -> dict:
    """One profile as a row of the training table."""
    return {
        "unique_id": unique_id,
        "first_keys": [k for k, _ in p.first],
        "first_kinds": [kind for _, kind in p.first],
        "last_keys": [k for k, _ in p.last],
        "last_kinds": [kind for _, kind in p.last],
        "dob": p.dob,
        "sex": p.sex or None,
        "upns": sorted(p.upns),
        "postcodes": sorted(p.postcodes),
        "current_postcodes": sorted(p.current_postcodes),
        "streets": sorted(p.streets),
        "parents": sorted(p.parents),
        "phones": sorted(p.phones),
    }


def _hashable(values: list) -> list:
    return [tuple(v) if isinstance(v, list) else v for v in values]


def level_function(name: str):
    """A vectorised (Arrow) DuckDB function: left columns then right columns -> level index or NULL."""
    import pyarrow as pa

    index = {level: i for i, level in enumerate(LEVELS[name])}
    build = PARTIAL[name]
    width = len(FIELDS[name])

    # Splink's random pairs repeat each sampled record hundreds of times, and many values repeat (sex, a
    # date, a name): build each side's profile once per value, and compare each pair of values once.
    @functools.lru_cache(maxsize=50_000)
    def profile(values) -> Profile:
        return build(*values)

    @functools.lru_cache(maxsize=200_000)
    def level(left, right) -> int | None:
        found = compare(profile(left), profile(right))[name]
        return None if found is None else index[found[0]]

    def levels(*arrays):
        columns = [_hashable(a.to_pylist()) for a in arrays]
        sides = zip(zip(*columns[:width], strict=True), zip(*columns[width:], strict=True), strict=True)
        out = [level(left, right) for left, right in sides]
        return pa.array(out, type=pa.int8())

    # DuckDB reads the number of parameters from the signature, so *arrays will not do.
    return _WITH_ARITY[2 * width](levels)


_WITH_ARITY = {
    2: lambda f: lambda a, b: f(a, b),
    4: lambda f: lambda a, b, c, d: f(a, b, c, d),
    6: lambda f: lambda a, b, c, d, e, g: f(a, b, c, d, e, g),
}


def function_name(name: str) -> str:
    return f"onroll_{name}_level"


def register_functions(con) -> None:
    """Put one level function per comparison on the DuckDB connection Splink runs its SQL on."""
    from duckdb import sqltypes

    types = {"DATE": sqltypes.DATE, "VARCHAR": sqltypes.VARCHAR}
    for name, columns in FIELDS.items():
        params = [
            types[COLUMN_TYPES[c]] if c in COLUMN_TYPES else sqltypes.DuckDBPyType(list[str]) for c in columns
        ]
        con.create_function(
            function_name(name),
            level_function(name),
            params * 2,
            sqltypes.TINYINT,
            type="arrow",
            null_handling="special",
        )


def call(name: str) -> str:
    columns = FIELDS[name]
    return f"{function_name(name)}({', '.join([f'{c}_l' for c in columns] + [f'{c}_r' for c in columns])})"


# Blocking rules for the EM sessions, as Splink trains: each session estimates m for the comparisons its
# rule does not use. Not a rule on the home: pairs sharing a postcode are mostly brothers and sisters, and
# EM would learn "same family" instead of "same child".
EM_RULES = (
    ("l.dob = r.dob", (("date_of_birth", "exact"),)),
    (
        "l.first_keys[1] = r.first_keys[1] AND l.last_keys[1] = r.last_keys[1]",
        (("first_name", "exact"), ("last_name", "exact")),
    ),
)


def settings(fixed: dict, prior: float):
    """Splink settings: one custom comparison per comparison, a null level then one level per index. EM
    starts from Splink's default m, so a level it never sees comes back without one."""
    from splink import SettingsCreator
    from splink.comparison_library import CustomComparison

    comparisons = []
    for name, levels in LEVELS.items():
        fn = call(name)
        entries = [{"sql_condition": f"{fn} IS NULL", "label_for_charts": "not known", "is_null_level": True}]
        for i, level in enumerate(levels):
            entry = {"sql_condition": f"{fn} = {i}", "label_for_charts": level}
            if name in fixed:
                m, u = fixed[name]
                entry.update(m_probability=float(m[i]), u_probability=float(u[i]))
                entry.update(fix_m_probability=True, fix_u_probability=True)
            entries.append(entry)
        comparisons.append(CustomComparison(comparison_levels=entries, output_column_name=name))
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=30,
    )


# Below this share of matches among a session's blocked pairs, EM has found no matches at all.
MIN_SESSION_LAMBDA = 1e-6


def _odds(p: float) -> float:
    return p / (1 - p)


def _em_session(linker, rule: str):
    """One EM session with u held; None when the rule pairs no records at all (no two children born on one
    day, say), which Splink refuses."""
    from splink.internals.exceptions import EMTrainingException

    try:
        return linker.training.estimate_parameters_using_expectation_maximisation(
            rule, fix_u_probabilities=True
        )
    except EMTrainingException:
        return None


def _prior_estimates(sessions, m: dict, u: dict) -> list[float]:
    """lambda over all pairs from each EM session, as Splink reverses one: the odds among pairs blocked on
    (say) the same date of birth, divided by the Bayes factor of that level. Splink cannot see that our
    function's level 0 is the rule's equality, so the reversal is done here. A session that did not run,
    found no matches, missed the level its rule amounts to, or ends with half of all pairs the same child
    has nothing believable to say and is left out."""
    estimates = []
    for session, (_, levels) in zip(sessions, EM_RULES, strict=True):
        if session is None:
            continue
        blocked = session.core_model_settings.probability_two_random_records_match
        factors = [(m[name][LEVELS[name].index(lv)], u[name][LEVELS[name].index(lv)]) for name, lv in levels]
        if blocked < MIN_SESSION_LAMBDA or not all(fm and fu for fm, fu in factors):
            continue
        odds = _odds(blocked)
        for fm, fu in factors:
            odds /= fm / fu
        if odds / (1 + odds) < 0.5:
            estimates.append(odds / (1 + odds))
    return estimates


def train(profiles, *, fixed: dict, prior: float, seed: int, max_pairs: float) -> dict:
    """m and u per level and lambda, trained by Splink on these profiles without labels."""
    import pyarrow as pa
    import splink
    from splink import DuckDBAPI, Linker

    api = DuckDBAPI()
    api.duckdb_con.execute("SET enable_progress_bar = false")
    register_functions(api.duckdb_con)
    table = api.register(pa.Table.from_pylist([row(p, i) for i, p in enumerate(profiles)]))
    linker = Linker(table, settings(fixed, prior), log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    sessions = [_em_session(linker, rule) for rule, _ in EM_RULES]
    trained = linker.misc.save_model_to_json()
    m, u = {}, {}
    for comparison in trained["comparisons"]:
        name = comparison["output_column_name"]
        levels = [c for c in comparison["comparison_levels"] if not c.get("is_null_level")]
        m[name] = [c.get("m_probability") for c in levels]
        u[name] = [c.get("u_probability") for c in levels]
    estimates = _prior_estimates(sessions, m, u)
    return {
        "m": m,
        "u": u,
        # Combined as Splink combines its sessions' estimates; none (EM found no matches): 0.
        "prior": 1 / statistics.median(1 / p for p in estimates) if estimates else 0.0,
        "prior_estimates": estimates,
        "splink": splink.__version__,
        "sessions": [s and s.core_model_settings.probability_two_random_records_match for s in sessions],
    }
