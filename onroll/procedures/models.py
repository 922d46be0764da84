import datetime as dt

from django.conf import settings
from django.db import models

from onroll.accounts.models import Role
from onroll.core.models import TrackedModel


class ProcedurePackVersion(models.Model):
    """One version of a procedure pack as loaded from procedure_packs/*.yaml; never edited after loading.

    A case records the row it ran under, so a later version of the pack never rewrites its history.
    """

    pack_id = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the parsed content as canonical JSON"
    )
    content = models.JSONField()
    source_file = models.CharField(max_length=200)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pack_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["pack_id", "version"], name="unique_pack_version")]

    def __str__(self):
        return f"{self.pack_id} v{self.version}"


class StandDown(models.TextChoices):
    """Why a procedure stopped; the first four are the pack format's stand_down events."""

    ATTENDED = "present_session_after_trigger", "The child attended again"
    LOCATED = "located_in_education", "Located in education"
    REMOVED = "removed_from_roll", "Removed from the school's roll"
    EXPLAINED = "explanation_received", "The absence was explained"
    CASE_CLOSED = "case_closed", "The case was closed"


class Procedure(TrackedModel):
    """One running of a pack for one child at one school, from the day a trigger first held.

    `first_held` maps each trigger id to the ISO date it first held in this running; a day once recorded is
    never moved, which is what makes the daily run idempotent."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="procedures")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="procedures")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="procedures")
    pack_version = models.ForeignKey(ProcedurePackVersion, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    first_held = models.JSONField(default=dict)
    stood_down_on = models.DateField(null=True, blank=True)
    stand_down_reason = models.CharField(max_length=40, choices=StandDown.choices, blank=True)

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "school"],
                condition=models.Q(stood_down_on__isnull=True),
                name="one_running_procedure_per_child_and_school",
            ),
            models.CheckConstraint(
                condition=models.Q(stood_down_on__isnull=True) | ~models.Q(stand_down_reason=""),
                name="stood_down_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["school", "stood_down_on"], name="procedure_school_running")]

    def __str__(self):
        return f"{self.pack_version} for {self.child_id} from {self.opened_on}"

    @property
    def is_running(self) -> bool:
        return self.stood_down_on is None

    def first_held_dates(self) -> dict[str, dt.date]:
        return {trigger: dt.date.fromisoformat(day) for trigger, day in self.first_held.items()}


class TaskStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    STOOD_DOWN = "stood_down", "No longer needed"


class Task(TrackedModel):
    """One step for one child: who must do what, by when, and what closed it.

    Most tasks are steps of a procedure; others come straight from an event on a case (a CTF due after a
    deletion, provision after a permanent exclusion): those have no procedure, and no school when the
    work is the LA's alone (`services.open_case_task`)."""

    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="tasks")
    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_id = models.CharField(max_length=80)
    title = models.TextField()
    role = models.CharField(max_length=30, choices=Role.choices)
    to_role = models.CharField("sent to", max_length=30, choices=Role.choices, blank=True)
    evidence_required = models.TextField(blank=True)
    opened_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    due_note = models.TextField(blank=True)
    escalate_on = models.DateField(null=True, blank=True)
    escalate_to = models.CharField(max_length=30, choices=Role.choices, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "opened_on"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "step_id"], name="one_task_per_step"),
            models.UniqueConstraint(
                fields=["case", "step_id"],
                condition=models.Q(procedure__isnull=True),
                name="one_case_task_per_step",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_on__isnull=False),
                name="done_task_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "role", "status", "due_on"], name="task_la_role"),
            models.Index(fields=["school", "role", "status", "due_on"], name="task_school_role"),
            models.Index(fields=["la", "escalate_to", "status"], name="task_escalated"),
        ]

    def __str__(self):
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on is not None and self.due_on < today
