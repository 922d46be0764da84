"""Organisations (LA teams, schools, partner agencies) and the people who sign in."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from onroll.core.models import TrackedModel


class OrganisationKind(models.TextChoices):
    LA_TEAM = "la_team", "Local authority team"
    SCHOOL = "school", "School"
    AGENCY = "agency", "Partner agency"


class TeamFunction(models.TextChoices):
    NONE = "", "Not a team"
    SPA = "spa", "Single point of access"
    EDUCATION_WELFARE = "ews", "Education welfare service"
    CME = "cme", "Children missing education team"
    BUSINESS_SUPPORT = "business_support", "Business support"
    PANEL = "panel", "Panel"
    ADMISSIONS = "admissions", "Admissions"


class Organisation(TrackedModel):
    """Anyone who holds or refers cases. `la_code` ties it to the DfE three-digit LA it works in."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    team_function = models.CharField(max_length=30, choices=TeamFunction.choices, blank=True, default="")
    la_code = models.CharField("LA number", max_length=3, db_index=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    SCHOOL_LEAD = "school_lead", "School attendance or safeguarding lead"
    SPA_OFFICER = "spa_officer", "Single point of access officer"
    CME_OFFICER = "cme_officer", "CME officer or education welfare officer"
    BUSINESS_SUPPORT = "business_support", "Business support officer"
    PANEL_CHAIR = "panel_chair", "Panel chair or strategic lead"
    PARTNER = "partner", "Partner agency"
    SENIOR_LEADER = "senior_leader", "Senior leader (read only)"
    SYSTEM_ADMIN = "system_admin", "System administrator"


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.SENIOR_LEADER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    job_title = models.CharField(max_length=120, blank=True)

    def __str__(self):
        return self.get_full_name() or self.username
