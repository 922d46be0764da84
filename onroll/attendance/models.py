"""Attendance codes as rows, so administrators can see them and correct a meaning (loaded from the file)."""

from django.db import models

from .codes import Category


class AttendanceCode(models.Model):
    """One register code (e.g. "/", "N", "Y1"); `valid_from`/`valid_until` bound the dates it may be used."""

    code = models.CharField(max_length=4, primary_key=True)
    meaning = models.TextField()
    category = models.CharField(max_length=24, choices=Category.choices)
    counts_as_possible_session = models.BooleanField()
    statistical_meaning = models.CharField(max_length=120)
    group_2024 = models.CharField(max_length=120)
    status = models.CharField(max_length=120, help_text="As written in reference/attendance_codes.csv.")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    verified = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.meaning}"


class Session(models.TextChoices):
    AM = "AM", "Morning"
    PM = "PM", "Afternoon"


class Timestamped(models.Model):
    """When a row was made and last changed; deliberately no per-row user (see decision 0004)."""

    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AttendanceMark(Timestamped):
    """One register mark: a child's code for one session at one school.

    `code` is the code's text, not a key to AttendanceCode: imports write millions of rows and the
    measures read them in bulk, and the code table is read from its file (`codes.load_code_table`)."""

    id = models.BigAutoField(primary_key=True)  # tens of millions of rows; see decision 0004
    # No single-column indexes on the keys: the unique constraint leads with child and `mark_school_date`
    # with school, and every extra index is written for each of the millions of imported marks. No database
    # foreign-key constraints either (decision 0004): checking 400,000 keys at commit was most of a day's
    # import; the import resolves every child and school itself, and Django applies on_delete.
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="marks", db_index=False, db_constraint=False
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="marks", db_index=False, db_constraint=False
    )
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.CharField(max_length=2)

    class Meta:
        ordering = ["date", "session"]
        constraints = [
            # (child, date, ...) first, so this index also serves a child's marks over a date range
            models.UniqueConstraint(
                fields=["child", "date", "session", "school"], name="unique_mark_per_session"
            )
        ]
        indexes = [models.Index(fields=["school", "date"], name="mark_school_date")]

    def __str__(self):
        return f"{self.date} {self.session}: {self.code}"


class RegisterChange(models.Model):
    """A school-day whose marks were added, changed or removed: written by database triggers on the marks
    table (PostgreSQL, one row per school-day per statement), read by the register snapshots (matrix.py)
    to know which school-days to read again."""

    id = models.BigAutoField(primary_key=True)
    school_id = models.UUIDField()
    date = models.DateField()
    changed_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.school_id} {self.date}"


class RegisterSnapshot(models.Model):
    """The daily run's register for one group of schools and one school year, kept between runs so that a
    run reads only the school-days changed since (matrix.py). Derived data: deleting it costs one full
    read."""

    key = models.CharField(max_length=80, unique=True)
    days = models.JSONField()  # the school days of the columns, ISO dates
    pupils = models.BinaryField()  # 32 bytes a row: child id, school id
    matrix = models.BinaryField()  # zlib-compressed uint8 codes, rows x 2 * days
    through_change = models.BigIntegerField()  # the last RegisterChange included
    saved_at = models.DateTimeField()

    def __str__(self):
        return self.key
