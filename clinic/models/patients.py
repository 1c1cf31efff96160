"""The patient record (demographics, contact, referral) and portal invitations."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic import search
from clinic.validators import NOTE_MAX, LimitedTextField, date_check, validate_past_date

phone_validator = RegexValidator(
    r"^\+?[\d\s().-]{7,20}(\s*(ext\.?|x)\s*\d{1,6})?$",
    "Enter a phone number of 7 to 20 digits; spaces, dashes and brackets are fine.",
)


class Patient(models.Model):
    """A person the clinic treats. Demographics only: clinical content lives in intake,
    assessments and treatments, which front desk never reads."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        UNDISCLOSED = "undisclosed", "Not disclosed"

    class ContactMethod(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"

    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the patient likes to be called."
    )
    date_of_birth = models.DateField(validators=[validate_past_date])
    sex = models.CharField(
        max_length=20, choices=Sex.choices, default=Sex.UNDISCLOSED, help_text="As recorded."
    )
    gender = models.CharField(
        "gender identity", max_length=60, blank=True, help_text="In the patient's own words."
    )
    pronouns = models.CharField(max_length=40, blank=True)

    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    # The address the patient proved they read (a verification link, or the portal
    # invitation they accepted): the only one clinical documents are e-mailed to. Changing
    # `email` leaves it alone until the new address is confirmed in turn.
    email_verified = models.EmailField("confirmed e-mail", blank=True, editable=False)
    email_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    preferred_contact = models.CharField(
        "preferred contact method",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    province = models.CharField("province / state", max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)

    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_relationship = models.CharField("relationship", max_length=60, blank=True)
    emergency_contact_phone = models.CharField(
        max_length=30, blank=True, validators=[phone_validator]
    )

    health_number = models.CharField(
        "personal health number", max_length=30, blank=True, help_text="Optional."
    )
    insurer = models.CharField(max_length=120, blank=True, help_text="Optional.")
    insurer_policy_number = models.CharField("policy number", max_length=60, blank=True)
    referring_physician = models.CharField(max_length=120, blank=True)
    referring_physician_contact = models.CharField(
        "referring physician's phone or fax", max_length=120, blank=True
    )
    desk_notes = LimitedTextField(
        "notes for the front desk",
        max_length=NOTE_MAX,
        blank=True,
        help_text="Administrative only (parking, interpreter, billing). No clinical details.",
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient",
        help_text="The portal account of this patient, once invited.",
    )
    # Normalised names, e-mail and phone digits (clinic.search.normalize), kept by the
    # services that write patients; a trigram index on PostgreSQL makes substring search fast.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        app_label = "clinic"
        ordering = ["legal_last_name", "legal_first_name", "date_of_birth"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="clinic_pati_date_of_583412_idx"),
            # The patient list's order (patient_search): the first page of 20,000 patients
            # is read from the index instead of sorting the whole table.
            models.Index(
                fields=["legal_last_name", "legal_first_name", "id"],
                name="clinic_patient_name_order",
            ),
            models.Index(Lower("email"), name="clinic_patient_email_lower"),
        ]
        constraints = [
            date_check("clinic_patient", "date_of_birth"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def first_name(self) -> str:
        """The name to address the patient by."""
        return self.preferred_name or self.legal_first_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def age(self) -> int:
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    @property
    def contact_channel_missing(self) -> str:
        """Why the preferred contact method cannot be used ("" when it can): the
        registration form refuses such a record, but imported or older records may hold one,
        and the desk should see it before relying on the channel."""
        return contact_channel_missing(self.preferred_contact, email=self.email, phone=self.phone)

    @property
    def email_confirmed(self) -> bool:
        """The address on file is the one the patient confirmed."""
        return bool(self.email) and self.email.lower() == self.email_verified.lower()

    @property
    def document_email(self) -> str:
        """Where clinical documents may be e-mailed: the address on file, once the patient
        has confirmed it; "" otherwise. A changed address stops documents by e-mail until
        the patient confirms the new one: the change may be because the old mailbox is no
        longer theirs alone (a shared or former partner's account), so the old confirmed
        address is not used either (issue 16, acceptance 3)."""
        return self.email_verified if self.email_confirmed else ""

    def build_search_text(self) -> str:
        parts = [
            self.legal_first_name,
            self.legal_last_name,
            self.preferred_name,
            self.email,
        ]
        text = search.normalize(" ".join(part for part in parts if part))
        phone_digits = search.phone_digits(self.phone)
        return f"{text} {phone_digits}".strip()


class PortalInvitation(models.Model):
    """An emailed, single-use, expiring link with which a patient sets up a portal account.

    The link's token is a signature of this row's id (clinic.services), so nothing secret is
    stored and the e-mail task can rebuild the link from the id alone. Whether it still
    works is decided here: not used, not revoked, not expired.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "clinic"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.patient} ({self.email})"

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.state == "pending"


class CorrectionRequest(models.Model):
    """A request to correct a patient's record (HIPAA's right to amend), logged by staff:
    what is wrong, what it should say, and how it was settled. Signed clinical notes are
    never edited: a correction to one is made as an addendum and recorded here."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CORRECTED = "corrected", "Corrected"
        DECLINED = "declined", "Declined"

    class Source(models.TextChoices):
        PATIENT = "patient", "The patient asked"
        STAFF = "staff", "Staff found it"

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="correction_requests"
    )
    record = models.CharField(
        "record", max_length=200, help_text="Which record, e.g. 'Intake of 12 Nov: medications'."
    )
    requested_change = LimitedTextField("what it should say", max_length=NOTE_MAX)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PATIENT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = LimitedTextField(blank=True, max_length=NOTE_MAX)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Correction request for {self.patient}: {self.record}"


def contact_channel_missing(method: str, *, email: str, phone: str) -> str:
    """THE preferred-contact rule: the chosen channel needs its address or number. Returns
    the problem in words, or "" when the channel can be used."""
    Method = Patient.ContactMethod
    if method == Method.EMAIL and not email:
        return "E-mail is preferred but there is no e-mail address."
    if method in (Method.PHONE, Method.SMS) and not phone:
        return f"{Method(method).label} is preferred but there is no phone number."
    return ""
