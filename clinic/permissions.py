"""Who may use what: the roles, their model permissions, and the one way views declare access.

Every view in the URLconf carries exactly one declaration, made with one of:

    @allow_public                      anyone, signed in or not (login, password reset, healthz)
    @allow_signed_in                   any signed-in user (logout, password change, home)
    @allow_roles(Role.PHYSIO, ...)     signed-in users holding at least one of these roles

The same decorators work on function views and on class-based views. A test walks the
URLconf and fails on any view without a declaration (clinic/tests/test_permissions.py).

A view that reads or writes a patient's clinical record also declares, under its role
policy, how to find that patient from the URL:

    @allow_roles(Role.PHYSIO)
    @clinical_record("pk", "treatments.TreatmentSession", patient="patient")
    def session_addendum(request, pk): ...

The gate runs before the view body: it finds the patient (404 if the object does not
exist) and, for a physiotherapist outside the patient's care team without a live
break-the-glass grant, refuses (the break-the-glass page, or an htmx redirect to it), so a
refused request has read, written, sent and queued nothing. The declaration is kept on
the view (`clinical_record_of`) for the access-matrix test. Models are named by dotted
path, so clinic declares nothing that imports the apps above it.

Other object-level rules (a patient sees only their own records, only a draft's author
edits it) are still the view's job: filter querysets by the signed-in user so another
patient's id answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

# The roles live in their own small module so models can import them without importing
# the view decorators below (and, through them, services). Re-exported here.
from clinic.roles import Role

# Model permissions each role's group holds ("app_label.codename"). These govern the Django
# admin and has_perm(); page access is declared on views. clinic.services.roles_sync makes
# the groups match this table exactly on every migrate.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.CLINIC_ADMIN: (
        "clinic.view_user",
        "clinic.add_user",
        "clinic.change_user",
        "clinic.view_historicaluser",
        "auth.view_group",
        "clinic.view_patient",
        "clinic.view_accesslog",
        "clinic.view_screeningitem",
        "clinic.add_screeningitem",
        "clinic.change_screeningitem",
        "clinic.view_consentversion",
        "clinic.add_consentversion",
        "clinic.change_consentversion",
        "clinic.delete_consentversion",
        *(
            f"clinic.{action}_{model}"
            for model in (
                "location",
                "room",
                "practitioner",
                "workinghours",
                "timeoff",
                "appointmenttype",
            )
            for action in ("view", "add", "change")
        ),
        "clinic.delete_room",
        "clinic.delete_workinghours",
        "clinic.delete_timeoff",
        "clinic.view_clinicpolicy",
        "clinic.change_clinicpolicy",
        "clinic.view_appointment",
        "clinic.view_spacingalert",
        "clinic.view_recallinvitation",
        # Assessment reference data (editable: DOMAIN.md asks a clinician to verify it).
        "assessments.view_segment",
        *(
            f"assessments.{action}_{model}"
            for model in ("muscle", "muscleinnervation", "sign", "signtest")
            for action in ("view", "add", "change")
        ),
        "assessments.delete_muscleinnervation",
        *(
            f"treatments.{action}_{model}"
            for model in ("needlingcredential", "needlesize", "homecaresnippet")
            for action in ("view", "add", "change")
        ),
        "treatments.view_adverseevent",
        # Records custody: the backup runs, read-only (written by the backup job).
        "custody.view_backuprun",
    ),
    Role.FRONT_DESK: (
        "clinic.view_patient",
        "clinic.add_patient",
        "clinic.change_patient",
    ),
    Role.PHYSIO: (
        "clinic.view_patient",
        "clinic.change_patient",
        "clinic.view_intake",
        "clinic.view_screeningclearance",
        "clinic.add_screeningclearance",
        "clinic.view_consent",
        "clinic.add_consent",
        "assessments.view_assessment",
        "assessments.add_assessment",
        "assessments.change_assessment",
        "treatments.view_treatmentsession",
        "treatments.add_treatmentsession",
        "treatments.change_treatmentsession",
        "treatments.add_adverseevent",
    ),
    Role.PATIENT: (),
}

# URL namespaces whose views enforce access themselves; the URLconf test accepts them.
DELEGATED_NAMESPACES: dict[str, str] = {
    "admin": "Django admin: staff accounts with model permissions only (clinic admins).",
}


@dataclass(frozen=True)
class AccessPolicy:
    """A view's declared audience."""

    kind: str  # "public" | "signed_in" | "roles"
    roles: frozenset[Role] = field(default_factory=frozenset)

    def allows(self, user: Any) -> bool:
        if self.kind == "public":
            return True
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if self.kind == "signed_in":
            return True
        return user.has_role(*self.roles)

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles: " + ", ".join(sorted(role.label for role in self.roles))
        return self.kind.replace("_", " ")


ViewFunc = Callable[..., HttpResponse]


def _guard(policy: AccessPolicy) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy.allows(request.user):
                if not request.user.is_authenticated:
                    # Imported here: auth.views imports the user model, which imports Role.
                    from django.contrib.auth.views import redirect_to_login

                    login = redirect_to_login(page_path(request))
                    if getattr(request, "htmx", False):
                        # A partial swap would put the login page inside the current one.
                        return HttpResponseClientRedirect(login.url)
                    return login
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page_path(request: HttpRequest) -> str:
    """Where to return after signing in (or breaking the glass): the page itself. For an
    htmx request that is the page the user was on (HX-Current-URL, a same-origin path only),
    never the partial or autosave endpoint the request went to; "/" if the header is
    missing or names another site."""
    if not getattr(request, "htmx", False):
        return request.get_full_path()
    path = request.htmx.current_url_abs_path
    if (
        path
        and path.startswith("/")
        and url_has_allowed_host_and_scheme(
            path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return path
    return "/"


def _declare(policy: AccessPolicy) -> Callable[[Any], Any]:
    def decorator(view: Any) -> Any:
        if isinstance(view, type) and issubclass(view, View):
            view.dispatch = method_decorator(_guard(policy))(view.dispatch)
            view.access_policy = policy
            return view
        guarded = _guard(policy)(view)
        guarded.access_policy = policy
        return guarded

    return decorator


allow_public = _declare(AccessPolicy("public"))
allow_signed_in = _declare(AccessPolicy("signed_in"))


def allow_roles(*roles: Role) -> Callable[[Any], Any]:
    """Declare that only users holding one of `roles` may use the view."""
    if not roles:
        raise ValueError("allow_roles() needs at least one role")
    return _declare(AccessPolicy("roles", frozenset(roles)))


@dataclass(frozen=True)
class ClinicalRecord:
    """Where a view's patient comes from: `model` (app_label.Model) looked up by
    `field` = the URL kwarg `kwarg`, and `patient`, the path from that row to the patient's
    id ("pk" when the model is the patient)."""

    kwarg: str
    model: str = "clinic.Patient"
    field: str = "pk"
    patient: str = "pk"

    def patient_id(self, kwargs: dict[str, Any]) -> int:
        """The patient's id, or Http404 when the URL names no such record."""
        return self.patient_and_care_team(kwargs)[0]

    def patient_and_care_team(self, kwargs: dict[str, Any], user: Any = None) -> tuple:
        """(The patient's id, whether `user` is on that patient's care team), read in one
        query; the second is None without a user. Http404 when the URL names no record."""
        from django.apps import apps
        from django.core.exceptions import ValidationError as _Invalid
        from django.db.models import Exists, OuterRef

        from clinic.services.care_team import care_team_membership

        model = apps.get_model(self.model)
        try:
            rows = model._default_manager.filter(**{self.field: kwargs[self.kwarg]})
            if user is not None:
                membership = care_team_membership(user, OuterRef(self.patient))
                rows = rows.annotate(clinic_on_team=Exists(membership))
                rows = rows.values_list(self.patient, "clinic_on_team")
            else:
                rows = rows.values_list(self.patient)
            # At most one row (looked up by a primary key or a token): no ordering.
            found = next(iter(rows.order_by()[:1]), None)
        except (ValueError, TypeError, _Invalid):
            found = None
        if found is None or found[0] is None:
            raise Http404(f"No such {model._meta.verbose_name}.")
        return found[0], (found[1] if user is not None else None)

    def describe(self) -> str:
        return f"clinical record of the patient of {self.model} by {self.kwarg}"


def _record_guard(gate: ClinicalRecord) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Imported here: clinic.access imports the models, which import Role.
            from clinic.access import care_team_answered, clinical_access_check

            # A physiotherapist's access turns on the care team: asked with the record's
            # patient, in the same query (one query fewer on every clinical page).
            user = request.user
            if not (user.is_authenticated and user.has_role(Role.PHYSIO)):
                user = None
            patient_id, on_team = gate.patient_and_care_team(kwargs, user)
            if on_team is not None:
                care_team_answered(request, patient_id, on_team)
            clinical_access_check(request, patient_id)
            request.clinical_patient_id = patient_id
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def clinical_record(
    kwarg: str, model: str = "clinic.Patient", *, field: str = "pk", patient: str = "pk"
) -> Callable[[Any], Any]:
    """Declare that the view opens the clinical record of the patient found through the
    URL kwarg `kwarg` (see ClinicalRecord), and guard it with the care-team check. Place it
    under the role policy, so anonymous users and other roles are refused first."""
    gate = ClinicalRecord(kwarg=kwarg, model=model, field=field, patient=patient)

    def decorator(view: Any) -> Any:
        if isinstance(view, type) and issubclass(view, View):
            view.dispatch = method_decorator(_record_guard(gate))(view.dispatch)
            view.clinical_record = gate
            return view
        guarded = _record_guard(gate)(view)
        guarded.clinical_record = gate
        return guarded

    return decorator


def clinical_record_of(callback: Any) -> ClinicalRecord | None:
    """The clinical-record declaration of a URL pattern's callback, if any."""
    gate = getattr(callback, "clinical_record", None)
    if gate is None and hasattr(callback, "view_class"):
        gate = getattr(callback.view_class, "clinical_record", None)
    return gate


def policy_of(callback: Any) -> AccessPolicy | None:
    """The declared policy of a URL pattern's callback, if any."""
    policy = getattr(callback, "access_policy", None)
    if policy is None and hasattr(callback, "view_class"):
        policy = getattr(callback.view_class, "access_policy", None)
    return policy


def own_patient(request: HttpRequest):
    """The patient record linked to the signed-in portal account; 404 if there is none
    (a patient view never takes a patient id from the URL)."""
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise Http404("No patient record is linked to this account.")
    return patient
