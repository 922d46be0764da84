"""A child's identity, names, addresses, contacts and roll history."""

import datetime as dt

from django.db import models
from django.db.models import F, Q

from onroll.core import school_age
from onroll.core.models import TrackedModel
from onroll.schools.models import LocalAuthority, School

from .names import search_key


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    """DfE main ethnicity codes, as school census and CTF use them."""

    WBRI = "WBRI", "White - British"
    WIRI = "WIRI", "White - Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy / Roma"
    WOTH = "WOTH", "Any other White background"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black - African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


VULNERABILITY_FLAGS = (
    ("sen_support", "SEN support"),
    ("ehcp", "Education, health and care plan"),
    ("child_in_need", "Child in need"),
    ("child_protection_plan", "Child protection plan"),
    ("looked_after", "Looked after"),
    ("service_child", "Service child"),
    ("gypsy_roma_traveller", "Gypsy, Roma or Traveller"),
    ("young_carer", "Young carer"),
)


class Child(TrackedModel):
    legal_first_name = models.CharField(max_length=100)
    legal_middle_names = models.CharField(max_length=100, blank=True)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    former_upn = models.CharField("former UPN", max_length=13, blank=True, db_index=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    la = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="children", verbose_name="responsible LA"
    )
    sen_support = models.BooleanField("SEN support", default=False)
    ehcp = models.BooleanField("EHCP", default=False)
    child_in_need = models.BooleanField(default=False)
    child_protection_plan = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    service_child = models.BooleanField(default=False)
    gypsy_roma_traveller = models.BooleanField("Gypsy, Roma or Traveller", default=False)
    young_carer = models.BooleanField(default=False)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        verbose_name_plural = "children"
        indexes = [
            # INCLUDE id (PostgreSQL): matching's look-ups list the children born on given days from the
            # index alone, without visiting a table page per child (decision 0011).
            models.Index(fields=["date_of_birth"], name="child_date_of_birth", include=["id"]),
            # The other way round: a look-up that found children by surname keeps those born near a date,
            # and those of the searcher's LA, from the index alone.
            models.Index(fields=["id", "date_of_birth", "la"], name="child_id_birth_la"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(
            p for p in (self.legal_first_name, self.legal_middle_names, self.legal_last_name) if p
        )

    @property
    def known_as(self) -> str:
        first = self.preferred_first_name or self.legal_first_name
        last = self.preferred_last_name or self.legal_last_name
        return f"{first} {last}"

    def csa_start(self) -> dt.date:
        return school_age.csa_start(self.date_of_birth)

    def csa_end(self) -> dt.date:
        return school_age.csa_end(self.date_of_birth)

    def is_compulsory_school_age(self, on: dt.date) -> bool:
        return school_age.is_compulsory_school_age(self.date_of_birth, on)

    def nc_year(self, on: dt.date) -> int:
        return school_age.nc_year(self.date_of_birth, on)

    def flags(self) -> list[str]:
        return [label for field, label in VULNERABILITY_FLAGS if getattr(self, field)]


class NameKind(models.TextChoices):
    LEGAL = "legal", "Legal name"
    PREFERRED = "preferred", "Preferred name"
    FORMER = "former", "Former name"


class ChildName(models.Model):
    """Every name a child has been known by, folded for indexed prefix search (one row per name)."""

    # Indexed by childname_child_keys below, which also answers "does this child's name match?" from the
    # index alone when the register walks its cases in date order.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="names", db_index=False)
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    first_key = models.CharField(max_length=100)
    last_key = models.CharField(max_length=100)
    until = models.DateField(null=True, blank=True, help_text="for a former name, when it stopped being used")

    class Meta:
        indexes = [
            # INCLUDE child_id (PostgreSQL) so a prefix search lists children from the index alone.
            models.Index(
                fields=["last_key", "first_key"],
                name="childname_last_first",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                include=["child"],
            ),
            models.Index(
                fields=["first_key"],
                name="childname_first",
                opclasses=["varchar_pattern_ops"],
                include=["child"],
            ),
            models.Index(fields=["child", "last_key", "first_key"], name="childname_child_keys"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        # The keys are derived from the names so they can never disagree with them.
        self.first_key = search_key(self.first_name)
        self.last_key = search_key(self.last_name)
        super().save(*args, **kwargs)


class Address(TrackedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField("address line 1", max_length=200)
    line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    confidential = models.BooleanField(
        default=False,
        help_text="refuge or domestic abuse: only roles allowed to see confidential addresses see it",
    )

    class Meta:
        ordering = [F("to_date").desc(nulls_first=True), F("from_date").desc(nulls_last=True)]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(to_date__isnull=True)
                | Q(from_date__isnull=True)
                | Q(to_date__gte=F("from_date")),
                name="address_dates_in_order",
            )
        ]

    def __str__(self):
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)

    @property
    def is_current(self) -> bool:
        return self.to_date is None


class Contact(TrackedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60)
    parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_other = models.CharField("other phone", max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["-parental_responsibility", "name"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class EnrolmentStatus(models.TextChoices):
    ON_ROLL = "on_roll", "On roll"
    LEFT = "left", "Left"


class Enrolment(TrackedModel):
    """One spell on a school's admission register."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")
    entry_date = models.DateField()
    leaving_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ON_ROLL)
    leaving_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-entry_date"]
        indexes = [models.Index(fields=["school", "status"], name="enrolment_school_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True) | Q(leaving_date__gte=F("entry_date")),
                name="enrolment_leaves_after_entry",
            ),
            # A spell is "left" exactly when it has a leaving date.
            models.CheckConstraint(
                condition=Q(status="left", leaving_date__isnull=False)
                | Q(status="on_roll", leaving_date__isnull=True),
                name="enrolment_status_matches_leaving_date",
            ),
        ]

    def __str__(self):
        return f"{self.school} from {self.entry_date:%d %b %Y}"
