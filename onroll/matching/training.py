"""Training the model without labels, with Splink: u from random pairs (nearly all different children), then
expectation–maximisation over blocked pairs for m, and the share of matches (lambda). Splink puts pairs on
levels with the very functions the scorer uses (splink_training.py); this module turns what it learnt into
the model file."""

import datetime as dt

from .comparisons import LEVELS
from .names import common_first_names
from .scoring import SCHEMA, Model, from_dict, to_dict

MODEL_VERSION = "2"
NAMES = list(LEVELS)

# What m would be with no data: each comparison's m leans towards these by PRIOR_PAIRS pairs' worth.
START_M = {
    "first_name": (0.80, 0.06, 0.04, 0.04, 0.02, 0.04),
    "last_name": (0.80, 0.03, 0.04, 0.02, 0.01, 0.10),
    "date_of_birth": (0.88, 0.03, 0.05, 0.02, 0.02),
    "sex": (0.98, 0.02),
    "upn": (0.95, 0.05),
    "home": (0.6, 0.05, 0.03, 0.05, 0.02, 0.05, 0.2),
    "contact": (0.6, 0.1, 0.3),
}
START_PRIOR = 0.01

# A UPN is given once to one child; register pairs rarely share one by chance, and training data often has
# none, so its levels are fixed rather than learnt: 5 % of the same child's records carry a mistyped UPN.
FIXED = {"upn": ((0.95, 0.05), (1e-7, 1 - 1e-7))}

# Random pairs Splink samples for u. More is steadier and slower (each pair is compared in Python).
U_PAIRS = 200_000


class TrainingError(Exception):
    """Training cannot run here (Splink is not installed) or the records hold too few duplicates."""


def _splink():
    try:
        import splink  # noqa: F401

        from . import splink_training
    except ImportError as exc:
        raise TrainingError(
            "Training the matching model needs Splink, which is not installed: "
            "pip install -e '.[matching-train]'"
        ) from exc
    return splink_training


# Splink's EM has no prior, and drives a level it rarely sees among matches to nearly nothing (a postcode
# one character out fell to 2^-66): one typo would then outvote everything else. So each comparison's m
# gets this many matching pairs' worth of the starting m, as our own EM did before Splink.
PRIOR_PAIRS = 50


def _probabilities(trained: dict, matches: float, u_pairs: float) -> tuple[dict, dict]:
    """m and u per level from Splink's estimates. `matches` is how many matching pairs the training data
    holds (lambda times all pairs). A level EM never saw has m 0 before smoothing; a level Splink saw in no
    random pair gets half a pair's worth of u, rather than none and an infinite weight."""
    m, u = {}, {}
    for name in NAMES:
        start = START_M[name]
        m[name] = [
            ((v or 0.0) * matches + PRIOR_PAIRS * start[i]) / (matches + PRIOR_PAIRS)
            for i, v in enumerate(trained["m"][name])
        ]
        u[name] = [v if v else 0.5 / u_pairs for v in trained["u"][name]]
    for name, (fixed_m, fixed_u) in FIXED.items():
        m[name], u[name] = list(fixed_m), list(fixed_u)
    return m, u


def train(
    profiles, *, threshold: float = 0.9, seed: int = 7, note: str = "", u_pairs: float = U_PAIRS
) -> tuple[Model, dict]:
    """A model trained by Splink on these profiles (the register) without labels, and figures about it."""
    trainer = _splink()
    trained = trainer.train(profiles, fixed=FIXED, prior=START_PRIOR, seed=seed, max_pairs=u_pairs)
    n = len(profiles)
    matches = trained["prior"] * n * (n - 1) / 2
    if matches < PRIOR_PAIRS:
        # Without labels, EM learns what the same child looks like only from children recorded twice.
        raise TrainingError(
            f"Splink found about {matches:.0f} pairs of records for the same child among these {n} "
            f"records: too few to learn from (at least {PRIOR_PAIRS} are needed). Train on synthetic "
            "children instead (--synthetic 20000)"
        )
    m, u = _probabilities(trained, matches, u_pairs)
    data = {
        "format": "onroll-matching-fs",
        "schema": SCHEMA,
        "version": MODEL_VERSION,
        "trained": f"{dt.date.today().isoformat()} by Splink {trained['splink']} on {len(profiles)} "
        f"records{note}",
        "prior": trained["prior"],
        "threshold": threshold,
        "common_first_names": sorted(common_first_names(profiles)),
        "comparisons": {
            name: {lv: {"m": float(m[name][i]), "u": float(u[name][i])} for i, lv in enumerate(LEVELS[name])}
            for name in NAMES
        },
    }
    info = {
        "records": n,
        "prior": trained["prior"],
        "prior_estimates": trained["prior_estimates"],
        "splink": trained["splink"],
    }
    return from_dict(data), info


__all__ = ["train", "to_dict", "TrainingError"]
