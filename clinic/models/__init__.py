"""Front-office models; one module per area, all importable from clinic.models."""

from clinic.models.accounts import User
from clinic.models.audit import AccessLog, AccessReview
from clinic.models.care import CarePlan, CareTeamMember, CourseDay, RemeasureReminder
from clinic.models.consent import Consent, ConsentVersion
from clinic.models.intake import Intake, OutcomeScore, ScreeningClearance, ScreeningItem
from clinic.models.patients import CorrectionRequest, Patient, PortalInvitation
from clinic.models.reference import ReferenceVersion
from clinic.models.scheduling import (
    Appointment,
    AppointmentType,
    ClinicPolicy,
    DashboardDay,
    DeskNotice,
    Location,
    NeedlingDay,
    Practitioner,
    RecallInvitation,
    RecallPlan,
    Room,
    SpacingAlert,
    TimeOff,
    WorkingHours,
)
from clinic.models.verification import EmailVerification
from clinic.models.waitlist import TimeWindow, WaitlistEntry, WaitlistOffer

__all__ = [
    "AccessLog",
    "AccessReview",
    "Appointment",
    "AppointmentType",
    "CarePlan",
    "RemeasureReminder",
    "CareTeamMember",
    "ClinicPolicy",
    "DeskNotice",
    "DashboardDay",
    "CourseDay",
    "Location",
    "NeedlingDay",
    "Practitioner",
    "RecallInvitation",
    "RecallPlan",
    "Room",
    "SpacingAlert",
    "TimeOff",
    "WorkingHours",
    "Consent",
    "EmailVerification",
    "ConsentVersion",
    "CorrectionRequest",
    "Intake",
    "OutcomeScore",
    "Patient",
    "PortalInvitation",
    "ReferenceVersion",
    "ScreeningClearance",
    "ScreeningItem",
    "User",
    "TimeWindow",
    "WaitlistEntry",
    "WaitlistOffer",
]
