"""The batch duplicates job in arrays finds exactly what blocking.candidate_pairs + Model.score find."""

import dataclasses
import datetime as dt
import random
import string
import unicodedata

import numpy as np
import pytest

from onroll.children.models import Child
from onroll.children.names import search_key
from onroll.matching import batch, scoring
from onroll.matching.blocking import candidate_pairs
from onroll.matching.duplicates import find_duplicates
from onroll.matching.models import DuplicatePair
from onroll.matching.profiles import make_profile
from onroll.matching.synthetic import generate, profile_of

from . import factories as f


def _varied(record, rng):
    """A synthetic record's profile with what the generator never makes: former and preferred surnames,
    double-barrelled names, UPNs, old addresses, and fields left blank."""
    upns = (f"A{rng.randrange(10**11, 10**12)}",) if rng.random() < 0.05 else ()
    if rng.random() < 0.3:
        upns = record.upns
    addresses = list(record.addresses)
    if rng.random() < 0.2:
        addresses.append(("1 Old Road", f"PO{rng.randint(1, 9)} 1AB", False))
    if rng.random() < 0.05:
        addresses = []
    former = ((record.first_name, "Smith-Jones"),) if rng.random() < 0.05 else ()
    dob = record.date_of_birth if rng.random() > 0.03 else None
    if dob and rng.random() < 0.02:
        dob = dob.replace(year=9999)  # an absurd year must not collide with other parts of a key code
    return make_profile(
        first_name=record.first_name if rng.random() > 0.01 else "",
        last_name=record.last_name if rng.random() > 0.01 else "",
        date_of_birth=dob,
        sex=record.sex if rng.random() > 0.05 else "",
        middle_names=record.middle_names,
        preferred_first_name=record.preferred_first_name,
        preferred_last_name=f"{record.last_name}-Khan" if rng.random() < 0.05 else "",
        former_names=former,
        upns=upns,
        addresses=addresses,
        parents=record.parents if rng.random() > 0.05 else (),
    )


@pytest.fixture(scope="module")
def records():
    return generate(2300, seed=7)[:3000]


@pytest.fixture(scope="module", params=["synthetic", "with UPNs", "varied"])
def profiles(request, records):
    if request.param == "varied":
        rng = random.Random(3)
        return [_varied(r, rng) for r in records]
    return [profile_of(r, with_upn=request.param == "with UPNs") for r in records]


def _python(profiles, model):
    """What the Python scorer finds: pair -> (probability, reasons)."""
    found = {}
    for i, j in candidate_pairs(profiles):
        s = model.score(profiles[i], profiles[j])
        if s.probability >= model.threshold:
            found[(i, j)] = (s.probability, s.reasons)
    return found


def test_the_batch_pairs_are_blocking_s_pairs(profiles):
    a, b = batch.candidate_pairs(batch.encode(profiles))
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == candidate_pairs(profiles)
    assert (a < b).all()


def test_every_pair_s_levels_and_family_rule_inputs_are_the_python_ones(profiles):
    coded = batch.encode(profiles)
    a, b = batch.candidate_pairs(coded)
    batch.verify(scoring.current(), profiles, coded, a, b)  # raises LevelsDiffer at the first difference


@pytest.mark.parametrize("family_rules", [True, False])
def test_the_batch_finds_exactly_what_model_score_finds(profiles, family_rules):
    model = dataclasses.replace(scoring.current(), family_rules=family_rules)
    result = batch.likely_duplicates(profiles, model)
    want = _python(profiles, model)
    got = {(a, b): (p, reasons) for a, b, p, reasons in result.pairs()}
    assert got.keys() == want.keys() and len(got) > 100
    for pair, (probability, reasons) in want.items():
        assert abs(got[pair][0] - probability) <= 1e-9 and got[pair][1] == reasons
    assert result.compared == len(candidate_pairs(profiles))


def _every_sex_different(coded, a, b):
    return np.full(len(a), batch._code("different", "sex"), dtype=np.int32)


def test_levels_that_drift_from_the_comparisons_are_caught(records, monkeypatch):
    profiles = [profile_of(r) for r in records[:500]]
    monkeypatch.setitem(batch._LEVELLERS, "sex", _every_sex_different)
    with pytest.raises(batch.LevelsDiffer):
        batch.likely_duplicates(profiles, scoring.current())


def test_no_children_and_one_child():
    model = scoring.current()
    assert batch.likely_duplicates([], model).compared == 0
    one = make_profile(first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2015, 3, 14))
    result = batch.likely_duplicates([one], model)
    assert result.compared == 0 and len(result.a) == 0


def test_the_nightly_job_falls_back_to_the_python_scorer_if_the_levels_drift(world, monkeypatch, caplog):
    again = f.ChildFactory(
        legal_first_name=world.child.legal_first_name,
        legal_last_name=world.child.legal_last_name,
        date_of_birth=world.child.date_of_birth,
        sex=world.child.sex,
        la=world.la,
    )
    monkeypatch.setitem(batch._LEVELLERS, "sex", _every_sex_different)
    report = find_duplicates(world.la)
    assert "scoring every pair in Python" in caplog.text
    pair = DuplicatePair.objects.get()
    assert {pair.child_a_id, pair.child_b_id} == {world.child.pk, again.pk} and report.found == 1
    assert report.children == Child.objects.filter(la=world.la).count()


def test_search_key_s_ascii_shortcut_folds_as_the_unicode_path_does():
    """Profiles for a million children fold names through search_key's ASCII shortcut."""

    def unicode_path(name):
        letters = (c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
        return "".join(c for c in "".join(letters).casefold() if c.isalnum())

    rng = random.Random(5)
    samples = [chr(i) for i in range(128)] + ["O'Brien-Smith", "12 Mill Lane", "", "  Zoë "]
    samples += ["".join(rng.choice(string.printable) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for name in samples:
        assert search_key(name) == unicode_path(name)
    assert search_key(None) == "" and search_key("Zoë") == "zoe"
