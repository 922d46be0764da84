"""Common Transfer Files received and produced, and children moving across LA boundaries."""

from django.conf import settings
from django.db import models

from onroll.core.models import TrackedModel

LOST = "XXXXXXX"  # destination unknown: the Lost Pupil Database (reference/ctf.md)
OUTSIDE = "MMMMMMM"  # outside the maintained sector in England and Wales
LA_ESTAB = "LLLL"  # an LA as sender or receiver: LA number + LLLL


class Direction(models.TextChoices):
    RECEIVED = "received", "Received"
    SENT = "sent", "Produced to send"


class DestinationKind(models.TextChoices):
    SCHOOL = "school", "A named school (LA number and establishment number)"
    LA = "la", "A local authority (LA number and LLLL)"
    UNKNOWN = "unknown", "Destination unknown: XXXXXXX, for the Lost Pupil Database"
    OUTSIDE = "outside", "Outside the maintained sector in England and Wales: MMMMMMM"


class CtfFile(TrackedModel):
    """One CTF XML file, imported or produced. A produced file keeps its XML so it downloads unchanged."""

    direction = models.CharField(max_length=10, choices=Direction.choices)
    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField("from (LAESTAB)", max_length=7)
    destination = models.CharField("to (LAESTAB)", max_length=7)
    destination_kind = models.CharField(max_length=10, choices=DestinationKind.choices, blank=True)
    sequence = models.PositiveSmallIntegerField(default=1)
    ctf_version = models.CharField(max_length=10, blank=True)
    pupils = models.PositiveIntegerField(default=0)
    content = models.TextField(blank=True, help_text="the XML, kept for files Onroll produced")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["la", "direction", "sha256"], name="ctffile_la_hash")]

    def __str__(self):
        return self.file_name


class CtfPupil(models.Model):
    """A child in a CTF file, with what the file said that Onroll does not hold elsewhere: school spells
    at schools Onroll does not know, and the attendance summaries per year."""

    ctf = models.ForeignKey(CtfFile, on_delete=models.CASCADE, related_name="pupil_rows")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="ctf_rows")
    upn = models.CharField(max_length=13)
    school_history = models.JSONField(default=list)
    attendance = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ctf", "child"], name="one_ctf_row_per_child")]

    def __str__(self):
        return f"{self.upn} in {self.ctf}"


class MoveStatus(models.TextChoices):
    AWAITING = "awaiting", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"


class MoveDestination(models.TextChoices):
    OTHER_LA = "other_la", "Another local authority in England"
    ABROAD = "abroad", "Abroad (or Scotland, Wales, Northern Ireland)"


class ConfirmedHow(models.TextChoices):
    ON_ROLL = "on_roll", "On the roll of a school"
    SUITABLE_EDUCATION = "suitable_education", "Receiving suitable education otherwise (e.g. home education)"


class Move(TrackedModel):
    """A child on a case who has moved to another LA or abroad; the case stays open until the move is
    confirmed (on a roll, or in suitable education)."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="moves")
    destination = models.CharField(max_length=10, choices=MoveDestination.choices)
    to_la = models.ForeignKey(
        "schools.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="new LA",
    )
    to_la_name = models.CharField("new LA (if not in the list)", max_length=120, blank=True)
    country = models.CharField(max_length=80, blank=True)
    moved_on = models.DateField("date moved (or first known to have moved)")
    new_address = models.TextField(blank=True)
    new_school = models.CharField("new school, if known", max_length=200, blank=True)
    how_known = models.TextField("how the move is known")
    notes = models.TextField("anything else known", blank=True)
    notified_on = models.DateField("date the other LA was notified", null=True, blank=True)
    task = models.ForeignKey(
        "procedures.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=MoveStatus.choices, default=MoveStatus.AWAITING)
    confirmed_how = models.CharField(max_length=20, choices=ConfirmedHow.choices, blank=True)
    confirmed_on = models.DateField(null=True, blank=True)
    confirmed_by_name = models.CharField("confirmed by (name and organisation)", max_length=200, blank=True)
    confirmed_school = models.CharField("school", max_length=200, blank=True)
    confirmation_evidence = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-moved_on"]

    def __str__(self):
        return f"Moved to {self.where}"

    @property
    def where(self) -> str:
        if self.destination == MoveDestination.ABROAD:
            return self.country or "abroad"
        return str(self.to_la) if self.to_la else self.to_la_name


class ArrivalStatus(models.TextChoices):
    NEW = "new", "New"
    LINKED = "linked", "Linked to a child"
    CASE_OPENED = "case_opened", "Case opened"


class ArrivalNotice(TrackedModel):
    """Another LA's notification that a child has moved, or may have moved, into this LA."""

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    from_la = models.ForeignKey(
        "schools.LocalAuthority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_la_name = models.CharField("from LA (if not in the list)", max_length=120, blank=True)
    received_on = models.DateField()
    sender = models.CharField("who sent it (name, team, phone or email)", max_length=300)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=[("F", "Female"), ("M", "Male"), ("U", "Not known")])
    upn = models.CharField("UPN", max_length=13, blank=True)
    address = models.TextField("address in this LA, if known", blank=True)
    previous_school = models.CharField(max_length=200, blank=True)
    details = models.TextField("what the other LA told us", blank=True)
    status = models.CharField(max_length=12, choices=ArrivalStatus.choices, default=ArrivalStatus.NEW)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="arrival_notices"
    )
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="arrival_notices"
    )

    class Meta:
        ordering = ["-received_on", "-created_at"]
        indexes = [models.Index(fields=["la", "status", "-received_on"], name="arrival_la_status")]

    def __str__(self):
        return f"{self.first_name} {self.last_name} (from {self.from_la or self.from_la_name})"

    @property
    def from_where(self) -> str:
        return str(self.from_la) if self.from_la else self.from_la_name


class HeldCtf(TrackedModel):
    """A CTF upload waiting for its importer to say, for pupils who may be children Onroll knows, which
    child each is. The file stays here, never in the browser; it goes once imported or abandoned, and an
    upload nobody came back to expires."""

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    joined_on = models.DateField(null=True, blank=True)
    pupils = models.PositiveIntegerField(default=0)
    to_decide = models.PositiveIntegerField(default=0, help_text="pupils who may be known children")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
