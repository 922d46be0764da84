"""Twins and siblings kept apart: two different common first names, a first name that is the family's
surname (names swapped), the register's common names, and a record linked to both twins."""

import dataclasses
import datetime as dt

import pytest

from onroll.matching import scoring
from onroll.matching.conflicts import twin_conflicts
from onroll.matching.names import common_first_names
from onroll.matching.profiles import make_profile

BIRTHDAY = dt.date(2020, 8, 20)
HOME = [("12 Mill Lane", "M20 1AW", True)]
PARENTS = [("Irene Whittaker", "07921 998870"), ("Marcus Whittaker", "07129 355033")]


def child(first, last="Whittaker", *, parents=PARENTS, **kw):
    return make_profile(
        first_name=first,
        last_name=last,
        date_of_birth=BIRTHDAY,
        sex="F",
        addresses=HOME,
        parents=parents,
        **kw,
    )


@pytest.fixture
def model():
    names = {"nicole", "nicola", "joanne", "jayne", "mellissa", "dean", "sophie"}
    return dataclasses.replace(scoring.load(), common_first_names=frozenset(names))


def test_twins_with_two_common_names_that_sound_alike_are_held_apart(model):
    s = model.score(child("Nicole"), child("Nicola"))
    assert s.possible_sibling
    assert s.probability < model.threshold
    assert scoring.SIBLING_REASON in s.reasons


def test_without_the_common_names_the_same_pair_would_be_suggested(model):
    plain = dataclasses.replace(model, common_first_names=frozenset())
    assert plain.score(child("Nicole"), child("Nicola")).probability >= model.threshold


def test_a_mistyped_first_name_is_still_the_same_child(model):
    s = model.score(child("Nicole"), child("Nicloe"))  # not a name anyone in the register has
    assert not s.possible_sibling
    assert s.probability >= model.threshold


def test_known_spellings_of_one_name_are_not_a_clash(model):
    s = model.score(child("Sophie"), child("Sophia"))
    assert not s.possible_sibling and s.probability >= model.threshold


def test_twins_both_recorded_with_names_swapped_are_held_apart(model):
    # Mellissa and Dean Storey, each recorded as "Storey" first: the agreeing first name is the surname of
    # the parents, so it says nothing about which child this is.
    parents = [("Jean Storey", "07198 154184")]
    a = child("Storey", "Mellissa", parents=parents)
    b = child("Storey", "Dean", parents=parents)
    s = model.score(a, b)
    assert s.probability < model.threshold
    assert scoring.THIN_REASON in s.reasons or scoring.SIBLING_REASON in s.reasons


def test_one_child_recorded_swapped_and_not_swapped_is_still_suggested(model):
    parents = [("Jean Storey", "07198 154184")]
    s = model.score(
        child("Mellissa", "Storey", parents=parents), child("Storey", "Mellissa", parents=parents)
    )
    assert s.probability >= model.threshold
    assert s.reasons[0] == scoring.SWAPPED_REASON


def test_common_first_names_leave_out_slips_repeated_a_few_times():
    names = ["Maria", "Mary"] + [f"Name{letter}{other}" for letter in "abcdefghij" for other in "abcdefghij"]
    profiles = [make_profile(first_name=name, last_name="Smith") for name in names for _ in range(100)]
    profiles += [make_profile(first_name="Mraia", last_name="Smith")] * 6
    common = common_first_names(profiles)
    assert {"maria", "mary"} <= common
    assert "mraia" not in common  # the bar: a tenth of the hundredth most common name's count (10)


def test_the_model_file_round_trips_its_common_names(model):
    again = scoring.from_dict(scoring.to_dict(model))
    assert again.common_first_names == model.common_first_names


def test_a_record_linked_to_both_twins_keeps_neither_link(model):
    joanne, jayne, typo = child("Joanne"), child("Jayne"), child("Joane")
    profiles = [joanne, jayne, typo]
    found = [(0, 2), (1, 2)]  # the mistyped record reaches the threshold with both twins
    assert model.score(joanne, jayne).possible_sibling
    assert twin_conflicts(found, profiles, model) == {(0, 2), (1, 2)}


def test_three_records_of_one_child_are_no_conflict(model):
    profiles = [child("Nicole"), child("Nicole", middle_names="Ann"), child("Nicoel")]
    found = [(0, 1), (0, 2), (1, 2)]
    assert twin_conflicts(found, profiles, model) == set()
