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
