"""Training the model without labels, as Splink does: u from random pairs (nearly all different
children), then expectation–maximisation over blocked pairs for m and the share of matches (lambda)."""

import datetime as dt
import random

import numpy as np

from .blocking import candidate_pairs
from .comparisons import LEVELS, compare
from .scoring import SCHEMA, Model, from_dict, to_dict

MODEL_VERSION = "1"
NAMES = list(LEVELS)

# Where EM starts: m high on agreement, u from rough frequencies. Only a starting point.
START_M = {
    "first_name": (0.80, 0.06, 0.04, 0.04, 0.02, 0.04),
    "last_name": (0.80, 0.03, 0.04, 0.02, 0.01, 0.10),
    "date_of_birth": (0.88, 0.03, 0.05, 0.02, 0.02),
    "sex": (0.98, 0.02),
    "upn": (0.95, 0.05),
    "home": (0.6, 0.05, 0.03, 0.05, 0.02, 0.05, 0.2),
    "contact": (0.6, 0.1, 0.3),
}


def start_model() -> Model:
    comparisons = {}
    for name, levels in LEVELS.items():
        n = len(levels)
        comparisons[name] = {
            level: {"m": START_M[name][i], "u": (0.9 if i == n - 1 else 0.1 / (n - 1))}
            for i, level in enumerate(levels)
        }
    return from_dict(
        {
            "format": "onroll-matching-fs",
            "schema": SCHEMA,
            "prior": 0.01,
            "threshold": 0.9,
            "comparisons": comparisons,
        }
    )


def gamma(pairs_levels) -> np.ndarray:
    """Comparison levels of each pair as integers (-1 where either side did not know)."""
    out = np.full((len(pairs_levels), len(NAMES)), -1, dtype=np.int8)
    for row, levels in enumerate(pairs_levels):
        for col, name in enumerate(NAMES):
            lv = levels[name]
            if lv is not None:
                out[row, col] = LEVELS[name].index(lv[0])
    return out


def estimate_u(profiles, *, samples: int = 200_000, seed: int = 7) -> dict:
    """u per level from random pairs: almost every random pair is two different children."""
    rng = random.Random(seed)
    n = len(profiles)
    levels = []
    for _ in range(min(samples, n * (n - 1) // 2)):
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j:
            levels.append(compare(profiles[i], profiles[j]))
    return _frequencies(gamma(levels), np.ones(len(levels)))


def _frequencies(g: np.ndarray, weights: np.ndarray, pseudo: float = 0.5, start: dict | None = None) -> dict:
    """Weighted level frequencies per comparison. With `start`, each comparison gets PRIOR_PAIRS pairs'
    worth of the starting m, so a level the data barely shows keeps a plausible m instead of ~0."""
    out = {}
    for col, name in enumerate(NAMES):
        k = len(LEVELS[name])
        known = g[:, col] >= 0
        counts = np.bincount(g[known, col], weights=weights[known], minlength=k) + pseudo
        if start is not None:
            counts = counts + PRIOR_PAIRS * start[name]
        out[name] = counts / counts.sum()
    return out


# A UPN is given once to one child; register pairs rarely share one by chance, and training data often has
# none, so its levels are fixed rather than learnt: 5 % of the same child's records carry a mistyped UPN.
FIXED = {"upn": (np.array([0.95, 0.05]), np.array([1e-7, 1 - 1e-7]))}


PRIOR_PAIRS = 50
START = {name: np.array(values) / sum(values) for name, values in START_M.items()}


def em(g: np.ndarray, m: dict, u: dict, prior: float, *, iterations: int = 30):
    """m and lambda by expectation–maximisation with u held fixed."""
    for _ in range(iterations):
        log_m = np.zeros(len(g))
        log_u = np.zeros(len(g))
        for col, name in enumerate(NAMES):
            known = g[:, col] >= 0
            log_m[known] += np.log(m[name][g[known, col]])
            log_u[known] += np.log(u[name][g[known, col]])
        odds = np.exp(np.clip(np.log(prior / (1 - prior)) + log_m - log_u, -700, 700))
        p = odds / (1 + odds)
        prior = float(np.clip(p.mean(), 1e-6, 0.5))
        m = _frequencies(g, p, pseudo=0.01, start=START)
        m.update({name: fixed[0] for name, fixed in FIXED.items()})
    return m, prior


def train(profiles, *, threshold: float = 0.9, seed: int = 7, note: str = "") -> tuple[Model, dict]:
    """A model trained on these profiles (the register) without labels, and figures about the training."""
    start = start_model()
    u = estimate_u(profiles, seed=seed)
    u.update({name: fixed[1] for name, fixed in FIXED.items()})
    pairs = sorted(candidate_pairs(profiles))
    g = gamma([compare(profiles[i], profiles[j]) for i, j in pairs])
    m0 = {name: np.array([start.m[(name, lv)] for lv in LEVELS[name]]) for name in NAMES}
    m, blocked_prior = em(g, m0, u, start.prior)
    # lambda over every possible pair, as Splink reports it: the expected number of matches among the
    # blocked pairs spread over all pairs. A look-up compares against the register, not a blocked sample.
    n = len(profiles)
    prior = max(blocked_prior * len(pairs) / (n * (n - 1) / 2), 1e-9)
    data = {
        "format": "onroll-matching-fs",
        "schema": SCHEMA,
        "version": MODEL_VERSION,
        "trained": f"{dt.date.today().isoformat()} on {len(profiles)} records, "
        f"{len(pairs)} blocked pairs{note}",
        "prior": prior,
        "threshold": threshold,
        "comparisons": {
            name: {lv: {"m": float(m[name][i]), "u": float(u[name][i])} for i, lv in enumerate(LEVELS[name])}
            for name in NAMES
        },
    }
    return from_dict(data), {"records": len(profiles), "pairs": len(pairs), "prior": prior}


__all__ = ["train", "to_dict", "start_model"]
