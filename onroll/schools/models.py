"""Local authorities and the establishments in them."""

from django.db import models

from onroll.accounts.models import Organisation
from onroll.core.models import TrackedModel


class LocalAuthority(TrackedModel):
    code = models.CharField("DfE LA number", max_length=3, unique=True)
    name = models.CharField(max_length=120)

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

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["la", "estab_number"], name="unique_laestab")]

    def __str__(self):
        return self.name

    @property
    def laestab(self) -> str:
        return f"{self.la.code}{self.estab_number}"
