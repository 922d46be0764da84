"""Procedure packs: the five seed packs load and match their documents; bad packs report every problem with
its line; load_packs is idempotent and refuses changed content without a version bump."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from onroll.accounts.models import Role
from onroll.children.models import Child
from onroll.procedures.models import ProcedurePackVersion
from onroll.procedures.packs import (
    CHILD_FLAGS,
    ROLES,
    PackError,
    check_pack,
    parse_pack,
    read_pack,
    read_pack_dir,
)
from onroll.procedures.services import PACK_DIR, PackVersionConflict, load_packs

PACK_FILES = {
    "achieving-for-children": "achieving-for-children.yaml",
    "portsmouth": "portsmouth.yaml",
    "hampshire": "hampshire.yaml",
    "all-saints-catholic-primary": "all-saints-catholic-primary.yaml",
    "derbyshire-hillsgrove-primary": "derbyshire-hillsgrove-primary.yaml",
}


def pack(pack_id):
    return read_pack(PACK_DIR / PACK_FILES[pack_id]).content


def by_id(items):
    return {item["id"]: item for item in items}


def measure(condition, name):
    """The (op, value) of the first condition on `name` in a condition tree."""
    if condition.get("measure") == name:
        return condition["op"], condition["value"]
    for child in condition.get("all", []) + condition.get("any", []):
        found = measure(child, name)
        if found:
            return found
    return None


def flags(condition):
    if "flag" in condition:
        return {condition["flag"]}
    return set().union(*(flags(c) for c in condition.get("all", []) + condition.get("any", [])))


def test_the_lists_match_the_models():
    assert ROLES == set(Role.values)
    booleans = {f.name for f in Child._meta.get_fields() if isinstance(f, models.BooleanField)}
    assert CHILD_FLAGS == booleans


def test_every_seed_pack_loads_and_every_step_quotes_its_source():
    packs = read_pack_dir(PACK_DIR)
    assert {p.id for p in packs} == set(PACK_FILES)
    for p in packs:
        assert p.version >= 1
        for step in p.content["steps"]:
            assert step["source"].strip()
            assert step["due"] is not None or step["due_note"].strip()


def test_achieving_for_children():
    afc = pack("achieving-for-children")
    triggers, steps = by_id(afc["triggers"]), by_id(afc["steps"])
    # Days 1 to 5: the school calls and keeps records until day 5.
    calls = steps["first_day_calls"]
    assert measure(triggers[calls["opens_on"]]["when"], "gno_run_days") == (">=", 1)
    assert calls["role"] == "school_lead" and calls["due"] == {"within": 4, "unit": "school_days"}
    # Day 5: referral to SPA, due on school day 5.
    refer = steps["refer_to_spa"]
    op, day = measure(triggers[refer["opens_on"]]["when"], "gno_run_days")
    assert (op, day + refer["due"]["within"]) == (">=", 5)
    assert refer["to"] == "spa_officer" and refer["due"]["unit"] == "school_days"
    # Days 5 to 20: EWS enquiries, 15 school days after the referral.
    ews = steps["ews_enquiries"]
    assert ews["after"] == "refer_to_spa" and ews["role"] == "cme_officer" and ews["due"]["within"] == 15
    # Day 20: permission to remove, then the lost CTF.
    remove = steps["permission_to_remove"]
    assert measure(triggers[remove["opens_on"]]["when"], "gno_run_days") == (">=", 20)
    assert steps["remove_and_upload_ctf"]["after"] == "permission_to_remove"
    assert "School2School" in steps["remove_and_upload_ctf"]["title"]
    # Safety concerns: SPA at once.
    safety = steps["contact_spa_safety"]
    assert "safeguarding_concern" in flags(triggers[safety["opens_on"]]["when"])
    assert safety["to"] == "spa_officer" and safety["due"]["within"] == 0


def test_portsmouth():
    ports = pack("portsmouth")
    triggers, steps = by_id(ports["triggers"]), by_id(ports["steps"])
    assert measure(triggers["absent_20_days"]["when"], "gno_run_days") == (">=", 20)
    assert measure(triggers["leave_not_returned_10_days"]["when"], "days_since_leave_unreturned") == (
        ">=",
        10,
    )
    assert steps["refer_to_sat"]["opens_on"] == "absent_20_days"
    assert steps["refer_to_sat_after_leave"]["opens_on"] == "leave_not_returned_10_days"
    assert {steps["refer_to_sat"]["to"], steps["refer_to_sat_after_leave"]["to"]} == {"cme_officer"}
    urgent = steps["contact_mash_sat"]
    assert flags(triggers[urgent["opens_on"]]["when"]) == {"safeguarding_concern", "child_protection_plan"}
    assert urgent["due"] == {"within": 0, "unit": "school_days"}
    assert steps["joint_enquiries"]["after"] == ["refer_to_sat", "refer_to_sat_after_leave"]
    outcome = steps["written_outcome"]
    assert outcome["after"] == "joint_enquiries" and outcome["to"] == "school_lead" and outcome["due"] is None


def test_hampshire():
    hants = pack("hampshire")
    triggers, steps = by_id(hants["triggers"]), by_id(hants["steps"])
    referral = triggers[steps["refer_pmooe"]["opens_on"]]["when"]
    assert measure(referral, "gno_run_days") == (">=", 20)
    assert measure(referral, "absent_sessions") == (">=", 40)
    assert "PMOOE" in steps["refer_pmooe"]["title"] and steps["refer_pmooe"]["to"] == "cme_officer"
    lit = steps["refer_to_lit"]
    assert flags(triggers[lit["opens_on"]]["when"]) == {"parents_not_engaging"}
    assert lit["role"] == "cme_officer" and "Legal Intervention Team" in lit["title"]
    assert all(step["due"] is None for step in hants["steps"])  # the policy sets no deadlines


def test_all_saints():
    school = pack("all-saints-catholic-primary")
    assert school["source"]["kind"] == "school"
    triggers, steps = by_id(school["triggers"]), by_id(school["steps"])
    assert measure(triggers["absent_10_days"]["when"], "gno_run_days") == (">=", 10)
    assert steps["contact_family"]["opens_on"] == "absent_10_days"
    decide = steps["decide_inform_la"]
    assert decide["after"] == "contact_family" and decide["to"] == "cme_officer" and decide["due"] is None


def test_derbyshire_primary():
    school = pack("derbyshire-hillsgrove-primary")
    triggers, steps = by_id(school["triggers"]), by_id(school["steps"])
    assert measure(triggers["out_of_provision_4_weeks"]["when"], "gno_run_days") == (">=", 20)
    assert steps["school_enquiries"]["opens_on"] == "out_of_provision_4_weeks"
    assert steps["inform_la"]["after"] == "school_enquiries" and steps["inform_la"]["to"] == "cme_officer"
    assert by_id([{"id": e["step"], **e} for e in school["escalations"]])["inform_la"]["to"] == "cme_officer"


BAD_PACK = """\
id: bad
name: A pack with one of every mistake
version: 1
source: {organisation: Somewhere, kind: local_authority, document: A policy}
definitions:
  - {term: cme, text: words}
triggers:
  - id: t1
    description: unknown measure
    when: {measure: gno_run_weeks, op: ">=", value: 20}
    source: quote
  - id: t2
    description: bad comparison
    when: {measure: gno_run_days, op: "=>", value: 20}
    source: quote
  - id: t3
    description: unknown flag
    when:
      any:
        - {flag: child_protection_plan}
        - {flag: on_the_moon}
    source: quote
steps:
  - id: s1
    title: unknown role
    role: headteacher
    opens_on: t1
    due: {within: 5, unit: school_days}
    evidence: e
    source: quote
  - id: s1
    title: duplicate id and negative days
    role: school_lead
    opens_on: t2
    due: {within: -3, unit: school_days}
    evidence: e
    source: quote
  - id: s3
    title: unknown previous step and missing evidence
    role: cme_officer
    after: s9
    due: {within: 2, unit: working_days}
    source: quote
stand_down:
  - {event: present_session_after_trigger, description: back, source: quote}
"""

EXPECTED = [
    (10, "unknown measure 'gno_run_weeks'"),
    (14, "bad comparison '=>'"),
    (21, "unknown flag 'on_the_moon'"),
    (26, "unknown role 'headteacher'"),
    (31, "duplicate step id 's1'"),
    (35, "is negative (-3 days)"),
    (38, "missing the required key 'evidence'"),
    (41, "unknown step 's9'"),
]


def test_a_bad_pack_reports_every_problem_with_its_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_PACK)
    with pytest.raises(PackError) as caught:
        read_pack(path)
    found = [(p.line, p.message) for p in caught.value.problems]
    for line, text in EXPECTED:
        assert any(n == line and text in message for n, message in found), (line, text, found)
    assert len(found) == len(EXPECTED), found
    assert "bad.yaml line 26: step 's1' has an unknown role 'headteacher'" in str(caught.value)


@pytest.mark.parametrize(
    "old, new, line, text",
    [
        ("name: A pack", "nom: A pack", 1, "missing the required key 'name'"),
        ("name: A pack", "nom: A pack", 2, "unknown key 'nom'"),
        ("version: 1", "version: 0", 3, "version must be a whole number from 1"),
        ("  - id: t3", "  - id: t1", 16, "duplicate trigger id 't1'"),
        ("    opens_on: t1", "    opens_on: t7", 27, "unknown trigger 't7'"),
        (
            "value: 20}\n    source: quote\n  - id: t2",
            "value: -2}\n    source: quote\n  - id: t2",
            10,
            "negative",
        ),
        ("  - id: s3\n", "  - id: s3\n    opens_on: t1\n", 38, "exactly one of 'opens_on'"),
        ("version: 1\n", "version: 1\nversion: 2\n", 4, "key 'version' appears twice"),
        ("    role: cme_officer", "    role: [cme_officer", 41, "not valid YAML"),
    ],
)
def test_each_kind_of_problem_names_its_line(old, new, line, text):
    assert old in BAD_PACK
    _, problems = check_pack(BAD_PACK.replace(old, new, 1), "bad.yaml")
    assert any(p.line == line and text in p.message for p in problems), [str(p) for p in problems]


def test_a_missing_due_needs_a_note():
    text = BAD_PACK.replace("due: {within: 5, unit: school_days}", "due: null", 1)
    _, problems = check_pack(text, "bad.yaml")
    assert any(p.line == 28 and "due_note" in p.message for p in problems)


def copy_packs(tmp_path) -> Path:
    folder = tmp_path / "packs"
    folder.mkdir()
    for name in PACK_FILES.values():
        (folder / name).write_text((PACK_DIR / name).read_text())
    return folder


@pytest.mark.django_db
def test_load_packs_twice_adds_nothing(tmp_path):
    folder = copy_packs(tmp_path)
    call_command("load_packs", "--dir", str(folder))
    assert ProcedurePackVersion.objects.count() == 5
    first = list(ProcedurePackVersion.objects.values_list("pk", "loaded_at"))
    result = load_packs(folder)
    assert result.added == [] and len(result.unchanged) == 5
    assert list(ProcedurePackVersion.objects.values_list("pk", "loaded_at")) == first
    stored = ProcedurePackVersion.objects.get(pack_id="portsmouth")
    assert stored.version == 2 and stored.content["id"] == "portsmouth" and len(stored.content_hash) == 64


@pytest.mark.django_db
def test_a_changed_pack_needs_a_new_version(tmp_path):
    folder = copy_packs(tmp_path)
    load_packs(folder)
    path = folder / "hampshire.yaml"
    changed = path.read_text().replace('op: ">=", value: 40}', 'op: ">=", value: 30}')
    path.write_text(changed)
    with pytest.raises(
        PackVersionConflict, match="hampshire.yaml: pack 'hampshire' version 2 .* bump 'version'"
    ):
        load_packs(folder)
    with pytest.raises(CommandError, match="bump 'version'"):
        call_command("load_packs", "--dir", str(folder))
    assert ProcedurePackVersion.objects.count() == 5

    # A comment or layout change is not a content change.
    path.write_text("# reviewed\n" + (PACK_DIR / "hampshire.yaml").read_text())
    assert load_packs(folder).added == []

    path.write_text(changed.replace("version: 2", "version: 3", 1))
    assert [p.version for p in load_packs(folder).added] == [3]
    assert ProcedurePackVersion.objects.filter(pack_id="hampshire").count() == 2


@pytest.mark.django_db
def test_an_invalid_pack_stops_the_whole_load(tmp_path):
    folder = copy_packs(tmp_path)
    (folder / "bad.yaml").write_text(BAD_PACK)
    with pytest.raises(CommandError, match="bad.yaml line 10: unknown measure"):
        call_command("load_packs", "--dir", str(folder))
    assert ProcedurePackVersion.objects.count() == 0


def test_a_step_may_follow_a_list_of_steps_but_each_must_exist():
    text = (PACK_DIR / "portsmouth.yaml").read_text()
    broken = text.replace("after: [refer_to_sat, refer_to_sat_after_leave]", "after: [refer_to_sat, nowhere]")
    with pytest.raises(PackError, match="step 'joint_enquiries' comes after an unknown step 'nowhere'"):
        parse_pack(broken, "portsmouth.yaml")
