"""Local authorities and the establishments in them."""

from django.db import models

from onroll.accounts.models import Organisation
from onroll.core.models import TrackedModel


class LocalAuthority(TrackedModel):
    code = models.CharField("DfE LA number", max_length=3, unique=True)
    name = models.CharField(max_length=120)
    procedure_pack = models.CharField(
        max_length=80,
        blank=True,
        help_text="The id of the procedure pack the daily run applies to this LA's schools "
        "(procedure_packs/*.yaml); its newest loaded version is used. Blank: no procedure runs.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return f"{self.name} ({self.code})"


class SchoolType(models.TextChoices):
    MAINTAINED = "maintained", "Maintained"
    ACADEMY = "academy", "Academy"
    FREE = "free", "Free school"
    INDEPENDENT = "independent", "Independent"
    SPECIAL = "special", "Special"
    PRU = "pru", "Pupil referral unit"
    NON_MAINTAINED_SPECIAL = "nm_special", "Non-maintained special"


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SIXTEEN_PLUS = "16_plus", "16 plus"
    NOT_APPLICABLE = "na", "Not applicable"


class School(TrackedModel):
    urn = models.CharField("URN", max_length=8, unique=True)
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    estab_number = models.CharField("establishment number", max_length=4)
    name = models.CharField(max_length=200)
    school_type = models.CharField(max_length=20, choices=SchoolType.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    organisation = models.OneToOneField(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="school"
    )
    is_open = models.BooleanField(default=True)
    procedure_pack = models.CharField(
        max_length=80,
        blank=True,
        help_text="The school's own procedure pack id, if it has one; blank: the LA's pack applies.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["la", "estab_number"], name="unique_laestab")]

    def __str__(self):
        return self.name

    @property
    def laestab(self) -> str:
        return f"{self.la.code}{self.estab_number}"


class SchoolCalendar(TrackedModel):
    """Term dates and non-school days. An LA's calendar is the default for its schools; a school that
    sets its own dates (academies often do) has its own calendar, which replaces the LA's entirely."""

    name = models.CharField(max_length=120)
    la = models.OneToOneField(
        LocalAuthority, null=True, blank=True, on_delete=models.CASCADE, related_name="default_calendar"
    )
    school = models.OneToOneField(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="own_calendar"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # Exactly one owner, so "which calendar applies" never has two answers.
            models.CheckConstraint(
                condition=(
                    models.Q(la__isnull=False, school__isnull=True)
                    | models.Q(la__isnull=True, school__isnull=False)
                ),
                name="calendar_has_one_owner",
            )
        ]

    def __str__(self):
        return self.name


class Term(TrackedModel):
    calendar = models.ForeignKey(SchoolCalendar, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=40, help_text="e.g. Autumn 2026")
    start = models.DateField("first day")
    end = models.DateField("last day")
    half_term_start = models.DateField("half term first day")
    half_term_end = models.DateField("half term last day")

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "start"], name="unique_term_start"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="term_ends_after_start"
            ),
            # Half term is a break inside the term: school days on both sides of it.
            models.CheckConstraint(
                condition=(
                    models.Q(half_term_start__gt=models.F("start"))
                    & models.Q(half_term_end__gte=models.F("half_term_start"))
                    & models.Q(half_term_end__lt=models.F("end"))
                ),
                name="half_term_inside_term",
            ),
        ]

    def __str__(self):
        return self.name


class NonSchoolDayKind(models.TextChoices):
    INSET = "inset", "INSET day"
    CLOSURE = "closure", "Planned closure"
    OTHER = "other", "Other"


class NonSchoolDay(TrackedModel):
    """A weekday inside a term when pupils are not expected in school (bank holidays are built in)."""

    calendar = models.ForeignKey(SchoolCalendar, on_delete=models.CASCADE, related_name="non_school_days")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=NonSchoolDayKind.choices)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="unique_non_school_day")]

    def __str__(self):
        return f"{self.date}: {self.get_kind_display()}"
