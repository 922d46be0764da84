"""Attendance codes: the reference file, the 19 August 2024 change and the loader's errors."""

import datetime as dt

import pytest

from onroll.attendance import codes
from onroll.attendance.codes import AttendanceCodeFileError, Category, code_sets, is_valid_on, load_code_table
from onroll.attendance.models import AttendanceCode

TABLE = load_code_table()
SETS = code_sets(TABLE)
LAST_DAY_OLD_CODES = dt.date(2024, 8, 18)
FIRST_DAY_NEW_CODES = dt.date(2024, 8, 19)


def test_the_file_loads_with_every_category():
    assert {"/", "\\", "L", "C1", "#", "N", "Y7"} <= set(TABLE)
    assert {info.category for info in TABLE.values()} == set(Category.values)


def test_only_not_counted_and_administrative_codes_are_left_out_of_possible_sessions():
    not_possible = set(TABLE) - SETS.possible
    assert not_possible == SETS.not_counted | SETS.administrative
    assert all(TABLE[code].statistical_meaning == "Not counted in possible sessions" for code in not_possible)


def test_the_sets_split_the_codes_by_category():
    parts = [SETS.present, SETS.authorised, SETS.unauthorised, SETS.not_counted, SETS.administrative]
    assert sum(len(part) for part in parts) == len(TABLE) == len(set().union(*parts))


def test_g_n_o_make_the_regulation_9_run_and_u_does_not():
    assert SETS.gno == {"G", "N", "O"}
    assert SETS.gno < SETS.unauthorised and "U" in SETS.unauthorised


@pytest.mark.parametrize("code", ["H", "J", "Y"])
def test_withdrawn_codes_stop_on_19_august_2024(code):
    assert is_valid_on(TABLE[code], LAST_DAY_OLD_CODES)
    assert not is_valid_on(TABLE[code], FIRST_DAY_NEW_CODES)


@pytest.mark.parametrize("code", ["C1", "C2", "J1", "K", "Q", "Y1", "Y7"])
def test_new_2024_codes_start_on_19_august_2024(code):
    assert not is_valid_on(TABLE[code], LAST_DAY_OLD_CODES)
    assert is_valid_on(TABLE[code], FIRST_DAY_NEW_CODES)


def test_unchanged_codes_are_valid_either_side_and_f_ended_in_2013():
    for day in (dt.date(2012, 1, 5), LAST_DAY_OLD_CODES, FIRST_DAY_NEW_CODES):
        assert all(is_valid_on(TABLE[code], day) for code in ("/", "\\", "N", "T", "#"))
    assert is_valid_on(TABLE["F"], dt.date(2013, 8, 31)) and not is_valid_on(TABLE["F"], dt.date(2013, 9, 1))


def test_the_table_is_read_only():
    with pytest.raises(TypeError):
        TABLE["N"] = TABLE["O"]
    with pytest.raises(AttributeError):
        TABLE["N"].category = Category.PRESENT


HEADER = ",".join(codes.COLUMNS)
GOOD = "N,Not yet known,unauthorised absence,yes,Unauthorised absence,Absent - unauthorised,active,V"


@pytest.mark.parametrize(
    "rows, error",
    [
        ([GOOD, GOOD], "codes.csv line 3: code 'N' appears twice"),
        ([GOOD.replace(",yes,", ",Y,")], "codes.csv line 2: counts_as_possible_session must be yes or no"),
        ([GOOD.replace(",active,", ",retired,")], "codes.csv line 2: unknown status 'retired'"),
        ([GOOD.replace("unauthorised absence,", "truant,")], "codes.csv line 2: category 'truant'"),
        ([GOOD.replace(",V", ",maybe")], "codes.csv line 2: confidence must be V or K"),
        ([GOOD, "O,Other"], "codes.csv line 3: expected 8 columns"),
    ],
)
def test_loader_errors_name_the_file_and_line(tmp_path, rows, error):
    path = tmp_path / "codes.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(AttendanceCodeFileError, match=error.replace("(", r"\(")):
        load_code_table(path)


def test_a_bad_header_is_an_error(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(HEADER.replace("meaning", "label") + "\n" + GOOD + "\n", encoding="utf-8")
    with pytest.raises(AttendanceCodeFileError, match="codes.csv line 1: the header must be"):
        load_code_table(path)


def test_migrate_created_every_code_and_reloading_keeps_an_admin_correction(db):
    assert set(AttendanceCode.objects.values_list("code", flat=True)) == set(TABLE)
    withdrawn = AttendanceCode.objects.get(code="H")
    assert withdrawn.valid_until == LAST_DAY_OLD_CODES and withdrawn.category == Category.AUTHORISED
    AttendanceCode.objects.filter(code="N").update(meaning="Reason not yet known (replace within 5 days)")
    AttendanceCode.objects.filter(code="Y7").delete()

    assert codes.load() == 1

    assert AttendanceCode.objects.get(code="N").meaning == "Reason not yet known (replace within 5 days)"
    assert AttendanceCode.objects.get(code="Y7").valid_from == FIRST_DAY_NEW_CODES
