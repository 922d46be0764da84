"""Attendance import: the whole file is checked, then saved wholly or not at all, on fixed 2024 dates."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from onroll.attendance.imports import COLUMNS
from onroll.attendance.models import AttendanceMark
from onroll.attendance.services import import_marks
from onroll.audit.models import Action, AuditEvent
from onroll.core.upn import check_letter
from onroll.schools.models import NonSchoolDay, NonSchoolDayKind, SchoolCalendar, Term

from . import factories as f

D = dt.date
HEADER = ",".join(COLUMNS)
# Summer 2024 (half term 27-31 May; 6 May and 27 May bank holidays), autumn 2024 (half term 28 Oct-1 Nov).
TERMS = [
    ("Summer 2024", D(2024, 4, 15), D(2024, 7, 23), D(2024, 5, 27), D(2024, 5, 31)),
    ("Autumn 2024", D(2024, 9, 2), D(2024, 12, 20), D(2024, 10, 28), D(2024, 11, 1)),
]
INSET = D(2024, 9, 4)
AMARA = "B801200005001"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL")


def upn(n: int) -> str:
    body = f"8012000{n:04d}1"
    return check_letter(body) + body


@pytest.fixture
def school_world(world):
    calendar = SchoolCalendar.objects.create(name="Northmere term dates", la=world.la)
    for name, start, end, ht_start, ht_end in TERMS:
        Term.objects.create(
            calendar=calendar, name=name, start=start, end=end, half_term_start=ht_start, half_term_end=ht_end
        )
    NonSchoolDay.objects.create(calendar=calendar, date=INSET, kind=NonSchoolDayKind.INSET)
    world.laestab = world.school.laestab
    world.other_laestab = world.other_school.laestab
    # Ben changed UPN; Cara left Hillside in July; Dev is on Riverside's roll.
    world.ben = f.ChildFactory(la=world.la, upn=upn(2), former_upn=upn(3))
    f.EnrolmentFactory(child=world.ben, school=world.school)
    world.cara = f.ChildFactory(la=world.la, upn=upn(4))
    f.EnrolmentFactory(child=world.cara, school=world.school, leaving_date=D(2024, 7, 19), status="left")
    world.dev = f.ChildFactory(la=world.la, upn=upn(5))
    f.EnrolmentFactory(child=world.dev, school=world.other_school)
    return world


def csv_of(*rows: str) -> list[str]:
    return io.StringIO("\n".join([HEADER, *rows]) + "\n").readlines()


def good_rows(w):
    return [
        f"{AMARA},{w.laestab},2024-09-02,AM,/",
        f"{AMARA},{w.laestab},2024-09-02,PM,N",
        f"{upn(2)},{w.laestab},2024-09-02,AM,/",
        f"{upn(3)},{w.laestab},2024-09-02,PM,L",  # Ben by his former UPN
        f"{AMARA},{w.laestab},2024-07-01,AM,H",  # H was still a code before 19 August 2024
    ]


def codes():
    return {(m.child_id, m.date, m.session): m.code for m in AttendanceMark.objects.all()}


def test_a_good_file_imports(school_world):
    w = school_world
    result = import_marks(w.users.school_dsl, csv_of(*good_rows(w)))
    assert not result.refused, result.errors
    assert (result.rows, result.added, result.replaced, result.unchanged) == (5, 5, 0, 0)
    assert codes() == {
        (w.child.pk, D(2024, 9, 2), "AM"): "/",
        (w.child.pk, D(2024, 9, 2), "PM"): "N",
        (w.ben.pk, D(2024, 9, 2), "AM"): "/",
        (w.ben.pk, D(2024, 9, 2), "PM"): "L",
        (w.child.pk, D(2024, 7, 1), "AM"): "H",
    }
    assert AttendanceMark.objects.filter(school=w.school).count() == 5
    (summary,) = AuditEvent.objects.filter(action=Action.CREATE, username="school_dsl")
    assert "Hillside Primary School: 5 marks added" in summary.summary


def test_the_same_file_twice_changes_nothing(school_world):
    w = school_world
    import_marks(w.users.school_dsl, csv_of(*good_rows(w)))
    before = list(AttendanceMark.objects.values_list("id", "code", "modified_at"))
    events = AuditEvent.objects.count()
    result = import_marks(w.users.school_dsl, csv_of(*good_rows(w)))
    assert (result.added, result.replaced, result.unchanged) == (0, 0, 5)
    assert list(AttendanceMark.objects.values_list("id", "code", "modified_at")) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("method", ["orm", pytest.param("copy", marks=postgres_only)])
def test_both_save_paths_add_replace_and_keep_alike(school_world, method):
    w = school_world
    rows = [*good_rows(w), f"{upn(2)},{w.laestab},2024-09-03,PM,\\"]  # "\" needs escaping in COPY
    first = import_marks(w.users.school_dsl, csv_of(*rows), method=method)
    assert (first.added, first.replaced, first.unchanged) == (6, 0, 0), first.errors
    assert codes()[w.ben.pk, D(2024, 9, 3), "PM"] == "\\"
    again = import_marks(w.users.school_dsl, csv_of(*rows), method=method)
    assert (again.added, again.replaced, again.unchanged) == (0, 0, 6)
    fixed = [r.replace("PM,N", "PM,M").replace("PM,\\", "PM,/") for r in rows]
    fixed.append(f"{upn(2)},{w.laestab},2024-09-05,AM,/")
    result = import_marks(w.users.school_dsl, csv_of(*fixed), method=method)
    assert (result.added, result.replaced, result.unchanged) == (1, 2, 4)
    assert codes()[w.child.pk, D(2024, 9, 2), "PM"] == "M"
    assert codes()[w.ben.pk, D(2024, 9, 3), "PM"] == "/"
    events = AuditEvent.objects.filter(action=Action.UPDATE)
    assert sorted(e.changes["code"] for e in events) == [["N", "M"], ["\\", "/"]]
    assert {e.child_id for e in events} == {w.child.pk, w.ben.pk}
    assert all(e.user == w.users.school_dsl for e in events)


def test_the_copy_path_is_refused_without_postgresql(school_world):
    if connection.vendor == "postgresql":
        pytest.skip("checks the SQLite refusal")
    with pytest.raises(ValueError, match="PostgreSQL"):
        import_marks(school_world.users.school_dsl, csv_of(*good_rows(school_world)), method="copy")


def test_an_identical_row_twice_in_one_file_is_saved_once(school_world):
    w = school_world
    row = f"{AMARA},{w.laestab},2024-09-02,AM,/"
    result = import_marks(w.users.school_dsl, csv_of(row, row))
    assert not result.refused and result.added == 1


def test_a_corrected_mark_replaces_the_old_one_and_is_audited(school_world):
    w = school_world
    import_marks(w.users.school_dsl, csv_of(*good_rows(w)))
    corrected = [r.replace("PM,N", "PM,M") for r in good_rows(w)]
    result = import_marks(w.users.school_dsl, csv_of(*corrected))
    assert (result.added, result.replaced, result.unchanged) == (0, 1, 4)
    assert codes()[w.child.pk, D(2024, 9, 2), "PM"] == "M"
    (event,) = AuditEvent.objects.filter(action=Action.UPDATE)
    assert event.child_id == w.child.pk
    assert event.user == w.users.school_dsl
    assert event.changes["code"] == ["N", "M"]
    assert "from 'N' to 'M'" in event.summary


def error_of(user, *rows):
    result = import_marks(user, csv_of(*rows))
    assert result.refused
    assert not AttendanceMark.objects.exists()
    return [(e.line, e.column) for e in result.errors], " ".join(e.message for e in result.errors)


@pytest.mark.parametrize(
    "bad_row, column, words",
    [
        ("{AMARA},{laestab},2024-09-02,AM,ZZ", "code", "not an attendance code"),
        ("{AMARA},{laestab},2024-09-02,AM,H", "code", "until 18 August 2024"),
        ("{AMARA},{laestab},2024-07-01,AM,Y1", "code", "from 19 August 2024"),
        ("B801200005002,{laestab},2024-09-02,AM,/", "upn", "not a valid UPN"),
        ("{AMARA},9909999,2024-09-02,AM,/", "laestab", "No school has the LAESTAB 9909999"),
        ("{AMARA},99012,2024-09-02,AM,/", "laestab", "7 digits"),
        ("{unknown},{laestab},2024-09-02,AM,/", "upn", "No pupil"),
        ("{cara},{laestab},2024-09-02,AM,/", "upn", "not on the roll"),
        ("{AMARA},{laestab},2024-09-07,AM,/", "date", "weekend"),
        ("{AMARA},{laestab},2024-05-06,AM,/", "date", "bank holiday"),
        ("{AMARA},{laestab},2024-10-29,AM,/", "date", "not a school day"),
        ("{AMARA},{laestab},2024-09-04,AM,/", "date", "not a school day"),  # INSET
        ("{AMARA},{laestab},2024-08-12,AM,/", "date", "not a school day"),  # summer holiday
        ("{AMARA},{laestab},2025-01-06,AM,/", "date", "outside the term dates"),
        ("{AMARA},{laestab},02/09/2024,AM,/", "date", "YYYY-MM-DD"),
        ("{AMARA},{laestab},2024-09-02,XM,/", "session", "AM or PM"),
        ("{AMARA},{laestab},2024-09-02,AM", "row", "Expected 5 values"),
    ],
)
def test_each_error_is_reported_on_its_line_and_nothing_is_saved(school_world, bad_row, column, words):
    w = school_world
    bad = bad_row.format(AMARA=AMARA, laestab=w.laestab, unknown=upn(9), cara=upn(4))
    lines, text = error_of(w.users.school_dsl, *good_rows(w)[:2], bad, *good_rows(w)[2:])
    assert lines == [(4, column)]
    assert words in text


def test_a_duplicate_with_a_different_code_names_both_lines(school_world):
    w = school_world
    lines, text = error_of(
        w.users.school_dsl,
        f"{AMARA},{w.laestab},2024-09-02,AM,/",
        f"{upn(2)},{w.laestab},2024-09-02,AM,/",
        f"{upn(3)},{w.laestab},2024-09-02,AM,N",  # Ben again, by his former UPN
    )
    assert lines == [(4, "code")]
    assert "Line 3 gives code '/'" in text and "'N'" in text


def test_every_bad_row_is_reported_not_just_the_first(school_world):
    w = school_world
    lines, _ = error_of(
        w.users.school_dsl,
        f"{AMARA},{w.laestab},2024-09-02,AM,ZZ",
        f"{AMARA},{w.laestab},2024-09-07,PM,/",
        "x,y,z,AM,/",
    )
    assert lines == [(2, "code"), (3, "date"), (4, "upn"), (4, "laestab"), (4, "date")]


def test_a_wrong_header_is_refused(school_world):
    result = import_marks(school_world.users.school_dsl, ["pupil,school,date,session,mark\n"])
    assert [(e.line, e.column) for e in result.errors] == [(1, "header")]


def test_no_calendar_is_a_clear_error(school_world):
    w = school_world
    SchoolCalendar.objects.all().delete()
    lines, text = error_of(w.users.school_dsl, f"{AMARA},{w.laestab},2024-09-02,AM,/")
    assert lines == [(2, "date")]
    assert "no calendar" in text


def test_a_school_user_cannot_import_for_another_school(school_world):
    w = school_world
    lines, text = error_of(w.users.school_dsl, f"{upn(5)},{w.other_laestab},2024-09-02,AM,/")
    assert lines == [(2, "laestab")]
    assert "your own school" in text
    result = import_marks(w.users.other_school_dsl, csv_of(f"{upn(5)},{w.other_laestab},2024-09-02,AM,/"))
    assert result.added == 1


def test_business_support_imports_for_any_school_in_their_la_only(school_world):
    w = school_world
    rows = [*good_rows(w), f"{upn(5)},{w.other_laestab},2024-09-02,AM,/"]
    assert import_marks(w.users.business_support, csv_of(*rows)).added == 6
    elsewhere = f.SchoolFactory(la=w.other_la)
    AttendanceMark.objects.all().delete()
    lines, text = error_of(w.users.business_support, f"{AMARA},{elsewhere.laestab},2024-09-02,AM,/")
    assert lines == [(2, "laestab")] and "schools in your LA" in text


def test_a_clash_with_a_concurrent_import_saves_nothing(school_world, monkeypatch):
    from onroll.attendance import services

    w = school_world
    import_marks(w.users.school_dsl, csv_of(*good_rows(w)[:1]))
    # As if another import inserted the mark after this one read the stored marks.
    monkeypatch.setattr(services, "_existing_marks", lambda marks: {})
    result = import_marks(w.users.school_dsl, csv_of(*good_rows(w)), method="orm")
    assert result.refused and "at the same time" in result.errors[0].message
    assert AttendanceMark.objects.count() == 1


@postgres_only
def test_a_clash_on_the_copy_path_saves_nothing(school_world, monkeypatch):
    from onroll.attendance import bulk

    w = school_world
    import_marks(w.users.school_dsl, csv_of(*good_rows(w)[:1]))
    # As if another import inserted the mark between this one's check for stored marks and its INSERT.
    monkeypatch.setattr(bulk, "DROP_STORED", "SELECT 1")
    result = import_marks(w.users.school_dsl, csv_of(*good_rows(w)), method="copy")
    assert result.refused and "at the same time" in result.errors[0].message
    assert AttendanceMark.objects.count() == 1


def test_roles_without_the_permission_are_refused(school_world):
    with pytest.raises(PermissionDenied):
        import_marks(school_world.users.cme_officer, csv_of(*good_rows(school_world)))


# The command


def write(tmp_path, *rows):
    path = tmp_path / "marks.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_command_imports_and_prints_counts(school_world, tmp_path):
    w = school_world
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_attendance", write(tmp_path, *good_rows(w)), user="school_dsl", stdout=out, stderr=err
    )
    assert "5 marks added, 0 replaced, 0 unchanged" in out.getvalue()
    assert "[" in err.getvalue() and "100%" in err.getvalue()


def test_command_refuses_a_bad_file_with_exit_code_1(school_world, tmp_path):
    w = school_world
    path = write(tmp_path, *good_rows(w), f"{AMARA},{w.laestab},2024-09-07,AM,/")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_attendance", path, user="school_dsl", stdout=out, stderr=io.StringIO())
    assert exit_.value.code == 1
    assert "Line 7, date:" in out.getvalue()
    assert "Nothing was saved" in out.getvalue()
    assert not AttendanceMark.objects.exists()


# The web page

URL = "web:import_attendance"


@pytest.mark.parametrize(
    "persona, status", [("school_dsl", 200), ("business_support", 200), ("cme_officer", 404)]
)
def test_who_may_see_the_page(world, login, persona, status):
    assert login(getattr(world.users, persona)).get(reverse(URL)).status_code == status


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get(reverse(URL)).status_code == 302


def upload(*rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    return SimpleUploadedFile("marks.csv", content, content_type="text/csv")


def test_web_upload_imports(school_world, login):
    w = school_world
    client = login(w.users.school_dsl)
    response = client.post(reverse(URL), {"file": upload(*good_rows(w))}, follow=True)
    assert response.status_code == 200
    assert "5 marks added" in response.content.decode()
    assert AttendanceMark.objects.count() == 5


def test_web_upload_shows_the_row_errors_and_saves_nothing(school_world, login):
    w = school_world
    client = login(w.users.school_dsl)
    response = client.post(
        reverse(URL), {"file": upload(*good_rows(w), f"{AMARA},{w.laestab},2024-09-02,AM,ZZ")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "govuk-table" in page
    assert "&#x27;ZZ&#x27; is not an attendance code" in page
    assert not AttendanceMark.objects.exists()


def test_web_upload_without_a_file_asks_for_one(school_world, login):
    response = login(school_world.users.school_dsl).post(reverse(URL), {})
    assert "Choose a CSV file" in response.content.decode()


# Files read in several chunks: a pupil, a duplicate or a wrong row in a later chunk


@pytest.fixture
def tiny_chunks(monkeypatch):
    from onroll.attendance import imports

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)


@pytest.mark.parametrize("method", ["orm", pytest.param("copy", marks=postgres_only)])
def test_chunks_make_no_difference(school_world, tiny_chunks, method):
    w = school_world
    rows = [
        *good_rows(w),
        f"{upn(3)},{w.laestab},2024-09-02,AM,/",
        f"{upn(5)},{w.other_laestab},2024-09-02,AM,/",
    ]
    result = import_marks(w.users.business_support, csv_of(*rows), method=method)
    # Ben twice by two UPNs, same code: saved once
    assert (result.rows, result.added, result.unchanged) == (7, 6, 0), result.errors
    again = import_marks(w.users.business_support, csv_of(*rows), method=method)
    assert (again.added, again.replaced, again.unchanged) == (0, 0, 6)


@pytest.mark.parametrize("method", ["orm", pytest.param("copy", marks=postgres_only)])
def test_a_clash_or_error_in_a_later_chunk_saves_nothing(school_world, tiny_chunks, method):
    w = school_world
    rows = [*good_rows(w), f"{upn(3)},{w.laestab},2024-09-02,AM,N", f"{AMARA},{w.laestab},2024-09-07,AM,/"]
    result = import_marks(w.users.school_dsl, csv_of(*rows), method=method)
    assert [(e.line, e.column) for e in result.errors] == [(7, "code"), (8, "date")]
    assert "Line 4 gives code '/'" in result.errors[0].message
    assert not AttendanceMark.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE, username="school_dsl").exists()


@postgres_only
def test_the_copy_path_stages_only_school_days_with_stored_marks(school_world, monkeypatch):
    from onroll.attendance import bulk

    w = school_world
    import_marks(w.users.school_dsl, csv_of(*good_rows(w)[:1]), method="copy")  # 2 September stored
    staged = []
    write = bulk.CopyStream.write

    def watch(stream, table, lines):
        if table == bulk.STAGING:
            staged.extend(lines)
        write(stream, table, lines)

    monkeypatch.setattr(bulk.CopyStream, "write", watch)
    result = import_marks(w.users.school_dsl, csv_of(*good_rows(w)), method="copy")
    assert (result.added, result.replaced, result.unchanged) == (4, 0, 1)
    assert len(staged) == 4 and all("2024-09-02" in line for line in staged)


# A bulk load: a file much bigger than the marks table drops and rebuilds its indexes


def mark_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'attendance_attendancemark'")
        return {name for (name,) in cursor.fetchall()}


def triggers_enabled() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'attendance_attendancemark'::regclass "
            "AND NOT tgisinternal AND tgenabled = 'O'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def small_bulk(monkeypatch):
    from onroll.attendance import bulk

    monkeypatch.setattr(bulk, "BULK_MIN_ROWS", 1)
    monkeypatch.setattr(bulk, "BULK_SHARE", 0)  # the table's row count is an estimate; ignore it here
    loads = []
    drop = bulk.BulkLoad.drop_indexes
    monkeypatch.setattr(bulk.BulkLoad, "drop_indexes", lambda load: loads.append(load) or drop(load))
    return loads


@postgres_only
def test_only_a_big_file_is_a_bulk_load(db):
    from onroll.attendance import bulk

    assert not bulk.BulkLoad.wanted(0) and not bulk.BulkLoad.wanted(bulk.BULK_MIN_ROWS - 1)
    assert bulk.BulkLoad.wanted(bulk.BULK_MIN_ROWS)  # the test database's marks table is empty


@postgres_only
def test_a_bulk_load_rebuilds_the_indexes_and_logs_each_school_day(school_world, small_bulk):
    from onroll.attendance.models import RegisterChange

    w = school_world
    indexes, triggers = mark_indexes(), triggers_enabled()
    rows = good_rows(w)
    result = import_marks(w.users.school_dsl, csv_of(*rows), method="copy", total=len(rows))
    assert len(small_bulk) == 1  # it was a bulk load
    assert (result.added, result.replaced, result.unchanged) == (5, 0, 0)
    assert mark_indexes() == indexes and "unique_mark_per_session" in indexes
    assert triggers_enabled() == triggers and len(triggers) == 3
    logged = set(RegisterChange.objects.values_list("school_id", "date"))
    assert logged == {(w.school.pk, dt.date(2024, 9, 2)), (w.school.pk, dt.date(2024, 7, 1))}
    # the same file again, every school-day now stored: staged, merged, nothing changed
    again = import_marks(w.users.school_dsl, csv_of(*rows), method="copy", total=len(rows))
    assert (again.added, again.unchanged) == (0, 5) and AttendanceMark.objects.count() == 5


@postgres_only
def test_a_bulk_load_merges_school_days_already_stored(school_world, small_bulk):
    w = school_world
    import_marks(w.users.school_dsl, csv_of(f"{AMARA},{w.laestab},2024-09-02,AM,N"), method="copy")
    rows = good_rows(w)
    result = import_marks(w.users.school_dsl, csv_of(*rows), method="copy", total=len(rows))
    assert len(small_bulk) == 1
    assert (result.added, result.replaced, result.unchanged) == (4, 1, 0)
    assert codes()[w.child.pk, dt.date(2024, 9, 2), "AM"] == "/"
    assert AttendanceMark.objects.count() == 5


@postgres_only
def test_a_refused_bulk_load_leaves_the_indexes_as_they_were(school_world, small_bulk):
    w = school_world
    indexes = mark_indexes()
    rows = [*good_rows(w), f"{AMARA},{w.laestab},2024-09-07,AM,/"]  # a Saturday
    result = import_marks(w.users.school_dsl, csv_of(*rows), method="copy", total=len(rows))
    assert result.refused and len(small_bulk) == 1
    assert not AttendanceMark.objects.exists()
    assert mark_indexes() == indexes and len(triggers_enabled()) == 3
