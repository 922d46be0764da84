"""Each regulation-9 ground, read from the grounds file, against evidence that meets and that misses each of
its conditions (pure: no database)."""

import datetime as dt
import itertools
import re
import shutil

import pytest

from onroll.roll import conditions as c
from onroll.roll.data_files import DATA_DIR, DataFileError, read_grounds

GROUNDS = {g["code_2024"]: g for g in read_grounds()}
D = dt.date

# Evidence that meets every condition of each ground.
MEETS = {
    "9(1)(a)": dict(
        pupil_registered_at_other_school=True,
        sao_naming_this_school_in_force=False,
        mobile_child=False,
        this_school_is_main_school=False,
        dual_registration_agreed=False,
        special_school_consent_ok=True,
    ),
    "9(1)(b)": dict(
        admitted_for_nursery_education=True,
        nursery_education_completed=True,
        would_transfer_to_reception_or_higher_class=True,
        reasonable_grounds_pupil_will_attend_again=False,
        special_school_consent_ok=True,
    ),
    "9(1)(c)": dict(
        registered_at_one_or_more_other_schools=True,
        reasonable_grounds_pupil_will_attend_again=False,
        consent_from_each_other_school=True,
        sao_naming_this_school_in_force=False,
        mobile_child=True,
        this_school_is_main_school=False,
        special_school_consent_ok=True,
    ),
    "9(1)(d)": dict(sao_formerly_naming_this_school=True, sao_amended_by_la_to_name_other_school=True),
    "9(1)(e)": {
        "sao_naming_this_school": True,
        "sao_revoked_by_la": True,
        "revocation_ground==suitable_education_otherwise_arranged": True,
    },
    "9(1)(f)": dict(
        written_parent_notice_leaving_for_education_otherwise=True,
        today=D(2026, 1, 20),
        notified_last_day_of_attendance=D(2026, 1, 16),
        sao_naming_this_school_in_force=False,
        special_school_consent_ok=True,
        cwsa_s37_consent_ok=True,
    ),
    "9(1)(g)": dict(
        no_longer_normally_lives_reasonable_distance=True,
        reasonable_grounds_pupil_will_attend_again=False,
        boarder=False,
        special_school_consent_ok=True,
    ),
    "9(1)(h)": dict(
        leave_of_absence_given=True,
        leave_period_ended=True,
        attended_within_10_school_days_after_leave_end=False,
        reasonable_grounds_unable_to_attend_sickness_or_unavoidable_cause=False,
        joint_reasonable_efforts_made=True,
        pupil_located=False,
        special_school_consent_ok=True,
    ),
    "9(1)(i)": {
        "continuous_absence_school_days": 20,
        "all_sessions_in_period_coded_in(G,N,O)": True,
        "reasonable_grounds_unable_to_attend_sickness_or_unavoidable_cause": False,
        "joint_reasonable_efforts_made": True,
        "pupil_located": True,  # limb (bb): found, and both agree the pupil will not attend again
        "jointly_agreed_no_reasonable_grounds_will_attend_again": True,
        "special_school_consent_ok": True,
    },
    "9(1)(j)": dict(
        detained_under_sentence_of_detention=True,
        reasonable_grounds_pupil_will_attend_after_sentence=False,
        special_school_consent_ok=True,
    ),
    "9(1)(k)": dict(pupil_died=True),
    "9(1)(l)": dict(
        will_be_over_csa_by_next_time_school_meets=True,
        reasonable_grounds_pupil_will_attend_again=True,
        meets_sixth_form_academic_entry_requirements=False,
        special_school_consent_ok=True,
    ),
    "9(1)(m)": {
        "boarder": True,
        "school_type_in(la_maintained,academy)": True,
        "board_and_lodging_charges_payable_by_parent": True,
        "charges_unpaid_at_end_of_term_they_relate_to": True,
        "special_school_consent_ok": True,
    },
    "9(1)(n)": {
        "ceased_to_be_pupil": True,
        "school_type_in(la_maintained,academy)": False,
        "special_school_consent_ok": True,
    },
    "9(1)(o)": dict(
        permanently_excluded=True,
        exclusion_duties_discharged_by_responsible_body=True,
        review_time_expired_without_application=True,
    ),
    "REMOVED": {
        "certified_by_school_medical_officer_unlikely_fit_to_attend_before_csa_end": True,
        "parent_or_pupil_indicated_continue_after_csa": False,
        "valid_only_for_deletions_before_2024-08-19": True,
    },
}


def evidence(values: dict) -> c.Evidence:
    return c.Evidence(
        {name: c.Fact(value, declared=name not in c.EVIDENCE_FACTS) for name, value in values.items()}
    )


def test_every_ground_in_the_file_has_a_case_here():
    assert set(GROUNDS) == set(MEETS)
    assert [g for g in GROUNDS if g.startswith("9(1)")] == [f"9(1)({x})" for x in "abcdefghijklmno"]
    assert not GROUNDS["REMOVED"]["active"]


@pytest.mark.parametrize("code", MEETS)
def test_evidence_that_meets_every_condition(code):
    results = c.evaluate(GROUNDS[code]["conditions"], evidence(MEETS[code]))
    assert all(r.ok for r in results), [(r.text, r.status) for r in results if not r.ok]
    assert c.all_satisfied(results)


def _atoms(node):
    if isinstance(node, c.Atom):
        return [node]
    if isinstance(node, c.Not):
        return _atoms(node.item)
    return [a for item in node.items for a in _atoms(item)]


def _choices(atom: c.Atom) -> tuple[str, list]:
    """The fact an atom reads and values on both sides of it."""
    key = atom.declarable_key()
    if key == atom.text:
        return key, [True, False]
    if atom.left == "today":
        return atom.right, [D(2026, 1, 16), D(2026, 1, 20)]
    if atom.right.isdigit():
        return atom.left, [int(atom.right) - 1, int(atom.right)]
    return atom.left, [True, False]


def _failing_assignments(code, index):
    tree = c.parse_conditions(GROUNDS[code]["conditions"])[index]
    choices = dict(_choices(a) for a in _atoms(tree))
    for combo in itertools.product(*choices.values()):
        values = {**MEETS[code], **dict(zip(choices, combo, strict=True))}
        if c.evaluate(GROUNDS[code]["conditions"], evidence(values))[index].status == c.Status.UNMET:
            yield values


CONDITIONS = [
    (code, i) for code in MEETS for i in range(len(c.parse_conditions(GROUNDS[code]["conditions"])))
]


@pytest.mark.parametrize("code, index", CONDITIONS, ids=[f"{code}-{i}" for code, i in CONDITIONS])
def test_evidence_that_misses_each_condition(code, index):
    failing = next(_failing_assignments(code, index), None)
    assert failing is not None, "no evidence makes this condition fail: it checks nothing"
    results = c.evaluate(GROUNDS[code]["conditions"], evidence(failing))
    assert results[index].status == c.Status.UNMET
    assert not c.all_satisfied(results)


@pytest.mark.parametrize("code, index", CONDITIONS, ids=[f"{code}-{i}" for code, i in CONDITIONS])
def test_a_condition_without_evidence_needs_a_declaration_or_is_unmet(code, index):
    tree = c.parse_conditions(GROUNDS[code]["conditions"])[index]
    names = {_choices(a)[0] for a in _atoms(tree)}
    values = {k: v for k, v in MEETS[code].items() if k not in names}
    result = c.evaluate(GROUNDS[code]["conditions"], evidence(values))[index]
    derived = any(a.declarable_key() is None for a in _atoms(tree))
    if derived:
        # Onroll's own evidence missing never turns into something the school may declare.
        assert result.status in (c.Status.UNMET, c.Status.NEEDS_DECLARATION)
        assert not set(result.to_declare) & c.EVIDENCE_FACTS
    else:
        assert result.status == c.Status.NEEDS_DECLARATION
        assert result.to_declare


def test_ground_i_limb_aa_met_by_the_enquiry_log_alone():
    values = {**MEETS["9(1)(i)"], "pupil_located": False}
    del values["jointly_agreed_no_reasonable_grounds_will_attend_again"]
    results = c.evaluate(GROUNDS["9(1)(i)"]["conditions"], evidence(values))
    assert results[4].status == c.Status.MET  # (pupil_located==false OR agreed==true)


def test_ground_i_19_days_is_not_enough():
    values = {**MEETS["9(1)(i)"], "continuous_absence_school_days": 19}
    results = c.evaluate(GROUNDS["9(1)(i)"]["conditions"], evidence(values))
    assert results[0].status == c.Status.UNMET and "19" not in results[0].statement


def test_ground_f_only_after_the_last_day_has_passed():
    values = {**MEETS["9(1)(f)"], "today": D(2026, 1, 16)}
    results = c.evaluate(GROUNDS["9(1)(f)"]["conditions"], evidence(values))
    assert results[1].status == c.Status.UNMET


def test_declared_conditions_are_shown_as_declared_and_evidence_as_met():
    results = c.evaluate(GROUNDS["9(1)(k)"]["conditions"], evidence(MEETS["9(1)(k)"]))
    assert results[0].status == c.Status.DECLARED
    results = c.evaluate(GROUNDS["9(1)(i)"]["conditions"], evidence(MEETS["9(1)(i)"]))
    assert results[0].status == c.Status.MET


def test_joint_enquiries_can_never_be_declared():
    assert "joint_reasonable_efforts_made" not in c.declarable_facts(GROUNDS["9(1)(i)"]["conditions"])
    # A declaration of it is ignored: evidence missing stays unmet.
    values = {**MEETS["9(1)(i)"]}
    del values["joint_reasonable_efforts_made"]
    ev = c.Evidence(
        {
            **evidence(values).facts,
            "joint_reasonable_efforts_made": c.Fact(None, "no case"),
        }
    )
    assert c.evaluate(GROUNDS["9(1)(i)"]["conditions"], ev)[3].status == c.Status.UNMET


@pytest.mark.parametrize(
    "text",
    ["a==true;b==", "NOT(a==true", "a==true AND", "a=true", "a==true;;", "(a==true OR b==true"],
)
def test_conditions_that_do_not_parse_are_refused(text):
    if text == "a==true;;":
        assert len(c.parse_conditions(text)) == 1
        return
    with pytest.raises(c.ConditionSyntaxError):
        c.parse_conditions(text)


def test_a_grounds_file_with_a_bad_condition_names_the_line(tmp_path):
    for name in ("deletion_grounds.csv", "deletion_ground_labels.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / "deletion_grounds.csv"
    path.write_text(path.read_text().replace("pupil_died==true", "pupil_died=="))
    with pytest.raises(DataFileError, match=r"deletion_grounds.csv line 12"):
        read_grounds(tmp_path)


# --- properties: the evaluator against an independent reading of the notation ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TREES = [
    (code, i, tree)
    for code in MEETS
    for i, tree in enumerate(c.parse_conditions(GROUNDS[code]["conditions"]))
]


def _python(tree) -> str:
    """The condition as a Python expression over `v` (values by name), written independently of evaluate."""
    text = c._render(tree)
    text = text.replace("NOT(", "not (").replace(" AND ", " and ").replace(" OR ", " or ")

    def atom(match):
        left, op, right = match.group(1), match.group(2), match.group(3)
        if left + op + right == match.group(0) and c.Atom(
            left, op, right, match.group(0)
        ).declarable_key() == match.group(0):
            return f"v[{match.group(0)!r}]"
        value = {"true": "True", "false": "False"}.get(right, right if right.isdigit() else f"v[{right!r}]")
        return f"(v[{left!r}] {op} {value})"

    return re.sub(
        r"([a-z][a-z0-9_\-]*(?:\([A-Za-z0-9_,]*\))?)(==|>=|<=|>|<)([a-z0-9][a-z0-9_\-]*)", atom, text
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("code, index, tree", TREES, ids=[f"{t[0]}-{t[1]}" for t in TREES])
def test_known_facts_give_the_same_answer_as_python(code, index, tree, data):
    choices = dict(_choices(a) for a in _atoms(tree))
    values = {name: data.draw(st.sampled_from(options), label=name) for name, options in choices.items()}
    expected = eval(_python(tree), {}, {"v": {**MEETS[code], **values}})  # noqa: S307 (test oracle over our own notation)
    result = c.evaluate(GROUNDS[code]["conditions"], evidence({**MEETS[code], **values}))[index]
    assert result.ok == expected


@settings(max_examples=60, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("code, index, tree", TREES, ids=[f"{t[0]}-{t[1]}" for t in TREES])
def test_a_definite_answer_with_unknown_facts_holds_whatever_they_turn_out_to_be(code, index, tree, data):
    choices = dict(_choices(a) for a in _atoms(tree))
    partial = {
        name: data.draw(st.sampled_from([None, *options]), label=name) for name, options in choices.items()
    }
    values = {**{k: v for k, v in MEETS[code].items() if k not in choices}, **partial}
    result = c.evaluate(GROUNDS[code]["conditions"], evidence(values))[index]
    if not result.ok:
        return
    unknown = [name for name, value in partial.items() if value is None]
    for combo in itertools.product(*(choices[name] for name in unknown)):
        full = {**values, **dict(zip(unknown, combo, strict=True))}
        assert c.evaluate(GROUNDS[code]["conditions"], evidence(full))[index].ok


def test_an_unknown_fact_does_not_matter_when_the_rest_decides():
    values = {**MEETS["9(1)(a)"]}
    del values["this_school_is_main_school"]  # not a mobile child, so whether this is the main school is moot
    result = c.evaluate(GROUNDS["9(1)(a)"]["conditions"], evidence(values))[2]
    assert result.status == c.Status.DECLARED and result.to_declare == ()
