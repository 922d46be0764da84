"""Training the matching model with Splink: Splink's levels are the scorer's own comparisons (through DuckDB
functions), the trained weights point the right way and match children on data it has not seen, and the
command writes a file the scorer loads."""

import json
import random
import sys

import pytest
from django.core.management import call_command

from onroll.matching import evaluation, scoring, splink_training, training
from onroll.matching.comparisons import LEVELS, compare
from onroll.matching.synthetic import generate, profile_of


def _levels_through_duckdb(profiles, pairs):
    """Each pair's level index per comparison, as Splink's SQL sees them (the `_l`/`_r` columns)."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    splink_training.register_functions(con)
    con.register("t", pa.Table.from_pylist([splink_training.row(p, i) for i, p in enumerate(profiles)]))
    con.register("p", pa.Table.from_pylist([{"a": a, "b": b} for a, b in pairs]))
    columns = sorted({c for cols in splink_training.FIELDS.values() for c in cols})
    sides = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns)
    levels = ", ".join(splink_training.call(name) for name in LEVELS)
    sql = (
        f"SELECT a, b, {levels} FROM (SELECT p.a, p.b, {sides} FROM p "
        "JOIN t l ON l.unique_id = p.a JOIN t r ON r.unique_id = p.b) ORDER BY a, b"
    )
    return {(a, b): rest for a, b, *rest in con.sql(sql).fetchall()}


def test_duckdb_functions_give_the_levels_compare_gives():
    records = generate(600, seed=5)
    # Half with UPNs, so the UPN levels are exercised as well as "not known".
    profiles = [profile_of(r, with_upn=i % 2 == 0) for i, r in enumerate(records)]
    rng = random.Random(1)
    pairs = {(rng.randrange(len(profiles)), rng.randrange(len(profiles))) for _ in range(1500)}
    first_of = {}
    for i, r in enumerate(records):  # each duplicate with the child's first record
        pairs.add((first_of.setdefault(r.entity, i), i))
    got = _levels_through_duckdb(profiles, sorted(pairs))
    seen = set()
    for (a, b), levels in got.items():
        expected = compare(profiles[a], profiles[b])
        for name, level in zip(LEVELS, levels, strict=True):
            want = expected[name]
            assert level == (None if want is None else LEVELS[name].index(want[0])), (a, b, name)
            seen.add((name, want and want[0]))
    assert len(got) == len(pairs)
    # The sample reaches beyond the easy levels.
    assert {("first_name", "short_form"), ("date_of_birth", "day_month_swapped"), ("upn", "same")} <= seen


@pytest.fixture(scope="module")
def trained():
    records = generate(1500, seed=21)
    profiles = [profile_of(r, with_upn=False) for r in records]
    assert 1900 <= len(profiles) <= 2200
    return training.train(profiles, u_pairs=60_000)


def test_splink_training_gives_weights_that_point_the_right_way(trained):
    model, info = trained
    assert info["splink"] and model.trained.count(f"by Splink {info['splink']} on ")
    for name, levels in LEVELS.items():
        assert model.weights[(name, levels[0])] > 0, (name, levels[0])
        assert model.weights[(name, levels[-1])] < 0, (name, levels[-1])
    for name in ("first_name", "last_name", "date_of_birth", "home", "contact"):
        assert model.weights[(name, LEVELS[name][0])] > 5, name  # agreeing on these is strong evidence
    assert model.weights[("date_of_birth", "exact")] > model.weights[("date_of_birth", "same_year")]
    assert 0 < model.prior < 0.01
    assert {"oliver", "amelia"} & model.common_first_names  # the register's common first names, for scoring
    # The UPN levels are fixed, not learnt from records that have no UPN.
    assert model.m[("upn", "same")] == 0.95 and model.u[("upn", "same")] == 1e-7
    # The model round-trips through the file format the scorer reads.
    assert scoring.from_dict(scoring.to_dict(model)).weights == model.weights


def test_splink_trained_model_matches_children_it_has_not_seen(trained):
    model, _ = trained
    figures = evaluation.evaluate_synthetic(model, children=1200, seed=99)
    assert figures.true_pairs > 300
    assert figures.f1 >= 0.95, figures.lines()
    assert figures.sibling_pairs_above == 0, figures.lines()


def test_records_without_duplicates_are_refused_with_a_reason():
    profiles = [profile_of(r, with_upn=False) for r in generate(400, seed=8, duplicate_rate=0.0)]
    with pytest.raises(training.TrainingError, match="too few to learn from"):
        training.train(profiles, u_pairs=20_000)


def test_command_writes_a_model_file_the_scorer_loads(tmp_path):
    out = tmp_path / "model.json"
    call_command("matching_train", synthetic=150, seed=4, out=str(out))
    model = scoring.load(out)
    data = json.loads(out.read_text())
    assert data["trainer"].startswith("Splink ") and data["schema"] == scoring.SCHEMA
    assert "synthetic children, seed 4, UPNs left out" in model.trained
    assert model.threshold == 0.9


def test_command_says_so_when_splink_is_missing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "model.json"
    out.write_text("unchanged")
    monkeypatch.setitem(sys.modules, "splink", None)  # import splink now raises ImportError
    call_command("matching_train", synthetic=100, out=str(out))
    assert "needs Splink" in capsys.readouterr().err
    assert out.read_text() == "unchanged"
