"""The register: one Case per entry, with its reference lists and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from onroll.accounts.models import Organisation
from onroll.children.models import Child
from onroll.core.models import TrackedModel
from onroll.schools.models import LocalAuthority


class ReferenceEntry(models.Model):
    """A controlled-list entry loaded from reference/*.csv; `verified` is False for rows marked K."""

    code = models.SlugField(max_length=60, primary_key=True)
    label = models.CharField(max_length=200)
    source = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["label"]

    def __str__(self):
        return self.label


class Reason(ReferenceEntry):
    pass


class Vulnerability(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name_plural = "vulnerabilities"


class Category(models.TextChoices):
    AT_RISK = "at_risk", "At risk of missing education (known)"
    MISSING_LOCATED = "missing_located", "Missing education: identified and located"
    MISSING_NOT_LOCATED = "missing_not_located", "Missing education: identified but not located"
    NOT_SUITABLE = "not_suitable", "Not receiving suitable education (under 25 hours)"
    EHE = "ehe", "Electively home educated"
    CLOSED = "closed", "Closed"


# Categories that, by definition, only apply to a child of compulsory school age.
CSA_CATEGORIES = {Category.MISSING_LOCATED, Category.MISSING_NOT_LOCATED, Category.NOT_SUITABLE}


class ProvisionType(models.TextChoices):
    NONE = "none", "No provision"
    MAINSTREAM = "mainstream", "Mainstream school"
    SPECIAL = "special", "Special school"
    PRU = "pru", "Pupil referral unit"
    ALTERNATIVE = "alternative", "Alternative provision"
    TUITION = "tuition", "Individual or medical tuition"
    HOME_EDUCATION = "home_education", "Elective home education"
    REDUCED_TIMETABLE = "reduced_timetable", "Reduced timetable"


class ReferralSource(models.TextChoices):
    SCHOOL = "school", "School"
    SPA = "spa", "Single point of access"
    EDUCATION_WELFARE = "ews", "Education welfare service"
    ADMISSIONS = "admissions", "Admissions"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    SOCIAL_CARE = "social_care", "Children's social care"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    OTHER_LA = "other_la", "Another local authority"
    PUBLIC = "public", "Member of the public"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    BACK_ON_ROLL = "back_on_roll", "Back on a school roll"
    EHE = "ehe", "Electively home educated"
    MOVED_LA = "moved_la", "Moved to another local authority (confirmed)"
    MOVED_ABROAD = "moved_abroad", "Moved abroad (confirmed)"
    LOST_CTF = "lost_ctf", "Lost CTF uploaded to the Lost Pupil Database"
    SAO = "sao", "School attendance order started"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision in place"
    RISK_REDUCED = "risk_reduced", "Risk reduced: attending regularly"
    NOT_CSA = "not_csa", "No longer of compulsory school age"
    DIED = "died", "Child died"


class Case(TrackedModel):
    reference = models.CharField(max_length=12, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.AT_RISK)
    primary_reason = models.ForeignKey(Reason, on_delete=models.PROTECT, related_name="cases")
    vulnerabilities = models.ManyToManyField(Vulnerability, blank=True, related_name="cases")
    provision_type = models.CharField(
        max_length=30, choices=ProvisionType.choices, default=ProvisionType.NONE
    )
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    responsible_org = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        verbose_name="responsible school or team",
    )
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_cases"
    )
    referral_source = models.CharField(
        "data provider or referral source", max_length=30, choices=ReferralSource.choices
    )
    referred_by_org = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="referred_cases"
    )
    shared_with = models.ManyToManyField(Organisation, blank=True, related_name="shared_cases")
    date_identified = models.DateField()
    # Concerns a professional records; procedure packs may trigger on them ({flag: safeguarding_concern}).
    safeguarding_concern = models.BooleanField(default=False)
    whereabouts_unknown = models.BooleanField(default=False)
    parents_not_engaging = models.BooleanField("parents not engaging", default=False)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    date_closed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-date_identified", "-id"]
        indexes = [
            models.Index(fields=["la", "-date_identified", "-id"], name="case_register_order"),
            models.Index(fields=["la", "category", "-date_identified", "-id"], name="case_register_category"),
            models.Index(fields=["lead_professional", "category"], name="case_lead"),
        ]
        constraints = [
            # Closed exactly when there is an outcome and a closing date.
            models.CheckConstraint(
                condition=Q(category="closed", date_closed__isnull=False, outcome__gt="")
                | (~Q(category="closed") & Q(date_closed__isnull=True, outcome="")),
                name="case_closed_with_outcome",
            ),
            models.CheckConstraint(
                condition=Q(date_closed__isnull=True) | Q(date_closed__gte=F("date_identified")),
                name="case_closed_after_identified",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__gte=0, hours_per_week__lte=60),
                name="case_hours_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.category != Category.CLOSED


class CaseNote(TrackedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()

    class Meta:
        ordering = ["-created_at"]


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    HOME_VISIT = "home_visit", "Home visit"
    IN_PERSON = "in_person", "In person"
    OTHER = "other", "Other"


class ContactOutcome(models.TextChoices):
    SPOKE_TO_PARENT = "spoke_parent", "Spoke to parent or carer"
    SPOKE_TO_CHILD = "spoke_child", "Spoke to or saw the child"
    MESSAGE_LEFT = "message_left", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    NUMBER_NOT_IN_USE = "not_in_use", "Number not in use"
    NO_ONE_HOME = "no_one_home", "No one at home"
    FAMILY_MOVED = "moved", "Family have moved"
    RETURNED = "returned", "Letter or email returned"
    OTHER = "other", "Other"


class ContactAttempt(TrackedModel):
    """One attempt to reach the family; the seeds require schools to keep every one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    made_on = models.DateField("date of attempt")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    contacted = models.CharField("who was contacted", max_length=200)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    details = models.TextField(blank=True)

    class Meta:
        ordering = ["-made_on", "-created_at"]


class StatusChange(TrackedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    to_category = models.CharField(max_length=30, choices=Category.choices)
    reason = models.TextField()

    class Meta:
        ordering = ["-created_at"]


class ConfirmedHow(models.TextChoices):
    """How a move away was confirmed: the guidance asks for moves to be confirmed, not assumed."""

    OTHER_LA = "other_la", "The other local authority confirmed it"
    NEW_SCHOOL = "new_school", "The new school confirmed it"
    CTF = "ctf", "The school-to-school (s2s) service or a CTF showed it"
    PARENT = "parent", "A parent or carer confirmed it"
    RELATIVE = "relative", "A relative, neighbour or landlord confirmed it"
    AGENCY = "agency", "Another agency confirmed it (health, police, housing, social care)"
    BORDER_FORCE = "border_force", "A Home Office or Border Force check"
    OTHER = "other", "Other"


class CaseOutcome(TrackedModel):
    """What one closing of a case found, with the details its outcome needs (casework.outcomes says which).

    A case closed, reopened and closed again has one row per closing; the newest is the current one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    closed_on = models.DateField()
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_roll_from = models.DateField("on the roll from", null=True, blank=True)
    review_due = models.DateField("suitability review due", null=True, blank=True)
    other_la = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_how = models.CharField(max_length=20, choices=ConfirmedHow.choices, blank=True)
    confirmed_on = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=100, blank=True)
    ctf_uploaded_on = models.DateField("lost CTF uploaded on", null=True, blank=True)
    sao_served_on = models.DateField("school attendance order served on", null=True, blank=True)
    provision = models.CharField("alternative provision", max_length=200, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    died_on = models.DateField("date of death", null=True, blank=True)

    class Meta:
        ordering = ["-closed_on", "-created_at"]

    def __str__(self):
        return f"{self.get_outcome_display()} on {self.closed_on:%d %b %Y}"


class ExclusionKind(models.TextChoices):
    SUSPENSION = "suspension", "Suspension (fixed period)"
    PERMANENT = "permanent", "Permanent exclusion"


class Exclusion(TrackedModel):
    """A suspension or permanent exclusion from a school the child is on the roll of."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="exclusions")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ExclusionKind.choices)
    first_day = models.DateField("first day of the exclusion")
    last_day = models.DateField("last day of the suspension", null=True, blank=True)
    school_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="school days a suspension lasts, on the school's calendar"
    )
    reason = models.TextField(blank=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exclusions")
    provision_task = models.ForeignKey(
        "procedures.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="permanent", last_day__isnull=True)
                | Q(kind="suspension", last_day__isnull=False, last_day__gte=F("first_day")),
                name="exclusion_days_fit_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.first_day:%d %b %Y}"
