"""Reasonable enquiries on a case, and proposals to delete a pupil from a school's admission register.

The regulation-9 grounds and the default enquiry list are data (onroll/roll/data/*.csv, loaded by
`data_files.load` on every migrate); an administrator may correct a label or a condition, retire a row, or
give an LA its own enquiry list in the admin, and loading again never overwrites that.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from onroll.accounts.models import Organisation
from onroll.children.models import Child, Enrolment
from onroll.core.models import TrackedModel
from onroll.schools.models import LocalAuthority, School


class DeletionGround(models.Model):
    """One ground of regulation 9(1) of the 2024 regulations (or a 2006-only ground, kept for history)."""

    code_2024 = models.CharField("2024 ground", max_length=20, primary_key=True)
    code_2006 = models.CharField("2006 ground", max_length=40, blank=True)
    short_name = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    conditions = models.TextField(
        help_text="The conditions, separated by ';', in the reference file's notation "
        "(name==true, name>=20, NOT(...), (... OR ...)); each is checked against the evidence"
    )
    requires_la_notification = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=True, help_text="False for rows marked K: check before relying")
    active = models.BooleanField(default=True, help_text="Only active grounds can be chosen")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return f"{self.display_code}: {self.label}"

    @property
    def display_code(self) -> str:
        return f"Regulation {self.code_2024}" if self.code_2024 != "REMOVED" else f"2006 {self.code_2006}"

    @property
    def needs_joint_enquiries(self) -> bool:
        return "joint_reasonable_efforts_made" in self.conditions


class EnquiryGroup(models.TextChoices):
    FAMILY = "family", "Family, relatives and neighbours"
    SCHOOLS = "schools", "Schools"
    LA_SYSTEMS = "la_systems", "The LA's own systems"
    AGENCIES = "agencies", "Partner agencies"
    OTHER_LAS = "other_las", "Other LAs and schools"
    NATIONAL = "national", "National checks"


class EnquiryKind(TrackedModel):
    """One enquiry on an authority's checklist. Rows with no LA are the default list (from the data file);
    an LA with any rows of its own uses only those."""

    la = models.ForeignKey(
        LocalAuthority,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enquiry_kinds",
        help_text="Blank: the default list, used by every LA that has no list of its own",
    )
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    group = models.CharField(max_length=20, choices=EnquiryGroup.choices)
    required = models.BooleanField(
        default=False, help_text="Must be done before joint reasonable enquiries count as made"
    )
    required_if_flag = models.CharField(
        max_length=40,
        blank=True,
        help_text="A child flag (e.g. service_child) that makes this enquiry required for that child",
    )
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["la", "code"], name="enquiry_kind_once_per_la"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(la__isnull=True), name="enquiry_kind_once_in_default"
            ),
        ]

    def __str__(self):
        return self.label


class Side(models.TextChoices):
    SCHOOL = "school", "School"
    LA = "la", "Local authority"


class EnquiryMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    HOME_VISIT = "home_visit", "Home visit"
    IN_PERSON = "in_person", "In person"
    DATABASE = "database", "Database or system check"
    INFORMATION_REQUEST = "request", "Information request to an agency"
    OTHER = "other", "Other"


class EnquiryOutcome(models.TextChoices):
    FOUND = "found", "Found: the child's whereabouts are known"
    NOT_FOUND = "not_found", "Not found"
    NO_INFORMATION = "no_information", "No information held"
    REFUSED = "refused", "Refused to give information"
    AWAITING = "awaiting", "Asked: waiting for a reply"


class Enquiry(TrackedModel):
    """One enquiry made about a child on a case, by the school or by the LA."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="enquiries")
    kind = models.ForeignKey(EnquiryKind, on_delete=models.PROTECT, related_name="enquiries")
    side = models.CharField("made by", max_length=10, choices=Side.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField("date of the enquiry")
    method = models.CharField(max_length=20, choices=EnquiryMethod.choices)
    outcome = models.CharField(max_length=20, choices=EnquiryOutcome.choices)
    evidence = models.TextField("evidence note")

    class Meta:
        ordering = ["-made_on", "-created_at"]
        verbose_name_plural = "enquiries"

    def __str__(self):
        return f"{self.kind} ({self.get_side_display()}, {self.made_on})"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    DELETED = "deleted", "Deleted from roll"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.TextChoices):
    NONE = "", "Not decided"
    GRANTED = "granted", "Permission granted"
    REFUSED = "refused", "Permission refused"


class DeletionProposal(TrackedModel):
    """A school's proposal to delete a pupil from its admission register on one ground."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="deletion_proposals")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="deletion_proposals")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="deletion_proposals")
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="deletion_proposals"
    )
    ground = models.ForeignKey(DeletionGround, on_delete=models.PROTECT, related_name="proposals")
    proposed_date = models.DateField("proposed deletion date")
    status = models.CharField(max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    # (f): the parent's written notice and the last day of attendance it names.
    ehe_notice_received_on = models.DateField("written notice received on", null=True, blank=True)
    ehe_last_day = models.DateField("last day of attendance in the notice", null=True, blank=True)
    # Regulation 8(3) and 8(4) information for the deletion return, when known.
    new_address = models.TextField("new address", blank=True)
    new_address_from = models.DateField("living there from", null=True, blank=True)
    new_carer = models.CharField("parent the pupil will live with there", max_length=200, blank=True)
    destination_school = models.CharField("school the pupil will attend", max_length=200, blank=True)
    destination_start = models.DateField("start date at that school", null=True, blank=True)
    # The LA's decision (permission under its procedure; consent under reg 9(2) or CWSA 2026 s37).
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reasons = models.TextField(blank=True)
    # The deletion and its return to the LA.
    deleted_on = models.DateField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_sent_on = models.DateField("deletion return sent on", null=True, blank=True)
    return_content = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live proposal per spell on roll.
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="proposed"), name="one_open_proposal_per_enrolment"
            ),
            models.CheckConstraint(
                condition=~Q(status="deleted") | Q(deleted_on__isnull=False, return_sent_on__isnull=False),
                name="deleted_proposal_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(return_sent_on__isnull=True) | Q(return_sent_on__lte=models.F("deleted_on")),
                name="return_sent_no_later_than_deletion",
            ),
        ]

    def __str__(self):
        return f"{self.ground.code_2024} for {self.child_id}"


class Declaration(TrackedModel):
    """A condition Onroll cannot know, declared by the school: who (created_by) and when (created_at)."""

    proposal = models.ForeignKey(DeletionProposal, on_delete=models.CASCADE, related_name="declarations")
    fact = models.CharField(max_length=200)
    value = models.BooleanField()
    statement = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
