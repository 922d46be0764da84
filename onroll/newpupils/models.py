"""New pupil returns: a school tells its LA about a pupil it has put on its admission register (reg 13(1) of
the School Attendance (Pupil Registration) (England) Regulations 2024), by the end of the 5th day after."""

import datetime as dt

from django.db import models

from onroll.casework.models import Case
from onroll.children.models import Child, Enrolment, Sex
from onroll.core.models import TrackedModel
from onroll.matching.models import MatchDecision
from onroll.procedures.models import Task
from onroll.schools.models import School


class YearGroup(models.TextChoices):
    NURSERY = "N", "Nursery"
    RECEPTION = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"


class NewPupilReturn(TrackedModel):
    """One return as the school sent it. `reported` keeps the pupil's details in the school's own words,
    which may differ from the record the pupil was linked to (a preferred name, a new address)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="new_pupil_returns")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="new_pupil_returns")
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_on = models.DateField("date entered on the admission register")
    first_attendance = models.DateField("first day of attendance")
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    previous_school = models.CharField(max_length=200, blank=True)
    reported = models.JSONField(help_text="the pupil, address and parents as the school reported them")
    received_on = models.DateField()
    due_on = models.DateField(help_text="the end of the 5th day after the name was entered")
    late = models.BooleanField(default=False)
    decision = models.ForeignKey(
        MatchDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    known_child = models.BooleanField(
        default=False, help_text="the school linked the return to a child the LA already knew"
    )
    # The open case the return found the child on, and the task it opened to review it.
    found_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The one-time key the form page carried: a double click or a re-sent POST brings the same key back, and
    # the constraint below stops it making a second child. Blank on returns made before the key existed.
    submission_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-received_on", "-created_at"]
        indexes = [models.Index(fields=["school", "-received_on"], name="newpupil_school_received")]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="one_return_per_submission_key",
            )
        ]

    @property
    def reported_date_of_birth(self) -> dt.date:
        return dt.date.fromisoformat(self.reported["date_of_birth"])

    @property
    def reported_sex(self) -> str:
        return Sex(self.reported.get("sex") or Sex.UNKNOWN).label

    def __str__(self):
        return f"New pupil return from {self.school}: {self.reported.get('name', '')}"
